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
import { dispatchRest, RestRouter } from '../services/rest-operation.js';

/** What the endpoint answers: a whole body or a stream of encoded events. */
export interface RestAnswer {
  status: number;
  /** A fresh object for this answer: the server adds its own headers to it. */
  headers: Record<string, string>;
  body: Buffer | AsyncIterable<Buffer>;
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
    deps.lastUsed.record(signed.caller.accessKeyId, {
      accountId: signed.caller.accountId,
      date: isoSeconds(env.now),
      service: 'bedrock',
      region: signed.credential.region,
    });
    const result = await dispatchRest(
      route.op,
      {
        method: req.method,
        pathParams: route.pathParams,
        query: new URLSearchParams(req.rawQuery),
        headers: req.headers,
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body),
      },
      new RestCall(signed.caller, { ...env, region: signed.credential.region }, requestId, deps, revision, signal),
    );
    const base = { service: 'bedrock', action, caller };
    if (result.kind === 'json') {
      return {
        ...base,
        status: result.status ?? 200,
        headers: { 'content-type': 'application/json', ...result.headers },
        body: Buffer.from(JSON.stringify(result.body), 'utf8'),
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
      body: Buffer.from(answer.body, 'utf8'),
      service: 'bedrock',
      action,
      errorCode: error.code,
      ...(caller === undefined ? {} : { caller }),
    };
  }
}
