/**
 * The authenticated caller of one request, as the dispatcher and the policy engine see it.
 */

import type { RequestPrincipal } from '../policy/index.js';
import type { Tag } from '../store/types.js';

/** Who made the request. `root` is the account's root user; `user` an IAM user with a long-term key. */
export interface Caller {
  type: 'root' | 'user';
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
}

/** `aws:PrincipalType` ("AWS global condition context keys"): Account for root, User for IAM users. */
export function principalType(caller: Caller): string {
  return caller.type === 'root' ? 'Account' : 'User';
}
