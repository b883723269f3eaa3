/**
 * The native InvokeModel and InvokeModelWithResponseStream bodies of each model family, translated to
 * and from the provider interface (src/providers/types.ts). Pure: no I/O. Formats, per family, from the
 * Amazon Bedrock User Guide, "Inference request parameters and response fields for foundation models":
 *
 * - anthropic: "Anthropic Claude Messages API" (model-parameters-anthropic-claude-messages.html)
 * - meta: "Meta Llama models" (model-parameters-meta.html)
 * - titan-text: "Amazon Titan Text models" (model-parameters-titan-text.html)
 * - nova: Amazon Nova User Guide, "Complete request schema" and "Using the Invoke API"
 *   (complete-request-schema.html, using-invoke-api.html)
 * - mistral: "Mistral AI text completion" and "Mistral AI chat completion"
 *   (model-parameters-mistral-text-completion.html, model-parameters-mistral-chat-completion.html)
 * - cohere: "Cohere Command R and Command R+ models" (model-parameters-cohere-command-r-plus.html)
 *
 * Bedrock checks a native body against the family's JSON schema (the everit validator) before the model
 * sees it and answers a ValidationException "Malformed input request: #/path: problem, please reformat
 * your input and try again."; the wording of each problem below is everit's. The conversation rules of
 * the Anthropic family are Anthropic's own messages, which Bedrock passes through.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { refuseInput, WireError } from '../../protocols/wire-error.js';
import type { ContentBlock, Message, ModelRequest, ModelResponse, StopReason, Usage } from '../../providers/types.js';

/** The model families whose native bodies basalt speaks. */
export type NativeFamily = 'anthropic' | 'meta' | 'titan-text' | 'nova' | 'mistral' | 'cohere';

/** A request as the runtime hands it to a provider, before the model, signal and caller are added. */
export type NativeRequest = Omit<ModelRequest, 'signal' | 'model' | 'caller'>;

/**
 * What a native answer needs beyond the provider's ModelResponse: the Bedrock model ID (Anthropic
 * answers name the model), the stop sequence that matched (Anthropic reports it), whether the body was
 * Mistral's chat form (see isNativeChat; its answer has another shape) and the decoded request (Cohere
 * answers repeat the conversation as `chat_history`).
 */
export interface NativeEncodeOptions {
  model?: string;
  stopSequence?: string;
  chat?: boolean;
  request?: NativeRequest;
}

/** The timings Bedrock reports in `amazon-bedrock-invocationMetrics`, in milliseconds. */
export interface InvocationMetrics {
  firstByteLatencyMs: number;
  latencyMs: number;
}

/**
 * Turns a provider stream into the chunk objects a family emits in InvokeModelWithResponseStream (the
 * caller wraps each as a `chunk` event `{bytes: base64(JSON)}`): `start` once, `text` per delta, `stop`
 * once. The last chunk of `stop` carries `amazon-bedrock-invocationMetrics`, as Bedrock's does.
 */
export interface NativeStreamEncoder {
  start(inputTokens: number): unknown[];
  text(delta: string): unknown[];
  stop(reason: StopReason, usage: Usage, metrics: InvocationMetrics, stopSequence?: string): unknown[];
}

type Json = Record<string, unknown>;
type ToolResult = Extract<ContentBlock, { toolResult: unknown }>['toolResult'];
type ToolResultContent = ToolResult['content'][number];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined;

// ---------------------------------------------------------------------------------------------------
// The schema check: a miniature JSON schema per body, reported in everit's words.

type Kind = 'integer' | 'number' | 'string' | 'boolean' | 'array' | 'object' | 'any';

interface Field {
  kind: Kind;
  required?: boolean;
  min?: number;
  max?: number;
  minItems?: number;
  items?: Exclude<Kind, 'any'>;
  enum?: readonly string[];
}

type Shape = Readonly<Record<string, Field>>;

/** everit names the expected type by its schema type and the found one by the JSON value's Java class. */
const EXPECTED: Readonly<Record<Exclude<Kind, 'any'>, string>> = {
  integer: 'Integer',
  number: 'Number',
  string: 'String',
  boolean: 'Boolean',
  array: 'JSONArray',
  object: 'JSONObject',
};

function foundType(v: unknown): string {
  if (v === null) return 'Null';
  if (Array.isArray(v)) return 'JSONArray';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'BigDecimal';
  return 'JSONObject';
}

function hasKind(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObject(v);
    case 'any':
      return true;
  }
}

/** The ValidationException Bedrock answers for a body that fails its schema. */
function malformed(problems: readonly string[]): WireError {
  return new WireError(
    'ValidationException',
    `Malformed input request: ${problems.join(', ')}, please reformat your input and try again.`,
  );
}

/** Collects every schema violation of a body, as everit does, so one answer lists them all. */
class Violations {
  private readonly problems: string[] = [];

  add(path: string, problem: string): void {
    this.problems.push(`${path}: ${problem}`);
  }

