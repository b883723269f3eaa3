/**
 * What the STS operations share: issuing temporary credentials with a sealed session token, role
 * lookup by ARN, and the tags a session inherits through role chaining.
 */

import { newAccessKeyId, newSecretAccessKey } from '../../auth/ids.js';
import { type ManagedSessionPolicy, type SessionClaims, sealSessionToken } from '../../auth/session-token.js';
import { compileStored, managedPolicyNow } from '../../authz/index.js';
import type { ContextValue } from '../../policy/index.js';
import { isoSeconds } from '../../policy/timestamps.js';
import { WireError } from '../../protocols/wire-error.js';
import type { Row, Tag } from '../../store/types.js';
import { checkDocument, policySize } from '../iam/documents.js';
import type { AuthTarget, CallContext } from '../operation.js';
import type { Params } from '../params.js';
import { resourceTagValues } from '../tag-context.js';

/** "The plaintext that you use for both inline and managed session policies can't exceed 2,048 characters." */
export const PACKED_LIMIT = 2048;
/** Role chaining limits a session to one hour ("Role chaining", IAM User Guide). */
export const CHAINED_MAX_SECONDS = 3600;

/** IAM and STS timestamps: ISO 8601 to the second. */
export function iso(seconds: number): string {
  return isoSeconds(new Date(seconds * 1000));
}

/** New temporary credentials for these claims (without the key, which is made here). */
export function issue(ctx: CallContext, claims: Omit<SessionClaims, 'accessKeyId' | 'secretAccessKey'>) {
  const accessKeyId = newAccessKeyId('ASIA', claims.accountId);
  const secretAccessKey = newSecretAccessKey();
  const token = sealSessionToken(ctx.deps.secrets, { ...claims, accessKeyId, secretAccessKey });
  if (claims.type === 'assumedRole' && claims.roleName !== undefined) {
    ctx.deps.lastUsed.recordRole(claims.accountId, claims.roleName, iso(claims.issuedAt), ctx.env.region);
  }
  return {
    AccessKeyId: accessKeyId,
    SecretAccessKey: secretAccessKey,
    SessionToken: token,
    Expiration: iso(claims.expiresAt),
  };
}

/** A role ARN: account, path and name. */
export const ROLE_ARN = /^arn:aws:iam::(\d{12}):role((?:\/[\u0021-\u007E]+)?\/)([\w+=,.@-]+)$/;

/** The role an ARN names, in whichever account (cross-account roles are in other accounts' rows). */
export async function findRole(ctx: CallContext, arn: string): Promise<Row<'role'> | undefined> {
  const m = ROLE_ARN.exec(arn);
  if (m === null) return undefined;
  const row = await ctx.deps.store.get('role', m[1] as string, (m[3] as string).toLowerCase());
  return row !== undefined && row.body.arn === arn ? row : undefined;
}

/** Tags a session carries on from the calling role session: its transitive ones. */
export function inheritedTags(ctx: CallContext): Tag[] {
  const s = ctx.caller.session;
  if (s === undefined || ctx.caller.type !== 'assumedRole') return [];
  const keys = new Set(s.transitiveTagKeys.map((k) => k.toLowerCase()));
  return s.tags.filter((t) => keys.has(t.Key.toLowerCase()));
}

