/**
 * The Converse and ConverseStream request and response shapes, translated to and from the provider
 * interface (src/providers/types.ts). Pure: no I/O. Shapes from the Amazon Bedrock API Reference
 * ("Converse", "ConverseStream", "Message", "ContentBlock", "InferenceConfiguration",
 * "GuardrailConfiguration", "ConverseStreamOutput") and the bedrock-runtime 2023-09-30 service model
 * (botocore's service-2.json; the AWS SDK for JavaScript v3's ConverseStreamOutput union).
 *
 * Bedrock answers a request in two passes, and so does this module: the service model's constraints
 * first, all of them in one ValidationException worded as AWS's framework words them ("2 validation
 * errors detected: Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: …; …", list
 * members numbered from 1), then the conversation rules in Bedrock's own sentences (message indexes from
 * 0). A JSON value of the wrong type is refused before either, as a SerializationException.
 */

import { refuseInput, WireError } from '../../protocols/wire-error.js';
import type { ContentBlock, Message, ModelResponse, StopReason, Usage } from '../../providers/types.js';
import type { NativeRequest } from './native-formats.js';

/** The guardrail a Converse request names (`guardrailConfig`). */
export interface ConverseGuardrail {
  identifier: string;
  version: string;
  trace?: string;
  /** ConverseStream only: `sync` or `async`. */
  streamProcessingMode?: string;
}

/**
 * A decoded Converse request: the provider request, and the request members that are not the model's
 * business but the runtime's (the guardrail, the invocation-log metadata, the pass-through fields).
 */
export interface ConverseInput {
  request: NativeRequest;
  guardrail?: ConverseGuardrail;
  requestMetadata?: Record<string, string>;
  additionalModelRequestFields?: unknown;
  additionalModelResponseFieldPaths?: string[];
  performanceConfig?: { latency: string };
  /** The processing tier asked for (`serviceTier.type`). */
  serviceTier?: string;
}

/** The processing tiers a call may ask for ("ServiceTierType", Amazon Bedrock API Reference). */
export const SERVICE_TIERS = ['default', 'flex', 'priority', 'reserved'] as const;

/** One ConverseStream event: its `:event-type` and its payload (the member's structure itself). */
export type ConverseStreamEvent = [eventType: string, payload: unknown];