  /** Checks a value's type, reporting a mismatch; true when it matches. */
  kind(v: unknown, kind: Kind, path: string): boolean {
    if (kind === 'any' || hasKind(v, kind)) return true;
    this.add(path, `expected type: ${EXPECTED[kind]}, found: ${foundType(v)}`);
    return false;
  }

  array(v: unknown, path: string): unknown[] | undefined {
    return this.kind(v, 'array', path) && Array.isArray(v) ? v : undefined;
  }

  /** Checks an object against a shape: required keys, each field, and no key the shape lacks. */
  object(v: unknown, shape: Shape, path: string): Json | undefined {
    if (!this.kind(v, 'object', path) || !isObject(v)) return undefined;
    for (const [key, field] of Object.entries(shape)) {
      if (v[key] === undefined && field.required) this.add(path, `required key [${key}] not found`);
    }
    for (const [key, value] of Object.entries(v)) {
      const field = shape[key];
      if (field === undefined) this.add(path, `extraneous key [${key}] is not permitted`);
      else this.field(value, field, `${path}/${key}`);
    }
    return v;
  }

  private field(v: unknown, field: Field, path: string): void {
    if (!this.kind(v, field.kind, path)) return;
    if (typeof v === 'number') {
      if (field.min !== undefined && v < field.min) this.add(path, `${v} is not greater or equal to ${field.min}`);
      if (field.max !== undefined && v > field.max) this.add(path, `${v} is not less or equal to ${field.max}`);
    }
    if (typeof v === 'string' && field.enum !== undefined && !field.enum.includes(v)) {
      this.add(path, `${v} is not a valid enum value`);
    }
    if (Array.isArray(v)) {
      if (field.minItems !== undefined && v.length < field.minItems) {
        this.add(path, `expected minimum item count: ${field.minItems}, found: ${v.length}`);
      }
      const items = field.items;
      if (items !== undefined) {
        for (const [i, item] of v.entries()) this.kind(item, items, `${path}/${i}`);
      }
    }
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw malformed(this.problems);
  }
}

const ANY: Field = { kind: 'any' };
const OBJ: Field = { kind: 'object' };
const STR: Field = { kind: 'string' };
const BOOL: Field = { kind: 'boolean' };
const NUM: Field = { kind: 'number' };
const REQ_STR: Field = { kind: 'string', required: true };
const UNIT: Field = { kind: 'number', min: 0, max: 1 };
const POSITIVE: Field = { kind: 'integer', min: 1 };
const STR_LIST: Field = { kind: 'array', items: 'string' };
const OBJ_LIST: Field = { kind: 'array', items: 'object' };

function decodeBase64(data: string): Uint8Array {
  return new Uint8Array(Buffer.from(data, 'base64'));
}

/** The optional inference parameters every family maps onto the provider request. */
function request(
  system: string[],
  messages: Message[],
  p: { maxTokens?: unknown; temperature?: unknown; topP?: unknown; stopSequences?: unknown },
): NativeRequest {
  const out: NativeRequest = { system, messages };
  const maxTokens = num(p.maxTokens);
  const temperature = num(p.temperature);
  const topP = num(p.topP);
  const stopSequences = strings(p.stopSequences);
  if (maxTokens !== undefined) out.maxTokens = maxTokens;
  if (temperature !== undefined) out.temperature = temperature;
  if (topP !== undefined) out.topP = topP;
  if (stopSequences !== undefined) out.stopSequences = stopSequences;
  return out;
}

const userText = (text: string): Message => ({ role: 'user', content: [{ text }] });
const turn = (role: Message['role'], text: string): Message => ({ role, content: [{ text }] });

// ---------------------------------------------------------------------------------------------------
// Prompt templates: completion models take one string; its chat template, when present, holds the turns.

// A header, the turn's text, and its end (or the prompt's end: the open assistant turn it continues).
const LLAMA3_TURN = new RegExp(
  '<\\|start_header_id\\|>(system|user|assistant|ipython)<\\|end_header_id\\|>\\n*([\\s\\S]*?)' +
    '(?:<\\|eot_id\\|>|<\\|eom_id\\|>|$)',
  'g',
);
const INST_TURN = /\[INST\]([\s\S]*?)\[\/INST\]([\s\S]*?)(?=\[INST\]|$)/g;
const SYS_BLOCK = /<<SYS>>([\s\S]*?)<<\/SYS>>/;

/**
 * Splits a completion prompt into turns: the Llama 3 header template, else the `[INST] … [/INST]` template
 * of Llama 2 and Mistral (with Llama 2's `<<SYS>>` block), else the whole prompt as one user turn.
 */
