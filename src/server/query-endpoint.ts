/**
 * The awsQuery endpoint (IAM and STS): decode the form, authenticate the signature, dispatch the
 * operation, and answer with the operation's XML or AWS's error envelope. Errors that are not
 * AWS errors are logged with the request ID and answered as ServiceFailure, never with details.
 */

import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticate.js';
import type { Caller } from '../auth/caller.js';
import type { IncomingSignedRequest } from '../auth/sigv4/index.js';
import { SigV4Error } from '../auth/sigv4/index.js';
import type { RequestEnv } from '../authz/index.js';
import { AWS_REGIONS } from '../catalog/regions.js';
import { describePrincipal } from '../policy/index.js';
import { isoSeconds } from '../policy/timestamps.js';
import { parseQuery, queryError, queryResponse } from '../protocols/aws-query.js';
import { QUERY_AUTH_CODES, WireError } from '../protocols/wire-error.js';
import { IAM_NAMESPACE, IAM_OPERATIONS } from '../services/iam/index.js';
import { type AnyOperation, dispatch, type ServiceDeps } from '../services/operation.js';
import { STS_NAMESPACE, STS_OPERATIONS } from '../services/sts/index.js';

/** One query-protocol service. */
interface QueryService {
  name: 'iam' | 'sts';
  namespace: string;
  version: string;
  operations: ReadonlyMap<string, AnyOperation>;
}

const SERVICES: Record<'iam' | 'sts', QueryService> = {
  iam: { name: 'iam', namespace: IAM_NAMESPACE, version: '2010-05-08', operations: IAM_OPERATIONS },
  sts: { name: 'sts', namespace: STS_NAMESPACE, version: '2011-06-15', operations: STS_OPERATIONS },
};

/** The placeholder caller of an unsigned operation until the operation authenticates its input. */
const ANONYMOUS: Caller = {
  type: 'federated',
  accountId: '',
  arn: '',
  userId: '',
  tags: [],
  accessKeyId: '',
  principal: describePrincipal(undefined),
  principalTypeName: 'Anonymous',
};

/** IAM and STS calls are short: they do not stop when the client goes away. */
const NEVER_ABORTED = new AbortController().signal;

/** The STS actions GetSessionToken credentials may call (see the check in the handler). */
const GET_SESSION_TOKEN_STS_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity', 'GetSessionToken']);

/** What the endpoint answers. */
export interface QueryAnswer {
  status: number;
  body: string;
  /** For the log line: the service, operation, caller and error code. */
  service: string;
  action: string;
  caller?: string;
  errorCode?: string;
}

/** Everything the endpoint uses. */
export interface QueryEndpointDeps extends ServiceDeps {
  authenticator: Authenticator;
  log: Logger;
}

/** Which query service a request is for: the signature's credential scope, else the Version parameter. */
function serviceFor(scopeService: string | undefined, version: string | undefined): QueryService {
  if (scopeService === 'sts' || (scopeService === undefined && version === SERVICES.sts.version)) return SERVICES.sts;
  return SERVICES.iam;
}

/**
 * The service named in the request's credential scope (`KEY/DATE/REGION/SERVICE/aws4_request`), read
 * before authentication to pick the endpoint's service. A linear scan, not a regular expression: it
 * runs on unauthenticated input, where a backtracking pattern over a long header cost tens of
 * milliseconds per request.
 */
function scopeServiceOf(req: Pick<IncomingSignedRequest, 'headers' | 'rawQuery'>): string | undefined {
  const auth = req.headers.authorization;
  let credential: string;
  if (typeof auth === 'string') {
    const at = auth.indexOf('Credential=');
    if (at < 0) return undefined;
    const start = at + 'Credential='.length;
    let end = start;
    // The value ends at the next comma or white space.
    while (end < auth.length && auth.charCodeAt(end) !== 44 && auth.charCodeAt(end) > 32) end++;
    credential = auth.slice(start, end);
  } else {
    credential = new URLSearchParams(req.rawQuery).get('X-Amz-Credential') ?? '';
  }
  const parts = credential.split('/', 5);
  if (parts.length < 5 || !/^\d{8}$/.test(parts[1] ?? '') || parts[3] === '') return undefined;
  return parts[3];
}

/**
 * The XML namespace of an error answered before the body is read (too large, too many bodies at
 * once): STS's when the signature's scope or the query string's Version names STS, else IAM's.
 */
export function namespaceBeforeBody(req: Pick<IncomingSignedRequest, 'headers' | 'rawQuery'>): string {
  const version = req.rawQuery === '' ? undefined : (new URLSearchParams(req.rawQuery).get('Version') ?? undefined);
  return serviceFor(scopeServiceOf(req), version).namespace;
}

