/**
 * The decision: IAM User Guide, "Policy evaluation logic" ("Policy evaluation for requests within a
 * single account", "Cross-account policy evaluation logic"), "Permissions boundaries for IAM
 * entities" and "Session policies". In order:
 *
 * 1. An explicit deny in any applicable policy decides (RCPs, SCPs, the resource-based policy, the
 *    permissions boundary, session policies, identity-based policies).
 * 2. Resource control policies: each level of the resource account's organization must allow.
 * 3. Service control policies: each level, root to account, must allow.
 * 4. Same account: a resource-based policy that names the caller's own ARN (or `*`) allows on its own,
 *    "not limited by an implicit deny in an identity-based policy, permissions boundary, or session
 *    policy". One that names the role of an assumed-role session allows when the boundary and the
 *    session policies also allow. One that names only the account delegates to identity policies.
 * 5. Otherwise identity-based policies must allow, then the permissions boundary, then session policies.
 * 6. Cross-account: both the identity side (identity, boundary, session) and the resource-based policy
 *    must allow.
 *
 * The account's root user needs no identity-based policy in its own account; SCPs, RCPs and explicit
 * denies still apply to it. Anonymous callers and service principals are allowed only by a
 * resource-based policy. Nothing here allocates per evaluated statement; matched statements are
 * collected only when asked for.
 */

import {
  type CompiledPolicy,
  type CompiledStatement,
  MATCH_ACCOUNT,
  MATCH_DIRECT,
  MATCH_NONE,
  MATCH_ROLE,
  notPrincipalExcludes,
  type PrincipalMatch,
  principalMatch,
  resourceMatches,
} from './compile.js';
import { conditionsHold } from './condition.js';
import type { RequestContext } from './context.js';
import { nextEpoch } from './epoch.js';
import type { PolicyType } from './simulate-types.js';

/** The three outcomes of an evaluation. */
export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** The policies that apply to one request, compiled. */
export interface PolicySet {
  identity: readonly CompiledPolicy[];
  boundary?: CompiledPolicy | undefined;
  session?: readonly CompiledPolicy[] | undefined;
  /** One list per level, organization root first. */
  scp?: readonly (readonly CompiledPolicy[])[] | undefined;
  rcp?: readonly (readonly CompiledPolicy[])[] | undefined;
  resource?: CompiledPolicy | undefined;
  /**
   * True when the resource-based policy must itself allow, even within one account: role trust
   * policies and KMS key policies ("Policy evaluation logic": "IAM role trust policies and KMS key
   * policies are exceptions to this logic, because they must explicitly allow access for principals").
   */
  resourceMustAllow?: boolean | undefined;
}

/** A statement that matched the request. */
export interface StatementRef {
  policyType: PolicyType;
  level: number;
  policyIndex: number;
  policy: CompiledPolicy;
  statement: CompiledStatement;
}

/** The outcome: the decision, the policy type that decided it, and the statements that matched. */
export interface EvaluationResult {
  decision: Decision;
  decidedBy: PolicyType;
  matched: StatementRef[];
}

const ALLOW = 1;
const DENY = 2;
// Resource policy flags: how an Allow named the caller.
const R_DENY = 1;
const R_DIRECT = 2;
const R_ROLE = 4;
const R_ACCOUNT = 8;

function scanPolicy(
  policy: CompiledPolicy,
  req: RequestContext,
  type: PolicyType,
  level: number,
  policyIndex: number,
  out: StatementRef[] | null,
  prior: number,
): number {
  const statements = policy.statementsFor(req.actionLower, req.actionId);
  let flags = prior;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i] as CompiledStatement;
    // Deny statements come first. When only the decision is wanted, stop once a deny is found, or
    // at the first Allow statement once an allow is already known.
    if (out === null && ((flags & DENY) !== 0 || (!s.isDeny && (flags & ALLOW) !== 0))) break;
    if (!resourceMatches(s, req) || !conditionsHold(s.conditions, req.values)) continue;
    flags |= s.isDeny ? DENY : ALLOW;
    if (out !== null) out.push({ policyType: type, level, policyIndex, policy, statement: s });
  }
  return flags;
}

