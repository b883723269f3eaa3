/**
 * Authorization: the caller, its compiled and cached policies, and one decision per request.
 */

export { type Caller, principalType } from '../auth/caller.js';
export { type DeniedRequest, decodeAuthorizationMessage, encodeAuthorizationMessage } from './authorization-message.js';
export { type AuthzOutcome, type AuthzRequest, accessDeniedMessage, authorize, type RequestEnv } from './authorize.js';
export {
  type CallerPolicies,
  compileStored,
  loadCallerPolicies,
  managedPolicyDocument,
  managedPolicyNow,
  PolicyCache,
} from './policy-set.js';
