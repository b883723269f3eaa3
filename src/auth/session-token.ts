/**
 * STS session tokens: everything needed to verify a request made with temporary credentials, sealed
 * (AES-256-GCM) under the master key — the session's secret access key, who the session is, its
 * session policies and tags, MFA state, and its issue and expiry times. Any basalt process holding
 * the master key verifies a token without a store lookup; a forged, truncated or altered token does
 * not open ("Temporary security credentials", IAM User Guide).
 */

import type { Tag } from '../store/types.js';
import { type SecretBox, SecretBoxError } from './secret-box.js';

/** Binds sealed tokens to their purpose: a token cannot be passed off as another sealed value. */
const AAD = 'basalt-session-token-v1';
const PREFIX = 'BasaltSTS1.';

/** A managed session policy as a session keeps it: its ARN and the policy's unique ID at issue. */
export interface ManagedSessionPolicy {
  arn: string;
  id: string;
}

/** The contents of a session token. */
export interface SessionClaims {
  /** The temporary access key ID (ASIA…) the token belongs to. */
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /**
   * `assumedRole` from AssumeRole; `user` / `root` from GetSessionToken; `federatedUser` from
   * GetFederationToken.
   */
  type: 'assumedRole' | 'user' | 'root' | 'federatedUser';
  /** The session's ARN: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, or the user's or root's ARN. */
  arn: string;
  /** `aws:userid`: `AROA…:SESSION`, the user's AIDA… ID, or the account ID for root. */
  userId: string;
  /** For role sessions: the role's name, ARN (with path) and unique ID. */
  roleName?: string;
  roleArn?: string;
  sessionName?: string;
  /** For GetSessionToken sessions of IAM users. */
  userName?: string;
  /**
   * For federated user sessions: the IAM user who called GetFederationToken (absent when the root
   * user did). Its policies as they stand, intersected with the session policies, are the session's.
   */
  federatedFrom?: { userName: string; userId: string };
  sourceIdentity?: string;
  /** Session tags (they override the role's tags of the same key). */
  tags: Tag[];
  /** Keys of session tags that pass on through role chaining. */
  transitiveTagKeys: string[];
  /** The inline session policy, as a document (none or one), applied as a further limit. */
  policies: string[];
  /**
   * The managed session policies by ARN and the unique ID each had when the session was issued,
   * applied as a further limit with their current default version (one deleted since allows nothing).
   */
  managedPolicies?: ManagedSessionPolicy[];
  mfa: boolean;
  /**
   * True for the sessions of federated identities (AssumeRoleWithWebIdentity, AssumeRoleWithSAML):
   * they carry no `aws:MultiFactorAuthPresent`, which "is not present for federated identities"
   * ("AWS global condition context keys", IAM User Guide; the identity provider's MFA reaches AWS
   * only as a session tag or a provider key such as `amr`).
   */
  federatedIdentity?: boolean;
  /** Seconds since the epoch when MFA was last authenticated, when it was. */
  mfaAuthTime?: number;
  /** Issue and expiry, seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
  /** True when this session came from another role session (chaining caps it at one hour). */
  chained: boolean;
  /**
   * Condition keys the session carries from its identity provider (`saml:sub`, `HOST:sub`, …):
   * available in the role's permission policies too, as policy variables such as
   * `${cognito-identity.amazonaws.com:sub}` ("IAM policy elements: Variables and tags").
   */
  providerKeys?: Record<string, string | readonly string[]>;
}

/** Seals claims into a session token. */
export function sealSessionToken(box: SecretBox, claims: SessionClaims): string {
  return PREFIX + box.seal(JSON.stringify(claims), AAD);
}

/** Opens a session token; undefined when it is not one of ours or does not open with this key. */
export function openSessionToken(box: SecretBox, token: string): SessionClaims | undefined {
  if (!token.startsWith(PREFIX) || token.length > 16_384) return undefined;
  try {
    const value: unknown = JSON.parse(box.open(token.slice(PREFIX.length), AAD));
    if (typeof value !== 'object' || value === null) return undefined;
    const c = value as SessionClaims;
    if (typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string' || typeof c.expiresAt !== 'number') {
      return undefined;
    }
    return c;
  } catch (e) {
    if (e instanceof SecretBoxError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}
