/**
 * fast-check arbitraries that build `basalt simulate` cases for the differential test.
 *
 * A case is drawn in two steps: first the request (principal and target), then everything else with
 * element pools biased towards that request (action and resource patterns derived from it, condition
 * values drawn from the same small pools as the request context), so that statements match, conditions
 * hit and miss, and Allow, ExplicitDeny and ImplicitDeny are all common outcomes.
 */
import fc from 'fast-check';
import type { ContextValueInput, SimulateCase } from '../../src/policy/simulate-types.ts';
import {
  type ConditionBlock,
  type ConditionValue,
  GENERIC_ACTION_PATTERNS,
  HOME_ACCOUNT,
  KEYS,
  type KeySpec,
  OTHER_ACCOUNT,
  type PolicyDocument,
  PRINCIPALS,
  type PrincipalElement,
  type PrincipalSpec,
  RCP_FULL_AWS_ACCESS,
  SCP_FULL_AWS_ACCESS,
  type Statement,
  TARGETS,
  type TargetSpec,
} from './catalog.ts';

/** Where a policy is attached; decides which elements its statements may use. */
type PolicyKind = 'identity' | 'boundary' | 'scp' | 'rcp' | 'resource';

/** Operators that treat `*` and `?` as wildcards (and so `${*}`, `${?}` as escapes). */
const WILDCARD_OPERATORS = new Set([
  'StringLike',
  'StringNotLike',
  'ArnLike',
  'ArnNotLike',
  'ArnEquals',
  'ArnNotEquals',
]);

const STRING_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
];
const NUMERIC_OPERATORS = [
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
];
const DATE_OPERATORS = [
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
];
const ARN_OPERATORS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];

function operatorsFor(spec: KeySpec): string[] {
  switch (spec.type) {
    case 'String':
    case 'ArrayOfString':
      return STRING_OPERATORS;
    case 'Bool':
      return ['Bool', 'Bool', 'StringEquals'];
    case 'Numeric':
      return NUMERIC_OPERATORS;
    case 'Epoch':
      return [...NUMERIC_OPERATORS, ...DATE_OPERATORS];
    case 'Date':
      return DATE_OPERATORS;
    case 'Ip':
      return ['IpAddress', 'NotIpAddress'];
    case 'Arn':
      return [...ARN_OPERATORS, 'StringLike', 'StringEquals'];
    case 'Binary':
      return ['BinaryEquals', 'BinaryEquals', 'StringEquals'];
  }
}

const NUMBER_PATTERN = /^-?\d+(\.\d+)?$/;

/** The policy values that make sense for a key under one base operator. */
function valuePoolFor(spec: KeySpec, base: string): ConditionValue[] {
  if (base === 'Null') return ['true', 'false', true, false];
  let pool: ConditionValue[] = [...spec.contextValues, ...spec.policyExtras];
  // Documented disagreements (docs/compatibility.md) kept out of the generator: a variable with no
  // value under a negated operator (#5), and iam-simulate's handling of a bare address in the IP
  // operators (#14).
  if (base.includes('Not')) pool = pool.filter((v) => !String(v).includes('${'));
  if (base.endsWith('IpAddress')) pool = pool.filter((v) => String(v).includes('/'));
  if (base.startsWith('Numeric')) return pool.filter((v) => typeof v === 'number' || NUMBER_PATTERN.test(String(v)));
  if (base.startsWith('Date')) return pool.filter((v) => typeof v !== 'boolean');
  if (WILDCARD_OPERATORS.has(base)) return pool;
  // `${*}` and `${?}` only mean something where `*` and `?` are wildcards.
  return pool.filter((v) => !String(v).includes(`\${*}`) && !String(v).includes(`\${?}`));
}

/** Spell a key in another case now and then: condition key names are case-insensitive. */
function keySpellingArb(key: string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(key), weight: 8 },
    { arbitrary: fc.constant(key.toLowerCase()), weight: 1 },
    { arbitrary: fc.constant(`AWS:${key.slice(4)}`), weight: 1 },
  );
}

/** One value or several; a single value is written as a scalar or a one-element array. */
function valuesArb<T>(pool: readonly T[], maxLength: number): fc.Arbitrary<T | T[]> {
  return fc
    .uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength })
    .chain((values) =>
      values.length === 1 ? fc.constantFrom<T | T[]>(values[0] as T, values) : fc.constant<T | T[]>(values),
    );
}

interface ConditionEntry {
  operator: string;
  key: string;
  values: ConditionValue | ConditionValue[];
}

