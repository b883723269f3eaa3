/**
 * One authorization decision: the request context AWS provides ("AWS global condition context
 * keys", IAM User Guide), evaluated against the caller's compiled policies, with AWS's AccessDenied
 * wording ("Access denied error messages", IAM User Guide) when the answer is not Allow.
 */

import type { Caller } from '../auth/caller.js';
import {
  type CompiledPolicy,
  type ContextValue,
  ContextValues,
  type EvaluationResult,
  evaluate,
  makeRequest,
} from '../policy/index.js';
import type { PolicyType } from '../policy/simulate-types.js';
import { isoSeconds } from '../policy/timestamps.js';
import type { CallerPolicies } from './policy-set.js';

/** Facts about the request that come from the transport, not from the caller. */
export interface RequestEnv {
  /** The socket peer address (or a forwarded address from a trusted proxy). */
  sourceIp: string;
  secureTransport: boolean;
  /** The region the request was signed for: `aws:RequestedRegion`. */
  region: string;
  now: Date;
  /** The User-Agent header: `aws:UserAgent` ("always included in the request context"). */
  userAgent?: string | undefined;
  /** The Referer header: `aws:Referer`, when the caller sent one. */
  referer?: string | undefined;
}

/** What one operation asks to be allowed. */
export interface AuthzRequest {
  action: string;
  resource: string;
  /** The account owning the resource; by default the ARN's account, else the caller's. */
  resourceAccount?: string;
  /** Operation-specific keys: aws:RequestTag/…, aws:ResourceTag/…, iam:PolicyARN, … */
  values?: Readonly<Record<string, ContextValue>>;
  /** The resource's own policy (a role's trust policy for sts:AssumeRole), evaluated with the caller's. */
  resourcePolicy?: CompiledPolicy;
  /** True when the resource policy must itself allow (trust policies: "Policy evaluation logic"). */
  resourceMustAllow?: boolean;
}

/** The decision, the evaluation behind it, and AWS's message when denied. */
export interface AuthzOutcome {
  allowed: boolean;
  result: EvaluationResult;
  /** AWS's AccessDenied message; empty when allowed. */
  message: string;
}

const NO_ALLOW: Record<PolicyType, string> = {
  identity: 'no identity-based policy allows',
  resource: 'no resource-based policy allows',
  permissionsBoundary: 'no permissions boundary allows',
  session: 'no session policy allows',
  scp: 'no service control policy allows',
  rcp: 'no resource control policy allows',
};

const EXPLICIT: Record<PolicyType, string> = {
  identity: 'an identity-based policy',
  resource: 'a resource-based policy',
  permissionsBoundary: 'a permissions boundary',
  session: 'a session policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
};

/**
 * AWS's AccessDenied message: "User: ARN is not authorized to perform: ACTION on resource: ARN
 * because no identity-based policy allows the ACTION action" or "… with an explicit deny in an
 * identity-based policy".
 */
export function accessDeniedMessage(
  caller: Caller,
  action: string,
  resource: string,
  result: EvaluationResult,
): string {
  // An action without resource-level permissions is authorized on "*", and AWS's message then
  // names no resource ("… is not authorized to perform: bedrock:ListFoundationModels because …").
  const on = resource === '*' ? '' : ` on resource: ${resource}`;
  const head = `User: ${caller.arn} is not authorized to perform: ${action}${on}`;
  if (result.decision === 'ExplicitDeny') return `${head} with an explicit deny in ${EXPLICIT[result.decidedBy]}`;
  return `${head} because ${NO_ALLOW[result.decidedBy]} the ${action} action`;
}

/**
 * `aws:ResourceAccount`, "the AWS account ID for the account with the resources evaluated in the
 * request", which "is always included in the request context for most service actions" ("AWS
 * global condition context keys", IAM User Guide): the account field of the resource's ARN; the
 * caller's account for an action on `*` (or on IAM's list paths), which acts on the caller's own
 * account. A resource owned by AWS names no account of the caller's — a foundation model
 * (`arn:aws:bedrock:REGION::foundation-model/ID`, an empty field), an AWS managed policy
 * (`arn:aws:iam::aws:policy/…`) — and AWS does not say which of its accounts holds it: the key is
 * still present, with the ARN's field, so every condition comparing it with the caller's account
 * (…IfExists included) treats the resource as another account's, as the IAM User Guide warns
 * ("Some AWS services require access to AWS owned resources that are hosted in another AWS
 * account"). AWS's managed policy AmazonDataZoneBedrockModelManagementPolicy reads the same way:
 * it requires `aws:ResourceAccount` = `${aws:PrincipalAccount}` on application and system inference
 * profiles, never on foundation models. Undefined for a malformed ARN.
 */
export function resourceAccountKey(resource: string, callerAccount: string): string | undefined {
  if (!resource.startsWith('arn:')) return callerAccount;
  let at = 3;
  for (let i = 0; i < 3; i++) {
    at = resource.indexOf(':', at + 1);
    if (at < 0) return undefined;
  }
  const end = resource.indexOf(':', at + 1);
  return end < 0 ? undefined : resource.slice(at + 1, end);
}

const PRINCIPAL_GONE: EvaluationResult = { decision: 'ImplicitDeny', decidedBy: 'identity', matched: [] };

/** Builds the request context, evaluates it, and words the denial. */
export function authorize(caller: Caller, policies: CallerPolicies, env: RequestEnv, req: AuthzRequest): AuthzOutcome {
  const values = new ContextValues(policies.base);
  values.set('aws:SourceIp', env.sourceIp);
  values.set('aws:CurrentTime', isoSeconds(env.now));
  values.set('aws:EpochTime', String(Math.floor(env.now.getTime() / 1000)));
  values.set('aws:SecureTransport', env.secureTransport ? 'true' : 'false');
  values.set('aws:RequestedRegion', env.region);
  if (env.userAgent !== undefined) values.set('aws:UserAgent', env.userAgent);
  if (env.referer !== undefined) values.set('aws:Referer', env.referer);
  const mfaTime = caller.session?.mfaAuthTime;
  if (mfaTime !== undefined) {
    values.set('aws:MultiFactorAuthAge', String(Math.max(0, Math.floor(env.now.getTime() / 1000) - mfaTime)));
  }
  const owner = resourceAccountKey(req.resource, caller.accountId);
  if (owner !== undefined) values.set('aws:ResourceAccount', owner);
  if (req.values !== undefined) {
    for (const [k, v] of Object.entries(req.values)) values.set(k, v);
  }
  const request = makeRequest({
    principal: caller.principal,
    action: req.action,
    resource: req.resource,
    values,
    ...(req.resourceAccount === undefined ? {} : { resourceAccount: req.resourceAccount }),
  });
  const set =
    req.resourcePolicy === undefined && req.resourceMustAllow === undefined
      ? policies.set
      : { ...policies.set, resource: req.resourcePolicy, resourceMustAllow: req.resourceMustAllow };
  // A session whose user or role is gone is allowed nothing (see CallerPolicies.gone).
  const result = policies.gone ? PRINCIPAL_GONE : evaluate(request, set, true);
  const allowed = result.decision === 'Allow';
  return { allowed, result, message: allowed ? '' : accessDeniedMessage(caller, req.action, req.resource, result) };
}
