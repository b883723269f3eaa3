/**
 * The STS service: GetCallerIdentity, GetSessionToken, GetFederationToken and AssumeRole (STS API Reference), issuing
 * temporary credentials whose session token is sealed under the master key
 * (src/auth/session-token.ts). MFA codes and federation come later.
 */

import { accountOfAccessKeyId } from '../../auth/ids.js';
import { decodeAuthorizationMessage } from '../../authz/index.js';
import type { ContextValue } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import type { Role, Tag } from '../../store/types.js';
import { checkDistinctTagKeys, requestTagValues } from '../iam/common.js';
import { useMfaCode } from '../iam/mfa.js';
import { type AnyOperation, type CallContext, operation, registry } from '../operation.js';
import { RULES } from '../params.js';
import {
  CHAINED_MAX_SECONDS,
  findRole,
  inheritedTags,
  issue,
  readPolicyArns,
  readSessionTags,
  sessionPolicies,
  trustTargets,
} from './common.js';
import { SAML_OPERATIONS } from './saml.js';
import { WEB_IDENTITY_OPERATIONS } from './web-identity.js';

/** The STS XML namespace. */
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

const getCallerIdentity = operation({
  name: 'GetCallerIdentity',
  action: 'sts:GetCallerIdentity',
  noPermissionRequired:
    'GetCallerIdentity (STS API Reference): "No permissions are required to perform this operation. If an administrator attaches a policy to your identity that explicitly denies access to the sts:GetCallerIdentity action, you can still perform this operation."',
  parse: () => ({}),
  targets: async () => [{ resource: '*' }],
  async run(_i, ctx) {
    return { UserId: ctx.caller.userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn };
  },
});

const getSessionToken = operation({
  name: 'GetSessionToken',
  action: 'sts:GetSessionToken',
  noPermissionRequired:
    'GetSessionToken (STS API Reference): "No permissions are required for users to perform this operation. The purpose of the sts:GetSessionToken operation is to authenticate the user using MFA."',
  parse: (p) => ({
    duration: p.int('DurationSeconds', 900, 129600),
    serial: p.str('SerialNumber', { min: 9, max: 256, pattern: '[\\w+=/:,.@-]*' }),
    code: p.str('TokenCode', { min: 6, max: 6, pattern: '[\\d]*' }),
  }),
  targets: async () => [{ resource: '*' }],
  async run(i, ctx) {
    const caller = ctx.caller;
    if (caller.session !== undefined) {
      throw new WireError('AccessDenied', 'Cannot call GetSessionToken with session credentials');
    }
    if ((i.serial === undefined) !== (i.code === undefined)) {
      throw new WireError('ValidationError', 'SerialNumber and TokenCode must be given together.');
    }
    const mfaTime =
      i.serial === undefined || i.code === undefined
        ? undefined
        : await useMfaCode(ctx, caller.userName, i.serial, i.code);
    // "Sessions for AWS account owners are restricted to a maximum of 3,600 seconds (one hour)."
    const duration = caller.type === 'root' ? Math.min(i.duration ?? 3600, 3600) : (i.duration ?? 43200);
    const now = Math.floor(ctx.env.now.getTime() / 1000);
    const credentials = issue(ctx, {
      accountId: caller.accountId,
      type: caller.type === 'root' ? 'root' : 'user',
      arn: caller.arn,
      userId: caller.userId,
      ...(caller.userName === undefined ? {} : { userName: caller.userName }),
      tags: [],
      transitiveTagKeys: [],
      policies: [],
      mfa: mfaTime !== undefined,
      ...(mfaTime === undefined ? {} : { mfaAuthTime: mfaTime }),
      issuedAt: now,
      expiresAt: now + duration,
      chained: false,
    });
    return { Credentials: credentials };
  },
});

