/**
 * The benchmark's scenarios, drawn from a seeded PRNG: Bedrock, S3 and IAM actions on realistic ARNs,
 * identity policies with conditions, permissions boundaries and a three-level SCP chain.
 *
 * Every request is unique: aws:CurrentTime is (index × 7919 mod 400 days) seconds after the base
 * instant, a permutation of the first 34,560,000 indices, and most resources also carry a unique
 * suffix. No engine can be helped by a repeated decision.
 */

import { Rng } from './prng.ts';
import type {
  ConditionBlock,
  ContextInput,
  NamedPolicy,
  PolicyDoc,
  PrincipalDef,
  RequestSpec,
  Scenario,
  ScpLevel,
  StatementDoc,
} from './types.ts';

/** The account every principal and resource belongs to. */
export const ACCOUNT = '111122223333';
const TEAMS = ['ml', 'data', 'platform', 'research', 'finance'];
const PROJECTS = ['atlas-llm', 'orion-rag', 'vega-eval', 'lyra-agents'];
const TAG_KEYS = ['team', 'project', 'owner', 'env', 'cost-center'];
const MODELS = [
  'anthropic.claude-3-haiku-20240307-v1:0',
  'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'anthropic.claude-3-opus-20240229-v1:0',
  'amazon.titan-text-express-v1',
  'amazon.titan-embed-text-v2:0',
  'meta.llama3-70b-instruct-v1:0',
  'mistral.mistral-large-2402-v1:0',
  'cohere.command-r-plus-v1:0',
];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'];
const REGION_WEIGHTS = [50, 25, 15, 5, 5];
const ALLOWED_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const CORPORATE_CIDRS = ['10.0.0.0/8', '172.16.0.0/12', '198.51.100.0/24'];
const EXPIRIES = ['2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z', '2025-12-01T00:00:00Z'];
const BASE_SECONDS = Date.UTC(2025, 5, 1) / 1000;
const TIME_SPAN_SECONDS = 400 * 86_400;

// ---------------------------------------------------------------------------------------------
// Conditions and statements

type ConditionPick = (rng: Rng, team: string, project: string) => [string, string, string | string[]];

const CONDITIONS: Record<string, ConditionPick> = {
  team: (rng, team) => ['StringEquals', 'aws:PrincipalTag/team', rng.chance(0.7) ? team : [team, rng.pick(TEAMS)]],
  project: (_rng, _team, project) => ['StringLike', 'aws:PrincipalTag/project', `${project.split('-')[0]}-*`],
  network: (rng) => ['IpAddress', 'aws:SourceIp', rng.sample(CORPORATE_CIDRS, rng.int(1, 3))],
  expiry: (rng) => ['DateLessThan', 'aws:CurrentTime', rng.pick(EXPIRIES)],
  tls: () => ['Bool', 'aws:SecureTransport', 'true'],
  mfa: (rng) => ['NumericLessThan', 'aws:MultiFactorAuthAge', rng.pick(['3600', '7200', '43200'])],
  region: (rng) => ['StringEquals', 'aws:RequestedRegion', rng.sample(ALLOWED_REGIONS, rng.int(1, 3))],
};
const CONDITION_NAMES = Object.keys(CONDITIONS);

/** Adds `count` distinct conditions from the menu to a Condition block. */
function addConditions(block: ConditionBlock, rng: Rng, count: number, team: string, project: string): void {
  for (const name of rng.sample(CONDITION_NAMES, count)) {
    const [operator, key, values] = (CONDITIONS[name] as ConditionPick)(rng, team, project);
    block[operator] = { ...block[operator], [key]: values };
  }
}

interface StatementKind {
  weight: number;
  build(rng: Rng, team: string, project: string): StatementDoc;
}

/** An Allow statement whose Condition has between min and max conditions from the menu. */
function allow(
  rng: Rng,
  team: string,
  project: string,
  action: string | string[],
  resource: string | string[],
  conditions: [number, number],
): StatementDoc {
  const block: ConditionBlock = {};
  addConditions(block, rng, rng.int(conditions[0], conditions[1]), team, project);
  const s: StatementDoc = { Effect: 'Allow', Action: action, Resource: resource };
  if (Object.keys(block).length > 0) s.Condition = block;
  return s;
}

