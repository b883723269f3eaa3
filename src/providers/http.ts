/**
 * The HTTP side shared by the JSON-over-HTTP clients (OpenAI-compatible, Anthropic): one undici
 * connection pool per provider (keep-alive, bounded connections), JSON POSTs with a timeout and the
 * caller's abort signal, and the mapping of upstream failures to ProviderError. The error codes are
 * the Bedrock runtime's ("Errors", InvokeModel, Amazon Bedrock API Reference), so a client of basalt
 * sees the same exceptions whichever backend answered.
 */

import { type Dispatcher, Pool } from 'undici';
import { abortSignalFor, type CallSignal } from './signal.js';
import { ProviderError, type ProviderErrorCode } from './types.js';

/**
 * The default time an upstream may take to send its headers, then each body chunk: a long non-streamed
 * generation sends nothing until it is complete, so this is generous.
 */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** The default connection pool size per provider. */
export const DEFAULT_MAX_CONNECTIONS = 32;

/** How much of an upstream error body is read to find its message; the rest is dropped. */
const ERROR_BODY_LIMIT = 64 * 1024;
/**
 * The default size of the largest whole (non-streamed) answer read from an upstream: far above any
 * model answer, and a bound on the memory one misbehaving upstream can take (streams are relayed
 * chunk by chunk and need none).
 */
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** How long close() lets requests in flight finish before it destroys their connections. */
const CLOSE_GRACE_MS = 5000;
/** How long an upstream message may be inside a ProviderError message. */
const MESSAGE_LIMIT = 500;

/**
 * The ProviderError code for an upstream HTTP status. 429 is throttling and 502/503/504 (and
 * Anthropic's 529 overloaded_error, "Errors", Anthropic API reference) an unavailable service,
 * both retryable for the caller; 408 is a timeout; 400/422 (and 413, a request too large) are the
 * caller's request refused as invalid; anything else, including 401/403 (basalt's own upstream
 * credentials refused) and 404 (an unknown upstream model), is the model's error, not the caller's.
 */
export function statusCode(status: number): ProviderErrorCode {
  if (status === 429) return 'ThrottlingException';
  if (status === 502 || status === 503 || status === 504 || status === 529) return 'ServiceUnavailableException';
  if (status === 408) return 'ModelTimeoutException';
  if (status === 400 || status === 413 || status === 422) return 'ValidationException';
  return 'ModelErrorException';
}

/** The ProviderError for an upstream's non-2xx answer, with the upstream's own message when it gave one. */
export function statusError(status: number, upstreamMessage: string | undefined): ProviderError {
  const code = statusCode(status);
  const detail = upstreamMessage ? `: ${upstreamMessage}` : '';
  const what =
    status === 401 || status === 403
      ? `The model upstream refused basalt's credentials (HTTP ${status})`
      : `The model upstream answered HTTP ${status}`;
  return new ProviderError(
    code,
    code === 'ValidationException' && upstreamMessage ? upstreamMessage : `${what}${detail}`,
    status,
  );
}

/** The error message inside an upstream error body: `error.message` (OpenAI, Anthropic), `message`, or the text. */
export function upstreamMessage(body: string): string | undefined {
  let message: string | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed)) {
      const error = parsed.error;
      if (isRecord(error) && typeof error.message === 'string') message = error.message;
      else if (typeof error === 'string') message = error;
      else if (typeof parsed.message === 'string') message = parsed.message;
      else if (typeof parsed.detail === 'string') message = parsed.detail;
    }
  } catch {
    message = body.trim();
  }
  if (!message) return undefined;
  return message.length > MESSAGE_LIMIT ? `${message.slice(0, MESSAGE_LIMIT)}…` : message;
}

/** Replaces every secret that occurs in the text: upstreams sometimes quote the key they refused. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** Network error codes that mean the upstream could not be reached at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** undici's timeout error codes. */
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/**
 * What to throw for an error from an upstream call: the abort reason when the caller's signal was
 * aborted (the caller cancelled, so no ProviderError applies and the runtime recognizes its own
 * reason), a ProviderError unchanged, a timeout as ModelTimeoutException, an unreachable upstream as
 * ServiceUnavailableException, and anything else as ModelErrorException.
 */