const getFederationToken = operation({
  name: 'GetFederationToken',
  action: 'sts:GetFederationToken',
  parse: (p) => {
    const policyArns = readPolicyArns(p);
    const tags = readSessionTags(p);
    return {
      name: p.str('Name', { required: true, min: 2, max: 32, pattern: '[\\w+=,.@-]*' }),
      duration: p.int('DurationSeconds', 900, 129600),
      policy: p.str('Policy', { min: 1, max: 2048, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' }),
      policyArns,
      tags,
    };
  },
  // The federated user is the resource ("Permissions for GetFederationToken": a policy may allow
  // only names such as arn:aws:sts::ACCOUNT:federated-user/Manager*); session tags also need
  // sts:TagSession ("Passing session tags in AWS STS").
  async targets(i, ctx) {
    const resource = federatedUserArn(ctx.caller.accountId, i.name);
    if (i.tags.length === 0) return [{ resource }];
    const values = requestTagValues(i.tags);
    return [
      { resource, values },
      { action: 'sts:TagSession', resource, values },
    ];
  },
  async run(i, ctx) {
    const caller = ctx.caller;
    // "You must call the GetFederationToken operation using the long-term security credentials of
    // an IAM user" (or, not recommended, of the root user).
    if (caller.session !== undefined || (caller.type !== 'user' && caller.type !== 'root')) {
      throw new WireError('AccessDenied', 'Cannot call GetFederationToken with session credentials');
    }
    checkDistinctTagKeys(i.tags);
    const { session, packedPercent } = await sessionPolicies(ctx, caller.accountId, i.policy, i.policyArns, i.tags);
    // "Sessions obtained using root user credentials are restricted to a maximum of 3,600 seconds".
    const duration = caller.type === 'root' ? Math.min(i.duration ?? 3600, 3600) : (i.duration ?? 43200);
    const now = Math.floor(ctx.env.now.getTime() / 1000);
    const arn = federatedUserArn(caller.accountId, i.name);
    const userId = `${caller.accountId}:${i.name}`;
    const credentials = issue(ctx, {
      accountId: caller.accountId,
      type: 'federatedUser',
      arn,
      userId,
      ...(caller.type === 'user' && caller.userName !== undefined
        ? { federatedFrom: { userName: caller.userName, userId: caller.userId } }
        : {}),
      tags: i.tags,
      transitiveTagKeys: [],
      ...session,
      mfa: false,
      issuedAt: now,
      expiresAt: now + duration,
      chained: false,
    });
    return {
      Credentials: credentials,
      FederatedUser: { FederatedUserId: userId, Arn: arn },
      PackedPolicySize: packedPercent,
    };
  },
});

/** A federated user's ARN (GetFederationToken's FederatedUser.Arn). */
function federatedUserArn(accountId: string, name: string): string {
  return `arn:aws:sts::${accountId}:federated-user/${name}`;
}

interface AssumeRoleInput {
  roleArn: string;
  sessionName: string;
  duration: number | undefined;
  externalId: string | undefined;
  policy: string | undefined;
  policyArns: string[];
  tags: Tag[];
  transitiveKeys: string[];
  sourceIdentity: string | undefined;
  serial: string | undefined;
  code: string | undefined;
  /** Set by targets() once the MFA code was checked: the time of authentication (seconds). */
  mfaTime?: number;
}

const getAccessKeyInfo = operation({
  name: 'GetAccessKeyInfo',
  action: 'sts:GetAccessKeyInfo',
  parse: (p) => ({ keyId: p.str('AccessKeyId', { required: true, min: 16, max: 128, pattern: '[\\w]*' }) }),
  targets: async () => [{ resource: '*' }],
  async run(i, ctx) {
    // The key ID names its account (src/auth/ids.ts); keys made otherwise (a bootstrap key from the
    // environment) are found in the store.
    const stored = await ctx.deps.store.getById('access-key', i.keyId);
    const account = stored?.accountId ?? accountOfAccessKeyId(i.keyId);
    if (account === undefined)
      throw new WireError('InvalidParameterValue', `The access key ID ${i.keyId} is not valid.`);
    return { Account: account };
  },
});

const decodeMessage = operation({
  name: 'DecodeAuthorizationMessage',
  action: 'sts:DecodeAuthorizationMessage',
  parse: (p) => ({
    encoded: p.str('EncodedMessage', {
      required: true,
      min: 1,
      max: 10240,
      pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
    }),
  }),
  targets: async () => [{ resource: '*' }],
  async run(i, ctx) {
    const decoded = decodeAuthorizationMessage(ctx.deps.secrets, i.encoded);
    if (decoded === undefined)
      throw new WireError('InvalidAuthorizationMessageException', 'The encoded authorization message is invalid.');
    return { DecodedMessage: decoded };
  },
});

/** MFA state of a new role session: a code given with this call, else the calling session's. */
function mfaOf(i: AssumeRoleInput, ctx: CallContext): { mfa: boolean; mfaAuthTime?: number } {
  if (i.mfaTime !== undefined) return { mfa: true, mfaAuthTime: i.mfaTime };
  const s = ctx.caller.session;
  return s?.mfaAuthTime === undefined ? { mfa: s?.mfa ?? false } : { mfa: s.mfa, mfaAuthTime: s.mfaAuthTime };
}

const assumeRole = operation<AssumeRoleInput>({
  name: 'AssumeRole',
  action: 'sts:AssumeRole',
  parse: (p) => {
    const policyArns = readPolicyArns(p);
    const tags = readSessionTags(p);
    if (policyArns.length > 10) {
      p.violation(
        "Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10",
      );
    }
    return {
      roleArn: p.str('RoleArn', RULES.arn),
      sessionName: p.str('RoleSessionName', { required: true, min: 2, max: 64, pattern: '[\\w+=,.@-]*' }),
      duration: p.int('DurationSeconds', 900, 43200),
      externalId: p.str('ExternalId', { min: 2, max: 1224, pattern: '[\\w+=,.@:\\/-]*' }),
      policy: p.str('Policy', { min: 1, max: 2048, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' }),
      policyArns,
      tags,
      transitiveKeys: p.list('TransitiveTagKeys', RULES.tagKey, 50),
      sourceIdentity: p.str('SourceIdentity', { min: 2, max: 64, pattern: '[\\w+=,.@-]*' }),
      serial: p.str('SerialNumber', { min: 9, max: 256, pattern: '[\\w+=/:,.@-]*' }),
      code: p.str('TokenCode', { min: 6, max: 6, pattern: '[\\d]*' }),
    };
  },
  async targets(i, ctx) {
    if ((i.serial === undefined) !== (i.code === undefined)) {
      throw new WireError('ValidationError', 'SerialNumber and TokenCode must be given together.');
    }
    // The code is checked (and used up) first, so the trust policy can require MFA
    // ("Configuring MFA-protected API access": aws:MultiFactorAuthPresent in the trust policy).
    if (i.serial !== undefined && i.code !== undefined) {
      i.mfaTime = await useMfaCode(ctx, ctx.caller.userName, i.serial, i.code);
    }
    // A source identity carried over from the calling session (role chaining) is set on the new
    // session as if given: "permissions for sts:SetSourceIdentity are required in both the
    // permissions policy of the principal who is assuming the role and in the role trust policy of
    // the target role", and "the sts:SourceIdentity key is present in the request" ("Monitor and
    // control actions taken with assumed roles", IAM User Guide).
    const sourceIdentity = i.sourceIdentity ?? ctx.caller.session?.sourceIdentity;
    const values: Record<string, ContextValue> = {
      'sts:RoleSessionName': i.sessionName,
      ...(i.externalId === undefined ? {} : { 'sts:ExternalId': i.externalId }),
      ...(i.tags.length > 0 ? requestTagValues(i.tags) : {}),
      ...(i.transitiveKeys.length > 0 ? { 'sts:TransitiveTagKeys': i.transitiveKeys } : {}),
      ...(sourceIdentity === undefined ? {} : { 'sts:SourceIdentity': sourceIdentity }),
      ...(i.mfaTime === undefined ? {} : { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '0' }),
    };
    return trustTargets(ctx, i.roleArn, values, {
      tags: i.tags.length > 0,
      sourceIdentity: sourceIdentity !== undefined,
    });
  },
  async run(i, ctx) {
    // "You cannot use AWS account root user credentials to call AssumeRole" (STS API Reference).
    if (ctx.caller.type === 'root') throw new WireError('AccessDenied', 'Roles may not be assumed by root accounts.');
    const role = await findRole(ctx, i.roleArn);
    if (role === undefined) throw new WireError('AccessDenied', `Role ${i.roleArn} cannot be assumed.`);
    const r: Role = role.body;
    const chained = ctx.caller.type === 'assumedRole';
    const duration = i.duration ?? 3600;
    if (chained && duration > CHAINED_MAX_SECONDS) {
      throw new WireError(
        'ValidationError',
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );
    }
    if (duration > r.maxSessionDuration) {
      throw new WireError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    checkDistinctTagKeys(i.tags);
    const inherited = inheritedTags(ctx);
    const newKeys = new Set(i.tags.map((t) => t.Key.toLowerCase()));
    if (inherited.some((t) => newKeys.has(t.Key.toLowerCase()))) {
      throw new WireError(
        'InvalidParameterValue',
        'One or more session tags would override a transitive tag of the calling session.',
      );
    }
    for (const k of i.transitiveKeys) {
      if (!newKeys.has(k.toLowerCase())) {
        throw new WireError('InvalidParameterValue', `Transitive tag key ${k} is not one of the session tags.`);
      }
    }
    const priorSource = ctx.caller.session?.sourceIdentity;
    if (priorSource !== undefined && i.sourceIdentity !== undefined && i.sourceIdentity !== priorSource) {
      throw new WireError('InvalidParameterValue', 'The source identity of a session cannot be changed once set.');
    }
    const { session, packedPercent } = await sessionPolicies(ctx, role.accountId, i.policy, i.policyArns, [
      ...inherited,
      ...i.tags,
    ]);
    const now = Math.floor(ctx.env.now.getTime() / 1000);
    const account = role.accountId;
    const arn = `arn:aws:sts::${account}:assumed-role/${r.name}/${i.sessionName}`;
    const sourceIdentity = priorSource ?? i.sourceIdentity;
    const credentials = issue(ctx, {
      accountId: account,
      type: 'assumedRole',
      arn,
      userId: `${r.id}:${i.sessionName}`,
      roleName: r.name,
      roleArn: r.arn,
      sessionName: i.sessionName,
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
      tags: [...inherited, ...i.tags],
      transitiveTagKeys: [...inherited.map((t) => t.Key), ...i.transitiveKeys],
      ...session,
      ...mfaOf(i, ctx),
      issuedAt: now,
      expiresAt: now + duration,
      chained,
    });
    return {
      Credentials: credentials,
      AssumedRoleUser: { AssumedRoleId: `${r.id}:${i.sessionName}`, Arn: arn },
      PackedPolicySize: packedPercent,
      SourceIdentity: sourceIdentity,
    };
  },
});

/** STS operations by wire name. */
export const STS_OPERATIONS: ReadonlyMap<string, AnyOperation> = registry([
  getCallerIdentity,
  getSessionToken,
  getFederationToken,
  assumeRole,
  getAccessKeyInfo,
  decodeMessage,
  ...WEB_IDENTITY_OPERATIONS,
  ...SAML_OPERATIONS,
]);
