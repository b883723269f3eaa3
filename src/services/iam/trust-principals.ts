/**
 * The IAM users and roles a role trust policy names, bound to their unique IDs when the policy is
 * saved. IAM User Guide, "AWS JSON policy elements: Principal": an IAM user or role ARN in a trust
 * policy "transforms to the role's unique principal ID when you save the policy … If you delete the
 * role, then you break the relationship. If you recreate the role, … the new role has a new
 * principal ID that does not match the ID stored in the trust policy", and "if the role is deleted,
 * … the role ARN in the trust policy is replaced by the role's principal ID" when you view it.
 */

import { PolicyError, parsePolicy, type Statement } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import type { Role, StoreReader } from '../../store/types.js';

const USER_OR_ROLE = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/;

/** The `"AWS"` principal values of a statement's Principal and NotPrincipal. */
function awsPrincipals(s: Statement): string[] {
  const out: string[] = [];
  for (const block of [s.principal, s.notPrincipal]) {
    if (block === undefined || block.wildcard) continue;
    for (const entry of block.entries) if (entry.type === 'AWS') out.push(...entry.values.values);
  }
  return out;
}

/** The user or role an IAM ARN names as it exists now: its unique ID, or undefined when none has that ARN. */
async function currentId(store: StoreReader, arn: string): Promise<string | undefined> {
  const m = USER_OR_ROLE.exec(arn);
  if (m === null) return undefined;
  const row = await store.get(m[2] === 'user' ? 'user' : 'role', m[1] as string, (m[3] as string).toLowerCase());
  return row !== undefined && row.body.arn === arn ? row.body.id : undefined;
}

/**
 * The unique ID of each IAM user and role a trust policy names, as of now. A user or role ARN that
 * names nobody (or a partial wildcard, which Principal does not support) is MalformedPolicyDocument
 * "Invalid principal in policy", as IAM answers it. The document was validated before.
 */
export async function bindTrustPrincipals(store: StoreReader, document: string): Promise<Record<string, string>> {
  const parsed = parsePolicy(document, 'trust');
  if (parsed instanceof PolicyError) throw new WireError('MalformedPolicyDocument', parsed.message);
  const ids: Record<string, string> = {};
  for (const s of parsed.statements) {
    for (const value of awsPrincipals(s)) {
      if (!/^arn:[^:]+:iam::[^:]*:(?:user|role)\//.test(value)) continue;
      const id = await currentId(store, value);
      if (id === undefined) {
        throw new WireError('MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${value}"`);
      }
      ids[value] = id;
    }
  }
  return ids;
}

/** Replaces the listed ARNs in one Principal / NotPrincipal element's "AWS" value. */
function replaceIn(block: unknown, gone: ReadonlyMap<string, string>): void {
  if (typeof block !== 'object' || block === null || Array.isArray(block)) return;
  const b = block as Record<string, unknown>;
  const aws = b.AWS;
  if (typeof aws === 'string') b.AWS = gone.get(aws) ?? aws;
  else if (Array.isArray(aws)) b.AWS = aws.map((v) => (typeof v === 'string' ? (gone.get(v) ?? v) : v));
}

/**
 * The trust policy as GetRole and ListRoles show it: as written, except that a user or role deleted
 * (or deleted and recreated) since the policy was saved appears as the unique ID the policy holds.
 */
export async function shownTrustPolicy(store: StoreReader, role: Role): Promise<string> {
  const gone = new Map<string, string>();
  for (const [arn, id] of Object.entries(role.trustPrincipals ?? {})) {
    if ((await currentId(store, arn)) !== id) gone.set(arn, id);
  }
  if (gone.size === 0) return role.trustPolicy;
  const doc = JSON.parse(role.trustPolicy) as Record<string, unknown>;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of statements) {
    if (typeof s !== 'object' || s === null) continue;
    replaceIn((s as Record<string, unknown>).Principal, gone);
    replaceIn((s as Record<string, unknown>).NotPrincipal, gone);
  }
  return JSON.stringify(doc);
}

/** The role with its trust policy as shown (see shownTrustPolicy). */
export async function roleAsShown(store: StoreReader, role: Role): Promise<Role> {
  const trustPolicy = await shownTrustPolicy(store, role);
  return trustPolicy === role.trustPolicy ? role : { ...role, trustPolicy };
}
