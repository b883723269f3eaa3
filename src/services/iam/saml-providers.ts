/**
 * IAM SAML providers (filled in by the SAML federation work).
 */

import type { AnyOperation } from '../operation.js';

/** The SAML provider operations. */
export const SAML_PROVIDER_OPERATIONS: AnyOperation[] = [];
