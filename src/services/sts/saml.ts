/**
 * AssumeRoleWithSAML (filled in by the SAML federation work).
 */

import type { AnyOperation } from '../operation.js';

/** The SAML operations. */
export const SAML_OPERATIONS: AnyOperation[] = [];
