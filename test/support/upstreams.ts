/**
 * Local stand-ins for model upstreams, for the provider contract tests and the server benchmark: an
 * OpenAI Chat Completions server, an Anthropic Messages server and a Bedrock runtime server (Converse
 * and ConverseStream over cleartext HTTP/2, as the AWS SDK's Bedrock runtime client speaks it; no
 * SigV4 check). Each listens on 127.0.0.1 on an ephemeral port, answers one fixed sentence, records
 * the requests it gets (and whether the client went away before the answer was complete), and can be
 * switched into failure modes.
 *
 * The fake models honour the length limit (one token per word) and stop sequences, the way the real
 * APIs report them, so that stop-reason mapping is exercised end to end.
 */

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import {
  createServer as createH2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { encodeEvent, encodeEventMessage } from '../../src/protocols/event-stream.js';

/** The sentence every fake model answers, one token per word. */
export const UPSTREAM_ANSWER = 'Hello from the local test upstream.';

/** How the upstream behaves for the next requests. */
export type UpstreamMode =
  /** Answer at once. */
  | 'normal'
  /** Wait 10 s before sending the headers (for timeout tests; ended early by a client disconnect). */
  | 'slow'
  /** Wait this long before sending the headers. */
  | { slowMs: number }
  /** Send the headers and the first part of the answer, then nothing until the client leaves. */
  | 'hang-mid-stream'
  /** Answer 200 with a body that is not valid JSON (or, streaming, not valid events). */
  | 'malformed'
  /** Answer this status with the upstream's error body (`type`: Anthropic's error type / Bedrock's exception name). */
  | { status: number; message?: string; type?: string };

/** One request the upstream received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** True when the client disconnected before the answer was complete. */
  aborted: boolean;
}

/** A running test upstream. */
export interface TestUpstream {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The requests received, oldest first (the last 1000 at most). */
  requests: RecordedRequest[];
  setMode(mode: UpstreamMode): void;
  /**
   * Resolves once the client of `request` (by default the latest request) has disconnected before the
   * answer was complete; rejects after `timeoutMs` (default 5000).
   */
  waitForAbort(timeoutMs?: number, request?: RecordedRequest): Promise<RecordedRequest>;
  /** Stops listening and drops every connection, hung ones included. */
  close(): Promise<void>;
}

/** Where to listen. */
export interface UpstreamOptions {
  port?: number;
  host?: string;
}

/** Options of the OpenAI-compatible upstream. */
export interface OpenAiUpstreamOptions extends UpstreamOptions {
  /**
   * `vllm` adds vLLM's `stop_reason` (the matched stop string) to each choice; plain OpenAI reports a
   * stop sequence only as finish_reason `stop` (default `openai`).
   */
  flavor?: 'openai' | 'vllm';
}

const MAX_RECORDED = 1000;
const SLOW_MS = 10_000;

type AnyRequest = IncomingMessage | Http2ServerRequest;

/** What the handlers use of an HTTP/1.1 or HTTP/2 compatibility response. */
interface AnyResponse {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  write(chunk: string | Uint8Array): boolean;
  end(chunk?: string | Uint8Array): unknown;
  on(event: 'close', listener: () => void): unknown;
  readonly writableEnded: boolean;
}

/** What a handler gets: the parsed request, the current mode, and the response. */
interface Exchange {
  path: string;
  body: unknown;
  mode: UpstreamMode;
  res: AnyResponse;
  /** Resolves when the client has gone away (so hung answers end with it). */
  gone: Promise<void>;
}

/** Shared bookkeeping: recording, modes, abort notices, slow starts. */
class Recorder {
  readonly requests: RecordedRequest[] = [];
  mode: UpstreamMode = 'normal';
  readonly #abortListeners = new Map<RecordedRequest, Array<() => void>>();

