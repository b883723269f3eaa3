/**
 * A client of the OpenAI Chat Completions API (`POST {baseUrl}/chat/completions`, "Create chat
 * completion", OpenAI API reference), the protocol vLLM, llama.cpp's server, Ollama, LM Studio and
 * most hosted APIs speak. Streaming uses server-sent events: `data: {chunk}` lines and a final
 * `data: [DONE]`; `stream_options.include_usage` asks for a last chunk with the token usage.
 */

import { requireText } from './content.js';
import {
  asProviderError,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_TIMEOUT_MS,
  HttpUpstream,
  isRecord,
  malformed,
  redact,
  statusError,
} from './http.js';
import { parseSse } from './sse.js';
import { countRequestTokens, countTokens } from './tokens.js';
import {
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  ProviderError,
  type StopReason,
  type StreamEvent,
  type Usage,
} from './types.js';

/** Options of an OpenAI-compatible upstream. */
export interface OpenAiCompatibleOptions {
  /**
   * The API root: `https://api.openai.com/v1`, `http://127.0.0.1:8000/v1` (vLLM),
   * `http://127.0.0.1:11434/v1` (Ollama), …; `/chat/completions` is appended.
   */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set; local servers usually need none. */
  apiKey?: string;
  /** Time allowed for the response headers, then between two body chunks (default 300000). */
  timeoutMs?: number;
  /** The most connections to the upstream (default 32). */
  maxConnections?: number;
  /** Extra headers for every request (they replace defaults of the same name). */
  headers?: Readonly<Record<string, string>>;
}

const KIND = 'openai-compatible';

/**
 * The `openai-compatible` provider. System prompts become one `system` message, message text the
 * `content` string (other content blocks are refused), maxTokens `max_tokens`, stopSequences `stop`.
 * countTokens is tokens.ts's approximation: the Chat Completions API has no counting endpoint.
 */
export class OpenAiCompatibleProvider implements ModelProvider {
  readonly kind = KIND;
  readonly #http: HttpUpstream;
  readonly #secrets: readonly string[];