/** Handles one awsQuery request whose body has been read. */
export async function handleQuery(
  req: IncomingSignedRequest,
  env: Omit<RequestEnv, 'region'>,
  requestId: string,
  deps: QueryEndpointDeps,
): Promise<QueryAnswer> {
  let service = SERVICES.iam;
  let action = '';
  let caller: string | undefined;
  try {
    const contentType = String(req.headers['content-type'] ?? '');
    const formText =
      req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')
        ? Buffer.from(req.body).toString('utf8')
        : req.method === 'GET'
          ? req.rawQuery
          : undefined;
    if (formText === undefined) {
      throw new WireError(
        'InvalidAction',
        'Could not find operation: requests must be form-encoded POST or GET with Action.',
      );
    }
    const params = parseQuery(formText);
    service = serviceFor(scopeServiceOf(req), params.get('Version'));
    action = params.get('Action') ?? '';
    const revision = await deps.store.revision();
    const unsignedOp = service.operations.get(action);
    let auth: { caller: Caller; region: string };
    if (unsignedOp?.authenticateInput !== undefined) {
      // AssumeRoleWith… calls carry no AWS credentials: the operation authenticates its input.
      auth = { caller: ANONYMOUS, region: 'us-east-1' };
    } else {
      const signed = await deps.authenticator.authenticate(req, revision, env.now, service.name, AWS_REGIONS);
      // IAM is a global service with one endpoint in us-east-1, so aws:RequestedRegion is us-east-1
      // whatever Region the request was signed for ("AWS: Denies access to AWS based on the requested
      // Region", IAM User Guide: "all requests to these services are made to the us-east-1 Region").
      // STS has Regional endpoints: the signed Region is the one requested.
      auth = { caller: signed.caller, region: service.name === 'iam' ? 'us-east-1' : signed.credential.region };
      caller = signed.caller.arn;
      const session = signed.caller.session;
      if (session?.type === 'federatedUser' && !(service.name === 'sts' && action === 'GetCallerIdentity')) {
        // GetFederationToken (STS API Reference): its credentials "cannot call any IAM API
        // operations" and "cannot call any STS API operations except GetCallerIdentity".
        throw new WireError(
          'AccessDenied',
          `Cannot call ${action || 'this operation'} with federated user credentials`,
        );
      }
      if (service.name === 'iam' && session !== undefined && session.type !== 'assumedRole' && !session.mfa) {
        // GetSessionToken (STS API Reference): its credentials "cannot call IAM API operations unless
        // MFA authentication information is included in the request".
        throw new WireError('InvalidClientTokenId', 'The security token included in the request is invalid');
      }
      if (
        service.name === 'sts' &&
        session !== undefined &&
        session.type !== 'assumedRole' &&
        unsignedOp !== undefined &&
        !GET_SESSION_TOKEN_STS_ACTIONS.has(action)
      ) {
        // GetSessionToken (STS API Reference): its credentials "Cannot call any STS API except
        // AssumeRole or GetCallerIdentity" (GetSessionToken itself answers its own refusal).
        throw new WireError('AccessDenied', `Cannot call ${action} with session credentials`);
      }
      deps.lastUsed.record(
        signed.caller.accessKeyId,
        signed.caller.accountId,
        isoSeconds(env.now),
        service.name,
        signed.credential.region,
      );
    }
    if (action === '') throw new WireError('MissingAction', 'Missing Action');
    const op = service.operations.get(action);
    if (op === undefined) {
      throw new WireError(
        'InvalidAction',
        `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`,
      );
    }
    const result = await dispatch(op, params, {
      caller: auth.caller,
      env: { ...env, region: auth.region },
      requestId,
      deps,
      revision,
      signal: NEVER_ABORTED,
    });
    return {
      status: 200,
      body: queryResponse(service.namespace, action, result, requestId),
      service: service.name,
      action,
      ...(caller === undefined ? {} : { caller }),
    };
  } catch (e) {
    let error: WireError;
    if (e instanceof WireError) error = e;
    else if (e instanceof SigV4Error) {
      const sig = e as SigV4Error;
      error = new WireError(QUERY_AUTH_CODES[sig.code] ?? 'IncompleteSignature', sig.message);
    } else {
      deps.log.error({ err: e, requestId, action }, 'request failed');
      error = new WireError(
        'ServiceFailure',
        'An internal error occurred. The request ID identifies it in the server log.',
      );
    }
    const { status, body } = queryError(service.namespace, error, requestId);
    return {
      status,
      body,
      service: service.name,
      action,
      errorCode: error.code,
      ...(caller === undefined ? {} : { caller }),
    };
  }
}