export function splitPrompt(prompt: string): { system: string[]; messages: Message[] } {
  const system: string[] = [];
  const messages: Message[] = [];
  if (prompt.includes('<|start_header_id|>')) {
    for (const [, role, body = ''] of prompt.matchAll(LLAMA3_TURN)) {
      const text = body.trim();
      // An empty trailing assistant header is the generation cue, not a turn.
      if (text === '') continue;
      if (role === 'system') system.push(text);
      else messages.push(turn(role === 'assistant' ? 'assistant' : 'user', text));
    }
  } else if (prompt.includes('[INST]')) {
    for (const [, inst = '', answer = ''] of prompt.replace(/<\/?s>/g, '').matchAll(INST_TURN)) {
      const sys = SYS_BLOCK.exec(inst)?.[1]?.trim();
      if (sys) system.push(sys);
      const text = inst.replace(SYS_BLOCK, '').trim();
      if (text !== '') messages.push(turn('user', text));
      if (answer.trim() !== '') messages.push(turn('assistant', answer.trim()));
    }
  }
  if (messages.length === 0) messages.push(userText(prompt));
  return { system, messages };
}

// ---------------------------------------------------------------------------------------------------
// Anthropic Claude Messages API

const ANTHROPIC: Shape = {
  anthropic_version: REQ_STR,
  anthropic_beta: STR_LIST,
  max_tokens: { kind: 'integer', required: true, min: 1 },
  messages: { kind: 'array', required: true, items: 'object', minItems: 1 },
  system: ANY,
  temperature: UNIT,
  top_p: UNIT,
  top_k: { kind: 'integer', min: 0 },
  stop_sequences: STR_LIST,
  tools: OBJ_LIST,
  tool_choice: OBJ,
  metadata: OBJ,
  thinking: OBJ,
};

const ANTHROPIC_MESSAGE: Shape = {
  role: { kind: 'string', required: true, enum: ['user', 'assistant'] },
  content: { kind: 'any', required: true },
};

const TYPE: Field = { kind: 'string', required: true };

/** Each content block type the Messages API takes; types basalt's providers cannot carry are dropped. */
const ANTHROPIC_BLOCKS: Readonly<Record<string, Shape>> = {
  text: { type: TYPE, text: REQ_STR, cache_control: OBJ, citations: ANY },
  image: { type: TYPE, source: { kind: 'object', required: true }, cache_control: OBJ },
  tool_use: { type: TYPE, id: REQ_STR, name: REQ_STR, input: { kind: 'object', required: true }, cache_control: OBJ },
  tool_result: { type: TYPE, tool_use_id: REQ_STR, content: ANY, is_error: BOOL, cache_control: OBJ },
  document: { type: TYPE, source: { kind: 'object', required: true }, title: STR, context: STR, citations: OBJ },
  thinking: { type: TYPE, thinking: STR, signature: STR },
  redacted_thinking: { type: TYPE, data: STR },
};

const ANTHROPIC_IMAGE_SOURCE: Shape = {
  type: { kind: 'string', required: true, enum: ['base64'] },
  media_type: { kind: 'string', required: true, enum: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] },
  data: REQ_STR,
};

const ANTHROPIC_SYSTEM_BLOCK: Shape = {
  type: { kind: 'string', required: true, enum: ['text'] },
  text: REQ_STR,
  cache_control: OBJ,
  citations: ANY,
};

