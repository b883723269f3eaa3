/**
 * IAM OIDC identity providers (filled in by the OIDC federation work).
 */

import type { AnyOperation } from '../operation.js';

/** The OIDC provider operations. */
export const OIDC_PROVIDER_OPERATIONS: AnyOperation[] = [];
