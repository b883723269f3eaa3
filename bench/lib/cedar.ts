/**
 * The same scenarios expressed in Cedar and authorized by @cedar-policy/cedar-wasm (preparsePolicySet
 * once per principal, statefulIsAuthorized per request).
 *
 * Translation (IAM → Cedar), one preparsed policy set per principal, holding only that principal's
 * policies, as basalt's PolicySet and iam-simulate's input do. (One global set with
 * `principal in Policy::"…"` scopes would make Cedar scan every policy of every principal per request.)
 *
 * - Request: principal `Principal::"<arn>"`, action `Action::"<action>"`, resource `Resource::"<arn>"`.
 *   IAM matches on text, so the context also carries `action` (lowercased: IAM action names are
 *   case-insensitive) and `resource`, and every condition key, lowercased, with a Cedar type:
 *   aws:SourceIp an `ip`, aws:CurrentTime a `datetime`, Bool keys booleans, aws:MultiFactorAuthAge a
 *   Long, aws:TagKeys a set of strings, everything else a string.
 * - Statement → expression: Action/NotAction and Resource/NotResource become `like` (or `==`) over
 *   `context.action` / `context.resource`, OR-ed and negated for Not…; `*` alone is `true`. A whole-ARN
 *   `like` equals IAM's per-component ARN match for the ARNs generated here (no component contains
 *   the next component's text). IAM's `?` wildcard has no Cedar equivalent and is rejected.
 * - Conditions are AND-ed; values of one key OR-ed. Every context access is guarded by `has`, so that
 *   no evaluation error can silently skip a policy (Cedar ignores a policy whose condition errors):
 *   plain operator `has && any`; negated operator (StringNotEquals, NotIpAddress) `!has || !any`;
 *   …IfExists `!has || any`; ForAnyValue:StringEquals `has && containsAny`; ForAllValues:StringEquals
 *   `!has || [values].containsAll(key)`.
 * - Identity Allow statements → `permit`. Every Deny statement (identity, boundary, SCP) → `forbid`
 *   with id `deny/…`.
 * - "Every level must allow" (the boundary, and each SCP level): one gate per level,
 *   `forbid … unless { allow₁ || allow₂ || … }` over that level's Allow statements, with id `gate/…`.
 *   Cedar allows when some permit holds and no forbid does, which is IAM's single-account rule:
 *   no explicit deny, every SCP level allows, the boundary allows, an identity policy allows.
 * - Decision: allow → Allow; deny with a satisfied `deny/…` forbid among the reasons → ExplicitDeny;
 *   any other deny → ImplicitDeny.
 */

import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import {
  type AuthorizationAnswer,
  preparsePolicySet,
  type StatefulAuthorizationCall,
  statefulIsAuthorized,
} from '@cedar-policy/cedar-wasm/nodejs';
import type { ConditionBlock, Decision, PrincipalDef, RequestSpec, Scenario, StatementDoc } from './types.ts';

type KeyType = 'string' | 'ip' | 'datetime' | 'bool' | 'long' | 'set';

const KEY_TYPES: Record<string, KeyType> = {
  'aws:sourceip': 'ip',
  'aws:currenttime': 'datetime',
  'aws:securetransport': 'bool',
  'aws:multifactorauthpresent': 'bool',
  'aws:multifactorauthage': 'long',
  'aws:tagkeys': 'set',
};