const BEDROCK_MODEL_PATTERNS = [
  'arn:aws:bedrock:*::foundation-model/anthropic.*',
  'arn:aws:bedrock:*::foundation-model/amazon.titan-*',
  'arn:aws:bedrock:us-*::foundation-model/meta.*',
  'arn:aws:bedrock:*::foundation-model/*',
  `arn:aws:bedrock:*:${ACCOUNT}:application-inference-profile/*`,
];

const ALLOW_KINDS: StatementKind[] = [
  {
    weight: 6,
    build: (rng, team, project) =>
      allow(
        rng,
        team,
        project,
        rng.pick([
          ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          'bedrock:Invoke*',
          'bedrock:InvokeModel',
        ]),
        rng.sample(BEDROCK_MODEL_PATTERNS, rng.int(1, 2)),
        [1, 2],
      ),
  },
  {
    weight: 2,
    build: (rng, team, project) =>
      allow(rng, team, project, ['bedrock:Get*', 'bedrock:List*'], rng.pick(['*', 'arn:aws:bedrock:*:*:*']), [0, 1]),
  },
  {
    weight: 1,
    build: (rng, team, project) =>
      allow(rng, team, project, 'bedrock:ApplyGuardrail', `arn:aws:bedrock:*:${ACCOUNT}:guardrail/*`, [0, 1]),
  },
  {
    weight: 4,
    build: (rng, team, project) =>
      allow(
        rng,
        team,
        project,
        rng.pick([['s3:GetObject', 's3:ListBucket'], 's3:Get*', ['s3:List*', 's3:GetObject']]),
        rng.chance(0.8) ? [`arn:aws:s3:::${team}-*`, `arn:aws:s3:::${team}-*/*`] : 'arn:aws:s3:::shared-reports/*',
        [0, 2],
      ),
  },
  {
    weight: 3,
    build: (rng, team, project) =>
      allow(
        rng,
        team,
        project,
        rng.pick([['s3:PutObject', 's3:DeleteObject'], 's3:*Object']),
        `arn:aws:s3:::${team}-*/*`,
        [1, 2],
      ),
  },
  {
    weight: 2,
    build: (rng, team, project) => {
      const s = allow(
        rng,
        team,
        project,
        ['iam:GetUser', 'iam:CreateAccessKey'],
        `arn:aws:iam::${ACCOUNT}:user/${team}/*`,
        [0, 1],
      );
      s.Condition = { ...s.Condition, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } };
      return s;
    },
  },
  {
    weight: 2,
    build: (rng, team) => ({
      Effect: 'Allow',
      Action: 'iam:TagUser',
      Resource: `arn:aws:iam::${ACCOUNT}:user/${team}/*`,
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': rng.sample(TAG_KEYS, 2) } },
    }),
  },
  {
    weight: 1,
    build: (rng, team, project) =>
      allow(
        rng,
        team,
        project,
        ['iam:PassRole', 'iam:GetRole'],
        `arn:aws:iam::${ACCOUNT}:role/service-role/Bedrock*`,
        [0, 1],
      ),
  },
  { weight: 1, build: (rng, team, project) => allow(rng, team, project, 'iam:List*', '*', [0, 1]) },
  {
    weight: 1,
    build: (rng, team, project) =>
      allow(rng, team, project, 'iam:*User*', `arn:aws:iam::${ACCOUNT}:user/${team}/*`, [1, 1]),
  },
];

