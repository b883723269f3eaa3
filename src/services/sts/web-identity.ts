/**
 * AssumeRoleWithWebIdentity (filled in by the OIDC federation work).
 */

import type { AnyOperation } from '../operation.js';

/** The web identity operations. */
export const WEB_IDENTITY_OPERATIONS: AnyOperation[] = [];
