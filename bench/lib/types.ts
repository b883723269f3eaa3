/**
 * The engine-neutral shapes the policy benchmark works with: IAM policy documents as JSON values,
 * principals with their attached policies, and requests. Every engine is fed from these.
 */

/** An outcome as all engines report it here ('Error' when an engine could not decide). */
export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny' | 'Error';

/** The decisions in the order used for counts and codes. */
export const DECISIONS: readonly Decision[] = ['Allow', 'ExplicitDeny', 'ImplicitDeny', 'Error'];

/** A Condition block: operator to key to value(s). */
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

/** One IAM policy statement as JSON. */
export interface StatementDoc {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
}

/** One IAM policy document as JSON. */
export interface PolicyDoc {
  Version: '2012-10-17';
  Statement: StatementDoc[];
}

/** A managed policy: a name and its document. */
export interface NamedPolicy {
  name: string;
  doc: PolicyDoc;
}

/** One level of the organization (root, OU, account) and the SCPs attached to it. */
export interface ScpLevel {
  orgId: string;
  policies: NamedPolicy[];
}

/** A calling principal and every policy that applies to it. */
export interface PrincipalDef {
  arn: string;
  account: string;
  /** Context keys that come from the principal (aws:PrincipalArn, aws:PrincipalTag/…). */
  context: Record<string, string>;
  identity: NamedPolicy[];
  boundary: NamedPolicy | undefined;
  /** Organization root first, account last. */
  scp: ScpLevel[];
}

/** A request context: condition keys (AWS spelling) to a string or a multivalued list. */
export type ContextInput = Record<string, string | string[]>;

/** One request. */
export interface RequestSpec {
  principal: number;
  action: string;
  resource: string;
  resourceAccount: string;
  /** The whole request context: the principal's keys and the request's own. */
  context: ContextInput;
  /** Only the keys that vary by request (aws:SourceIp, aws:CurrentTime, …), without the principal's. */
  requestContext: ContextInput;
}

/** A benchmark scenario: principals with their policies and a deterministic stream of requests. */
export interface Scenario {
  id: string;
  title: string;
  principals: PrincipalDef[];
  /** Distinct policy documents in the scenario (identity, boundary and SCPs). */
  policyCount: number;
  /** Request `index` of the stream; every index gives a different request. */
  request(index: number): RequestSpec;
}
