/**
 * The JSON shapes of one `basalt simulate` case and its result. These are the public contract of the
 * simulator: the CLI reads and writes exactly these, and tests and benchmarks build them.
 */

/** A context value as given in a case: a string, or an array of strings (numbers and booleans stand for their string form). */
export type ContextValueInput = string | number | boolean | ReadonlyArray<string | number | boolean>;

/** One input line of `basalt simulate`. Every field but id, action and resource is optional. */
export interface SimulateCase {
  id?: string | number;
  /** The calling principal's ARN, e.g. arn:aws:iam::111122223333:user/alice or an assumed-role session ARN. */
  principal?: string;
  /** e.g. bedrock:InvokeModel */
  action: string;
  /** The resource ARN, or "*". */
  resource: string;
  /** The request context, exactly as given (nothing is added). Keys are case-insensitive. */
  context?: Readonly<Record<string, ContextValueInput>>;
  identityPolicies?: readonly unknown[];
  permissionsBoundary?: unknown;
  /** One array of policies per level, from the organization root down to the account. Every level must allow. */
  serviceControlPolicies?: readonly (readonly unknown[])[];
  /** One array of policies per level, like serviceControlPolicies. */
  resourceControlPolicies?: readonly (readonly unknown[])[];
  sessionPolicies?: readonly unknown[];
  resourcePolicy?: unknown;
  /** The account that owns the resource; defaults to the resource ARN's account field, else the principal's account. */
  resourceAccount?: string;
}

/** The policy types a decision can name. */
export type PolicyType = 'identity' | 'resource' | 'permissionsBoundary' | 'session' | 'scp' | 'rcp';

/** One statement that matched the request (action, resource, principal and conditions all matched). */
export interface MatchedStatement {
  policyType: PolicyType;
  /** Index of the level (scp/rcp only). */
  level?: number;
  /** Index of the policy within its list (0 for single policies). */
  policyIndex: number;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

/** One output line of `basalt simulate`. */
export interface SimulateResult {
  id?: string | number;
  decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** The policy type that decided: for ExplicitDeny the type holding the deny, for ImplicitDeny the type that lacked an allow, for Allow the type that granted it. */
  decidedBy: PolicyType;
  matched: MatchedStatement[];
}

/** The output line for a case that could not be evaluated. */
export interface SimulateError {
  id?: string | number;
  error: { code: string; message: string; path?: string };
}