const conditionEntryArb: fc.Arbitrary<ConditionEntry> = fc.constantFrom(...KEYS).chain((spec) => {
  const baseArb = fc.oneof(
    { arbitrary: fc.constantFrom(...operatorsFor(spec)), weight: 9 },
    { arbitrary: fc.constant('Null'), weight: 1 },
  );
  return baseArb.chain((base) => {
    const multivalued = spec.type === 'ArrayOfString';
    const setOperatorArb =
      base === 'Null'
        ? fc.constant('')
        : fc.oneof(
            { arbitrary: fc.constant(''), weight: multivalued ? 2 : 12 },
            { arbitrary: fc.constantFrom('ForAnyValue:', 'ForAllValues:'), weight: multivalued ? 8 : 1 },
          );
    const ifExistsArb = base === 'Null' ? fc.constant('') : fc.constantFrom('', '', '', 'IfExists');
    return fc.record({
      operator: fc.tuple(setOperatorArb, ifExistsArb).map(([set, ifExists]) => `${set}${base}${ifExists}`),
      key: keySpellingArb(spec.key),
      values: valuesArb(valuePoolFor(spec, base), 3),
    });
  });
});

/** Group entries into a Condition element; a key appears at most once per operator. */
function toConditionBlock(entries: readonly ConditionEntry[]): ConditionBlock {
  const block: ConditionBlock = {};
  for (const { operator, key, values } of entries) {
    const keys = block[operator] ?? {};
    if (Object.keys(keys).some((k) => k.toLowerCase() === key.toLowerCase())) continue;
    keys[key] = values;
    block[operator] = keys;
  }
  return block;
}

/** A Condition element present with probability `weight` / 10. */
function conditionArb(weight: number): fc.Arbitrary<ConditionBlock | undefined> {
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 10 - weight },
    { arbitrary: fc.array(conditionEntryArb, { minLength: 1, maxLength: 3 }).map(toConditionBlock), weight },
  );
}

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/** Action patterns derived from the request's action: exact, other case, `*` and `?` wildcards, near misses. */
export function derivedActionPatterns(action: string): string[] {
  const [service = '', name = ''] = action.split(':');
  return [
    action,
    action.toLowerCase(),
    `${service.toUpperCase()}:${name}`,
    `${service}:${swapCase(name)}`,
    `${service}:${name.slice(0, 4)}*`,
    `${service}:*${name.slice(-5)}`,
    `${service}:${name.slice(0, 2)}?${name.slice(3)}`,
    `${service}:${name}?`,
    `${service}:${name.slice(0, -1)}`,
    `${service}:*`,
  ];
}

/** Resource patterns derived from the request's resource: exact, wildcards in several places, near misses. */
export function derivedResourcePatterns(resource: string): string[] {
  if (resource === '*') return ['*'];
  const parts = resource.split(':');
  const patterns = ['*', resource, `${resource.slice(0, -1)}?`, `${resource}*`, `${resource.slice(0, -3)}*`];
  if (parts[3]) patterns.push([...parts.slice(0, 3), '*', ...parts.slice(4)].join(':'));
  if (parts[4]) patterns.push([...parts.slice(0, 4), '*', ...parts.slice(5)].join(':'));
  const lastSlash = resource.lastIndexOf('/');
  if (lastSlash > 0) patterns.push(`${resource.slice(0, lastSlash + 1)}${swapCase(resource.slice(lastSlash + 1))}`);
  return patterns;
}

function listArb(pool: readonly string[], maxLength: number): fc.Arbitrary<string | string[]> {
  return valuesArb(pool, maxLength);
}

function principalElementArb(principal: PrincipalSpec): fc.Arbitrary<PrincipalElement> {
  const arns = [
    principal.arn,
    principal.principalArn,
    `arn:aws:iam::${HOME_ACCOUNT}:user/alice`,
    `arn:aws:iam::${OTHER_ACCOUNT}:role/Ops`,
    HOME_ACCOUNT,
    OTHER_ACCOUNT,
    `arn:aws:iam::${HOME_ACCOUNT}:root`,
    `arn:aws:iam::${OTHER_ACCOUNT}:root`,
  ];
  return fc.oneof(
    { arbitrary: fc.constant<PrincipalElement>('*'), weight: 3 },
    { arbitrary: fc.constant<PrincipalElement>({ AWS: '*' }), weight: 1 },
    { arbitrary: listArb(arns, 2).map((AWS): PrincipalElement => ({ AWS })), weight: 6 },
  );
}

