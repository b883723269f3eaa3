/**
 * Policy documents as IAM accepts them on write: valid for their kind (MalformedPolicyDocument with
 * IAM's message), and within the size quotas of "IAM and AWS STS quotas" (IAM User Guide), where
 * "IAM doesn't count white space when calculating the size of a policy against these quotas".
 */

import type { PolicyKind } from '../../policy/ast.js';
import { PolicyError, parsePolicy } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';

/** The size of a policy as IAM counts it: characters that are not white space. */
export function policySize(document: string): number {
  let n = 0;
  for (const ch of document) if (ch !== ' ' && ch !== '\n' && ch !== '\r' && ch !== '\t') n++;
  return n;
}

/** Quota of one managed policy. */
export const MANAGED_POLICY_SIZE = 6144;
/** Quota of a role trust policy. */
export const TRUST_POLICY_SIZE = 2048;
/** Aggregate inline policy quotas per owner. */
export const INLINE_POLICY_SIZE = { user: 2048, group: 5120, role: 10240 } as const;

/** Validates a document for its kind; throws MalformedPolicyDocument in IAM's words. */
export function checkDocument(document: string, kind: PolicyKind): void {
  const parsed = parsePolicy(document, kind);
  if (parsed instanceof PolicyError) throw new WireError('MalformedPolicyDocument', parsed.message);
}

/** Validates a managed policy document and its size (LimitExceeded "Cannot exceed quota for PolicySize: 6144"). */
export function checkManagedDocument(document: string): void {
  checkDocument(document, 'identity');
  if (policySize(document) > MANAGED_POLICY_SIZE) {
    throw new WireError('LimitExceeded', `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE}`);
  }
}

/** Validates a role trust policy and its size (LimitExceeded "Cannot exceed quota for ACLSizePerRole: 2048"). */
export function checkTrustDocument(document: string): void {
  checkDocument(document, 'trust');
  if (policySize(document) > TRUST_POLICY_SIZE) {
    throw new WireError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_SIZE}`);
  }
}