  async accept(req: AnyRequest, res: AnyResponse, handle: (x: Exchange) => void | Promise<void>): Promise<void> {
    const text = await readBody(req);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Kept as text.
    }
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: { ...req.headers },
      body,
      aborted: false,
    };
    this.requests.push(record);
    if (this.requests.length > MAX_RECORDED) this.requests.shift();
    const gone = new Promise<void>((resolve) => {
      res.on('close', () => {
        if (!res.writableEnded) this.#aborted(record);
        resolve();
      });
    });
    const mode = this.mode;
    const delay = mode === 'slow' ? SLOW_MS : typeof mode === 'object' && 'slowMs' in mode ? mode.slowMs : 0;
    if (delay > 0) {
      const timedOut = await Promise.race([gone.then(() => false), sleep(delay).then(() => true)]);
      if (!timedOut) return;
    }
    await handle({ path: record.path, body, mode, res, gone });
  }

  waitForAbort(timeoutMs = 5000, request = this.requests.at(-1)): Promise<RecordedRequest> {
    if (request === undefined) return Promise.reject(new Error('the upstream has received no request'));
    if (request.aborted) return Promise.resolve(request);
    return new Promise((resolve, reject) => {
      const listeners = this.#abortListeners.get(request) ?? [];
      const timer = setTimeout(() => {
        listeners.splice(listeners.indexOf(done), 1);
        reject(new Error(`the upstream saw no client disconnect within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(request);
      };
      listeners.push(done);
      this.#abortListeners.set(request, listeners);
    });
  }

  #aborted(record: RecordedRequest): void {
    record.aborted = true;
    const listeners = this.#abortListeners.get(record) ?? [];
    this.#abortListeners.delete(record);
    for (const listener of listeners) listener();
  }
}

/** The request body as text (events rather than async iteration: this is on the benchmark's path). */
function readBody(req: AnyRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () =>
      resolve(chunks.length === 1 && chunks[0] ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The fake model: the answer's words cut by stop sequences, then by the token limit. */
function generate(
  maxTokens: unknown,
  stops: unknown,
): { words: string[]; stopped: 'end' | 'stop' | 'length'; stop?: string } {
  let text = UPSTREAM_ANSWER;
  let stopped: 'end' | 'stop' | 'length' = 'end';
  let matched: string | undefined;
  const list = typeof stops === 'string' ? [stops] : Array.isArray(stops) ? stops : [];
  for (const s of list) {
    if (typeof s !== 'string' || s === '') continue;
    const at = text.indexOf(s);
    if (at >= 0) {
      text = text.slice(0, at);
      stopped = 'stop';
      matched = s;
    }
  }
  let words = text.split(/(?=\s)/).filter((w) => w !== '');
  if (typeof maxTokens === 'number' && words.length > maxTokens) {
    words = words.slice(0, maxTokens);
    stopped = 'length';
    matched = undefined;
  }
  return { words, stopped, ...(matched === undefined ? {} : { stop: matched }) };
}

/** A rough prompt size for the usage the fakes report: the words of every string in the messages. */
function promptTokens(messages: unknown, system?: unknown): number {
  const strings: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) if (k !== 'role') walk(x);
  };
  walk(messages);
  walk(system);
  return Math.max(
    1,
    strings
      .join(' ')
      .split(/\s+/)
      .filter((w) => w !== '').length,
  );
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && name in body
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function sendJson(res: AnyResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Starts listening on an HTTP/1.1 server; returns the handle. */
async function listen(
  recorder: Recorder,
  handle: (x: Exchange) => void | Promise<void>,
  options: UpstreamOptions,
): Promise<TestUpstream> {
  const server: Server = createServer((req, res) => {
    recorder.accept(req, res, handle).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return handleOf(recorder, `http://${options.host ?? '127.0.0.1'}:${port}`, async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
}

function handleOf(recorder: Recorder, url: string, close: () => Promise<void>): TestUpstream {
  return {
    url,
    requests: recorder.requests,
    setMode: (mode) => {
      recorder.mode = mode;
    },
    waitForAbort: (timeoutMs, request) => recorder.waitForAbort(timeoutMs, request),
    close,
  };
}

// ---------------------------------------------------------------------------------------------------
// OpenAI Chat Completions ("Create chat completion", OpenAI API reference).

const FINISH = { end: 'stop', stop: 'stop', length: 'length' } as const;

function openAiHandler(x: Exchange, vllm: boolean): void {
  const { body, mode, res } = x;
  if (typeof mode === 'object' && 'status' in mode) {
    const message = mode.message ?? `upstream error ${mode.status}`;
    sendJson(res, mode.status, { error: { message, type: mode.type ?? 'test_error', code: null } });
    return;
  }
  if (x.path !== '/v1/chat/completions' && x.path !== '/chat/completions') {
    sendJson(res, 404, { error: { message: `no route ${x.path}`, type: 'invalid_request_error' } });
    return;
  }
  const model = field(body, 'model');
  const stream = field(body, 'stream') === true;
  const { words, stopped, stop } = generate(field(body, 'max_tokens'), field(body, 'stop'));
  const extra = vllm ? { stop_reason: stop ?? null } : {};
  const usage = { prompt_tokens: promptTokens(field(body, 'messages')), completion_tokens: words.length };
  const finish = FINISH[stopped];
  if (!stream) {
    if (mode === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [');
      return;
    }
    const text = JSON.stringify({
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: finish, ...extra }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
    answerJson(res, text, mode);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: Record<string, unknown>, finishReason: string | null): string =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-test',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason, ...(finishReason === null ? {} : extra) }],
    })}\n\n`;
  if (mode === 'malformed') {
    res.end('data: {"choices": [\n\n');
    return;
  }
  let out = chunk({ role: 'assistant', content: '' }, null);
  const [first, ...rest] = words;
  if (first !== undefined) out += chunk({ content: first }, null);
  if (mode === 'hang-mid-stream') {
    res.write(out);
    return;
  }
  for (const w of rest) out += chunk({ content: w }, null);
  out += chunk({}, finish);
  if (isRecord(field(body, 'stream_options')) && field(field(body, 'stream_options'), 'include_usage') === true) {
    const last = { id: 'chatcmpl-test', object: 'chat.completion.chunk', model, choices: [], usage };
    out += `data: ${JSON.stringify(last)}\n\n`;
  }
  res.end(`${out}data: [DONE]\n\n`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A whole JSON answer; in `hang-mid-stream` mode only its first bytes, then nothing. */
function answerJson(res: AnyResponse, text: string, mode: UpstreamMode): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  if (mode === 'hang-mid-stream') res.write(text.slice(0, 20));
  else res.end(text);
}

/**
 * An OpenAI-compatible server (`POST /v1/chat/completions` or `/chat/completions`). Its normal path is
 * kept cheap (no logging, a fixed short answer with usage) because the server benchmark uses it as
 * "the local upstream".
 */
export async function startOpenAiUpstream(options: OpenAiUpstreamOptions = {}): Promise<TestUpstream> {
  const vllm = options.flavor === 'vllm';
  return listen(new Recorder(), (x) => openAiHandler(x, vllm), options);
}

// ---------------------------------------------------------------------------------------------------
// Anthropic Messages ("Messages", "Streaming Messages", "Count Message tokens", "Errors").

const ANTHROPIC_STOP = { end: 'end_turn', stop: 'stop_sequence', length: 'max_tokens' } as const;
const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function anthropicHandler(x: Exchange): void {
  const { body, mode, res } = x;
  if (typeof mode === 'object' && 'status' in mode) {
    const type = mode.type ?? ANTHROPIC_ERROR_TYPES[mode.status] ?? 'api_error';
    sendJson(res, mode.status, {
      type: 'error',
      error: { type, message: mode.message ?? `upstream error ${mode.status}` },
    });
    return;
  }
  const input = promptTokens(field(body, 'messages'), field(body, 'system'));
  if (x.path === '/v1/messages/count_tokens') {
    sendJson(res, 200, { input_tokens: input });
    return;
  }
  if (x.path !== '/v1/messages') {
    sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${x.path}` } });
    return;
  }
  const model = field(body, 'model');
  const { words, stopped, stop } = generate(field(body, 'max_tokens'), field(body, 'stop_sequences'));
  const stopReason = ANTHROPIC_STOP[stopped];
  if (field(body, 'stream') !== true) {
    if (mode === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"content": [');
      return;
    }
    const text = JSON.stringify({
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: words.join('') }],
      stop_reason: stopReason,
      stop_sequence: stop ?? null,
      usage: { input_tokens: input, output_tokens: words.length },
    });
    answerJson(res, text, mode);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (mode === 'malformed') {
    res.end('event: message_start\ndata: {"type": "message_start", \n\n');
    return;
  }
  const event = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  let out = event('message_start', {
    message: {
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: 1 },
    },
  });
  out += event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  out += event('ping', {});
  const [first, ...rest] = words;
  if (first !== undefined)
    out += event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: first } });
  if (mode === 'hang-mid-stream') {
    res.write(out);
    return;
  }
  for (const w of rest) out += event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: w } });
  out += event('content_block_stop', { index: 0 });
  out += event('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: stop ?? null },
    usage: { output_tokens: words.length },
  });
  out += event('message_stop', {});
  res.end(out);
}