function statementArb(kind: PolicyKind, principal: PrincipalSpec, target: TargetSpec): fc.Arbitrary<Statement> {
  const actionPool = kind === 'rcp' ? GENERIC_ACTION_PATTERNS.filter((a) => a !== '*') : GENERIC_ACTION_PATTERNS;
  const actionArb = fc.oneof(
    { arbitrary: listArb(derivedActionPatterns(target.action), 2), weight: 3 },
    { arbitrary: listArb(actionPool, 3), weight: 1 },
  );
  const resourceArb = fc.oneof(
    { arbitrary: listArb(derivedResourcePatterns(target.resource), 2), weight: 3 },
    { arbitrary: listArb([...target.resourcePatterns, ...derivedResourcePatterns(target.resource)], 2), weight: 2 },
    { arbitrary: fc.constant('*'), weight: kind === 'boundary' || kind === 'scp' ? 4 : 1 },
  );
  const allowWeight = { identity: 8, boundary: 9, scp: 5, rcp: 0, resource: 7 }[kind];
  const effectArb = fc.oneof(
    { arbitrary: fc.constant<'Allow' | 'Deny'>('Allow'), weight: allowWeight },
    { arbitrary: fc.constant<'Allow' | 'Deny'>('Deny'), weight: 10 - allowWeight },
  );
  const actionElementArb =
    kind === 'rcp'
      ? actionArb.map((Action) => ({ Action }))
      : fc.oneof(
          { arbitrary: actionArb.map((Action) => ({ Action })), weight: 6 },
          { arbitrary: actionArb.map((NotAction) => ({ NotAction })), weight: 1 },
        );
  const resourceElementArb = fc.oneof(
    { arbitrary: resourceArb.map((Resource): Partial<Statement> => ({ Resource })), weight: 6 },
    // A variable with no value in NotResource is a documented disagreement (docs/compatibility.md #5).
    {
      arbitrary: resourceArb
        .filter((r) => !JSON.stringify(r).includes('${'))
        .map((NotResource): Partial<Statement> => ({ NotResource })),
      weight: 1,
    },
    // Resource policies may omit Resource (role trust policies do).
    { arbitrary: fc.constant<Partial<Statement>>({}), weight: kind === 'resource' ? 2 : 0 },
  );
  const principalElementArbForKind: fc.Arbitrary<Partial<Statement>> =
    kind === 'resource'
      ? principalElementArb(principal).map((Principal) => ({ Principal }))
      : kind === 'rcp'
        ? fc.constant({ Principal: '*' as const })
        : fc.constant({});
  // Deny statements are usually guardrails with a condition; most allows are unconditional.
  return effectArb.chain((Effect) =>
    fc
      .record({
        action: actionElementArb,
        resource: resourceElementArb,
        principal: principalElementArbForKind,
        Condition: conditionArb(Effect === 'Deny' ? 7 : 3),
      })
      .map(({ action, resource, principal: p, Condition }) => ({
        Effect,
        ...p,
        ...action,
        ...resource,
        ...(Condition ? { Condition } : {}),
      })),
  );
}

/** Policy variables are only variables in 2012-10-17 policies, where iam-simulate also treats them as such. */
function usesVariables(statements: readonly Statement[]): boolean {
  return JSON.stringify(statements).includes(`\${`);
}

function policyArb(kind: PolicyKind, principal: PrincipalSpec, target: TargetSpec): fc.Arbitrary<PolicyDocument> {
  const versionArb: fc.Arbitrary<string | undefined> =
    kind === 'rcp'
      ? fc.constant('2012-10-17')
      : fc.oneof(
          { arbitrary: fc.constant('2012-10-17'), weight: 15 },
          { arbitrary: fc.constant('2008-10-17'), weight: 2 },
          { arbitrary: fc.constant(undefined), weight: 3 },
        );
  return fc
    .record({
      version: versionArb,
      statements: fc.array(statementArb(kind, principal, target), {
        minLength: 1,
        maxLength: kind === 'scp' || kind === 'rcp' ? 2 : 3,
      }),
      bare: fc.boolean(),
    })
    .map(({ version, statements, bare }) => {
      const Version = usesVariables(statements) ? '2012-10-17' : version;
      const Statement = statements.length === 1 && bare ? (statements[0] as Statement) : statements;
      return Version === undefined ? { Statement } : { Version, Statement };
    });
}

function sometimes<T>(arb: fc.Arbitrary<T>, weight: number, outOf: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: outOf - weight }, { arbitrary: arb, weight });
}