function scanList(
  policies: readonly CompiledPolicy[],
  req: RequestContext,
  type: PolicyType,
  level: number,
  out: StatementRef[] | null,
): number {
  let flags = 0;
  for (let i = 0; i < policies.length; i++) {
    flags = scanPolicy(policies[i] as CompiledPolicy, req, type, level, i, out, flags);
  }
  return flags;
}

/** Scans organization policy levels; returns DENY if any level denies, ALLOW if every level allows. */
function scanLevels(
  levels: readonly (readonly CompiledPolicy[])[],
  req: RequestContext,
  type: PolicyType,
  out: StatementRef[] | null,
): number {
  let denied = false;
  let allLevelsAllow = true;
  for (let l = 0; l < levels.length; l++) {
    const flags = scanList(levels[l] as readonly CompiledPolicy[], req, type, l, out);
    if ((flags & DENY) !== 0) denied = true;
    if ((flags & ALLOW) === 0) allLevelsAllow = false;
  }
  return (denied ? DENY : 0) | (allLevelsAllow ? ALLOW : 0);
}

function statementPrincipal(s: CompiledStatement, req: RequestContext, hasBoundary: boolean): PrincipalMatch {
  const set = s.principals;
  if (set === null) return MATCH_DIRECT;
  if (!s.notPrincipal) return principalMatch(set, req.principal);
  // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a
  // permissions boundary policy attached" (IAM User Guide, "Permissions boundaries for IAM entities").
  if (s.isDeny && hasBoundary) return MATCH_DIRECT;
  return notPrincipalExcludes(set, req.principal) ? MATCH_NONE : MATCH_DIRECT;
}

function scanResourcePolicy(
  policy: CompiledPolicy,
  req: RequestContext,
  hasBoundary: boolean,
  out: StatementRef[] | null,
): number {
  const statements = policy.statementsFor(req.actionLower, req.actionId);
  let flags = 0;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i] as CompiledStatement;
    const how = statementPrincipal(s, req, hasBoundary);
    if (how === MATCH_NONE) continue;
    if (!resourceMatches(s, req) || !conditionsHold(s.conditions, req.values)) continue;
    if (s.isDeny) flags |= R_DENY;
    else flags |= how === MATCH_DIRECT ? R_DIRECT : how === MATCH_ROLE ? R_ROLE : how === MATCH_ACCOUNT ? R_ACCOUNT : 0;
    if (out !== null) out.push({ policyType: 'resource', level: 0, policyIndex: 0, policy, statement: s });
  }
  return flags;
}

const NO_MATCHES: StatementRef[] = [];
Object.freeze(NO_MATCHES);
const POLICY_TYPES: readonly PolicyType[] = ['identity', 'resource', 'permissionsBoundary', 'session', 'scp', 'rcp'];
const DECISIONS: readonly Decision[] = ['Allow', 'ExplicitDeny', 'ImplicitDeny'];
/** One frozen result per decision and policy type, returned when no statements are collected. */
const SHARED = Object.fromEntries(
  DECISIONS.map((d) => [
    d,
    Object.fromEntries(POLICY_TYPES.map((t) => [t, Object.freeze({ decision: d, decidedBy: t, matched: NO_MATCHES })])),
  ]),
) as Record<Decision, Record<PolicyType, EvaluationResult>>;

/** The result; without collected statements it is a shared, frozen value (nothing allocated). */
function result(decision: Decision, decidedBy: PolicyType, matched: StatementRef[] | null): EvaluationResult {
  return matched !== null ? { decision, decidedBy, matched } : SHARED[decision][decidedBy];
}

/**
 * Decides one request against its policy set. With `collect` (the default) the result lists every
 * statement that matched; without it evaluation stops scanning a policy at its first deny.
 */
