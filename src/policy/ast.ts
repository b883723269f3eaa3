/**
 * The parsed form of an IAM policy document. It keeps whether each list was written as a scalar or
 * an array, so that printing a parsed policy gives back the same document (modulo key order and
 * condition values, which are always strings here).
 */

/** The kinds of policy documents; each kind has its own grammar rules (see validate in parse.ts). */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'scp' | 'rcp' | 'session' | 'boundary';

/** A list element that may be written as one string or an array of strings. */
export interface StringList {
  values: string[];
  isArray: boolean;
}

/** `"Principal": "*"`, or a map of principal types (AWS, Service, Federated, CanonicalUser) to values. */
export type PrincipalBlock = { wildcard: true } | { wildcard: false; entries: { type: string; values: StringList }[] };

/** One `"Operator": { "key": values, … }` entry of a Condition block. */
export interface ConditionEntry {
  operator: string;
  keys: { key: string; values: StringList }[];
}

/** One statement. Exactly one of action/notAction is set, at most one of resource/notResource. */
export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  principal?: PrincipalBlock;
  notPrincipal?: PrincipalBlock;
  action?: StringList;
  notAction?: StringList;
  resource?: StringList;
  notResource?: StringList;
  condition?: ConditionEntry[];
}

/** A whole policy document. */
export interface Policy {
  version?: string;
  id?: string;
  statements: Statement[];
  /** Whether Statement was written as an array (true) or a single object. */
  statementIsArray: boolean;
}