const DENY_KINDS: StatementKind[] = [
  {
    weight: 2,
    build: () => ({
      Effect: 'Deny',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: 'arn:aws:s3:::finance-*/*',
      Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'finance' } },
    }),
  },
  {
    weight: 3,
    build: () => ({
      Effect: 'Deny',
      Action: 'bedrock:Invoke*',
      Resource: '*',
      Condition: { NotIpAddress: { 'aws:SourceIp': CORPORATE_CIDRS } },
    }),
  },
  {
    weight: 2,
    build: () => ({
      Effect: 'Deny',
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      Resource: 'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-opus*',
      Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'research' } },
    }),
  },
  {
    weight: 2,
    build: () => ({
      Effect: 'Deny',
      Action: ['iam:CreateAccessKey', 'iam:DeleteUser'],
      Resource: '*',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
    }),
  },
  {
    weight: 1,
    build: (rng) => ({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateGreaterThan: { 'aws:CurrentTime': rng.pick(['2026-06-01T00:00:00Z', '2026-05-01T00:00:00Z']) } },
    }),
  },
];

/** One statement: a deny with probability `denyRate`, else an allow. */
function statement(rng: Rng, team: string, project: string, denyRate: number): StatementDoc {
  const kinds = rng.chance(denyRate) ? DENY_KINDS : ALLOW_KINDS;
  const kind = rng.weighted(
    kinds,
    kinds.map((k) => k.weight),
  );
  return kind.build(rng, team, project);
}

/** A managed policy of `count` statements, each with a Sid. */
function managedPolicy(
  rng: Rng,
  name: string,
  team: string,
  project: string,
  count: number,
  denyRate: number,
): NamedPolicy {
  const Statement: StatementDoc[] = [];
  for (let i = 0; i < count; i++) {
    Statement.push({ Sid: `S${i}`, ...statement(rng, team, project, denyRate) });
  }
  return { name, doc: { Version: '2012-10-17', Statement } };
}

// ---------------------------------------------------------------------------------------------
// Boundaries and SCPs

function policy(name: string, ...statements: StatementDoc[]): NamedPolicy {
  return { name, doc: { Version: '2012-10-17', Statement: statements } };
}