  constructor(options: OpenAiCompatibleOptions) {
    const headers: Record<string, string> = {};
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    this.#secrets = options.apiKey ? [options.apiKey] : [];
    this.#http = new HttpUpstream({
      baseUrl: options.baseUrl,
      headers: { ...headers, ...options.headers },
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      secrets: this.#secrets,
    });
  }

  async invoke(req: ModelRequest): Promise<ModelResponse> {
    return completion(
      await this.#http.postJson('/chat/completions', chatBody(req, false), req.signal),
      req,
      this.#secrets,
    );
  }

  async *stream(req: ModelRequest): AsyncGenerator<StreamEvent> {
    const res = await this.#http.post('/chat/completions', chatBody(req, true), req.signal, 'text/event-stream');
    if (res.contentType.startsWith('application/json')) {
      // A server that ignores `stream: true` answers with one whole completion: stream it as one delta.
      const whole = completion(await this.#http.readJson(res.body, req.signal), req, this.#secrets);
      if (whole.text !== '') yield { type: 'text', text: whole.text };
      yield { type: 'stop', stopReason: whole.stopReason, usage: whole.usage };
      return;
    }
    let text = '';
    let stopReason: StopReason | undefined;
    let usage: Usage | undefined;
    let done = false;
    try {
      for await (const event of parseSse(res.body)) {
        // Read on to the end of the body after [DONE], so the connection goes back to the pool.
        if (done) continue;
        if (event.data === '[DONE]') {
          done = true;
          continue;
        }
        const chunk = parseChunk(event.data, this.#secrets);
        const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
        if (isRecord(choice)) {
          const delta = choice.delta;
          if (isRecord(delta) && typeof delta.content === 'string' && delta.content !== '') {
            text += delta.content;
            yield { type: 'text', text: delta.content };
          }
          if (typeof choice.finish_reason === 'string') stopReason = finishReason(choice, req.stopSequences);
        }
        usage = usageOf(chunk.usage) ?? usage;
      }
    } catch (err) {
      throw asProviderError(err, req.signal);
    } finally {
      if (!res.body.readableEnded) res.body.destroy();
    }
    req.signal.throwIfAborted();
    if (!done && stopReason === undefined) {
      throw new ProviderError('ModelErrorException', 'The model upstream ended the stream before it finished');
    }
    yield {
      type: 'stop',
      stopReason: stopReason ?? 'end_turn',
      usage: usage ?? { inputTokens: countRequestTokens(req), outputTokens: countTokens(text) },
    };
  }

  async countTokens(req: Omit<ModelRequest, 'signal'>): Promise<number> {
    return countRequestTokens(req);
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}

/** The request body ("Create chat completion", OpenAI API reference). */
function chatBody(req: ModelRequest, stream: boolean): Record<string, unknown> {
  const messages: Array<{ role: string; content: string }> = [];
  if (req.system.length > 0) messages.push({ role: 'system', content: req.system.join('\n') });
  for (const m of req.messages) messages.push({ role: m.role, content: requireText(m.content, KIND) });
  const body: Record<string, unknown> = { model: req.model, messages, stream };
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stopSequences !== undefined && req.stopSequences.length > 0) body.stop = req.stopSequences;
  if (stream) body.stream_options = { include_usage: true };
  return body;
}

/** A whole (non-streamed) chat completion object. */
function completion(json: unknown, req: ModelRequest, secrets: readonly string[]): ModelResponse {
  if (!isRecord(json)) throw malformed('completion');
  if (isRecord(json.error)) throw inBodyError(json.error, secrets);
  const choice = Array.isArray(json.choices) ? json.choices[0] : undefined;
  if (!isRecord(choice) || !isRecord(choice.message)) throw malformed('completion (no choices[0].message)');
  const content = choice.message.content;
  // `content` is null when the model answered only with tool calls.
  if (content !== null && content !== undefined && typeof content !== 'string') throw malformed('completion content');
  const text = content ?? '';
  return {
    text,
    stopReason: finishReason(choice, req.stopSequences),
    usage: usageOf(json.usage) ?? { inputTokens: countRequestTokens(req), outputTokens: countTokens(text) },
  };
}

/**
 * The stop reason of a choice. `finish_reason` ("The chat completion object", OpenAI API reference)
 * is `stop` both for a natural end and for a stop sequence; vLLM adds `stop_reason`, the matched stop
 * string, which tells the two apart — other servers give no way to, so `stop` is `end_turn`.
 */
function finishReason(choice: Record<string, unknown>, stopSequences: readonly string[] | undefined): StopReason {
  switch (choice.finish_reason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'content_filtered';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    default: {
      const matched = choice.stop_reason;
      return typeof matched === 'string' && (stopSequences ?? []).includes(matched) ? 'stop_sequence' : 'end_turn';
    }
  }
}

/** `usage` of a completion or of the last stream chunk, when it has both counts. */
function usageOf(usage: unknown): Usage | undefined {
  if (!isRecord(usage)) return undefined;
  const { prompt_tokens: input, completion_tokens: output } = usage;
  if (typeof input !== 'number' || typeof output !== 'number') return undefined;
  return { inputTokens: input, outputTokens: output };
}

/** One stream chunk's JSON; an `error` object in it (vLLM, llama.cpp report mid-stream failures so) is thrown. */
function parseChunk(data: string, secrets: readonly string[]): Record<string, unknown> {
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    throw malformed('stream chunk');
  }
  if (!isRecord(chunk)) throw malformed('stream chunk');
  if (isRecord(chunk.error)) throw inBodyError(chunk.error, secrets);
  return chunk;
}

/** An error object inside a 200 answer: its numeric `code` is an HTTP status when the server gives one. */
function inBodyError(error: Record<string, unknown>, secrets: readonly string[]): ProviderError {
  const message = typeof error.message === 'string' ? redact(error.message, secrets) : undefined;
  if (typeof error.code === 'number' && error.code >= 400 && error.code < 600) return statusError(error.code, message);
  return new ProviderError('ModelErrorException', `The model upstream failed${message ? `: ${message}` : ''}`);
}
