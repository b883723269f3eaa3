/**
 * The composition root: opens the store, loads the master key, creates the first account when the
 * store is empty, and serves HTTP/1.1 and cleartext HTTP/2 (h2c, prior knowledge — what the AWS
 * SDK's HTTP/2 handler speaks) on one port. Graceful shutdown finishes in-flight requests, writes
 * pending last-used records and closes the store.
 */

import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { type Logger, pino } from 'pino';
import { Authenticator } from '../auth/authenticate.js';
import { PolicyCache } from '../authz/index.js';
import { queryError } from '../protocols/aws-query.js';
import { jsonError } from '../protocols/rest-json.js';
import { WireError } from '../protocols/wire-error.js';
import { loadProviderConfig } from '../providers/config.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { type CallSignal, LightSignal } from '../providers/signal.js';
import { LastUsedRecorder } from '../services/last-used.js';
import { openStore, type Store } from '../store/index.js';
import { bootstrapFirstAccount, ensureDataDir, type FirstAccount, loadMasterKey } from './bootstrap.js';
import type { ServerConfig } from './config.js';
import { handleQuery, namespaceBeforeBody, type QueryEndpointDeps } from './query-endpoint.js';
import { requestLogger } from './request-log.js';
import { checkRestSigner, handleRest, type RestAnswer } from './rest-endpoint.js';

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  firstAccount: FirstAccount | undefined;
  /** Stops accepting, finishes in-flight requests, flushes and closes the store. */
  close(): Promise<void>;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

/**
 * A socket whose first bytes were already read: a Duplex that yields them, then relays the socket
 * in both directions (with its addresses, which the request context reads).
 */
class ReplayedSocket extends Duplex {
  constructor(
    private readonly socket: Socket,
    head: Buffer,
  ) {
    super();
    this.push(head);
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', (e) => this.destroy(e));
  }
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.socket.remoteFamily;
  }
  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }
  setTimeout(ms: number, callback?: () => void): this {
    this.socket.setTimeout(ms, callback);
    return this;
  }
  override _read(): void {
    this.socket.resume();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }
  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy(error ?? undefined);
    callback(error);
  }
}

/**
 * Writes an event stream as it is produced, waiting for the client to drain (backpressure); stops
 * when the client goes away (the producer sees the same signal and aborts its upstream call).
 * `beforeEnd` runs just before the whole stream is ended.
 */