const BOUNDARIES: NamedPolicy[] = [
  policy(
    'DeveloperBoundary',
    {
      Sid: 'Allowed',
      Effect: 'Allow',
      Action: [
        'bedrock:*',
        's3:Get*',
        's3:List*',
        's3:PutObject',
        'iam:Get*',
        'iam:List*',
        'iam:TagUser',
        'iam:PassRole',
        'iam:CreateAccessKey',
      ],
      Resource: '*',
    },
    { Sid: 'NoPublicWrites', Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::public-*/*' },
  ),
  policy('InferenceOnlyBoundary', {
    Sid: 'Inference',
    Effect: 'Allow',
    Action: [
      'bedrock:Invoke*',
      'bedrock:Get*',
      'bedrock:List*',
      'bedrock:ApplyGuardrail',
      's3:GetObject',
      'iam:GetUser',
    ],
    Resource: '*',
  }),
  policy(
    'DataBoundary',
    {
      Sid: 'Data',
      Effect: 'Allow',
      Action: ['s3:*', 'bedrock:Get*', 'bedrock:List*', 'iam:Get*', 'iam:List*'],
      Resource: '*',
    },
    {
      Sid: 'InvokeUntil',
      Effect: 'Allow',
      Action: 'bedrock:InvokeModel',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:CurrentTime': '2026-03-01T00:00:00Z' } },
    },
  ),
];

const FULL_AWS_ACCESS = policy('FullAWSAccess', { Effect: 'Allow', Action: '*', Resource: '*' });
const DENY_OUTSIDE_REGIONS = policy('DenyOutsideApprovedRegions', {
  Sid: 'DenyOutsideRegions',
  Effect: 'Deny',
  NotAction: ['iam:*', 'sts:*', 'organizations:*', 'support:*'],
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:RequestedRegion': ALLOWED_REGIONS } },
});
const DENY_KEYS_WITHOUT_MFA = policy('DenyAccessKeysWithoutMfa', {
  Sid: 'NoKeysWithoutMfa',
  Effect: 'Deny',
  Action: ['iam:CreateAccessKey', 'iam:DeleteUser'],
  Resource: '*',
  Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
});
const ACCOUNT_ALLOW_LIST = policy('AccountAllowList', {
  Sid: 'AllowListedServices',
  Effect: 'Allow',
  Action: ['bedrock:*', 's3:*', 'iam:Get*', 'iam:List*', 'iam:TagUser', 'iam:PassRole', 'iam:CreateAccessKey', 'sts:*'],
  Resource: '*',
});
const ACCOUNT_ALLOW_LIST_STRICT = policy('AccountAllowListStrict', {
  Sid: 'AllowListedServices',
  Effect: 'Allow',
  Action: [
    'bedrock:Invoke*',
    'bedrock:Get*',
    'bedrock:List*',
    's3:Get*',
    's3:List*',
    's3:PutObject',
    'iam:Get*',
    'iam:List*',
  ],
  Resource: '*',
});

/** The SCP chains: root (FullAWSAccess), an OU with conditional denies, an account allow list. */
const SCP_CHAINS: ScpLevel[][] = [
  [
    { orgId: 'r-ab12', policies: [FULL_AWS_ACCESS] },
    { orgId: 'ou-ab12-engineering', policies: [FULL_AWS_ACCESS, DENY_OUTSIDE_REGIONS] },
    { orgId: ACCOUNT, policies: [ACCOUNT_ALLOW_LIST] },
  ],
  [
    { orgId: 'r-ab12', policies: [FULL_AWS_ACCESS] },
    { orgId: 'ou-ab12-sandbox', policies: [FULL_AWS_ACCESS, DENY_OUTSIDE_REGIONS, DENY_KEYS_WITHOUT_MFA] },
    { orgId: ACCOUNT, policies: [ACCOUNT_ALLOW_LIST_STRICT] },
  ],
];

// ---------------------------------------------------------------------------------------------
// Principals

/** A principal: an IAM user (under a team path) or an assumed-role session. */
function principal(
  rng: Rng,
  n: number,
  team: string,
  project: string,
): Omit<PrincipalDef, 'identity' | 'boundary' | 'scp'> {
  const name = `${rng.pick(['alex', 'sam', 'kim', 'lee', 'noor', 'ravi', 'mia', 'jo'])}${n}`;
  const isUser = n === 0 || rng.chance(0.5);
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${team}-${name}-role`;
  const arn = isUser
    ? `arn:aws:iam::${ACCOUNT}:user/${team}/${name}`
    : `arn:aws:sts::${ACCOUNT}:assumed-role/${team}-${name}-role/session-${rng.id(6)}`;
  const context: Record<string, string> = {
    'aws:PrincipalArn': isUser ? arn : roleArn,
    'aws:PrincipalAccount': ACCOUNT,
    'aws:PrincipalTag/team': team,
    'aws:PrincipalTag/project': project,
  };
  if (isUser) context['aws:username'] = name;
  return { arn, account: ACCOUNT, context };
}

function countDistinct(principals: PrincipalDef[]): number {
  const names = new Set<string>();
  for (const p of principals) {
    for (const x of p.identity) names.add(x.name);
    if (p.boundary) names.add(p.boundary.name);
    for (const level of p.scp) for (const x of level.policies) names.add(x.name);
  }
  return names.size;
}

// ---------------------------------------------------------------------------------------------
// Requests

interface Target {
  action: string;
  resource: string;
  region: string;
}

type TargetPick = (rng: Rng, team: string) => Target;

/** The kinds of request, with how often each occurs. */
const TARGETS: [number, TargetPick][] = [
  [
    30,
    (rng) => {
      const region = rng.weighted(REGIONS, REGION_WEIGHTS);
      return {
        action: rng.pick(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']),
        resource: `arn:aws:bedrock:${region}::foundation-model/${rng.pick(MODELS)}`,
        region,
      };
    },
  ],
  [
    10,
    (rng) => {
      const region = rng.weighted(REGIONS, REGION_WEIGHTS);
      return {
        action: rng.pick(['bedrock:InvokeModel', 'bedrock:GetInferenceProfile']),
        resource: `arn:aws:bedrock:${region}:${ACCOUNT}:application-inference-profile/${rng.id(12)}`,
        region,
      };
    },
  ],
  [
    5,
    (rng) => {
      const region = rng.weighted(REGIONS, REGION_WEIGHTS);
      return {
        action: 'bedrock:ApplyGuardrail',
        resource: `arn:aws:bedrock:${region}:${ACCOUNT}:guardrail/${rng.id(12)}`,
        region,
      };
    },
  ],
  [
    5,
    (rng) => {
      const region = rng.weighted(REGIONS, REGION_WEIGHTS);
      return rng.chance(0.5)
        ? {
            action: 'bedrock:GetFoundationModel',
            resource: `arn:aws:bedrock:${region}::foundation-model/${rng.pick(MODELS)}`,
            region,
          }
        : { action: 'bedrock:ListFoundationModels', resource: '*', region };
    },
  ],
  [
    20,
    (rng, team) => {
      const owner = rng.chance(0.7) ? team : rng.pick(TEAMS);
      const bucket = rng.pick([`${owner}-datasets`, `${owner}-artifacts`, 'shared-reports', 'public-assets']);
      return {
        action: rng.weighted(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], [6, 3, 1]),
        resource: `arn:aws:s3:::${bucket}/${rng.pick(['raw', 'curated', 'runs'])}/${rng.id(10)}.parquet`,
        region: rng.weighted(REGIONS, REGION_WEIGHTS),
      };
    },
  ],
  [
    5,
    (rng, team) => ({
      action: 's3:ListBucket',
      resource: `arn:aws:s3:::${rng.chance(0.7) ? team : rng.pick(TEAMS)}-datasets`,
      region: rng.weighted(REGIONS, REGION_WEIGHTS),
    }),
  ],
  [
    15,
    (rng, team) => {
      const action = rng.weighted(
        ['iam:GetUser', 'iam:CreateAccessKey', 'iam:TagUser', 'iam:DeleteUser', 'iam:ListUsers'],
        [4, 2, 2, 1, 1],
      );
      const resource =
        action === 'iam:ListUsers'
          ? '*'
          : `arn:aws:iam::${ACCOUNT}:user/${rng.chance(0.7) ? team : rng.pick(TEAMS)}/u-${rng.id(8)}`;
      return { action, resource, region: 'us-east-1' };
    },
  ],
  [
    5,
    (rng) => ({
      action: rng.pick(['iam:PassRole', 'iam:GetRole']),
      resource: `arn:aws:iam::${ACCOUNT}:role/service-role/${rng.pick(['Bedrock', 'Lambda'])}-${rng.id(8)}`,
      region: 'us-east-1',
    }),
  ],
];
const TARGET_WEIGHTS = TARGETS.map(([w]) => w);

/** Mostly corporate addresses (10/8, the VPN's 172.16/12, the NAT's 198.51.100/24), some public. */
function sourceIp(rng: Rng): string {
  const r = rng.next();
  if (r < 0.55) return `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  if (r < 0.75) return `172.${rng.int(16, 31)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  if (r < 0.88) return `198.51.100.${rng.int(1, 254)}`;
  return `${rng.pick([52, 54, 3, 35, 81, 91])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** A unique instant per index (7919 is prime to the span, so the map is a permutation). */
function currentTime(index: number): string {
  const seconds = BASE_SECONDS + ((index * 7919) % TIME_SPAN_SECONDS);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

function requestFor(seed: number, principals: PrincipalDef[], index: number): RequestSpec {
  const rng = Rng.forIndex(seed, index);
  const p = rng.int(0, principals.length - 1);
  const who = principals[p] as PrincipalDef;
  const team = who.context['aws:PrincipalTag/team'] ?? 'ml';
  const target = rng.weighted(TARGETS, TARGET_WEIGHTS)[1](rng, team);
  const requestContext: ContextInput = {};
  requestContext['aws:SourceIp'] = sourceIp(rng);
  requestContext['aws:CurrentTime'] = currentTime(index);
  requestContext['aws:SecureTransport'] = rng.chance(0.95) ? 'true' : 'false';
  requestContext['aws:RequestedRegion'] = target.region;
  if (rng.chance(0.75)) {
    requestContext['aws:MultiFactorAuthPresent'] = 'true';
    requestContext['aws:MultiFactorAuthAge'] = String(rng.int(0, 20_000));
  } else {
    requestContext['aws:MultiFactorAuthPresent'] = 'false';
  }
  if (target.action === 'iam:TagUser') requestContext['aws:TagKeys'] = rng.sample(TAG_KEYS, rng.int(1, 3));
  const context: ContextInput = { ...who.context, ...requestContext };
  const spec = {
    principal: p,
    action: target.action,
    resource: target.resource,
    resourceAccount: ACCOUNT,
    context,
    requestContext,
  };
  // A server reads requests with a parser, which yields flat strings and plain objects; strings built
  // here by concatenation are ropes that the first engine to read them would pay to flatten.
  return JSON.parse(JSON.stringify(spec)) as RequestSpec;
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/**
 * Scenario A: one user with 10 managed policies of 5 statements each, the DeveloperBoundary
 * permissions boundary and the engineering SCP chain (root, OU, account).
 */
export function scenarioA(seed = 0xa11ce): Scenario {
  const rng = new Rng(seed);
  const base = principal(rng, 0, 'ml', 'atlas-llm');
  const identity: NamedPolicy[] = [];
  for (let i = 0; i < 10; i++) {
    const team = rng.chance(0.75) ? 'ml' : rng.pick(TEAMS);
    identity.push(managedPolicy(rng, `Managed${i}`, team, 'atlas-llm', 5, 0.12));
  }
  const principals: PrincipalDef[] = [{ ...base, identity, boundary: BOUNDARIES[0], scp: SCP_CHAINS[0] as ScpLevel[] }];
  return {
    id: 'A',
    title: '1 principal, 10 policies x 5 statements, boundary, 3-level SCP chain',
    principals,
    policyCount: countDistinct(principals),
    request: (index) => requestFor(seed, principals, index),
  };
}

/**
 * Scenario B: 1,000 principals (users and role sessions) sharing a pool of 200 policies of 3-7
 * statements; each principal has 5-10 of them (mostly its team's), 70% have one of three boundaries,
 * and each is in one of two OUs.
 */
export function scenarioB(seed = 0xb0b): Scenario {
  const rng = new Rng(seed);
  const pool: NamedPolicy[] = [];
  for (let i = 0; i < 200; i++) {
    const team = TEAMS[i % TEAMS.length] as string;
    pool.push(managedPolicy(rng, `Pool${i}`, team, rng.pick(PROJECTS), rng.int(3, 7), 0.1));
  }
  const principals: PrincipalDef[] = [];
  for (let n = 0; n < 1000; n++) {
    const team = rng.pick(TEAMS);
    const base = principal(rng, n, team, rng.pick(PROJECTS));
    const own = pool.filter((_, i) => TEAMS[i % TEAMS.length] === team);
    const picks = new Set<NamedPolicy>();
    const want = rng.int(5, 10);
    while (picks.size < want) picks.add(rng.chance(0.7) ? rng.pick(own) : rng.pick(pool));
    principals.push({
      ...base,
      identity: [...picks],
      boundary: rng.chance(0.7) ? rng.pick(BOUNDARIES) : undefined,
      scp: rng.pick(SCP_CHAINS),
    });
  }
  return {
    id: 'B',
    title: '1,000 principals sharing 200 policies (5-10 each), boundaries, 2 SCP chains',
    principals,
    policyCount: countDistinct(principals),
    request: (index) => requestFor(seed, principals, index),
  };
}

/**
 * A policy document of at most `limit` characters (JSON without whitespace, which is how IAM counts
 * the managed policy size limit of 6,144), filled with generated statements.
 */
export function largePolicy(limit = 6144, seed = 0x6144): PolicyDoc {
  const rng = new Rng(seed);
  const doc: PolicyDoc = { Version: '2012-10-17', Statement: [] };
  for (let i = 0; ; i++) {
    const next = { Sid: `S${i}`, ...statement(rng, rng.pick(TEAMS), rng.pick(PROJECTS), 0.15) };
    const grown: PolicyDoc = { ...doc, Statement: [...doc.Statement, next] };
    if (JSON.stringify(grown).length > limit) return doc;
    doc.Statement.push(next);
  }
}