/** The ConverseStream event encoder: `start` once, `text` per delta, `stop` once. */
export interface ConverseStreamEncoder {
  start(): ConverseStreamEvent[];
  text(delta: string): ConverseStreamEvent[];
  stop(reason: StopReason, usage: Usage, latencyMs: number, guardrailTrace?: unknown): ConverseStreamEvent[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Bedrock's sentences for a conversation it refuses. */
const START_WITH_USER =
  'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
const ALTERNATE =
  'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between ' +
  'user and assistant roles and try again.';
const emptyContent = (i: number): string =>
  `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content ` +
  'field and try again.';
const blankText = (i: number, j: number): string =>
  `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, ` +
  'and try again.';

/** Service-model patterns (bedrock-runtime 2023-09-30) of the members checked below. */
const GUARDRAIL_ID = /^(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+))$/;
const GUARDRAIL_VERSION = /^(([1-9][0-9]{0,7})|(DRAFT))$/;
const TOOL_ID = /^[a-zA-Z0-9_-]+$/;
const METADATA_KEY = /^[a-zA-Z0-9\s:_@$#=/+,\-.]{1,256}$/;
const METADATA_VALUE = /^[a-zA-Z0-9\s:_@$#=/+,\-.]{0,256}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// ---------------------------------------------------------------------------------------------------
// Deserialization: a JSON value of the wrong type never reaches validation.

const TOKEN = (v: unknown): string => {
  if (Array.isArray(v)) return 'START_ARRAY';
  if (isObject(v)) return 'START_OBJECT';
  if (typeof v === 'string') return 'STRING_VALUE';
  if (typeof v === 'boolean') return v ? 'TRUE_VALUE' : 'FALSE_VALUE';
  return 'NUMBER_VALUE';
};

function wrongType(v: unknown, expected: string): never {
  throw new WireError('SerializationException', `${TOKEN(v)} can not be converted to ${expected}`);
}

/** Absent and JSON null are the same to the AWS JSON protocols. */
const absent = (v: unknown): v is undefined | null => v === undefined || v === null;

function list(v: unknown): unknown[] | undefined {
  if (absent(v)) return undefined;
  return Array.isArray(v) ? v : wrongType(v, 'a List');
}
function struct(v: unknown): Json | undefined {
  if (absent(v)) return undefined;
  return isObject(v) ? v : wrongType(v, 'a Structure');
}
function string(v: unknown): string | undefined {
  if (absent(v)) return undefined;
  return typeof v === 'string' ? v : wrongType(v, 'a String');
}
function integer(v: unknown): number | undefined {
  if (absent(v)) return undefined;
  return typeof v === 'number' && Number.isInteger(v) ? v : wrongType(v, 'an Integer');
}
function float(v: unknown): number | undefined {
  if (absent(v)) return undefined;
  return typeof v === 'number' ? v : wrongType(v, 'a Float');
}
function stringMap(v: unknown): Record<string, string> | undefined {
  const o = struct(v);
  if (o === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(o)) out[k] = string(value) ?? wrongType(value, 'a String');
  return out;
}
function blob(v: unknown): Uint8Array | undefined {
  const s = string(v);
  if (s === undefined) return undefined;
  if (!BASE64.test(s)) throw new WireError('SerializationException', 'Invalid Base64 encoded data');
  return new Uint8Array(Buffer.from(s, 'base64'));
}

// ---------------------------------------------------------------------------------------------------
// Validation: the service model's constraints, every violation in one answer.

/** Java's rendering of a value in a constraint message: floats keep a decimal point. */
function shown(v: unknown, isFloat = false): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return `'${isFloat && Number.isInteger(v) ? v.toFixed(1) : String(v)}'`;
  if (Array.isArray(v)) return `'[${v.map((x) => String(x)).join(', ')}]'`;
  if (isObject(v))
    return `'{${Object.entries(v)
      .map(([k, x]) => `${k}=${String(x)}`)
      .join(', ')}}'`;
  return `'${String(v)}'`;
}

/** Collects every constraint violation of a request: AWS answers them all in one ValidationException. */
class Constraints {
  private readonly errors: string[] = [];

  fail(value: unknown, path: string, constraint: string, isFloat = false): void {
    this.errors.push(`Value ${shown(value, isFloat)} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** False (and a violation) when a required member is absent. */
  present<T>(v: T | undefined, path: string): v is T {
    if (v !== undefined) return true;
    this.fail(null, path, 'Member must not be null');
    return false;
  }

  range(v: number | undefined, path: string, min?: number, max?: number, isFloat = false): void {
    if (v === undefined) return;
    if (min !== undefined && v < min)
      this.fail(v, path, `Member must have value greater than or equal to ${min}`, isFloat);
    if (max !== undefined && v > max)
      this.fail(v, path, `Member must have value less than or equal to ${max}`, isFloat);
  }

  length(v: string | readonly unknown[] | undefined, path: string, min?: number, max?: number): void {
    if (v === undefined) return;
    if (min !== undefined && v.length < min)
      this.fail(v, path, `Member must have length greater than or equal to ${min}`);
    if (max !== undefined && v.length > max) this.fail(v, path, `Member must have length less than or equal to ${max}`);
  }

  oneOf(v: string | undefined, path: string, values: readonly string[]): void {
    if (v !== undefined && !values.includes(v)) {
      this.fail(v, path, `Member must satisfy enum value set: [${values.join(', ')}]`);
    }
  }

  pattern(v: string | undefined, path: string, re: RegExp): void {
    if (v !== undefined && !re.test(v)) {
      this.fail(v, path, `Member must satisfy regular expression pattern: ${re.source.slice(1, -1)}`);
    }
  }

  throwIfAny(): void {
    const n = this.errors.length;
    if (n === 0) return;
    const head = `${n} validation error${n === 1 ? '' : 's'} detected: `;
    throw new WireError('ValidationException', head + this.errors.join('; '));
  }
}

// ---------------------------------------------------------------------------------------------------
// Content blocks

/** A decoded message, with what the conversation rules look at: its block count and first blank text. */
interface DecodedMessage {
  message: Message;
  blocks: number;
  blankAt?: number;
}

function imageBlock(raw: unknown, path: string, c: Constraints): ContentBlock | undefined {
  const image = struct(raw);
  if (image === undefined) return undefined;
  const format = string(image.format);
  if (c.present(format, `${path}.format`)) c.oneOf(format, `${path}.format`, ['png', 'jpeg', 'gif', 'webp']);
  const source = struct(image.source);
  if (!c.present(source, `${path}.source`)) return undefined;
  if (source.s3Location !== undefined && source.s3Location !== null) {
    // ContentBlock carries bytes only: basalt cannot fetch from S3 on a model's behalf.
    throw new WireError('ValidationException', 'The model does not support S3 locations as an image source.');
  }
  const bytes = blob(source.bytes);
  if (c.present(bytes, `${path}.source.bytes`) && bytes.length === 0) {
    c.fail('', `${path}.source.bytes`, 'Member must have length greater than or equal to 1');
  }
  return { image: { format: format ?? '', source: { bytes: bytes ?? new Uint8Array() } } };
}

function toolUseBlock(raw: unknown, path: string, c: Constraints): ContentBlock | undefined {
  const use = struct(raw);
  if (use === undefined) return undefined;
  const toolUseId = string(use.toolUseId);
  const name = string(use.name);
  if (c.present(toolUseId, `${path}.toolUseId`)) c.pattern(toolUseId, `${path}.toolUseId`, TOOL_ID);
  if (c.present(name, `${path}.name`)) c.length(name, `${path}.name`, 1, 64);
  c.present(absent(use.input) ? undefined : use.input, `${path}.input`);
  return { toolUse: { toolUseId: toolUseId ?? '', name: name ?? '', input: use.input } };
}

function toolResultBlock(raw: unknown, path: string, c: Constraints): ContentBlock | undefined {
  const result = struct(raw);
  if (result === undefined) return undefined;
  const toolUseId = string(result.toolUseId);
  if (c.present(toolUseId, `${path}.toolUseId`)) c.pattern(toolUseId, `${path}.toolUseId`, TOOL_ID);
  const items = list(result.content);
  c.present(items, `${path}.content`);
  const content = (items ?? []).flatMap((item): Array<{ text: string } | { json: unknown }> => {
    const block = struct(item) ?? {};
    const text = string(block.text);
    if (text !== undefined) return [{ text }];
    // Images and documents in a tool result have no place in the provider's ContentBlock.
    return absent(block.json) ? [] : [{ json: block.json }];
  });
  const status = string(result.status);
  c.oneOf(status, `${path}.status`, ['success', 'error']);
  return { toolResult: { toolUseId: toolUseId ?? '', content, ...(status === undefined ? {} : { status }) } };
}

/**
 * One ContentBlock union member. Guard content is text to the model; cache points, documents, video,
 * audio and reasoning blocks have no place in the provider's ContentBlock and are left out.
 */
function contentBlock(raw: unknown, path: string, c: Constraints): ContentBlock | undefined {
  const b = struct(raw) ?? {};
  const text = string(b.text);
  if (text !== undefined) return { text };
  if (!absent(b.image)) return imageBlock(b.image, `${path}.image`, c);
  if (!absent(b.toolUse)) return toolUseBlock(b.toolUse, `${path}.toolUse`, c);
  if (!absent(b.toolResult)) return toolResultBlock(b.toolResult, `${path}.toolResult`, c);
  const guarded = struct(struct(b.guardContent)?.text);
  const guardedText = string(guarded?.text);
  return guardedText === undefined ? undefined : { text: guardedText };
}

function decodeMessage(raw: unknown, i: number, c: Constraints): DecodedMessage {
  const path = `messages.${i + 1}.member`;
  const m = struct(raw) ?? {};
  const role = string(m.role);
  if (c.present(role, `${path}.role`)) c.oneOf(role, `${path}.role`, ['user', 'assistant']);
  const blocks = list(m.content);
  c.present(blocks, `${path}.content`);
  const out: DecodedMessage = {
    message: { role: role === 'assistant' ? 'assistant' : 'user', content: [] },
    blocks: 0,
  };
  (blocks ?? []).forEach((rawBlock, j) => {
    const block = contentBlock(rawBlock, `${path}.content.${j + 1}.member`, c);
    if (block !== undefined && 'text' in block && block.text.trim() === '' && out.blankAt === undefined)
      out.blankAt = j;
    if (block !== undefined) out.message.content.push(block);
  });
  out.blocks = blocks?.length ?? 0;
  return out;
}

function decodeSystem(raw: unknown, c: Constraints): string[] {
  return (list(raw) ?? []).flatMap((item, k) => {
    const b = struct(item) ?? {};
    const text = string(b.text) ?? string(struct(struct(b.guardContent)?.text)?.text);
    c.length(string(b.text), `system.${k + 1}.member.text`, 1);
    return text === undefined ? [] : [text];
  });
}

/** The constraint text of a pattern, in the words of Bedrock's validation messages. */
function mustMatch(re: RegExp): string {
  return `[Member must satisfy regular expression pattern: ${re.source.slice(1, -1)}]`;
}

/** Bedrock's conversation rules, checked once the constraints hold. */
function checkConversation(messages: readonly DecodedMessage[]): void {
  if (messages.length === 0) refuseInput(START_WITH_USER);
  messages.forEach(({ message, blocks, blankAt }, i) => {
    if (i === 0 && message.role !== 'user') refuseInput(START_WITH_USER);
    if (i > 0 && messages[i - 1]?.message.role === message.role) refuseInput(ALTERNATE);
    if (blocks === 0) refuseInput(emptyContent(i));
    if (blankAt !== undefined) refuseInput(blankText(i, blankAt));
  });
}

// ---------------------------------------------------------------------------------------------------
// The API

/**
 * Decodes a Converse or ConverseStream request body (the JSON document; `modelId` travels in the path).
 * Throws WireError: SerializationException for a member of the wrong JSON type, ValidationException for
 * broken constraints (all listed) and then for a conversation Bedrock refuses. Image bytes arrive base64
 * in JSON and leave as Uint8Array.
 */
export function decodeConverseRequest(body: unknown): ConverseInput {
  const b = struct(body) ?? wrongType(body, 'a Structure');
  const c = new Constraints();

  const rawMessages = list(b.messages);
  c.present(rawMessages, 'messages');
  const messages = (rawMessages ?? []).map((m, i) => decodeMessage(m, i, c));
  const system = decodeSystem(b.system, c);

  const inference = struct(b.inferenceConfig) ?? {};
  const maxTokens = integer(inference.maxTokens);
  const temperature = float(inference.temperature);
  const topP = float(inference.topP);
  const stopSequences = list(inference.stopSequences)?.map((s) => string(s) ?? wrongType(s, 'a String'));
  c.range(maxTokens, 'inferenceConfig.maxTokens', 1);
  c.range(temperature, 'inferenceConfig.temperature', 0, 1, true);
  c.range(topP, 'inferenceConfig.topP', 0, 1, true);
  c.length(stopSequences, 'inferenceConfig.stopSequences', 0, 2500);
  for (const [n, s] of (stopSequences ?? []).entries()) c.length(s, `inferenceConfig.stopSequences.${n + 1}.member`, 1);

  const toolConfig = struct(b.toolConfig);
  if (toolConfig !== undefined) {
    const tools = list(toolConfig.tools);
    if (c.present(tools, 'toolConfig.tools')) c.length(tools, 'toolConfig.tools', 1);
  }

  const out: ConverseInput = { request: { system, messages: messages.map((m) => m.message) } };
  if (maxTokens !== undefined) out.request.maxTokens = maxTokens;
  if (temperature !== undefined) out.request.temperature = temperature;
  if (topP !== undefined) out.request.topP = topP;
  if (stopSequences !== undefined) out.request.stopSequences = stopSequences;

  const guardrail = struct(b.guardrailConfig);
  if (guardrail !== undefined) {
    const identifier = string(guardrail.guardrailIdentifier);
    const version = string(guardrail.guardrailVersion);
    const trace = string(guardrail.trace);
    const mode = string(guardrail.streamProcessingMode);
    if (c.present(identifier, 'guardrailConfig.guardrailIdentifier')) {
      c.length(identifier, 'guardrailConfig.guardrailIdentifier', 0, 2048);
      c.pattern(identifier, 'guardrailConfig.guardrailIdentifier', GUARDRAIL_ID);
    }
    if (c.present(version, 'guardrailConfig.guardrailVersion')) {
      c.pattern(version, 'guardrailConfig.guardrailVersion', GUARDRAIL_VERSION);
    }
    c.oneOf(trace, 'guardrailConfig.trace', ['enabled', 'disabled', 'enabled_full']);
    c.oneOf(mode, 'guardrailConfig.streamProcessingMode', ['sync', 'async']);
    out.guardrail = { identifier: identifier ?? '', version: version ?? '' };
    if (trace !== undefined) out.guardrail.trace = trace;
    if (mode !== undefined) out.guardrail.streamProcessingMode = mode;
  }

  const metadata = stringMap(b.requestMetadata);
  if (metadata !== undefined) {
    const keys = Object.keys(metadata);
    if (keys.length > 16) c.fail(metadata, 'requestMetadata', 'Member must have length less than or equal to 16');
    if (keys.some((k) => !METADATA_KEY.test(k))) {
      c.fail(metadata, 'requestMetadata', `Map keys must satisfy constraint: ${mustMatch(METADATA_KEY)}`);
    }
    if (Object.values(metadata).some((v) => !METADATA_VALUE.test(v))) {
      c.fail(metadata, 'requestMetadata', `Map values must satisfy constraint: ${mustMatch(METADATA_VALUE)}`);
    }
    out.requestMetadata = metadata;
  }

  const paths = list(b.additionalModelResponseFieldPaths)?.map((p) => string(p) ?? wrongType(p, 'a String'));
  if (paths !== undefined) {
    c.length(paths, 'additionalModelResponseFieldPaths', 0, 10);
    for (const [n, p] of paths.entries()) c.length(p, `additionalModelResponseFieldPaths.${n + 1}.member`, 1, 256);
    out.additionalModelResponseFieldPaths = paths;
  }
  if (!absent(b.additionalModelRequestFields)) out.additionalModelRequestFields = b.additionalModelRequestFields;

  const performance = struct(b.performanceConfig);
  if (performance !== undefined) {
    const latency = string(performance.latency);
    c.oneOf(latency, 'performanceConfig.latency', ['standard', 'optimized']);
    if (latency !== undefined) out.performanceConfig = { latency };
  }
  const tier = struct(b.serviceTier);
  if (tier !== undefined) {
    const type = string(tier.type);
    if (c.present(type, 'serviceTier.type')) {
      c.oneOf(type, 'serviceTier.type', SERVICE_TIERS);
      out.serviceTier = type;
    }
  }
  // Prompt variables fill a Prompt management prompt, which basalt does not host: read for their type only.
  for (const value of Object.values(struct(b.promptVariables) ?? {})) string(struct(value)?.text);

  c.throwIfAny();
  checkConversation(messages);
  return out;
}

const totals = (usage: Usage) => ({
  inputTokens: usage.inputTokens,
  outputTokens: usage.outputTokens,
  totalTokens: usage.inputTokens + usage.outputTokens,
});

/**
 * The Converse answer for a provider response that took `latencyMs`. A guardrail assessment, when the
 * request asked for a trace, is given as `guardrailTrace` and answered as `trace.guardrail`.
 */
export function encodeConverseResponse(
  res: ModelResponse,
  latencyMs: number,
  guardrailTrace?: unknown,
  serviceTier?: string,
): unknown {
  return {
    output: { message: { role: 'assistant', content: [{ text: res.text }] } },
    stopReason: res.stopReason,
    usage: totals(res.usage),
    metrics: { latencyMs: Math.round(latencyMs) },
    ...(guardrailTrace === undefined ? {} : { trace: { guardrail: guardrailTrace } }),
    ...(serviceTier === undefined ? {} : { serviceTier: { type: serviceTier } }),
  };
}

/**
 * The ConverseStream events of one answer: `messageStart`, a `contentBlockDelta` per text delta (one
 * text block, index 0), then `contentBlockStop` (when a block was opened), `messageStop` and `metadata`
 * (usage, latency and, when given, the guardrail trace). Each payload is the event member's structure.
 */
export function converseStreamEncoder(): ConverseStreamEncoder {
  let opened = false;
  return {
    start: () => [['messageStart', { role: 'assistant' }]],
    text(delta) {
      if (delta === '') return [];
      opened = true;
      return [['contentBlockDelta', { contentBlockIndex: 0, delta: { text: delta } }]];
    },
    stop(reason, usage, latencyMs, guardrailTrace) {
      const metadata: Json = { usage: totals(usage), metrics: { latencyMs: Math.round(latencyMs) } };
      if (guardrailTrace !== undefined) metadata.trace = { guardrail: guardrailTrace };
      return [
        ...(opened ? [['contentBlockStop', { contentBlockIndex: 0 }] satisfies ConverseStreamEvent] : []),
        ['messageStop', { stopReason: reason }],
        ['metadata', metadata],
      ];
    },
  };
}
