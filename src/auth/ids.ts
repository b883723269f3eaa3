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

/** A new access key ID: AKIA (or ASIA) and 16 random base32 characters (20 in all). */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA' = 'AKIA'): string {
  return prefix + base32(16);
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