function levelsArb(
  kind: 'scp' | 'rcp',
  principal: PrincipalSpec,
  target: TargetSpec,
): fc.Arbitrary<PolicyDocument[][]> {
  const fullAccess = kind === 'scp' ? SCP_FULL_AWS_ACCESS : RCP_FULL_AWS_ACCESS;
  // RCPFullAWSAccess cannot be detached, so every RCP level has it; SCP levels usually keep FullAWSAccess.
  const fullAccessArb =
    kind === 'rcp' ? fc.constant(true) : fc.oneof({ arbitrary: fc.constant(true), weight: 6 }, fc.constant(false));
  const levelArb = fc
    .record({
      full: fullAccessArb,
      others: fc.array(policyArb(kind, principal, target), { minLength: 0, maxLength: 1 }),
    })
    .map(({ full, others }) => (full ? [fullAccess, ...others] : others))
    .filter((level) => level.length > 0);
  return fc.array(levelArb, { minLength: 1, maxLength: 3 });
}

function contextValueArb(spec: KeySpec, principal: PrincipalSpec): fc.Arbitrary<ContextValueInput> {
  if (spec.type === 'ArrayOfString') {
    return fc.oneof(
      { arbitrary: fc.subarray([...spec.contextValues], { minLength: 1 }), weight: 12 },
      { arbitrary: fc.constant([]), weight: 1 },
    );
  }
  const pool = [...spec.contextValues];
  if (spec.key === 'aws:PrincipalArn') return fc.oneof(fc.constant(principal.principalArn), fc.constantFrom(...pool));
  if (spec.key === 'aws:PrincipalAccount') return fc.oneof(fc.constant(principal.account), fc.constantFrom(...pool));
  return fc.constantFrom(...pool);
}

function contextArb(principal: PrincipalSpec): fc.Arbitrary<Record<string, ContextValueInput>> {
  const entries = KEYS.map((spec) =>
    fc.tuple(keySpellingArb(spec.key), sometimes(contextValueArb(spec, principal), 1, 2)),
  );
  return fc.tuple(...entries).map((pairs) => {
    const context: Record<string, ContextValueInput> = {};
    for (const [key, value] of pairs) if (value !== undefined) context[key] = value;
    return context;
  });
}

// Callers from the home account are more common, so that same-account grants are frequent.
const principalArb = fc.oneof(
  { arbitrary: fc.constantFrom(...PRINCIPALS.filter((p) => p.account === HOME_ACCOUNT)), weight: 7 },
  { arbitrary: fc.constantFrom(...PRINCIPALS.filter((p) => p.account !== HOME_ACCOUNT)), weight: 3 },
);

/** Arbitrary `basalt simulate` cases that @cloud-copilot/iam-simulate accepts without validation errors. */
export function simulateCaseArb(): fc.Arbitrary<SimulateCase> {
  return fc.record({ principal: principalArb, target: fc.constantFrom(...TARGETS) }).chain(({ principal, target }) =>
    fc
      .record({
        context: contextArb(principal),
        identityPolicies: fc.oneof(
          { arbitrary: fc.constant([]), weight: 1 },
          { arbitrary: fc.array(policyArb('identity', principal, target), { minLength: 1, maxLength: 3 }), weight: 9 },
        ),
        permissionsBoundary: sometimes(policyArb('boundary', principal, target), 3, 10),
        serviceControlPolicies: sometimes(levelsArb('scp', principal, target), 4, 10),
        resourceControlPolicies: sometimes(levelsArb('rcp', principal, target), 3, 10),
        // A role always has a trust policy: basalt decides a case without one as if it were empty,
        // iam-simulate as if trust were not needed (docs/compatibility.md #15).
        resourcePolicy: target.wildcardOnly
          ? fc.constant(undefined)
          : target.action.startsWith('sts:')
            ? policyArb('resource', principal, target)
            : sometimes(policyArb('resource', principal, target), 4, 10),
      })
      .map((parts) => {
        const c: SimulateCase = {
          principal: principal.arn,
          action: target.action,
          resource: target.resource,
          resourceAccount: target.resourceAccount,
          context: parts.context,
          identityPolicies: parts.identityPolicies,
        };
        if (parts.permissionsBoundary) c.permissionsBoundary = parts.permissionsBoundary;
        if (parts.serviceControlPolicies) c.serviceControlPolicies = parts.serviceControlPolicies;
        if (parts.resourceControlPolicies) c.resourceControlPolicies = parts.resourceControlPolicies;
        if (parts.resourcePolicy) c.resourcePolicy = parts.resourcePolicy;
        return c;
      }),
  );
}
