/**
 * A client of the Anthropic Messages API (`POST {baseUrl}/v1/messages`, "Messages", Anthropic API
 * reference), authenticated with `x-api-key` and pinned to `anthropic-version: 2023-06-01`. Streaming
 * ("Streaming Messages") sends named server-sent events: message_start (input usage),
 * content_block_start / content_block_delta (text_delta) / content_block_stop, message_delta (stop
 * reason, output usage), message_stop, plus ping and error; new event types may appear and are
 * ignored, as that page asks.
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
} from './http.js';
import { parseSse } from './sse.js';
import { countRequestTokens } from './tokens.js';
import {
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  ProviderError,
  type ProviderErrorCode,
  type StopReason,
  type StreamEvent,
  type Usage,
} from './types.js';

/** Options of an Anthropic upstream. */
export interface AnthropicOptions {
  /** The API origin (default `https://api.anthropic.com`); `/v1/messages` is appended. */
  baseUrl?: string;
  /** Sent as `x-api-key`. */
  apiKey?: string;
  /** Time allowed for the response headers, then between two body chunks (default 300000). */
  timeoutMs?: number;
  /** The most connections to the upstream (default 32). */
  maxConnections?: number;
  /** Extra headers for every request, e.g. `anthropic-beta` (they replace defaults of the same name). */
  headers?: Readonly<Record<string, string>>;
  /** `max_tokens` when the request sets none: the Messages API requires it (default 4096). */
  defaultMaxTokens?: number;
}

/** The API version this client speaks ("Versions", Anthropic API reference). */
export const ANTHROPIC_VERSION = '2023-06-01';
const KIND = 'anthropic';

/**
 * The `anthropic` provider. System prompts become the `system` string, message text the `content`
 * string (other content blocks are refused), maxTokens `max_tokens`, stopSequences `stop_sequences`.
 * countTokens asks `POST /v1/messages/count_tokens` ("Count Message tokens") and falls back to
 * tokens.ts's approximation when the upstream has no such endpoint (404, e.g. a compatible proxy).
 */
export class AnthropicProvider implements ModelProvider {
  readonly kind = KIND;
  readonly #http: HttpUpstream;
  readonly #secrets: readonly string[];
  readonly #defaultMaxTokens: number;