/** An Anthropic Messages API server (`/v1/messages`, `/v1/messages/count_tokens`). */
export async function startAnthropicUpstream(options: UpstreamOptions = {}): Promise<TestUpstream> {
  return listen(new Recorder(), anthropicHandler, options);
}

// ---------------------------------------------------------------------------------------------------
// Bedrock runtime ("Converse", "ConverseStream", "CountTokens", Amazon Bedrock API Reference).

/** Bedrock's exception names by status, sent as `x-amzn-errortype` (the restJson1 protocol's error header). */
const BEDROCK_ERRORS: Readonly<Record<number, string>> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};
const BEDROCK_STOP = { end: 'end_turn', stop: 'stop_sequence', length: 'max_tokens' } as const;

function bedrockHandler(x: Exchange): void {
  const { body, mode, res } = x;
  if (typeof mode === 'object' && 'status' in mode) {
    const type = mode.type ?? BEDROCK_ERRORS[mode.status];
    sendJson(
      res,
      mode.status,
      { message: mode.message ?? `upstream error ${mode.status}` },
      type === undefined ? {} : { 'x-amzn-errortype': type },
    );
    return;
  }
  const route = /^\/model\/([^/]+)\/(converse|converse-stream|count-tokens)$/.exec(x.path);
  if (route === null) {
    sendJson(res, 404, { message: `no route ${x.path}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
    return;
  }
  const operation = route[2];
  const input = promptTokens(field(body, 'messages'), field(body, 'system'));
  if (operation === 'count-tokens') {
    const converse = field(field(body, 'input'), 'converse');
    sendJson(res, 200, { inputTokens: promptTokens(field(converse, 'messages'), field(converse, 'system')) });
    return;
  }
  const config = field(body, 'inferenceConfig');
  const { words, stopped } = generate(field(config, 'maxTokens'), field(config, 'stopSequences'));
  const stopReason = BEDROCK_STOP[stopped];
  const usage = { inputTokens: input, outputTokens: words.length, totalTokens: input + words.length };
  if (operation === 'converse') {
    if (mode === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"output": ');
      return;
    }
    const text = JSON.stringify({
      output: { message: { role: 'assistant', content: [{ text: words.join('') }] } },
      stopReason,
      usage,
      metrics: { latencyMs: 1 },
    });
    answerJson(res, text, mode);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
  if (mode === 'malformed') {
    // A whole message whose payload is not JSON.
    res.end(
      encodeEventMessage(
        { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' },
        Buffer.from('{"delta": ', 'utf8'),
      ),
    );
    return;
  }
  res.write(encodeEvent('messageStart', { role: 'assistant' }));
  const [first, ...rest] = words;
  if (first !== undefined)
    res.write(encodeEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: first } }));
  if (mode === 'hang-mid-stream') return;
  for (const w of rest) res.write(encodeEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: w } }));
  res.write(encodeEvent('contentBlockStop', { contentBlockIndex: 0 }));
  res.write(encodeEvent('messageStop', { stopReason }));
  res.end(encodeEvent('metadata', { usage, metrics: { latencyMs: 1 } }));
}

/**
 * A Bedrock runtime server over cleartext HTTP/2 (the AWS SDK's Bedrock runtime client uses HTTP/2):
 * `POST /model/{modelId}/converse`, `/converse-stream` (application/vnd.amazon.eventstream) and
 * `/count-tokens`. It does not check SigV4 signatures.
 */
export async function startBedrockUpstream(options: UpstreamOptions = {}): Promise<TestUpstream> {
  const recorder = new Recorder();
  const sessions = new Set<Http2Session>();
  const server: Http2Server = createH2Server((req, res) => {
    recorder.accept(req, res, bedrockHandler).catch(() => res.stream.destroy());
  });
  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return handleOf(recorder, `http://${options.host ?? '127.0.0.1'}:${port}`, async () => {
    for (const s of sessions) s.destroy();
    server.close();
    await once(server, 'close');
  });
}