function keyType(key: string): KeyType {
  return KEY_TYPES[key] ?? 'string';
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function str(s: string): string {
  return JSON.stringify(s);
}

/** `context.<field> like "<pattern>"`, or `==` when the pattern has no wildcard. */
function textMatch(field: string, pattern: string): string {
  if (pattern.includes('?')) throw new Error(`the ? wildcard has no Cedar equivalent: ${pattern}`);
  if (pattern === '*') return 'true';
  return pattern.includes('*') ? `context.${field} like ${str(pattern)}` : `context.${field} == ${str(pattern)}`;
}

function anyOf(terms: string[]): string {
  if (terms.includes('true')) return 'true';
  if (terms.length === 0) return 'false';
  return terms.length === 1 ? (terms[0] as string) : `(${terms.join(' || ')})`;
}

function elementMatch(field: string, values: string[], negated: boolean): string {
  const any = anyOf(values.map((v) => textMatch(field, v)));
  if (!negated) return any;
  return any === 'true' ? 'false' : any === 'false' ? 'true' : `!(${any})`;
}

/** A policy value as a Cedar literal of the key's type. */
function literal(type: KeyType, value: string): string {
  switch (type) {
    case 'ip':
      return `ip(${str(value)})`;
    case 'datetime':
      return `datetime(${str(value)})`;
    case 'bool':
      return value.toLowerCase() === 'true' ? 'true' : 'false';
    case 'long':
      if (!/^-?\d+$/.test(value)) throw new Error(`not a Cedar Long: ${value}`);
      return value;
    default:
      return str(value);
  }
}

/** One policy value against the context value `ref`, before negation. */
function compare(base: string, ref: string, type: KeyType, value: string): string {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
    case 'Bool':
      return `${ref} == ${literal(type, value)}`;
    case 'StringLike':
    case 'StringNotLike':
      if (value.includes('?')) throw new Error(`the ? wildcard has no Cedar equivalent: ${value}`);
      return `${ref} like ${str(value)}`;
    case 'IpAddress':
    case 'NotIpAddress':
      return `${ref}.isInRange(${literal(type, value)})`;
    case 'DateLessThan':
    case 'NumericLessThan':
      return `${ref} < ${literal(type, value)}`;
    case 'DateGreaterThan':
    case 'NumericGreaterThan':
      return `${ref} > ${literal(type, value)}`;
    default:
      throw new Error(`no Cedar translation for condition operator ${base}`);
  }
}

const NEGATED = new Set(['StringNotEquals', 'StringNotLike', 'NotIpAddress']);

/** One `"Operator": {"key": values}` pair as a Cedar expression. */
function condition(operator: string, key: string, values: string[]): string {
  const k = key.toLowerCase();
  const type = keyType(k);
  const has = `context has ${str(k)}`;
  const ref = `context[${str(k)}]`;
  if (operator === 'ForAnyValue:StringEquals') return `(${has} && ${ref}.containsAny([${values.map(str).join(', ')}]))`;
  if (operator === 'ForAllValues:StringEquals')
    return `(!(${has}) || [${values.map(str).join(', ')}].containsAll(${ref}))`;
  if (operator.includes(':')) throw new Error(`no Cedar translation for ${operator}`);
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const any = anyOf(values.map((v) => compare(base, ref, type, v)));
  if (NEGATED.has(base)) return `(!(${has}) || !(${any}))`;
  return ifExists ? `(!(${has}) || ${any})` : `(${has} && ${any})`;
}

function conditions(block: ConditionBlock | undefined): string[] {
  const out: string[] = [];
  for (const [operator, keys] of Object.entries(block ?? {})) {
    for (const [key, values] of Object.entries(keys)) out.push(condition(operator, key, list(values)));
  }
  return out;
}

/** The Cedar expression that holds when the IAM statement applies to the request. */
export function statementExpr(s: StatementDoc): string {
  const actions = s.Action !== undefined ? list(s.Action) : list(s.NotAction);
  const resources = s.Resource !== undefined ? list(s.Resource) : list(s.NotResource);
  const terms = [
    elementMatch(
      'action',
      actions.map((a) => a.toLowerCase()),
      s.NotAction !== undefined,
    ),
    elementMatch('resource', resources, s.NotResource !== undefined),
    ...conditions(s.Condition),
  ].filter((t) => t !== 'true');
  if (terms.includes('false')) return 'false';
  return terms.length === 0 ? 'true' : terms.join(' && ');
}

function rule(effect: 'permit' | 'forbid', clause: 'when' | 'unless', body: string): string {
  return `${effect} (principal, action, resource) ${clause} { ${body} };`;
}

/** A gate: forbids unless one of the level's Allow statements applies. */
function gate(statements: StatementDoc[]): string {
  return rule('forbid', 'unless', anyOf(statements.map((s) => `(${statementExpr(s)})`)));
}

