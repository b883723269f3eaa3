/**
 * One `basalt simulate` case: validate the JSON, compile its policies, build the request context
 * exactly as given (nothing added), evaluate, and shape the result. Pure: the CLI does the I/O.
 */

import type { PolicyKind } from './ast.js';
import { type CompiledPolicy, compilePolicy } from './compile.js';
import { type ContextValue, describePrincipal, makeRequest, type RequestContext } from './context.js';
import { PolicyError } from './errors.js';
import { evaluate, type PolicySet } from './evaluate.js';
import type { MatchedStatement, PolicyType, SimulateError, SimulateResult } from './simulate-types.js';

/** The fields a simulate case may have; any other is an error. */
export const CASE_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'principal',
  'action',
  'resource',
  'context',
  'identityPolicies',
  'permissionsBoundary',
  'serviceControlPolicies',
  'resourceControlPolicies',
  'sessionPolicies',
  'resourcePolicy',
  'resourceAccount',
]);

/** The order of policy types in `matched`: the order of the evaluation flow chart. */
const TYPE_ORDER: readonly PolicyType[] = ['rcp', 'scp', 'resource', 'permissionsBoundary', 'session', 'identity'];

class CaseError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

const cache = new Map<string, CompiledPolicy | PolicyError>();
const CACHE_LIMIT = 2048;

/** Compiles a policy, reusing the compiled form of an identical document seen before. */
function compileCached(doc: unknown, kind: PolicyKind, path: string): CompiledPolicy {
  const key = `${kind}\u0000${typeof doc === 'string' ? doc : JSON.stringify(doc)}`;
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = compilePolicy(doc, kind);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, compiled);
  }
  if (compiled instanceof PolicyError) {
    const where = compiled.path === '' ? path : `${path}.${compiled.path}`;
    throw new CaseError(compiled.code, `${compiled.message} (${compiled.detail})`, where);
  }
  return compiled;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new CaseError('InvalidInput', `${path} must be an array`, path);
  return value;
}

function compileList(value: unknown, kind: PolicyKind, path: string): CompiledPolicy[] {
  return list(value, path).map((doc, i) => compileCached(doc, kind, `${path}[${i}]`));
}

function compileLevels(value: unknown, kind: PolicyKind, path: string): CompiledPolicy[][] {
  return list(value, path).map((level, l) => compileList(level, kind, `${path}[${l}]`));
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function readContext(value: unknown): Map<string, ContextValue> {
  const out = new Map<string, ContextValue>();
  if (value === undefined) return out;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CaseError('InvalidInput', 'context must be an object of condition keys', 'context');
  }
  for (const [key, raw] of Object.entries(value)) {
    const path = `context.${key}`;
    if (Array.isArray(raw)) {
      out.set(
        key.toLowerCase(),
        raw.map((item, i) => {
          const s = scalar(item);
          if (s === undefined)
            throw new CaseError('InvalidInput', `${path}[${i}] must be a string, number or boolean`, path);
          return s;
        }),
      );
    } else {
      const s = scalar(raw);
      if (s === undefined)
        throw new CaseError('InvalidInput', `${path} must be a string, number, boolean or an array of them`, path);
      out.set(key.toLowerCase(), s);
    }
  }
  return out;
}

function requiredString(c: Record<string, unknown>, field: string): string {
  const v = c[field];
  if (typeof v !== 'string' || v === '')
    throw new CaseError('InvalidInput', `${field} is required and must be a string`, field);
  return v;
}

/** A case made ready to evaluate: its request context and compiled policy set. */
export interface PreparedCase {
  id: string | number | undefined;
  req: RequestContext;
  set: PolicySet;
}