  constructor(options: AnthropicOptions = {}) {
    const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    this.#secrets = options.apiKey ? [options.apiKey] : [];
    this.#defaultMaxTokens = options.defaultMaxTokens ?? 4096;
    this.#http = new HttpUpstream({
      baseUrl: options.baseUrl ?? 'https://api.anthropic.com',
      headers: { ...headers, ...options.headers },
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      secrets: this.#secrets,
    });
  }

  async invoke(req: ModelRequest): Promise<ModelResponse> {
    const json = await this.#http.postJson('/v1/messages', this.#body(req, false), req.signal);
    if (!isRecord(json) || !Array.isArray(json.content)) throw this.#inBodyError(json) ?? malformed('message');
    let text = '';
    for (const block of json.content) {
      if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') text += block.text;
    }
    const usage = isRecord(json.usage) ? json.usage : {};
    const { input_tokens: input, output_tokens: output } = usage;
    if (typeof input !== 'number' || typeof output !== 'number') throw malformed('message (no usage)');
    return { text, stopReason: stopReason(json.stop_reason), usage: { inputTokens: input, outputTokens: output } };
  }

  async *stream(req: ModelRequest): AsyncGenerator<StreamEvent> {
    const res = await this.#http.post('/v1/messages', this.#body(req, true), req.signal, 'text/event-stream');
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let reason: StopReason = 'end_turn';
    let done = false;
    try {
      for await (const event of parseSse(res.body)) {
        if (done) continue;
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          throw malformed('stream event');
        }
        if (!isRecord(data)) throw malformed('stream event');
        switch (data.type) {
          case 'message_start': {
            const message = isRecord(data.message) ? data.message : {};
            readUsage(message.usage, usage);
            break;
          }
          case 'content_block_start': {
            const block = data.content_block;
            if (isRecord(block) && block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
              yield { type: 'text', text: block.text };
            }
            break;
          }
          case 'content_block_delta': {
            const delta = data.delta;
            if (isRecord(delta) && delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') {
              yield { type: 'text', text: delta.text };
            }
            break;
          }
          case 'message_delta': {
            if (isRecord(data.delta) && data.delta.stop_reason !== undefined)
              reason = stopReason(data.delta.stop_reason);
            readUsage(data.usage, usage);
            break;
          }
          case 'message_stop':
            done = true;
            break;
          case 'error':
            throw this.#inBodyError(data) ?? malformed('error event');
          default:
          // ping, and event types added after this client was written.
        }
      }
    } catch (err) {
      throw asProviderError(err, req.signal);
    } finally {
      if (!res.body.readableEnded) res.body.destroy();
    }
    req.signal.throwIfAborted();
    if (!done) throw new ProviderError('ModelErrorException', 'The model upstream ended the stream before it finished');
    yield { type: 'stop', stopReason: reason, usage };
  }

  async countTokens(req: Omit<ModelRequest, 'signal'>): Promise<number> {
    const body: Record<string, unknown> = { model: req.model, messages: messagesOf(req) };
    if (req.system.length > 0) body.system = req.system.join('\n');
    let json: unknown;
    try {
      json = await this.#http.postJson('/v1/messages/count_tokens', body, undefined);
    } catch (err) {
      if (err instanceof ProviderError && err.upstreamStatus === 404) return countRequestTokens(req);
      throw err;
    }
    if (!isRecord(json) || typeof json.input_tokens !== 'number') throw malformed('token count');
    return json.input_tokens;
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  /** The request body ("Messages", Anthropic API reference). */
  #body(req: ModelRequest, stream: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: req.model,
      max_tokens: req.maxTokens ?? this.#defaultMaxTokens,
      messages: messagesOf(req),
    };
    if (req.system.length > 0) body.system = req.system.join('\n');
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.topP !== undefined) body.top_p = req.topP;
    if (req.stopSequences !== undefined && req.stopSequences.length > 0) body.stop_sequences = req.stopSequences;
    if (stream) body.stream = true;
    return body;
  }

  /** The ProviderError for an `{type: 'error', error: {type, message}}` object, if the value is one. */
  #inBodyError(value: unknown): ProviderError | undefined {
    if (!isRecord(value) || value.type !== 'error' || !isRecord(value.error)) return undefined;
    const { type, message } = value.error;
    const text = typeof message === 'string' ? redact(message, this.#secrets) : 'no message';
    const code = (typeof type === 'string' ? ERROR_TYPES[type] : undefined) ?? 'ModelErrorException';
    return new ProviderError(code, code === 'ValidationException' ? text : `The model upstream failed: ${text}`);
  }
}

/**
 * Error types ("Errors", Anthropic API reference) as ProviderError codes, for errors that arrive inside
 * a stream after the 200 status (errors before it are mapped by their HTTP status, see http.ts).
 */
const ERROR_TYPES: Readonly<Record<string, ProviderErrorCode>> = {
  invalid_request_error: 'ValidationException',
  request_too_large: 'ValidationException',
  rate_limit_error: 'ThrottlingException',
  overloaded_error: 'ServiceUnavailableException',
  timeout_error: 'ModelTimeoutException',
  api_error: 'ModelErrorException',
  authentication_error: 'ModelErrorException',
  permission_error: 'ModelErrorException',
  not_found_error: 'ModelErrorException',
};

/** The messages of a request in the Messages API's shape (text content only). */
function messagesOf(req: Pick<ModelRequest, 'messages'>): Array<{ role: string; content: string }> {
  return req.messages.map((m) => ({ role: m.role, content: requireText(m.content, KIND) }));
}

/**
 * A Messages API `stop_reason` as a Converse stop reason: the four shared ones are the same words;
 * `refusal` (declined for safety) is content filtering; `model_context_window_exceeded` a length stop;
 * `pause_turn` (a long tool turn paused) and anything newer an end of turn.
 */
function stopReason(value: unknown): StopReason {
  switch (value) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      return 'tool_use';
    case 'refusal':
      return 'content_filtered';
    default:
      return 'end_turn';
  }
}

/** Copies the counts a `usage` object has into `into` (message_delta's output count is cumulative). */
function readUsage(value: unknown, into: Usage): void {
  if (!isRecord(value)) return;
  if (typeof value.input_tokens === 'number') into.inputTokens = value.input_tokens;
  if (typeof value.output_tokens === 'number') into.outputTokens = value.output_tokens;
}