function anthropicBlock(type: string, b: Json, path: string, v: Violations): ContentBlock | undefined {
  switch (type) {
    case 'text':
      return { text: str(b.text) ?? '' };
    case 'image': {
      const source =
        (b.source === undefined ? undefined : v.object(b.source, ANTHROPIC_IMAGE_SOURCE, `${path}/source`)) ?? {};
      const format = (str(source.media_type) ?? '').replace(/^image\//, '');
      return { image: { format, source: { bytes: decodeBase64(str(source.data) ?? '') } } };
    }
    case 'tool_use':
      return { toolUse: { toolUseId: str(b.id) ?? '', name: str(b.name) ?? '', input: b.input } };
    case 'tool_result': {
      const content = typeof b.content === 'string' ? [{ text: b.content }] : anthropicToolResult(b.content);
      const toolResult: ToolResult = { toolUseId: str(b.tool_use_id) ?? '', content };
      if (b.is_error !== undefined) toolResult.status = b.is_error === true ? 'error' : 'success';
      return { toolResult };
    }
    default:
      return undefined;
  }
}

function anthropicToolResult(content: unknown): Array<{ text: string }> {
  if (!Array.isArray(content)) return [];
  return content.flatMap((b) =>
    isObject(b) && b.type === 'text' && typeof b.text === 'string' ? [{ text: b.text }] : [],
  );
}

function anthropicContent(content: unknown, path: string, v: Violations): ContentBlock[] {
  if (typeof content === 'string') return [{ text: content }];
  const blocks = v.array(content, path) ?? [];
  return blocks.flatMap((raw, i) => {
    const at = `${path}/${i}`;
    if (!v.kind(raw, 'object', at) || !isObject(raw)) return [];
    const type = raw.type;
    if (typeof type !== 'string') {
      if (type === undefined) v.add(at, 'required key [type] not found');
      else v.kind(type, 'string', `${at}/type`);
      return [];
    }
    const shape = ANTHROPIC_BLOCKS[type];
    if (shape === undefined) {
      v.add(`${at}/type`, `${type} is not a valid enum value`);
      return [];
    }
    v.object(raw, shape, at);
    const block = anthropicBlock(type, raw, at, v);
    return block === undefined ? [] : [block];
  });
}

function anthropicSystem(system: unknown, v: Violations): string[] {
  if (system === undefined) return [];
  if (typeof system === 'string') return [system];
  const blocks = v.array(system, '#/system') ?? [];
  return blocks.flatMap((b, i) => {
    const o = v.object(b, ANTHROPIC_SYSTEM_BLOCK, `#/system/${i}`);
    return typeof o?.text === 'string' ? [o.text] : [];
  });
}

/** The Messages API's conversation rules, in Anthropic's words (Bedrock passes them through). */
function anthropicConversation(messages: readonly Message[]): void {
  messages.forEach((m, i) => {
    if (i === 0 && m.role !== 'user') refuseInput('messages: first message must use the "user" role');
    if (i > 0 && messages[i - 1]?.role === m.role) {
      refuseInput(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`,
      );
    }
    const last = i === messages.length - 1 && m.role === 'assistant';
    if (m.content.length === 0 && !last) {
      refuseInput('messages: all messages must have non-empty content except for the optional final assistant message');
    }
    if (m.content.some((b) => 'text' in b && b.text === ''))
      refuseInput('messages: text content blocks must be non-empty');
  });
}

function decodeAnthropic(body: Json, v: Violations): NativeRequest {
  v.object(body, ANTHROPIC, '#');
  const system = anthropicSystem(body.system, v);
  const messages = (Array.isArray(body.messages) ? body.messages : []).flatMap((raw, i): Message[] => {
    const m = v.object(raw, ANTHROPIC_MESSAGE, `#/messages/${i}`);
    if (m === undefined) return [];
    const content = anthropicContent(m.content, `#/messages/${i}/content`, v);
    return [{ role: m.role === 'assistant' ? 'assistant' : 'user', content }];
  });
  v.throwIfAny();
  anthropicConversation(messages);
  return request(system, messages, {
    maxTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    stopSequences: body.stop_sequences,
  });
}

/** The `model` an Anthropic answer names: the Bedrock model ID without region, vendor and version. */
function anthropicModelName(modelId: string): string {
  return modelId
    .slice(modelId.lastIndexOf('/') + 1)
    .replace(/^(?:[a-z]{2,4}|global)\./, '')
    .replace(/^anthropic\./, '')
    .replace(/-v\d+(?::[\w-]+)*$/, '');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A message ID in the shape Bedrock gives Anthropic answers: `msg_bdrk_01` and 22 alphanumerics. */
function anthropicMessageId(): string {
  return `msg_bdrk_01${Array.from(randomBytes(22), (b) => ALNUM[b % ALNUM.length]).join('')}`;
}

// ---------------------------------------------------------------------------------------------------
// Meta Llama, Amazon Titan Text, Amazon Nova, Mistral AI, Cohere Command R

const META: Shape = { prompt: REQ_STR, temperature: UNIT, top_p: UNIT, max_gen_len: POSITIVE, images: STR_LIST };

function decodeMeta(body: Json, v: Violations): NativeRequest {
  v.object(body, META, '#');
  v.throwIfAny();
  const { system, messages } = splitPrompt(str(body.prompt) ?? '');
  return request(system, messages, { maxTokens: body.max_gen_len, temperature: body.temperature, topP: body.top_p });
}

const TITAN: Shape = { inputText: REQ_STR, textGenerationConfig: OBJ };
const TITAN_CONFIG: Shape = {
  temperature: UNIT,
  topP: UNIT,
  maxTokenCount: { kind: 'integer', min: 0 },
  stopSequences: STR_LIST,
};

function decodeTitan(body: Json, v: Violations): NativeRequest {
  v.object(body, TITAN, '#');
  const config =
    body.textGenerationConfig === undefined
      ? {}
      : v.object(body.textGenerationConfig, TITAN_CONFIG, '#/textGenerationConfig');
  v.throwIfAny();
  // Titan has no turns: its conversational form ("User: … Bot:") is plain text to the model.
  const c = config ?? {};
  return request([], [userText(str(body.inputText) ?? '')], {
    maxTokens: c.maxTokenCount,
    temperature: c.temperature,
    topP: c.topP,
    stopSequences: c.stopSequences,
  });
}

const NOVA: Shape = {
  schemaVersion: STR,
  system: OBJ_LIST,
  messages: { kind: 'array', required: true, items: 'object', minItems: 1 },
  inferenceConfig: OBJ,
  toolConfig: OBJ,
};
const NOVA_MESSAGE: Shape = {
  role: { kind: 'string', required: true, enum: ['user', 'assistant'] },
  content: { kind: 'array', required: true, items: 'object' },
};
const NOVA_INFERENCE: Shape = {
  maxTokens: POSITIVE,
  max_new_tokens: POSITIVE,
  temperature: UNIT,
  topP: UNIT,
  top_p: UNIT,
  topK: { kind: 'integer', min: 0 },
  top_k: { kind: 'integer', min: 0 },
  stopSequences: STR_LIST,
  reasoningConfig: OBJ,
};

/** A Nova content block (the Converse block shapes, bytes in base64); video, documents and the like drop. */
function novaBlock(b: Json): ContentBlock[] {
  if (typeof b.text === 'string') return [{ text: b.text }];
  const image = isObject(b.image) ? b.image : undefined;
  if (image !== undefined) {
    const bytes = isObject(image.source) ? str(image.source.bytes) : undefined;
    return [{ image: { format: str(image.format) ?? '', source: { bytes: decodeBase64(bytes ?? '') } } }];
  }
  const use = isObject(b.toolUse) ? b.toolUse : undefined;
  if (use !== undefined)
    return [{ toolUse: { toolUseId: str(use.toolUseId) ?? '', name: str(use.name) ?? '', input: use.input } }];
  const result = isObject(b.toolResult) ? b.toolResult : undefined;
  if (result !== undefined) {
    const content = (Array.isArray(result.content) ? result.content : []).flatMap((c): ToolResultContent[] => {
      if (!isObject(c)) return [];
      if (typeof c.text === 'string') return [{ text: c.text }];
      return c.json === undefined ? [] : [{ json: c.json }];
    });
    const toolResult: ToolResult = { toolUseId: str(result.toolUseId) ?? '', content };
    const status = str(result.status);
    if (status !== undefined) toolResult.status = status;
    return [{ toolResult }];
  }
  return [];
}

function decodeNova(body: Json, v: Violations): NativeRequest {
  v.object(body, NOVA, '#');
  const config =
    body.inferenceConfig === undefined ? {} : v.object(body.inferenceConfig, NOVA_INFERENCE, '#/inferenceConfig');
  const messages = (Array.isArray(body.messages) ? body.messages : []).flatMap((raw, i): Message[] => {
    const m = v.object(raw, NOVA_MESSAGE, `#/messages/${i}`);
    if (m === undefined) return [];
    const content = (Array.isArray(m.content) ? m.content : []).filter(isObject).flatMap(novaBlock);
    return [{ role: m.role === 'assistant' ? 'assistant' : 'user', content }];
  });
  v.throwIfAny();
  const system = (Array.isArray(body.system) ? body.system : []).flatMap((b) =>
    isObject(b) && typeof b.text === 'string' ? [b.text] : [],
  );
  const c = config ?? {};
  return request(system, messages, {
    maxTokens: c.maxTokens ?? c.max_new_tokens,
    temperature: c.temperature,
    topP: c.topP ?? c.top_p,
    stopSequences: c.stopSequences,
  });
}

const MISTRAL_TEXT: Shape = {
  prompt: REQ_STR,
  max_tokens: POSITIVE,
  stop: STR_LIST,
  temperature: UNIT,
  top_p: UNIT,
  top_k: { kind: 'integer', min: 0, max: 200 },
};
const MISTRAL_CHAT: Shape = {
  messages: { kind: 'array', required: true, items: 'object', minItems: 1 },
  tools: OBJ_LIST,
  tool_choice: ANY,
  max_tokens: POSITIVE,
  temperature: UNIT,
  top_p: UNIT,
  stop: STR_LIST,
  response_format: OBJ,
};
const MISTRAL_MESSAGE: Shape = {
  role: { kind: 'string', required: true, enum: ['system', 'user', 'assistant', 'tool'] },
  content: ANY,
  tool_calls: OBJ_LIST,
  tool_call_id: STR,
  name: STR,
};

/** True when a native body is Mistral's chat form (`messages`), whose answers have their own shape. */
export function isNativeChat(family: NativeFamily, body: unknown): boolean {
  return family === 'mistral' && isObject(body) && body.messages !== undefined;
}

function mistralText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((c) => (isObject(c) && typeof c.text === 'string' ? c.text : '')).join('');
}

function parseArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

function mistralTurn(m: Json, system: string[]): Message[] {
  const text = mistralText(m.content);
  if (m.role === 'system') {
    system.push(text);
    return [];
  }
  if (m.role === 'tool') {
    return [{ role: 'user', content: [{ toolResult: { toolUseId: str(m.tool_call_id) ?? '', content: [{ text }] } }] }];
  }
  const content: ContentBlock[] = text === '' ? [] : [{ text }];
  for (const call of Array.isArray(m.tool_calls) ? m.tool_calls.filter(isObject) : []) {
    const fn = isObject(call.function) ? call.function : {};
    content.push({
      toolUse: { toolUseId: str(call.id) ?? '', name: str(fn.name) ?? '', input: parseArguments(fn.arguments) },
    });
  }
  return [{ role: m.role === 'assistant' ? 'assistant' : 'user', content }];
}

function decodeMistral(body: Json, v: Violations): NativeRequest {
  const params = {
    maxTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    stopSequences: body.stop,
  };
  if (body.messages === undefined) {
    v.object(body, MISTRAL_TEXT, '#');
    v.throwIfAny();
    const { system, messages } = splitPrompt(str(body.prompt) ?? '');
    return request(system, messages, params);
  }
  v.object(body, MISTRAL_CHAT, '#');
  const system: string[] = [];
  const messages = (Array.isArray(body.messages) ? body.messages : []).flatMap((raw, i) => {
    const m = v.object(raw, MISTRAL_MESSAGE, `#/messages/${i}`);
    return m === undefined ? [] : mistralTurn(m, system);
  });
  v.throwIfAny();
  return request(system, messages, params);
}

const COHERE: Shape = {
  message: REQ_STR,
  chat_history: OBJ_LIST,
  documents: OBJ_LIST,
  search_queries_only: BOOL,
  preamble: STR,
  max_tokens: POSITIVE,
  temperature: UNIT,
  p: { kind: 'number', min: 0.01, max: 0.99 },
  k: { kind: 'integer', min: 0, max: 500 },
  prompt_truncation: { kind: 'string', enum: ['OFF', 'AUTO_PRESERVE_ORDER'] },
  frequency_penalty: NUM,
  presence_penalty: NUM,
  seed: { kind: 'integer' },
  return_prompt: BOOL,
  tools: OBJ_LIST,
  tool_results: OBJ_LIST,
  stop_sequences: STR_LIST,
  raw_prompting: BOOL,
};
const COHERE_TURN: Shape = {
  role: { kind: 'string', required: true, enum: ['USER', 'CHATBOT', 'SYSTEM', 'TOOL'] },
  message: STR,
  tool_calls: OBJ_LIST,
  tool_results: OBJ_LIST,
};

function decodeCohere(body: Json, v: Violations): NativeRequest {
  v.object(body, COHERE, '#');
  const system = typeof body.preamble === 'string' ? [body.preamble] : [];
  const history = (Array.isArray(body.chat_history) ? body.chat_history : []).flatMap((raw, i): Message[] => {
    const t = v.object(raw, COHERE_TURN, `#/chat_history/${i}`);
    const text = str(t?.message);
    if (t === undefined || text === undefined) return [];
    if (t.role === 'SYSTEM') {
      system.push(text);
      return [];
    }
    return [turn(t.role === 'CHATBOT' ? 'assistant' : 'user', text)];
  });
  v.throwIfAny();
  return request(system, [...history, userText(str(body.message) ?? '')], {
    maxTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.p,
    stopSequences: body.stop_sequences,
  });
}

// ---------------------------------------------------------------------------------------------------
// The family table: decoding, stop reasons, whole answers and stream chunks.

interface EncodeContext {
  model: string;
  requestId?: string;
  options: NativeEncodeOptions;
}

interface ChunkEncoder {
  start(inputTokens: number): Json[];
  text(delta: string): Json[];
  stop(reason: string, usage: Usage, stopSequence?: string): Json[];
}

interface FamilyCodec {
  decode(body: Json, v: Violations): NativeRequest;
  /** basalt's stop reason in the family's own vocabulary. */
  stop: Readonly<Record<StopReason, string>>;
  response(res: ModelResponse, stop: string, ctx: EncodeContext): Json;
  stream(ctx: EncodeContext): ChunkEncoder;
}

/** Cohere repeats the conversation, this answer included, as `chat_history` (when the request is known). */
function cohereHistory(request: NativeRequest | undefined, reply: string): Json {
  if (request === undefined) return {};
  const turns = request.messages.map((m) => ({
    role: m.role === 'assistant' ? 'CHATBOT' : 'USER',
    message: m.content.map((b) => ('text' in b ? b.text : '')).join(''),
  }));
  return { chat_history: [...turns, { role: 'CHATBOT', message: reply }] };
}

/** Streams whose chunks each count the generated tokens so far; a delta is counted as one token. */
function counting<T>(make: (delta: string, generated: number, first: boolean) => T): (delta: string) => T[] {
  let generated = 0;
  return (delta) => {
    if (delta === '') return [];
    generated += 1;
    return [make(delta, generated, generated === 1)];
  };
}

const CODECS: Readonly<Record<NativeFamily, FamilyCodec>> = {
  anthropic: {
    decode: decodeAnthropic,
    stop: {
      end_turn: 'end_turn',
      tool_use: 'tool_use',
      max_tokens: 'max_tokens',
      stop_sequence: 'stop_sequence',
      guardrail_intervened: 'end_turn',
      content_filtered: 'refusal',
    },
    response: (res, stop, { model, options }) => ({
      id: anthropicMessageId(),
      type: 'message',
      role: 'assistant',
      model: anthropicModelName(model),
      content: [{ type: 'text', text: res.text }],
      stop_reason: stop,
      stop_sequence: stop === 'stop_sequence' ? (options.stopSequence ?? null) : null,
      usage: { input_tokens: res.usage.inputTokens, output_tokens: res.usage.outputTokens },
    }),
    stream: ({ model }) => ({
      start: (inputTokens) => [
        {
          type: 'message_start',
          message: {
            id: anthropicMessageId(),
            type: 'message',
            role: 'assistant',
            model: anthropicModelName(model),
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: inputTokens, output_tokens: 1 },
          },
        },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ],
      text: (delta) =>
        delta === '' ? [] : [{ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: delta } }],
      stop: (reason, usage, stopSequence) => [
        { type: 'content_block_stop', index: 0 },
        {
          type: 'message_delta',
          delta: { stop_reason: reason, stop_sequence: reason === 'stop_sequence' ? (stopSequence ?? null) : null },
          usage: { output_tokens: usage.outputTokens },
        },
        { type: 'message_stop' },
      ],
    }),
  },
  meta: {
    decode: decodeMeta,
    stop: {
      end_turn: 'stop',
      tool_use: 'stop',
      max_tokens: 'length',
      stop_sequence: 'stop',
      guardrail_intervened: 'stop',
      content_filtered: 'stop',
    },
    response: (res, stop) => ({
      generation: res.text,
      prompt_token_count: res.usage.inputTokens,
      generation_token_count: res.usage.outputTokens,
      stop_reason: stop,
    }),
    stream: () => {
      // The prompt's token count rides on the first chunk only; later chunks carry null.
      let promptTokens: number | null = null;
      const text = counting((delta, generated, first) => ({
        generation: delta,
        prompt_token_count: first ? promptTokens : null,
        generation_token_count: generated,
        stop_reason: null,
      }));
      let sent = false;
      return {
        start: (inputTokens) => {
          promptTokens = inputTokens;
          return [];
        },
        text: (delta) => {
          const chunks = text(delta);
          if (chunks.length > 0) sent = true;
          return chunks;
        },
        stop: (reason, usage) => [
          {
            generation: '',
            prompt_token_count: sent ? null : usage.inputTokens,
            generation_token_count: usage.outputTokens,
            stop_reason: reason,
          },
        ],
      };
    },
  },
  'titan-text': {
    decode: decodeTitan,
    stop: {
      end_turn: 'FINISH',
      tool_use: 'FINISH',
      max_tokens: 'LENGTH',
      stop_sequence: 'STOP_CRITERIA_MET',
      guardrail_intervened: 'CONTENT_FILTERED',
      content_filtered: 'CONTENT_FILTERED',
    },
    response: (res, stop) => ({
      inputTextTokenCount: res.usage.inputTokens,
      results: [{ tokenCount: res.usage.outputTokens, outputText: res.text, completionReason: stop }],
    }),
    stream: () => {
      let inputTokens = 0;
      const text = counting((delta, generated, first) => ({
        outputText: delta,
        index: 0,
        totalOutputTextTokenCount: generated,
        completionReason: null,
        inputTextTokenCount: first ? inputTokens : null,
      }));
      return {
        start: (n) => {
          inputTokens = n;
          return [];
        },
        text,
        stop: (reason, usage) => [
          {
            outputText: '',
            index: 0,
            totalOutputTextTokenCount: usage.outputTokens,
            completionReason: reason,
            inputTextTokenCount: usage.inputTokens,
          },
        ],
      };
    },
  },
  nova: {
    decode: decodeNova,
    // Nova's invoke schema is the Converse one, stop reasons included.
    stop: {
      end_turn: 'end_turn',
      tool_use: 'tool_use',
      max_tokens: 'max_tokens',
      stop_sequence: 'stop_sequence',
      guardrail_intervened: 'guardrail_intervened',
      content_filtered: 'content_filtered',
    },
    response: (res, stop) => ({
      output: { message: { content: [{ text: res.text }], role: 'assistant' } },
      stopReason: stop,
      usage: {
        inputTokens: res.usage.inputTokens,
        outputTokens: res.usage.outputTokens,
        totalTokens: res.usage.inputTokens + res.usage.outputTokens,
        cacheReadInputTokenCount: 0,
        cacheWriteInputTokenCount: 0,
      },
    }),
    stream: () => {
      let opened = false;
      return {
        start: () => [{ messageStart: { role: 'assistant' } }],
        text: (delta) => {
          if (delta === '') return [];
          opened = true;
          return [{ contentBlockDelta: { delta: { text: delta }, contentBlockIndex: 0 } }];
        },
        stop: (reason, usage) => [
          ...(opened ? [{ contentBlockStop: { contentBlockIndex: 0 } }] : []),
          { messageStop: { stopReason: reason } },
          {
            metadata: {
              usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
              metrics: {},
              trace: {},
            },
          },
        ],
      };
    },
  },
  mistral: {
    decode: decodeMistral,
    stop: {
      end_turn: 'stop',
      tool_use: 'tool_calls',
      max_tokens: 'length',
      stop_sequence: 'stop',
      guardrail_intervened: 'stop',
      content_filtered: 'stop',
    },
    response: (res, stop, { options }) =>
      options.chat === true
        ? { choices: [{ index: 0, message: { role: 'assistant', content: res.text }, stop_reason: stop }] }
        : { outputs: [{ text: res.text, stop_reason: stop }] },
    stream: ({ options }) => {
      const chunk = (text: string, stop: string | null): Json =>
        options.chat === true
          ? { choices: [{ index: 0, message: { role: 'assistant', content: text }, stop_reason: stop }] }
          : { outputs: [{ text, stop_reason: stop }] };
      return {
        start: () => [],
        text: (delta) => (delta === '' ? [] : [chunk(delta, null)]),
        stop: (reason) => [chunk('', reason)],
      };
    },
  },
  cohere: {
    decode: decodeCohere,
    stop: {
      end_turn: 'COMPLETE',
      tool_use: 'COMPLETE',
      max_tokens: 'MAX_TOKENS',
      stop_sequence: 'COMPLETE',
      guardrail_intervened: 'ERROR_TOXIC',
      content_filtered: 'ERROR_TOXIC',
    },
    response: (res, stop, { requestId, options }) => ({
      response_id: requestId ?? randomUUID(),
      text: res.text,
      generation_id: randomUUID(),
      ...cohereHistory(options.request, res.text),
      finish_reason: stop,
    }),
    stream: ({ requestId, options }) => {
      const generationId = randomUUID();
      let text = '';
      return {
        start: () => [{ is_finished: false, event_type: 'stream-start', generation_id: generationId }],
        text: (delta) => {
          if (delta === '') return [];
          text += delta;
          return [{ is_finished: false, event_type: 'text-generation', text: delta }];
        },
        stop: (reason) => [
          {
            is_finished: true,
            event_type: 'stream-end',
            response: {
              response_id: requestId ?? randomUUID(),
              text,
              generation_id: generationId,
              ...cohereHistory(options.request, text),
              finish_reason: reason,
            },
            finish_reason: reason,
          },
        ],
      };
    },
  },
};

// ---------------------------------------------------------------------------------------------------
// The API

/**
 * Decodes a family's native InvokeModel body into a provider request. Throws WireError
 * ValidationException, worded as Bedrock words it, for a body the model would refuse: a body that is
 * not a JSON object, fails the family's schema (every violation listed), or, for Anthropic, breaks the
 * conversation rules.
 */
export function decodeNativeRequest(family: NativeFamily, body: unknown): NativeRequest {
  const v = new Violations();
  if (!isObject(body)) {
    v.kind(body, 'object', '#');
    v.throwIfAny();
  }
  return CODECS[family].decode(isObject(body) ? body : {}, v);
}

/**
 * The native InvokeModel answer of a family for a provider response. `requestId` becomes Cohere's
 * `response_id`; `options` supplies what ModelResponse does not carry (see NativeEncodeOptions).
 */
export function encodeNativeResponse(
  family: NativeFamily,
  res: ModelResponse,
  requestId?: string,
  options: NativeEncodeOptions = {},
): unknown {
  const codec = CODECS[family];
  const ctx: EncodeContext = { model: options.model ?? '', options };
  if (requestId !== undefined) ctx.requestId = requestId;
  return codec.response(res, codec.stop[res.stopReason], ctx);
}

/**
 * The chunk encoder of a family's InvokeModelWithResponseStream answer for the Bedrock model ID `model`.
 * Whatever the family, its last chunk carries `amazon-bedrock-invocationMetrics` (token counts and the
 * invocation and first-byte latencies), as Bedrock appends them to the model's final chunk.
 */
export function nativeStreamEncoder(
  family: NativeFamily,
  model: string,
  options: NativeEncodeOptions & { requestId?: string } = {},
): NativeStreamEncoder {
  const codec = CODECS[family];
  const ctx: EncodeContext = { model, options };
  if (options.requestId !== undefined) ctx.requestId = options.requestId;
  const chunks = codec.stream(ctx);
  return {
    start: (inputTokens) => chunks.start(inputTokens),
    text: (delta) => chunks.text(delta),
    stop(reason, usage, metrics, stopSequence) {
      const out = chunks.stop(codec.stop[reason], usage, stopSequence ?? options.stopSequence);
      const last = out.at(-1);
      if (last !== undefined) {
        last['amazon-bedrock-invocationMetrics'] = {
          inputTokenCount: usage.inputTokens,
          outputTokenCount: usage.outputTokens,
          invocationLatency: Math.round(metrics.latencyMs),
          firstByteLatency: Math.round(metrics.firstByteLatencyMs),
        };
      }
      return out;
    },
  };
}