/** Translates one principal's policies into a Cedar policy set (policy id to text). */
export function translatePrincipal(p: PrincipalDef): Record<string, string> {
  const out: Record<string, string> = {};
  const denies = (type: string, name: string, statements: StatementDoc[]) => {
    statements.forEach((s, i) => {
      if (s.Effect === 'Deny') out[`deny/${type}/${name}/${i}`] = rule('forbid', 'when', statementExpr(s));
    });
  };
  for (const x of p.identity) {
    x.doc.Statement.forEach((s, i) => {
      if (s.Effect === 'Allow') out[`allow/${x.name}/${i}`] = rule('permit', 'when', statementExpr(s));
    });
    denies('identity', x.name, x.doc.Statement);
  }
  if (p.boundary) {
    denies('boundary', p.boundary.name, p.boundary.doc.Statement);
    out['gate/boundary'] = gate(p.boundary.doc.Statement.filter((s) => s.Effect === 'Allow'));
  }
  p.scp.forEach((level, l) => {
    for (const x of level.policies) denies(`scp${l}`, x.name, x.doc.Statement);
    out[`gate/scp/${l}`] = gate(level.policies.flatMap((x) => x.doc.Statement.filter((s) => s.Effect === 'Allow')));
  });
  return out;
}

/** What preparing a scenario for Cedar produced. */
export interface CedarPrepared {
  setIds: string[];
  policyCount: number;
}

/** Translates and preparses one policy set per principal; throws when Cedar rejects one. */
export function prepareCedar(scenario: Scenario): CedarPrepared {
  let policyCount = 0;
  const setIds = scenario.principals.map((p, i) => {
    const id = `${scenario.id}/${i}`;
    const policies = translatePrincipal(p);
    policyCount += Object.keys(policies).length;
    const answer = preparsePolicySet(id, { staticPolicies: policies });
    if (answer.type !== 'success') throw new Error(`cedar rejected ${id}: ${JSON.stringify(answer.errors)}`);
    return id;
  });
  return { setIds, policyCount };
}

function contextValue(type: KeyType, value: string | string[]): CedarValueJson {
  if (Array.isArray(value)) return value;
  switch (type) {
    case 'ip':
      return { __extn: { fn: 'ip', arg: value } };
    case 'datetime':
      return { __extn: { fn: 'datetime', arg: value } };
    case 'bool':
      return value === 'true';
    case 'long':
      return Number(value);
    default:
      return value;
  }
}

/** The Cedar authorization call for one request (built before timing starts). */
export function cedarCall(prepared: CedarPrepared, scenario: Scenario, spec: RequestSpec): StatefulAuthorizationCall {
  const principal = scenario.principals[spec.principal] as PrincipalDef;
  const context: Record<string, CedarValueJson> = { action: spec.action.toLowerCase(), resource: spec.resource };
  for (const [key, value] of Object.entries(spec.context)) {
    const k = key.toLowerCase();
    context[k] = contextValue(keyType(k), value);
  }
  return {
    principal: { type: 'Principal', id: principal.arn },
    action: { type: 'Action', id: spec.action },
    resource: { type: 'Resource', id: spec.resource },
    context,
    preparsedPolicySetId: prepared.setIds[spec.principal] as string,
    entities: [],
  };
}

/** Counts Cedar policies whose evaluation errored (a translation bug if ever non-zero). */
export const cedarEvaluationErrors = { count: 0 };

/** Maps Cedar's answer to an IAM decision (see the module comment). */
export function cedarDecision(answer: AuthorizationAnswer): Decision {
  if (answer.type !== 'success') return 'Error';
  const { decision, diagnostics } = answer.response;
  if (diagnostics.errors.length > 0) cedarEvaluationErrors.count++;
  if (decision === 'allow') return 'Allow';
  return diagnostics.reason.some((id) => id.startsWith('deny/')) ? 'ExplicitDeny' : 'ImplicitDeny';
}

/** Authorizes one prepared call. */
export function cedarDecide(call: StatefulAuthorizationCall): Decision {
  return cedarDecision(statefulIsAuthorized(call));
}
