/**
 * Sample requests for the saml operations, used by test/compat/authorization.test.ts: valid
 * parameters that a principal with no permissions must be refused.
 */

/** IAM operation name to parameters. */
export const IAM_SAMPLES: Record<string, Record<string, string>> = {};

/** STS operation name to parameters (signed operations only). */
export const STS_SAMPLES: Record<string, Record<string, string>> = {};
