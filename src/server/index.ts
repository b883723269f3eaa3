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
import { IAM_NAMESPACE } from '../services/iam/index.js';
import { LastUsedRecorder } from '../services/last-used.js';
import { openStore, type Store } from '../store/index.js';
import { bootstrapFirstAccount, ensureDataDir, type FirstAccount, loadMasterKey } from './bootstrap.js';
import type { ServerConfig } from './config.js';
import { handleQuery, type QueryEndpointDeps } from './query-endpoint.js';
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
 * A body larger than this is large: it is read only while the bytes being received stay within
 * ServerConfig.maxReceivingBodyBytes, and on the restJson1 endpoint only after
 * Authenticator.checkSigner has found the request's key, so that nobody without one can make the
 * server hold megabytes. Smaller bodies (every ordinary Converse and IAM call) skip both.
 */
const LARGE_BODY_BYTES = 64 * 1024;

/**
 * The most body bytes a request may make the server hold: its Content-Length; none for an HTTP/1.1
 * request with neither that nor Transfer-Encoding (it has no body, RFC 9112 section 6.3); else the
 * limit (a chunked body, or HTTP/2 DATA frames without a declared length).
 */
function bytesToHold(req: AnyRequest, limit: number): number {
  const declared = req.headers['content-length'];
  if (declared === undefined) {
    return req.httpVersionMajor === 1 && req.headers['transfer-encoding'] === undefined ? 0 : limit;
  }
  const n = Number(declared);
  return Number.isSafeInteger(n) && n >= 0 ? Math.min(n, limit) : limit;
}

/** Reads a request body up to `limit` bytes; undefined when it is larger (the rest is not read). */
function readBody(req: AnyRequest, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
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
  /** Large body bytes being received right now, by declared size (see LARGE_BODY_BYTES). */
  let receiving = 0;
  let drained: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  /**
   * The answer to one request: refused before its body is read (too many bodies being received, an
   * unknown signer of a large body, a body over the limit), or its endpoint's.
   */
  async function answerTo(req: AnyRequest, requestId: string, client: LightSignal): Promise<RestAnswer> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    // awsQuery (IAM, STS) posts to the root path; every restJson1 operation has a longer path.
    const query = rawPath === '/';
    const limit = query ? config.maxBodyBytes : config.maxModelBodyBytes;
    const refused = (error: WireError): RestAnswer => {
      const encoded = query
        ? { ...queryError(IAM_NAMESPACE, error, requestId), headers: { 'content-type': 'text/xml' } }
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
    const size = bytesToHold(req, limit);
    const large = size > LARGE_BODY_BYTES;
    // Only large bodies count against the budget.
    const hold = large ? size : 0;
    if (large && receiving + hold > config.maxReceivingBodyBytes) {
      const code = query ? 'ServiceUnavailable' : 'ServiceUnavailableException';
      return refused(new WireError(code, 'The server is receiving too many large request bodies; retry later.', 503));
    }
    if (large && !query) {
      const refusal = await checkRestSigner(head, now, requestId, deps);
      if (refusal !== undefined) return refusal;
    }
    receiving += hold;
    let body: Buffer | undefined;
    try {
      body = await readBody(req, limit);
    } finally {
      receiving -= hold;
    }
    if (body === undefined) {
      return refused(new WireError('RequestEntityTooLarge', `Request body is larger than ${limit} bytes.`, 413));
    }
    const signed = { ...head, body };
    const env = { sourceIp: sourceIp(req), secureTransport: false, now };
    if (query) {
      const result = await handleQuery(signed, env, requestId, deps);
      return { ...result, headers: { 'content-type': 'text/xml' } };
    }
    return handleRest(signed, env, requestId, client, deps);
  }

  async function handle(req: AnyRequest, res: AnyResponse): Promise<void> {
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
      const answer = await answerTo(req, requestId, client);
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
  h1.keepAliveTimeout = 65_000;
  const h2 = http2.createServer({}, (req, res) => void handle(req, res));
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });

  // One port for both: an HTTP/2 client with prior knowledge opens with the preface "PRI * HTTP/2.0".
  const sockets = new Set<Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    // Until its first bytes, a connection is nobody's: the HTTP servers' own timeouts start only
    // once it is handed to them, so a connection that never speaks is closed here.
    socket.setTimeout(h1.headersTimeout, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
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