async function writeStream(
  res: AnyResponse,
  events: AsyncIterable<Buffer>,
  signal: CallSignal,
  beforeEnd: () => void,
): Promise<void> {
  for await (const chunk of events) {
    if (signal.aborted) break;
    const writable = res as unknown as NodeJS.WritableStream;
    if (!writable.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (signal.aborted) return;
  beforeEnd();
  res.end();
}

/**
 * A Bedrock request that may carry a body larger than this is read only after
 * Authenticator.checkSigner has found the access key ID (or session token) its signature names, in a
 * credential scope the endpoint serves: a client with no key ID at all cannot make the server receive
 * megabytes. (A key ID is not a secret, so this is a filter, not a guarantee: the receiving budget
 * below is what bounds memory.) Smaller bodies, every ordinary Converse, skip the check.
 */
const CHECK_SIGNER_ABOVE = 64 * 1024;

/**
 * True when a request may carry more than CHECK_SIGNER_ABOVE bytes: its Content-Length says so, or
 * it has a body of unknown length (HTTP/1.1 Transfer-Encoding; an HTTP/2 stream that did not end with
 * its headers). An HTTP/1.1 request with neither header has no body (RFC 9112 section 6.3).
 */
function mayBeLarge(req: AnyRequest): boolean {
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    const n = Number(declared);
    return !(Number.isSafeInteger(n) && n >= 0 && n <= CHECK_SIGNER_ABOVE);
  }
  if (req.httpVersionMajor === 1) return req.headers['transfer-encoding'] !== undefined;
  return (req as Http2ServerRequest).stream?.endAfterHeaders !== true;
}

/**
 * The request-body bytes held right now by requests whose bodies are still being read, across
 * requests, and their bound (ServerConfig.maxReceivingBodyBytes). Bytes count as they arrive, so a
 * stalled upload holds what it has sent, not what it declared.
 */
class ReceivingBudget {
  held = 0;
  constructor(readonly max: number) {}
}

/**
 * A request body read whole, or why not: larger than the limit (the rest is not kept), past the
 * receiving budget, or the client went away before the end (or sent less than its Content-Length).
 */
type BodyRead = Buffer | 'too-large' | 'busy' | 'aborted';

/** True when a request's Content-Length is over `limit`: it is refused without reading its body. */
function tooLarge(req: AnyRequest, limit: number): boolean {
  return Number(req.headers['content-length'] ?? '0') > limit;
}

/** Reads a request body up to `limit` bytes within the receiving budget. */
function readBody(req: AnyRequest, limit: number, budget: ReceivingBudget): Promise<BodyRead> {
  return new Promise((resolve) => {
    if (tooLarge(req, limit)) {
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyRead): void => {
      if (settled) return;
      settled = true;
      budget.held -= size;
      req.removeListener('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > limit) settle('too-large');
      else if (budget.held + chunk.length > budget.max) settle('busy');
      else {
        size += chunk.length;
        budget.held += chunk.length;
        chunks.push(chunk);
      }
    };
    req.on('data', onData);
    req.on('end', () => {
      // An HTTP/2 stream the client reset mid-body ends with what arrived: short of its length.
      const declared = req.headers['content-length'];
      const whole = declared === undefined || Number(declared) === size;
      settle(whole ? (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)) : 'aborted');
    });
    req.on('error', () => settle('aborted'));
    req.on('close', () => settle('aborted'));
  });
}

/**
 * The request headers as SigV4 reads them: a repeated header keeps its separate values (SigV4
 * joins them with commas itself). Node's `headersDistinct` builds an array for every header, so it
 * is used only when a name does repeat.
 */
function signedHeaders(req: AnyRequest): AnyRequest['headers'] {
  if (!('headersDistinct' in req)) return req.headers;
  // node:http merges a repeated name into one entry, so fewer names than raw lines means a repeat.
  let names = 0;
  for (const _ in req.headers) names++;
  if (names * 2 === req.rawHeaders.length) return req.headers;
  return { ...req.headers, ...req.headersDistinct };
}

function sourceIp(req: AnyRequest): string {
  const addr = req.socket?.remoteAddress ?? '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/**
 * JSON logs on stdout, buffered (a synchronous write per request line cost a tenth of a GetUser in
 * bench/server.ts); flushed at shutdown and by pino on exit.
 */
function defaultLogger(config: ServerConfig): Logger {
  return pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: false, minLength: 4096 }));
}

/** What a server runs on: the store, the services' dependencies and what must be closed. */
export interface Services {
  store: Store;
  deps: QueryEndpointDeps;
  firstAccount: FirstAccount | undefined;
  lastUsed: LastUsedRecorder;
  models: ProviderRegistry;
}

/**
 * The composition root without the network: loads the provider file (a file that does not load
 * stops the start before anything is created: ProviderConfigError), opens the store, loads the
 * master key and creates the first account when the store is empty. bench/hot-path.ts drives the
 * endpoints through it in process.
 */
export async function openServices(config: ServerConfig, log: Logger): Promise<Services> {
  const models = loadProviderConfig(config.providerConfig);
  for (const warning of models.warnings) log.warn({ config: config.providerConfig }, warning);
  ensureDataDir(config.dataDir);
  const secrets = loadMasterKey(config);
  const store = await openStore(
    config.databaseUrl === undefined ? { dataDir: config.dataDir } : { databaseUrl: config.databaseUrl },
  );
  const firstAccount = await bootstrapFirstAccount(store, secrets, config);
  const lastUsed = new LastUsedRecorder(store, config.lastUsedFlushMs);
  const deps: QueryEndpointDeps = {
    models,
    store,
    secrets,
    policies: new PolicyCache(store),
    authenticator: new Authenticator(store, secrets),
    lastUsed,
    log,
  };
  return { store, deps, firstAccount, lastUsed, models };
}