export function asProviderError(err: unknown, signal: CallSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (err instanceof ProviderError) return err;
  const code = errorCode(err) ?? errorCode(isRecord(err) ? err.cause : undefined);
  if (code !== undefined && TIMEOUTS.has(code)) {
    return new ProviderError('ModelTimeoutException', 'The model upstream did not answer in time');
  }
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new ProviderError('ServiceUnavailableException', `The model upstream cannot be reached (${code})`);
  }
  return new ProviderError('ModelErrorException', `The model upstream failed${code ? ` (${code})` : ''}`);
}

/** A malformed upstream answer. */
export function malformed(what: string): ProviderError {
  return new ProviderError('ModelErrorException', `The model upstream returned a malformed ${what}`);
}

/** Options of an HTTP upstream. */
export interface HttpUpstreamOptions {
  /** `http(s)://host[:port][/path prefix]`; request paths are appended to the prefix. */
  baseUrl: string;
  /** Headers sent with every request (names are compared case-insensitively; later wins). */
  headers: Readonly<Record<string, string>>;
  /**
   * Time allowed for the response headers, and then between two chunks of the body. undici checks
   * these timeouts about once a second, so a timeout fires up to a second late.
   */
  timeoutMs: number;
  /** The most connections the pool opens to the upstream. */
  maxConnections: number;
  /** The largest whole answer read (default DEFAULT_MAX_ANSWER_BYTES); a larger one is ModelErrorException. */
  maxAnswerBytes?: number;
  /** Values never to repeat in an error message (the API key). */
  secrets: readonly string[];
}

/** A successful upstream response whose body is still to be read. */
export interface UpstreamResponse {
  contentType: string;
  body: Dispatcher.ResponseData['body'];
}

/**
 * A JSON-over-HTTP upstream behind one undici Pool. A non-2xx answer becomes a ProviderError (see
 * statusError); timeouts, unreachable hosts and aborts are mapped by asProviderError.
 */
export class HttpUpstream {
  readonly #pool: Pool;
  readonly #prefix: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #maxAnswerBytes: number;
  readonly #secrets: readonly string[];