export function evaluate(req: RequestContext, set: PolicySet, collect = true): EvaluationResult {
  nextEpoch();
  const out: StatementRef[] | null = collect ? [] : null;
  const p = req.principal;
  const anonymous = p.kind === 'anonymous';
  const service = p.kind === 'service';
  const callerSide = !anonymous && !service;
  const hasBoundary = callerSide && set.boundary !== undefined;
  const hasSession = callerSide && set.session !== undefined && set.session.length > 0;

  // Types are scanned in the order explicit denies take precedence, so that without `collect` the
  // first deny ends the evaluation.
  const rcp = set.rcp !== undefined && set.rcp.length > 0 && !service ? scanLevels(set.rcp, req, 'rcp', out) : ALLOW;
  if (out === null && (rcp & DENY) !== 0) return result('ExplicitDeny', 'rcp', out);
  const scp = set.scp !== undefined && set.scp.length > 0 && callerSide ? scanLevels(set.scp, req, 'scp', out) : ALLOW;
  if (out === null && (scp & DENY) !== 0) return result('ExplicitDeny', 'scp', out);
  const res = set.resource !== undefined ? scanResourcePolicy(set.resource, req, hasBoundary, out) : 0;
  if (out === null && (res & R_DENY) !== 0) return result('ExplicitDeny', 'resource', out);
  const boundary =
    hasBoundary && set.boundary ? scanPolicy(set.boundary, req, 'permissionsBoundary', 0, 0, out, 0) : ALLOW;
  if (out === null && (boundary & DENY) !== 0) return result('ExplicitDeny', 'permissionsBoundary', out);
  const session = hasSession && set.session ? scanList(set.session, req, 'session', 0, out) : ALLOW;
  if (out === null && (session & DENY) !== 0) return result('ExplicitDeny', 'session', out);
  const identity = callerSide ? scanList(set.identity, req, 'identity', 0, out) : 0;

  if ((rcp & DENY) !== 0) return result('ExplicitDeny', 'rcp', out);
  if ((scp & DENY) !== 0) return result('ExplicitDeny', 'scp', out);
  if ((res & R_DENY) !== 0) return result('ExplicitDeny', 'resource', out);
  if ((boundary & DENY) !== 0) return result('ExplicitDeny', 'permissionsBoundary', out);
  if ((session & DENY) !== 0) return result('ExplicitDeny', 'session', out);
  if ((identity & DENY) !== 0) return result('ExplicitDeny', 'identity', out);
  if ((rcp & ALLOW) === 0) return result('ImplicitDeny', 'rcp', out);
  if ((scp & ALLOW) === 0) return result('ImplicitDeny', 'scp', out);

  if (!callerSide) {
    return (res & R_DIRECT) !== 0 ? result('Allow', 'resource', out) : result('ImplicitDeny', 'resource', out);
  }

  const sameAccount = p.account === req.resourceAccount;
  const identityAllows = (identity & ALLOW) !== 0 || (p.kind === 'root' && sameAccount);
  const boundaryAllows = (boundary & ALLOW) !== 0;
  const sessionAllows = (session & ALLOW) !== 0;

  if (sameAccount) {
    if ((res & R_DIRECT) !== 0) return result('Allow', 'resource', out);
    if ((res & R_ROLE) !== 0 && boundaryAllows && sessionAllows) return result('Allow', 'resource', out);
    if (set.resourceMustAllow === true && (res & (R_ROLE | R_ACCOUNT)) === 0) {
      return result('ImplicitDeny', 'resource', out);
    }
    if (!identityAllows && (res & R_ROLE) === 0) return result('ImplicitDeny', 'identity', out);
    if (!boundaryAllows) return result('ImplicitDeny', 'permissionsBoundary', out);
    if (!sessionAllows) return result('ImplicitDeny', 'session', out);
    return result('Allow', 'identity', out);
  }
  if (!identityAllows) return result('ImplicitDeny', 'identity', out);
  if (!boundaryAllows) return result('ImplicitDeny', 'permissionsBoundary', out);
  if (!sessionAllows) return result('ImplicitDeny', 'session', out);
  if ((res & (R_DIRECT | R_ROLE | R_ACCOUNT)) === 0) return result('ImplicitDeny', 'resource', out);
  return result('Allow', 'resource', out);
}
