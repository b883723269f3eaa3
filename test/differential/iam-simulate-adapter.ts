/**
 * Runs a `basalt simulate` case through @cloud-copilot/iam-simulate (AGPL: test-only dependency)
 * and maps its answer to basalt's three decisions.
 *
 * We use `runSimulation`, not `runUnsafeSimulation`, although the latter is ~12x faster
 * (0.12 ms vs 1.4 ms per case, measured on this generator's cases): the unsafe entry point is not
 * equivalent. It does not add the undetachable RCPFullAWSAccess to each RCP level, does not mark
 * wildcard-only actions (so a policy naming a specific ARN wrongly matches a `*` request for
 * e.g. bedrock:ListFoundationModels), and does not validate anything, so a generator mistake would
 * silently compare garbage. 10,000 cases take about 27 s in all (14 s of it iam-simulate), which is
 * acceptable.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { ContextValueInput, SimulateCase, SimulateResult } from '../../src/policy/simulate-types.ts';
import { arnAccount, RCP_FULL_AWS_ACCESS } from './catalog.ts';

/** basalt's decision values. */
export type Decision = SimulateResult['decision'];

const DECISIONS = {
  Allowed: 'Allow',
  ExplicitlyDenied: 'ExplicitDeny',
  ImplicitlyDenied: 'ImplicitDeny',
} as const satisfies Record<string, Decision>;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contextValueToIamSimulate(value: ContextValueInput): string | string[] {
  return Array.isArray(value) ? value.map(String) : String(value);
}

const ISO_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$|^\d{4}-\d{2}-\d{2}$/;
const EPOCH = /^\d+$/;

/**
 * iam-simulate parses an integer date value as epoch *seconds* but an ISO 8601 value as epoch
 * *milliseconds* and compares the two numbers, so any Date* condition that mixes the formats is
 * wrong there (AWS accepts both forms: "IAM JSON policy elements: Condition operators", Date
 * condition operators). We hand iam-simulate each Date* condition value in the format of the
 * request value it is compared with: epoch seconds for aws:EpochTime, ISO 8601 for the other keys.
 * The instants are unchanged, so AWS semantics are preserved.
 */
function normalizeDateValue(value: unknown, toEpoch: boolean): unknown {
  const text = String(value);
  if (toEpoch && ISO_SECOND.test(text)) return String(Math.floor(Date.parse(text) / 1000));
  if (!toEpoch && EPOCH.test(text)) return new Date(Number(text) * 1000).toISOString().replace('.000Z', 'Z');
  return value;
}

function baseOperator(operator: string): string {
  const afterSet = operator.includes(':') ? operator.slice(operator.indexOf(':') + 1) : operator;
  return afterSet.replace(/IfExists$/i, '');
}

function normalizeConditionDates(condition: unknown): unknown {
  if (!isObject(condition)) return condition;
  const out: JsonObject = {};
  for (const [operator, keys] of Object.entries(condition)) {
    if (!/^date/i.test(baseOperator(operator)) || !isObject(keys)) {
      out[operator] = keys;
      continue;
    }
    const converted: JsonObject = {};
    for (const [key, values] of Object.entries(keys)) {
      const toEpoch = key.toLowerCase() === 'aws:epochtime';
      converted[key] = Array.isArray(values)
        ? values.map((v) => normalizeDateValue(v, toEpoch))
        : normalizeDateValue(values, toEpoch);
    }
    out[operator] = converted;
  }
  return out;
}

/**
 * A copy of a policy document in the form iam-simulate evaluates as AWS would (see normalizeDateValue).
 *
 * Throws for a policy that uses `${…}` without Version 2012-10-17: AWS treats the text literally there
 * ("IAM JSON policy elements: Version"; "IAM policy elements: Variables and tags"), but iam-simulate
 * ignores Version and substitutes, so such a case cannot be compared.
 */
function policyForIamSimulate(policy: unknown): unknown {
  if (!isObject(policy)) return policy;
  if (policy.Version !== '2012-10-17' && JSON.stringify(policy).includes('${')) {
    throw new Error('policy variables outside a 2012-10-17 policy: iam-simulate would substitute them');
  }
  const statements = policy.Statement;
  const fix = (s: unknown): unknown =>
    isObject(s) && s.Condition ? { ...s, Condition: normalizeConditionDates(s.Condition) } : s;
  return { ...policy, Statement: Array.isArray(statements) ? statements.map(fix) : fix(statements) };
}

function isRcpFullAwsAccess(policy: unknown): boolean {
  return JSON.stringify(policy) === JSON.stringify(RCP_FULL_AWS_ACCESS);
}

/**
 * Translate a `basalt simulate` case into an iam-simulate Simulation.
 *
 * RCP levels must contain RCPFullAWSAccess explicitly in the case (AWS attaches it to every level and it
 * cannot be detached); iam-simulate adds it itself and rejects Allow statements in RCPs, so it is removed here.
 */
export function toSimulation(c: SimulateCase): Simulation {
  if (c.sessionPolicies?.length) throw new Error('session policies are not supported by the differential adapter');
  if (!c.principal) throw new Error('the differential adapter needs a principal');
  const principalAccount = arnAccount(c.principal);
  const resourceAccount = c.resourceAccount ?? (arnAccount(c.resource) || principalAccount);
  const contextVariables: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(c.context ?? {})) contextVariables[key] = contextValueToIamSimulate(value);
  const named = (prefix: string) => (policy: unknown, i: number) => ({
    name: `${prefix}-${i}`,
    policy: policyForIamSimulate(policy),
  });
  const simulation: Simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: resourceAccount },
      contextVariables,
    },
    identityPolicies: (c.identityPolicies ?? []).map(named('identity')),
    serviceControlPolicies: (c.serviceControlPolicies ?? []).map((level, i) => ({
      orgIdentifier: `scp-level-${i}`,
      policies: level.map(named(`scp-${i}`)),
    })),
    resourceControlPolicies: (c.resourceControlPolicies ?? []).map((level, i) => {
      if (!level.some(isRcpFullAwsAccess)) {
        throw new Error(`RCP level ${i} lacks RCPFullAWSAccess, which iam-simulate always adds`);
      }
      return {
        orgIdentifier: `rcp-level-${i}`,
        policies: level.filter((p) => !isRcpFullAwsAccess(p)).map(named(`rcp-${i}`)),
      };
    }),
    // aws:ResourceTag/* is dropped from S3 requests unless bucket ABAC is on; basalt has no such switch.
    additionalSettings: { s3: { bucketAbacEnabled: true } },
  };
  if (c.permissionsBoundary !== undefined) {
    simulation.permissionBoundaryPolicies = [{ name: 'boundary', policy: policyForIamSimulate(c.permissionsBoundary) }];
  }
  if (c.resourcePolicy !== undefined) simulation.resourcePolicy = policyForIamSimulate(c.resourcePolicy);
  return simulation;
}

/**
 * Evaluate a case with iam-simulate and return its decision. Throws when iam-simulate refuses the case
 * or ignores part of the request context, because then the two engines would not see the same request.
 */
export async function iamSimulateDecision(c: SimulateCase): Promise<Decision> {
  const response = await runSimulation(toSimulation(c), {});
  if (response.resultType === 'error') {
    throw new Error(`iam-simulate refused the case: ${JSON.stringify(response.errors)}`);
  }
  if (response.resultType === 'single') {
    const ignored = response.result.ignoredContextKeys ?? [];
    if (ignored.length > 0) throw new Error(`iam-simulate ignored context keys: ${ignored.join(', ')}`);
  }
  return DECISIONS[response.overallResult];
}
