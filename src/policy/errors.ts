/**
 * The policy module's one error type. Codes are stable strings; the protocol layers map them to
 * AWS wire errors (MalformedPolicyDocument → HTTP 400, Sender).
 */

/** Every code a policy error can carry. */
export type PolicyErrorCode = 'MalformedPolicyDocument' | 'InvalidInput';

/** One finding about a policy document: a stable code, AWS's message, the JSON path, and our detail. */
export interface PolicyFinding {
  code: PolicyErrorCode;
  /** AWS's wording, as IAM returns it on the wire. */
  message: string;
  /** JSON path of the offending element, e.g. `Statement[1].Condition.StringEquals`. */
  path: string;
  /** What exactly was wrong, with the offending value: for our CLI and logs. */
  detail: string;
}

/** Thrown (or returned) when a policy document cannot be used. Carries every finding. */
export class PolicyError extends Error {
  readonly code: PolicyErrorCode;
  readonly path: string;
  readonly detail: string;
  readonly findings: readonly PolicyFinding[];

  constructor(findings: readonly PolicyFinding[]) {
    const first = findings[0] ?? {
      code: 'MalformedPolicyDocument' as const,
      message: 'Syntax errors in policy.',
      path: '',
      detail: 'unknown error',
    };
    super(first.message);
    this.name = 'PolicyError';
    this.code = first.code;
    this.path = first.path;
    this.detail = first.detail;
    this.findings = findings;
  }
}