/** Starts basalt with this configuration. */
export async function startServer(config: ServerConfig, log: Logger = defaultLogger(config)): Promise<RunningServer> {
  const { store, deps, firstAccount, lastUsed, models } = await openServices(config, log);

  const logRequest = requestLogger(log);
  let inFlight = 0;
  const receiving = new ReceivingBudget(config.maxReceivingBodyBytes);
  let drained: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  /**
   * The answer to one request: refused before its body is read (too many bodies being received, an
   * unknown signer of a large body, a body over the limit), or its endpoint's.
   */
  async function answerTo(
    req: AnyRequest,
    res: AnyResponse,
    requestId: string,
    client: LightSignal,
    expectsContinue: boolean,
  ): Promise<RestAnswer> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    // awsQuery (IAM, STS) posts to the root path; every restJson1 operation has a longer path.
    const query = rawPath === '/';
    const limit = query ? config.maxBodyBytes : config.maxModelBodyBytes;
    const refused = (error: WireError): RestAnswer => {
      const encoded = query
        ? { ...queryError(namespaceBeforeBody(head), error, requestId), headers: { 'content-type': 'text/xml' } }
        : jsonError(error);
      return { ...encoded, service: '', action: '', errorCode: error.code };
    };
    const head = {
      method: req.method ?? 'GET',
      rawPath,
      rawQuery: q < 0 ? '' : url.slice(q + 1),
      headers: signedHeaders(req),
      http2: req.httpVersionMajor === 2,
    };
    const now = new Date();
    if (!query && mayBeLarge(req)) {
      const refusal = await checkRestSigner(head, now, requestId, deps);
      if (refusal !== undefined) return refusal;
    }
    // A client that asked to be told before it sends its body ("Expect: 100-continue") hears "go
    // on" only now, after the checks above and only for a body within the limit: a refused request
    // gets its final answer instead, and its body is never sent (RFC 9110, section 10.1.1).
    if (expectsContinue && !tooLarge(req, limit)) res.writeContinue();
    const body = await readBody(req, limit, receiving);
    if (body === 'too-large') {
      return refused(new WireError('RequestEntityTooLarge', `Request body is larger than ${limit} bytes.`, 413));
    }
    if (body === 'busy') {
      const code = query ? 'ServiceUnavailable' : 'ServiceUnavailableException';
      return refused(new WireError(code, 'The server is receiving too many request bodies; retry later.', 503));
    }
    if (body === 'aborted') {
      // Nobody reads this answer: the client is gone. It is logged as a refusal, not as a failure.
      return refused(new WireError('RequestAborted', 'The request body was not received whole.', 400));
    }
    const signed = { ...head, body };
    const env = {
      sourceIp: sourceIp(req),
      secureTransport: false,
      now,
      userAgent: req.headers['user-agent'],
      referer: req.headers.referer,
    };
    if (query) {
      const result = await handleQuery(signed, env, requestId, deps);
      return { ...result, headers: { 'content-type': 'text/xml' } };
    }
    return handleRest(signed, env, requestId, client, deps);
  }

  async function handle(req: AnyRequest, res: AnyResponse, expectsContinue = false): Promise<void> {
    inFlight++;
    const started = performance.now();
    const requestId = randomUUID();
    // Aborted when the client goes away before the answer is complete: model calls stop upstream. A
    // LightSignal, not an AbortSignal (see providers/signal.ts).
    const client = new LightSignal();
    // Our own record of a whole answer written: an HTTP/2 stream the client cancelled (RST_STREAM)
    // reports writableFinished true on its response, so that cannot tell a client that went away.
    let answered = false;
    res.on('close', () => {
      if (!answered) client.abort();
    });
    try {
      const answer = await answerTo(req, res, requestId, client, expectsContinue);
      const headers = answer.headers;
      headers['x-amzn-requestid'] = requestId;
      // While shutting down, HTTP/1.1 clients are told not to reuse the connection.
      if (closing !== undefined && req.httpVersionMajor === 1) headers.connection = 'close';
      if (typeof answer.body === 'string') {
        headers['content-length'] = String(Buffer.byteLength(answer.body, 'utf8'));
        res.writeHead(answer.status, headers);
        answered = true;
        res.end(answer.body, 'utf8');
      } else if (Buffer.isBuffer(answer.body)) {
        headers['content-length'] = String(answer.body.length);
        res.writeHead(answer.status, headers);
        answered = true;
        res.end(answer.body);
      } else {
        res.writeHead(answer.status, headers);
        await writeStream(res, answer.body, client, () => {
          answered = true;
        });
      }
      logRequest({
        requestId,
        service: answer.service,
        action: answer.action,
        caller: answer.caller,
        status: answer.status,
        error: answer.errorCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    } catch (e) {
      log.error({ err: e, requestId }, 'request handling failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/xml' });
      res.end();
    } finally {
      inFlight--;
      if (inFlight === 0 && drained !== undefined) drained();
    }
  }

  const h1 = http.createServer((req, res) => void handle(req, res));
  h1.keepAliveTimeout = config.idleTimeoutMs;
  // Without these listeners Node answers "100 Continue" itself as soon as the head arrives.
  h1.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => void handle(req, res, true));
  const h2 = http2.createServer({}, (req, res) => void handle(req, res));
  h2.on('checkContinue', (req: Http2ServerRequest, res: Http2ServerResponse) => void handle(req, res, true));
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    // An HTTP/2 session idle with no open stream is closed, as HTTP/1.1 keep-alive is; one with a
    // stream open is left alone (a model call may send nothing for minutes), and its timer starts
    // again at its next frame.
    let open = 0;
    s.on('stream', (stream) => {
      open++;
      stream.once('close', () => open--);
    });
    s.setTimeout(config.idleTimeoutMs);
    s.on('timeout', () => {
      // Node does not arm the timer again after it fires: it is set again to look once more later.
      if (open === 0) s.close();
      else s.setTimeout(config.idleTimeoutMs);
    });
  });

  // One port for both: an HTTP/2 client with prior knowledge opens with the preface "PRI * HTTP/2.0".
  const sockets = new Set<Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    // Until its first bytes, a connection is nobody's: the HTTP servers' own timeouts start only
    // once it is handed to them, so a connection that never speaks is closed here.
    const silent = (): void => {
      socket.destroy();
    };
    socket.setTimeout(h1.headersTimeout, silent);
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.off('timeout', silent);
      socket.pause();
      if (first.subarray(0, 3).toString('latin1') === 'PRI') {
        // The HTTP/2 session reads its socket's native handle, past anything unshifted, so it gets
        // a stream that replays the bytes already read and then relays the socket.
        h2.emit('connection', new ReplayedSocket(socket, first));
      } else {
        socket.unshift(first);
        h1.emit('connection', socket);
        socket.resume();
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(config.port, config.host, () => resolve());
  });
  const port = (listener.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, store: store.dialect, masterKey: deps.secrets.fingerprint() }, 'basalt listening');
  log.flush();
  // Buffered log lines reach stdout within a second even when traffic is light.
  const flushTimer = setInterval(() => log.flush(), 1000);
  flushTimer.unref();

  const close = () => {
    closing ??= (async () => {
      // Stop accepting; the close callback fires once every connection has ended.
      const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
      h1.closeIdleConnections();
      for (const s of sessions) s.close();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      for (const s of sockets) s.destroy();
      await listenerClosed;
      await lastUsed.close().catch((e) => log.error({ err: e }, 'last-used flush failed'));
      await store.close();
      await models.close().catch((e) => log.error({ err: e }, 'closing model providers failed'));
      clearInterval(flushTimer);
      await new Promise<void>((resolve) => log.flush(() => resolve()));
    })();
    return closing;
  };
  return { url, port, store, firstAccount, close };
}
