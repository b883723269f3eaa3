/**
 * The authenticated caller of one request, as the dispatcher and the policy engine see it.
 */

import type { RequestPrincipal } from '../policy/index.js';
import type { Tag } from '../store/types.js';
import type { SessionClaims } from './session-token.js';

/**
 * Who made the request. `root` is the account's root user; `user` an IAM user; `assumedRole` a role
 * session. `session` is set for temporary credentials (from STS).
 */
export interface Caller {
  /**
   * `federated`: an identity from an OIDC or SAML provider calling AssumeRoleWith… (no AWS
   * credentials); `federatedUser`: a session from GetFederationToken.
   */
  type: 'root' | 'user' | 'assumedRole' | 'federated' | 'federatedUser';
  accountId: string;
  arn: string;
  /** `aws:userid`: the account ID for root, the unique ID (AIDA…) for a user. */
  userId: string;
  /** The IAM user's name (absent for root). */
  userName?: string;
  /** The IAM user's tags: `aws:PrincipalTag/…`. */
  tags: readonly Tag[];
  /** The access key the request was signed with. */
  accessKeyId: string;
  /** The caller as policies match it. */
  principal: RequestPrincipal;
  /** The session of temporary credentials. */
  session?: SessionClaims;
  /** `aws:PrincipalType` when the type alone does not say it (federated callers). */
  principalTypeName?: string;
}

/**
 * `aws:PrincipalType` ("AWS global condition context keys"): Account for root, User for IAM users,
 * AssumedRole for role sessions.
 */
export function principalType(caller: Caller): string {
  if (caller.principalTypeName !== undefined) return caller.principalTypeName;
  return caller.type === 'root'
    ? 'Account'
    : caller.type === 'user'
      ? 'User'
      : caller.type === 'assumedRole'
        ? 'AssumedRole'
        : 'FederatedUser';
}

/**
 * `aws:PrincipalArn`: the caller's ARN, except that for a role session it is the role's ARN
 * ("aws:PrincipalArn": "the ARN of the role, not the ARN of the role session").
 */
export function principalArn(caller: Caller): string {
  return caller.session?.roleArn ?? caller.arn;
}
