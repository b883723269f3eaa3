/**
 * The restJson1 endpoint (Bedrock and Bedrock Runtime, signing name `bedrock`): route by method
 * and path, authenticate the signature, dispatch the operation, and answer with its JSON, bytes or
 * event stream, or with the restJson1 error envelope. Errors that are not AWS errors are logged
 * with the request ID and answered as InternalServerException, never with details.
 */

import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticate.js';
import type { Caller } from '../auth/caller.js';
import type { IncomingSignedRequest } from '../auth/sigv4/index.js';
import { SigV4Error } from '../auth/sigv4/index.js';
import type { RequestEnv } from '../authz/index.js';
import { BEDROCK_REGIONS } from '../catalog/regions.js';
import { isoSeconds } from '../policy/timestamps.js';
import { JSON_AUTH_CODES, jsonError } from '../protocols/rest-json.js';
import { WireError } from '../protocols/wire-error.js';
import type { CallSignal } from '../providers/signal.js';
import { BEDROCK_OPERATIONS } from '../services/bedrock/index.js';
import { BEDROCK_RUNTIME_OPERATIONS } from '../services/bedrock-runtime/index.js';
import type { CallContext, ServiceDeps } from '../services/operation.js';
import { dispatchRest, type RestRequest, RestRouter } from '../services/rest-operation.js';

/** What the endpoint answers: a whole body (JSON text or bytes) or a stream of encoded events. */
export interface RestAnswer {
  status: number;
  /** A fresh object for this answer: the server adds its own headers to it. */
  headers: Record<string, string>;
  /**
   * JSON text is handed to the server as a string, not encoded here: Node's HTTP response writes a
   * string body and its header block in one write, where a Buffer is one more copy and a vectored write.
   */
  body: string | Buffer | AsyncIterable<Buffer>;
  service: string;
  action: string;
  caller?: string;
  errorCode?: string;
}

/** Everything the endpoint uses. */
export interface RestEndpointDeps extends ServiceDeps {
  authenticator: Authenticator;
  log: Logger;
}

const ROUTER = new RestRouter([...BEDROCK_OPERATIONS, ...BEDROCK_RUNTIME_OPERATIONS]);

/** Every restJson1 operation the server routes (the authorization test walks them). */
export const REST_OPERATIONS = ROUTER.operations;

/**
 * A call's context. A class, not an object literal: one hidden class for every request.
 */
class RestCall implements CallContext {
  constructor(
    readonly caller: Caller,
    readonly env: RequestEnv,
    readonly requestId: string,
    readonly deps: ServiceDeps,
    readonly revision: number,
    readonly signal: CallSignal,
  ) {}
}

/** The request as an operation reads it; the query string is parsed only if an operation reads it. */
class DecodedRequest implements RestRequest {
  #query: URLSearchParams | undefined;
  constructor(
    readonly method: string,
    readonly pathParams: Readonly<Record<string, string>>,
    private readonly rawQuery: string,
    readonly headers: Readonly<Record<string, string | string[] | undefined>>,
    readonly body: Buffer,
  ) {}
  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.rawQuery);
    return this.#query;
  }
}

/** Handles one restJson1 request whose body has been read; `signal` is aborted when the client goes away. */
export async function handleRest(
  req: IncomingSignedRequest,
  env: Omit<RequestEnv, 'region'>,
  requestId: string,
  signal: CallSignal,
  deps: RestEndpointDeps,
): Promise<RestAnswer> {
  let action = '';
  let caller: string | undefined;
  try {
    const route = ROUTER.match(req.method, req.rawPath);
    if (route === undefined) throw new WireError('UnknownOperationException', 'UnknownOperationException');
    action = route.op.name;
    const revision = await deps.store.revision();
    const signed = await deps.authenticator.authenticate(req, revision, env.now, 'bedrock', BEDROCK_REGIONS);
    caller = signed.caller.arn;
    deps.lastUsed.record(
      signed.caller.accessKeyId,
      signed.caller.accountId,
      isoSeconds(env.now),
      'bedrock',
      signed.credential.region,
    );
    const callEnv: RequestEnv = {
      sourceIp: env.sourceIp,
      secureTransport: env.secureTransport,
      region: signed.credential.region,
      now: env.now,
      userAgent: env.userAgent,
      referer: env.referer,
    };
    const result = await dispatchRest(
      route.op,
      new DecodedRequest(
        req.method,
        route.pathParams,
        req.rawQuery,
        req.headers,
        Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body),
      ),
      new RestCall(signed.caller, callEnv, requestId, deps, revision, signal),
    );
    const base = { service: 'bedrock', action, caller };
    if (result.kind === 'json') {
      return {
        ...base,
        status: result.status ?? 200,
        headers: { 'content-type': 'application/json', ...result.headers },
        body: JSON.stringify(result.body),
      };
    }
    if (result.kind === 'bytes') {
      return {
        ...base,
        status: 200,
        headers: { 'content-type': result.contentType, ...result.headers },
        body: result.body,
      };
    }
    return {
      ...base,
      status: 200,
      headers: { 'content-type': result.contentType, ...result.headers },
      body: result.events,
    };
  } catch (e) {
    return failure(e, requestId, action, caller, deps);
  }
}

/**
 * Checks a restJson1 request before its body is read (the route, the signature's form and scope,
 * a key this server knows: Authenticator.checkSigner): the refusal to answer, or undefined when the
 * body is worth reading. The server calls it for large bodies only; handleRest checks all of it again.
 */
export async function checkRestSigner(
  req: Omit<IncomingSignedRequest, 'body'>,
  now: Date,
  requestId: string,
  deps: RestEndpointDeps,
): Promise<RestAnswer | undefined> {
  let action = '';
  try {
    const route = ROUTER.match(req.method, req.rawPath);
    if (route === undefined) throw new WireError('UnknownOperationException', 'UnknownOperationException');
    action = route.op.name;
    const revision = await deps.store.revision();
    await deps.authenticator.checkSigner(req, revision, now, 'bedrock', BEDROCK_REGIONS);
    return undefined;
  } catch (e) {
    return failure(e, requestId, action, undefined, deps);
  }
}

/** The restJson1 error answer for anything thrown while handling a request. */
function failure(
  e: unknown,
  requestId: string,
  action: string,
  caller: string | undefined,
  deps: RestEndpointDeps,
): RestAnswer {
  let error: WireError;
  if (e instanceof WireError) error = e;
  else if (e instanceof SigV4Error)
    error = new WireError(JSON_AUTH_CODES[e.code] ?? 'IncompleteSignatureException', e.message);
  else {
    deps.log.error({ err: e, requestId, action }, 'request failed');
    error = new WireError(
      'InternalServerException',
      'An internal error occurred. The request ID identifies it in the server log.',
    );
  }
  const answer = jsonError(error);
  return {
    status: answer.status,
    headers: answer.headers,
    body: answer.body,
    service: 'bedrock',
    action,
    errorCode: error.code,
    ...(caller === undefined ? {} : { caller }),
  };
}
