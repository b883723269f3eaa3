/**
 * The IAM service: every operation, registered once with its authorization declaration.
 */

import { type AnyOperation, registry } from '../operation.js';
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

/** IAM operations by wire name. */
export const IAM_OPERATIONS: ReadonlyMap<string, AnyOperation> = registry([
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
]);
