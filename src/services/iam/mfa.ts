/**
 * Virtual MFA devices (filled in by the MFA work).
 */

import type { AnyOperation } from '../operation.js';

/** The MFA device operations. */
export const MFA_OPERATIONS: AnyOperation[] = [];