/** Tags.member.N, at most 50 session tags ("Passing session tags in AWS STS"). */
export function readSessionTags(p: Params): Tag[] {
  const tags = p.tags();
  if (tags.length > 50) {
    p.violation("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
  }
  return tags;
}

/** PolicyArns.member.N.arn, at most 10 ("You can provide up to 10 managed policy ARNs"). */
export function readPolicyArns(p: Params): string[] {
  const arns: string[] = [];
  for (let n = 1; p.raw.has(`PolicyArns.member.${n}.arn`); n++)
    arns.push(p.raw.get(`PolicyArns.member.${n}.arn`) ?? '');
  if (arns.length > 10) {
    p.violation("Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10");
  }
  for (const [n, arn] of arns.entries()) {
    if (arn.length < 20 || arn.length > 2048) {
      p.violation(
        `Value '${arn}' at 'policyArns.${n + 1}.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
      );
    }
  }
  return arns;
}

/**
 * A session's policies — the inline `Policy` (validated as a session policy) and the ARNs of the
 * managed policies of `PolicyArns` (in the role's account, or AWS managed; each must exist now) — and
 * their packed size in percent of the 2,048-character limit, session tags counted too ("Passing
 * session tags in AWS STS"); PackedPolicyTooLarge past 100. The session keeps the managed policies by
 * ARN (and unique ID), as the packed size counts them: their default version when a request is
 * evaluated applies, as for every managed policy (authz/policy-set.ts).
 */
export async function sessionPolicies(
  ctx: CallContext,
  roleAccount: string,
  inline: string | undefined,
  arns: readonly string[],
  tags: readonly Tag[],
): Promise<{
  session: { policies: string[]; managedPolicies: ManagedSessionPolicy[] };
  packedPercent: number;
}> {
  const policies: string[] = [];
  const managedPolicies: ManagedSessionPolicy[] = [];
  let size = 0;
  if (inline !== undefined) {
    checkDocument(inline, 'session');
    policies.push(inline);
    size += policySize(inline);
  }
  for (const arn of arns) {
    const account = /^arn:aws:iam::(\d{12}|aws):policy\//.exec(arn)?.[1];
    const policy =
      account === roleAccount || account === 'aws' ? await managedPolicyNow(ctx.deps.store, arn) : undefined;
    if (policy === undefined)
      throw new WireError('InvalidParameterValue', `Policy ${arn} does not exist or is not attachable.`);
    managedPolicies.push({ arn, id: policy.id });
    size += arn.length;
  }
  for (const t of tags) size += t.Key.length + t.Value.length;
  const packedPercent = Math.ceil((size * 100) / PACKED_LIMIT);
  if (packedPercent > 100) {
    throw new WireError(
      'PackedPolicyTooLarge',
      `Packed size of consumed session policies and session tags exceeds the limit by ${packedPercent - 100}%.`,
    );
  }
  return { session: { policies, managedPolicies }, packedPercent };
}

/**
 * What assuming a role must be allowed: the assume action on the role, with the role's trust policy
 * as a resource-based policy that must itself allow ("Policy evaluation logic"; a role that does
 * not exist allows nothing), and the same for sts:TagSession when session tags are set ("Passing
 * session tags in AWS STS") and sts:SetSourceIdentity when a source identity is ("Monitor and
 * control actions taken with assumed roles").
 */
export async function trustTargets(
  ctx: CallContext,
  roleArn: string,
  values: Record<string, ContextValue>,
  sets: { tags: boolean; sourceIdentity: boolean },
): Promise<AuthTarget[]> {
  const role = await findRole(ctx, roleArn);
  // Bound to the unique IDs recorded at save: a user or role recreated under a trusted name is not trusted.
  const trust =
    role === undefined ? undefined : compileStored(role.body.trustPolicy, 'trust', role.body.trustPrincipals ?? {});
  const account = ROLE_ARN.exec(roleArn)?.[1];
  const base: AuthTarget = {
    resource: roleArn,
    // The role's tags: the Service Authorization Reference lists iam:ResourceTag/${TagKey} for
    // AssumeRole on the role resource (which also carries aws:ResourceTag/${TagKey}), and the ABAC
    // tutorial ("IAM tutorial: Define permissions to access AWS resources based on tags") allows
    // sts:AssumeRole by iam:ResourceTag/access-project.
    values: role === undefined ? values : { ...resourceTagValues(role.body.tags, true), ...values },
    resourceMustAllow: true,
    ...(trust === undefined ? {} : { resourcePolicy: trust }),
    ...(account === undefined ? {} : { resourceAccount: account }),
  };
  const targets: AuthTarget[] = [base];
  if (sets.tags) targets.push({ ...base, action: 'sts:TagSession' });
  if (sets.sourceIdentity) targets.push({ ...base, action: 'sts:SetSourceIdentity' });
  return targets;
}
