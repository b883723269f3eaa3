/**
 * What the STS operations share: issuing temporary credentials with a sealed session token, role
 * lookup by ARN, and the tags a session inherits through role chaining.
 */

import { newAccessKeyId, newSecretAccessKey } from '../../auth/ids.js';
import { type SessionClaims, sealSessionToken } from '../../auth/session-token.js';
import type { Row, Tag } from '../../store/types.js';
import type { CallContext } from '../operation.js';

/** "The plaintext that you use for both inline and managed session policies can't exceed 2,048 characters." */
export const PACKED_LIMIT = 2048;
/** Role chaining limits a session to one hour ("Role chaining", IAM User Guide). */
export const CHAINED_MAX_SECONDS = 3600;

/** IAM and STS timestamps: ISO 8601 to the second. */
export function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** New temporary credentials for these claims (without the key, which is made here). */
export function issue(ctx: CallContext, claims: Omit<SessionClaims, 'accessKeyId' | 'secretAccessKey'>) {
  const accessKeyId = newAccessKeyId('ASIA', claims.accountId);
  const secretAccessKey = newSecretAccessKey();
  const token = sealSessionToken(ctx.deps.secrets, { ...claims, accessKeyId, secretAccessKey });
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