  constructor(options: HttpUpstreamOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('baseUrl must be an http(s) URL');
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, { connections: options.maxConnections });
    this.#headers = mergeHeaders(options.headers);
    this.#timeoutMs = options.timeoutMs;
    this.#maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.#secrets = options.secrets;
  }

  /** POSTs a JSON body to the prefix + path; resolves once a 2xx status and headers arrived. */
  async post(
    path: string,
    payload: unknown,
    signal: CallSignal | undefined,
    accept: string,
  ): Promise<UpstreamResponse> {
    signal?.throwIfAborted();
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#pool.request({
        method: 'POST',
        path: `${this.#prefix}${path}`,
        headers: { ...this.#headers, 'content-type': 'application/json', accept },
        body: JSON.stringify(payload),
        signal: signal === undefined ? null : abortSignalFor(signal),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (err) {
      throw asProviderError(err, signal);
    }
    const contentType = String(res.headers['content-type'] ?? '');
    if (res.statusCode >= 200 && res.statusCode < 300) return { contentType, body: res.body };
    let text = '';
    try {
      text = await readLimited(res.body, ERROR_BODY_LIMIT);
    } catch {
      if (signal?.aborted) throw signal.reason;
      // The status alone still says what went wrong.
    }
    // Redacted before the message is cut short, so that no part of a key survives the cut.
    throw statusError(res.statusCode, upstreamMessage(redact(text, this.#secrets)));
  }

  /**
   * POSTs a JSON body and reads the whole JSON answer. The same contract as post + readJson, through
   * undici's dispatch API instead of its request API: no response stream, no promise per chunk. It
   * is the non-streamed model call's path, where bench/gateway.ts showed the stream machinery of
   * `request` costing more than the rest of the upstream call.
   */
  async postJson(path: string, payload: unknown, signal: CallSignal | undefined): Promise<unknown> {
    signal?.throwIfAborted();
    let answer: WholeAnswer;
    try {
      answer = await new Promise<WholeAnswer>((resolve, reject) => {
        this.#pool.dispatch(
          {
            method: 'POST',
            path: `${this.#prefix}${path}`,
            headers: { ...this.#headers, 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify(payload),
            headersTimeout: this.#timeoutMs,
            bodyTimeout: this.#timeoutMs,
          },
          new WholeBody(signal, this.#maxAnswerBytes, resolve, reject),
        );
      });
    } catch (err) {
      throw asProviderError(err, signal);
    }
    if (answer.status < 200 || answer.status >= 300) {
      // Redacted before the message is cut short, so that no part of a key survives the cut.
      const text = answer.body.subarray(0, ERROR_BODY_LIMIT).toString('utf8');
      throw statusError(answer.status, upstreamMessage(redact(text, this.#secrets)));
    }
    return parseJson(answer.body.toString('utf8'));
  }

  /** Reads a whole JSON body; a body that is not JSON is a malformed answer (ModelErrorException). */
  async readJson(body: Dispatcher.ResponseData['body'], signal: CallSignal | undefined): Promise<unknown> {
    let text: string;
    try {
      text = await readWhole(body, this.#maxAnswerBytes);
    } catch (err) {
      throw asProviderError(err, signal);
    }
    return parseJson(text);
  }

  /**
   * Closes the pool: requests in flight may finish for a few seconds, then every connection is
   * destroyed, so that a stalled stream cannot hold up a shutdown.
   */
  async close(): Promise<void> {
    const force = setTimeout(() => {
      this.#pool.destroy().catch(() => {});
    }, CLOSE_GRACE_MS);
    try {
      await this.#pool.close();
    } catch {
      // Destroyed while closing: closed all the same.
    } finally {
      clearTimeout(force);
    }
  }
}

/** JSON text parsed; text that is not JSON is a malformed answer (ModelErrorException). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed('JSON body');
  }
}

/** A whole upstream answer: its status and body (an error body only up to ERROR_BODY_LIMIT bytes). */
interface WholeAnswer {
  status: number;
  body: Buffer;
}

/**
 * An undici dispatch handler that collects a whole answer. The caller's abort signal aborts the
 * request; an error body stops being kept past ERROR_BODY_LIMIT bytes, and a 2xx answer longer than
 * `limit` aborts the request with a ModelErrorException.
 */
class WholeBody implements Dispatcher.DispatchHandler {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #status = 0;
  #controller: Dispatcher.DispatchController | undefined;

  constructor(
    readonly signal: CallSignal | undefined,
    readonly limit: number,
    readonly resolve: (answer: WholeAnswer) => void,
    readonly reject: (err: unknown) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.signal === undefined) return;
    if (this.signal.aborted) controller.abort(this.signal.reason as Error);
    else this.signal.addEventListener('abort', this, { once: true });
  }

  /** The abort signal's listener (an object listener: no closure per request). */
  handleEvent(): void {
    this.#controller?.abort(this.signal?.reason as Error);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number): void {
    this.#status = status;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const ok = this.#status >= 200 && this.#status < 300;
    if (!ok && this.#size >= ERROR_BODY_LIMIT) return;
    if (ok && this.#size + chunk.length > this.limit) {
      this.#chunks.length = 0;
      controller.abort(answerTooLarge(this.limit));
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  onResponseEnd(): void {
    this.signal?.removeEventListener('abort', this);
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#size);
    this.resolve({ status: this.#status, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.signal?.removeEventListener('abort', this);
    this.reject(error);
  }
}

/** Lower-cases header names so that a configured header replaces a default one of any spelling. */
function mergeHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** The ModelErrorException of a whole answer longer than `limit` bytes. */
function answerTooLarge(limit: number): ProviderError {
  return new ProviderError('ModelErrorException', `The model upstream's answer is larger than ${limit} bytes`);
}

/** A whole body as UTF-8; ModelErrorException (and the rest unread) past `limit` bytes. */
async function readWhole(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const { text, cut } = await readUpTo(body, limit);
  if (cut) throw answerTooLarge(limit);
  return text;
}

/** Reads at most `limit` bytes of a body as UTF-8 and discards the rest. */
async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  return (await readUpTo(body, limit)).text;
}

/** The first `limit` bytes of a body as UTF-8, and whether there was more (then left unread). */
async function readUpTo(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ text: string; cut: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(buf);
    size += buf.length;
    if (size > limit) {
      body.destroy();
      return { text: Buffer.concat(chunks).subarray(0, limit).toString('utf8'), cut: true };
    }
  }
  return { text: Buffer.concat(chunks, size).toString('utf8'), cut: false };
}

/** A plain object (for narrowing parsed JSON). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCode(err: unknown): string | undefined {
  return isRecord(err) && typeof err.code === 'string' ? err.code : undefined;
}
