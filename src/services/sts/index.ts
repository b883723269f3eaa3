/**
 * The STS service, for now only GetCallerIdentity (the rest of STS is its own issue).
 */

import { type AnyOperation, operation, registry } from '../operation.js';

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

/** STS operations by wire name. */
export const STS_OPERATIONS: ReadonlyMap<string, AnyOperation> = registry([getCallerIdentity]);