function prepareUnchecked(input: unknown): PreparedCase {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CaseError('InvalidInput', 'a case must be a JSON object', '');
  }
  const c = input as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!CASE_FIELDS.has(key)) throw new CaseError('InvalidInput', `unknown field ${JSON.stringify(key)}`, key);
  }
  const action = requiredString(c, 'action');
  const resource = requiredString(c, 'resource');
  if (c.principal !== undefined && typeof c.principal !== 'string') {
    throw new CaseError('InvalidInput', 'principal must be a string', 'principal');
  }
  if (c.resourceAccount !== undefined && typeof c.resourceAccount !== 'string') {
    throw new CaseError('InvalidInput', 'resourceAccount must be a string', 'resourceAccount');
  }
  const values = readContext(c.context);
  const principalArnHint = values.get('aws:principalarn');
  const principal = describePrincipal(c.principal, typeof principalArnHint === 'string' ? principalArnHint : undefined);
  const set: PolicySet = {
    identity: c.identityPolicies === undefined ? [] : compileList(c.identityPolicies, 'identity', 'identityPolicies'),
    boundary:
      c.permissionsBoundary === undefined
        ? undefined
        : compileCached(c.permissionsBoundary, 'boundary', 'permissionsBoundary'),
    session: c.sessionPolicies === undefined ? undefined : compileList(c.sessionPolicies, 'session', 'sessionPolicies'),
    scp:
      c.serviceControlPolicies === undefined
        ? undefined
        : compileLevels(c.serviceControlPolicies, 'scp', 'serviceControlPolicies'),
    rcp:
      c.resourceControlPolicies === undefined
        ? undefined
        : compileLevels(c.resourceControlPolicies, 'rcp', 'resourceControlPolicies'),
    resource:
      c.resourcePolicy === undefined ? undefined : compileCached(c.resourcePolicy, 'resource', 'resourcePolicy'),
  };
  const actionLower = action.toLowerCase();
  // A role's trust policy or a KMS key's key policy must allow on its own; a case that omits it is
  // decided as if it were empty (a role always has a trust policy, a key always has a key policy).
  set.resourceMustAllow =
    (actionLower.startsWith('sts:') && /^arn:[^:]+:iam::\d{12}:role\//.test(resource)) ||
    (actionLower.startsWith('kms:') && /^arn:[^:]+:kms:/.test(resource));
  const req = makeRequest({
    principal,
    action,
    resource,
    values,
    ...(typeof c.resourceAccount === 'string' ? { resourceAccount: c.resourceAccount } : {}),
  });
  return { id: c.id as string | number | undefined, req, set };
}

function simulateUnchecked(input: unknown): SimulateResult {
  const { id, req, set } = prepareUnchecked(input);
  const outcome = evaluate(req, set);
  // Statements are evaluated Deny-first; report them in document order.
  const ordered = [...outcome.matched].sort(
    (a, b) =>
      TYPE_ORDER.indexOf(a.policyType) - TYPE_ORDER.indexOf(b.policyType) ||
      a.level - b.level ||
      a.policyIndex - b.policyIndex ||
      a.statement.index - b.statement.index,
  );
  const matched: MatchedStatement[] = ordered.map((m) => {
    const entry: MatchedStatement = {
      policyType: m.policyType,
      policyIndex: m.policyIndex,
      statementIndex: m.statement.index,
      effect: m.statement.effect,
    };
    if (m.policyType === 'scp' || m.policyType === 'rcp') entry.level = m.level;
    if (m.statement.sid !== undefined) entry.sid = m.statement.sid;
    return entry;
  });
  const out: SimulateResult = { decision: outcome.decision, decidedBy: outcome.decidedBy, matched };
  if (id !== undefined) return { id, ...out };
  return out;
}

/**
 * Validates and compiles one simulate case without evaluating it: its request context and policy
 * set, or the error object simulateCase would return. Never throws.
 */
export function prepareCase(input: unknown): PreparedCase | SimulateError {
  try {
    return prepareUnchecked(input);
  } catch (e) {
    return { error: caseError(e) };
  }
}

function caseError(e: unknown): SimulateError['error'] {
  return e instanceof CaseError
    ? { code: e.code, message: e.message, path: e.path }
    : { code: 'InternalError', message: e instanceof Error ? e.message : String(e) };
}

/**
 * Evaluates one simulate case (a parsed JSON value). Returns the decision, or an error object with a
 * code, message and path for a malformed case or policy. Never throws.
 */
export function simulateCase(input: unknown): SimulateResult | SimulateError {
  try {
    return simulateUnchecked(input);
  } catch (e) {
    const id =
      typeof input === 'object' && input !== null && 'id' in input ? (input as { id?: string | number }).id : undefined;
    const error = caseError(e);
    return id === undefined ? { error } : { id, error };
  }
}
