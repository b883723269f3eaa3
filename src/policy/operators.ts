/**
 * The condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators"):
 * their families, which are negated, and whether they take policy variables and wildcards.
 */

/** The comparison families. */
export type OperatorFamily =
  | 'string'
  | 'stringIgnoreCase'
  | 'like'
  | 'numeric'
  | 'date'
  | 'bool'
  | 'binary'
  | 'ip'
  | 'arn'
  | 'null';

/** The comparison within a family: equality or an ordering. */
export type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

/** What one base operator (no qualifier, no IfExists) does. */
export interface OperatorSpec {
  /** Canonical name, e.g. StringNotEquals. */
  name: string;
  family: OperatorFamily;
  comparison: Comparison;
  /** True for the Not operators: the condition holds when no policy value matches. */
  negated: boolean;
}

const SPECS: OperatorSpec[] = [
  { name: 'StringEquals', family: 'string', comparison: 'eq', negated: false },
  { name: 'StringNotEquals', family: 'string', comparison: 'eq', negated: true },
  { name: 'StringEqualsIgnoreCase', family: 'stringIgnoreCase', comparison: 'eq', negated: false },
  { name: 'StringNotEqualsIgnoreCase', family: 'stringIgnoreCase', comparison: 'eq', negated: true },
  { name: 'StringLike', family: 'like', comparison: 'eq', negated: false },
  { name: 'StringNotLike', family: 'like', comparison: 'eq', negated: true },
  { name: 'NumericEquals', family: 'numeric', comparison: 'eq', negated: false },
  { name: 'NumericNotEquals', family: 'numeric', comparison: 'eq', negated: true },
  { name: 'NumericLessThan', family: 'numeric', comparison: 'lt', negated: false },
  { name: 'NumericLessThanEquals', family: 'numeric', comparison: 'lte', negated: false },
  { name: 'NumericGreaterThan', family: 'numeric', comparison: 'gt', negated: false },
  { name: 'NumericGreaterThanEquals', family: 'numeric', comparison: 'gte', negated: false },
  { name: 'DateEquals', family: 'date', comparison: 'eq', negated: false },
  { name: 'DateNotEquals', family: 'date', comparison: 'eq', negated: true },
  { name: 'DateLessThan', family: 'date', comparison: 'lt', negated: false },
  { name: 'DateLessThanEquals', family: 'date', comparison: 'lte', negated: false },
  { name: 'DateGreaterThan', family: 'date', comparison: 'gt', negated: false },
  { name: 'DateGreaterThanEquals', family: 'date', comparison: 'gte', negated: false },
  { name: 'Bool', family: 'bool', comparison: 'eq', negated: false },
  { name: 'BinaryEquals', family: 'binary', comparison: 'eq', negated: false },
  { name: 'IpAddress', family: 'ip', comparison: 'eq', negated: false },
  { name: 'NotIpAddress', family: 'ip', comparison: 'eq', negated: true },
  { name: 'ArnEquals', family: 'arn', comparison: 'eq', negated: false },
  { name: 'ArnLike', family: 'arn', comparison: 'eq', negated: false },
  { name: 'ArnNotEquals', family: 'arn', comparison: 'eq', negated: true },
  { name: 'ArnNotLike', family: 'arn', comparison: 'eq', negated: true },
  { name: 'Null', family: 'null', comparison: 'eq', negated: false },
];

const BY_NAME = new Map(SPECS.map((s) => [s.name, s]));

/** A full operator as written: qualifier, base operator, IfExists. */
export interface ParsedOperator {
  spec: OperatorSpec;
  /** 0: none, 1: ForAllValues, 2: ForAnyValue. */
  qualifier: 0 | 1 | 2;
  ifExists: boolean;
}

/**
 * Reads an operator name such as `ForAnyValue:StringNotLikeIfExists`. Names are case-sensitive, as
 * IAM treats them (`stringEquals` is "Invalid Condition type"). Null takes neither IfExists nor a
 * qualifier. Undefined for an unknown operator.
 */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let qualifier: 0 | 1 | 2 = 0;
  if (rest.startsWith('ForAllValues:')) {
    qualifier = 1;
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    qualifier = 2;
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const spec = BY_NAME.get(rest);
  if (spec === undefined) return undefined;
  if (spec.family === 'null' && (ifExists || qualifier !== 0)) return undefined;
  return { spec, qualifier, ifExists };
}

/** True for the families whose values may hold policy variables (string and ARN operators). */
export function takesVariables(family: OperatorFamily): boolean {
  return family === 'string' || family === 'stringIgnoreCase' || family === 'like' || family === 'arn';
}
