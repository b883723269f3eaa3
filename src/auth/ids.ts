/**
 * Identifiers as AWS makes them ("IAM identifiers", IAM User Guide): unique IDs are a four-letter
 * prefix naming the kind (AIDA user, AGPA group, AROA role, ANPA managed policy, AKIA access key,
 * ASIA temporary access key) followed by upper-case base32 characters; secret access keys are 40
 * characters of base64.
 */

import { randomBytes, randomInt } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[(bytes[i] as number) & 31];
  return out;
}

/** The ID prefixes IAM uses, by kind. */
export const ID_PREFIX = {
  user: 'AIDA',
  group: 'AGPA',
  role: 'AROA',
  policy: 'ANPA',
  accessKey: 'AKIA',
  temporaryAccessKey: 'ASIA',
} as const;

/** A new unique ID: the prefix and 17 random base32 characters (21 in all, as IAM's). */
export function newUniqueId(prefix: (typeof ID_PREFIX)[keyof typeof ID_PREFIX]): string {
  return prefix + base32(17);
}

/**
 * A new access key ID, 20 characters: AKIA (or ASIA), then the owning account's ID as 8 base32
 * characters (40 bits), then 8 random ones. Like AWS's, the ID names its account, so
 * sts:GetAccessKeyInfo answers for temporary keys, which are stored nowhere.
 */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA' = 'AKIA', accountId?: string): string {
  if (accountId === undefined || !/^\d{12}$/.test(accountId)) return prefix + base32(16);
  let n = BigInt(accountId);
  let encoded = '';
  for (let i = 0; i < 8; i++) {
    encoded = BASE32[Number(n & 31n)] + encoded;
    n >>= 5n;
  }
  return prefix + encoded + base32(8);
}

/** The account an access key ID made by newAccessKeyId names; undefined for other IDs. */
export function accountOfAccessKeyId(accessKeyId: string): string | undefined {
  if (!/^(AKIA|ASIA)[A-Z2-7]{16}$/.test(accessKeyId)) return undefined;
  let n = 0n;
  for (const ch of accessKeyId.slice(4, 12)) n = (n << 5n) | BigInt(BASE32.indexOf(ch));
  return n < 1_000_000_000_000n ? String(n).padStart(12, '0') : undefined;
}

/** A new 40-character secret access key (30 random bytes in base64, no padding; `+` and `/` included as AWS's). */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** A new 12-digit account ID whose first digit is not 0. */
export function newAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(0, 10));
  return id;
}
