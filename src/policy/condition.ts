/**
 * Compiled Condition blocks and their evaluation, following IAM User Guide "IAM JSON policy elements:
 * Condition operators", "...IfExists condition operators", "Condition operator to check existence of
 * condition keys" (Null) and "Set operators for multivalued context keys".
 *
 * - Values of one key are OR-ed; keys within an operator, and operators, are AND-ed.
 * - A missing key: IfExists → true; a negated operator → true; otherwise false.
 *   ForAllValues → true when the key is missing or empty; ForAnyValue → false, with or without
 *   IfExists (the set operator decides for a missing key; see docs/compatibility.md).
 * - A single-valued operator given a multivalued (array) context value does not match.
 * - Numeric, Date and IP operators never match a context value they cannot parse, negated or not.
 */

import { type ArnPattern, arnMatches, compileArnPattern } from './arn-pattern.js';
import type { ConditionEntry } from './ast.js';
import type { ArnParts, ContextValue } from './context.js';
import { splitArn } from './context.js';
import { Glob, type GlobToken, wildcardTokens } from './glob.js';
import { type Cidr, cidrContains, parseCidr, parseIp } from './ip.js';
import { type OperatorSpec, parseOperator, takesVariables } from './operators.js';
import { parseTemplate, resolveCompiled, resolveText, type Template } from './template.js';

/** A policy value prepared for its operator family. `template` is set when it holds variables. */
interface PreparedValue {
  text: string;
  template: Template | undefined;
  glob: Glob | undefined;
  arn: ArnPattern | undefined;
  number: number;
  cidr: Cidr | undefined;
  /** Compiled patterns of a template, per set of variable values (see resolveCompiled). */
  globs: Map<string, Glob> | undefined;
  arns: Map<string, ArnPattern> | undefined;
}

function globOf(tokens: GlobToken[]): Glob {
  return new Glob(tokens);
}

/** One compiled `"Operator": {"key": values}` pair. */
export interface CompiledCondition {
  key: string;
  spec: OperatorSpec;
  qualifier: 0 | 1 | 2;
  ifExists: boolean;
  values: PreparedValue[];
  /** For Null: whether the key must be absent (true) or present (false), per value. */
  nullExpect: boolean[];
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const EPOCH = /^-?\d+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses a numeric condition value (integer or decimal); NaN when it is not one. */
export function parseNumber(text: string): number {
  return NUMBER.test(text) ? Number(text) : Number.NaN;
}

/**
 * Parses a date condition value: ISO 8601 (a date, or a date and time; UTC when no offset is given)
 * or epoch seconds. Returns milliseconds since the epoch, NaN when it is neither.
 */
export function parseDate(text: string): number {
  if (EPOCH.test(text)) return Number(text) * 1000;
  if (!ISO_DATE.test(text)) return Number.NaN;
  const hasZone = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const withZone = text.length > 10 && !hasZone ? `${text}Z` : text;
  return Date.parse(withZone);
}

function prepare(spec: OperatorSpec, raw: string, variables: boolean): PreparedValue {
  const template = variables && takesVariables(spec.family) ? parseTemplate(raw) : undefined;
  const v: PreparedValue = {
    text: raw,
    template,
    glob: undefined,
    arn: undefined,
    number: Number.NaN,
    cidr: undefined,
    globs: template && spec.family === 'like' ? new Map() : undefined,
    arns: template && spec.family === 'arn' ? new Map() : undefined,
  };
  switch (spec.family) {
    case 'stringIgnoreCase':
    case 'bool':
      v.text = raw.toLowerCase();
      break;
    case 'like':
      if (!template) v.glob = Glob.fromText(raw);
      break;
    case 'arn':
      if (!template) v.arn = compileArnPattern(wildcardTokens(raw));
      break;
    case 'numeric':
      v.number = parseNumber(raw);
      break;
    case 'date':
      v.number = parseDate(raw);
      break;
    case 'ip':
      v.cidr = parseCidr(raw);
      break;
    default:
      break;
  }
  return v;
}

/**
 * Compiles a statement's Condition block. `variables` is false for policies whose Version is not
 * 2012-10-17, where `${…}` is literal text.
 */
export function compileConditions(entries: readonly ConditionEntry[], variables: boolean): CompiledCondition[] {
  const out: CompiledCondition[] = [];
  for (const entry of entries) {
    const op = parseOperator(entry.operator);
    if (op === undefined) throw new Error(`unvalidated condition operator ${entry.operator}`);
    for (const { key, values } of entry.keys) {
      out.push({
        key: key.toLowerCase(),
        spec: op.spec,
        qualifier: op.qualifier,
        ifExists: op.ifExists,
        values: values.values.map((raw) => prepare(op.spec, raw, variables)),
        nullExpect: values.values.map((raw) => raw.toLowerCase() === 'true'),
      });
    }
  }
  return out.sort((a, b) => cost(a) - cost(b));
}

// Single-entry memos: the same context value (aws:SourceIp, aws:CurrentTime) is usually tested by
// many statements of one request. INVARIANT: ipScratch always holds the parse of lastIpText.
const ipScratch = new Uint32Array(4);
let lastIpText: string | undefined;
let lastIpFamily: 0 | 4 | 6 = 0;
let lastDateText: string | undefined;
let lastDateValue = Number.NaN;

function parseIpMemo(text: string): 0 | 4 | 6 {
  if (text !== lastIpText) {
    lastIpFamily = parseIp(text, ipScratch);
    lastIpText = text;
  }
  return lastIpFamily;
}

function parseDateMemo(text: string): number {
  if (text !== lastDateText) {
    lastDateValue = parseDate(text);
    lastDateText = text;
  }
  return lastDateValue;
}

/** Relative cost of an operator family, to test cheap conditions first (they are AND-ed). */
const COST: Record<OperatorSpec['family'], number> = {
  null: 0,
  bool: 1,
  string: 1,
  binary: 1,
  stringIgnoreCase: 2,
  numeric: 3,
  like: 3,
  ip: 4,
  date: 5,
  arn: 6,
};

function cost(c: CompiledCondition): number {
  return COST[c.spec.family] + (c.values.some((v) => v.template !== undefined) ? 4 : 0) + (c.qualifier !== 0 ? 2 : 0);
}

function compare(comparison: OperatorSpec['comparison'], policy: number, actual: number): boolean {
  switch (comparison) {
    case 'eq':
      return actual === policy;
    case 'lt':
      return actual < policy;
    case 'lte':
      return actual <= policy;
    case 'gt':
      return actual > policy;
    default:
      return actual >= policy;
  }
}

/** True when at least one policy value matches the single context value (before negation). */
function anyValueMatches(
  cond: CompiledCondition,
  actual: string,
  values: ReadonlyMap<string, ContextValue>,
): boolean | undefined {
  const spec = cond.spec;
  switch (spec.family) {
    case 'string':
    case 'binary':
      for (const pv of cond.values) {
        const text = pv.template ? resolveText(pv.template, values) : pv.text;
        if (text === actual) return true;
      }
      return false;
    case 'stringIgnoreCase': {
      const lower = actual.toLowerCase();
      for (const pv of cond.values) {
        const text = pv.template ? resolveText(pv.template, values)?.toLowerCase() : pv.text;
        if (text === lower) return true;
      }
      return false;
    }
    case 'like':
      for (const pv of cond.values) {
        if (pv.glob) {
          if (pv.glob.test(actual)) return true;
        } else if (pv.template && pv.globs) {
          const glob = resolveCompiled(pv.template, values, pv.globs, globOf);
          if (glob?.test(actual)) return true;
        }
      }
      return false;
    case 'bool': {
      const lower = actual.toLowerCase();
      for (const pv of cond.values) if (pv.text === lower) return true;
      return false;
    }
    case 'numeric':
    case 'date': {
      const n = spec.family === 'numeric' ? parseNumber(actual) : parseDateMemo(actual);
      if (Number.isNaN(n)) return undefined;
      for (const pv of cond.values) if (compare(spec.comparison, pv.number, n)) return true;
      return false;
    }
    case 'ip': {
      const family = parseIpMemo(actual);
      if (family === 0) return undefined;
      for (const pv of cond.values) if (pv.cidr && cidrContains(pv.cidr, family, ipScratch)) return true;
      return false;
    }
    case 'arn': {
      const parts: ArnParts | undefined = splitArn(actual);
      if (parts === undefined) return false;
      for (const pv of cond.values) {
        if (pv.arn) {
          if (arnMatches(pv.arn, parts)) return true;
        } else if (pv.template && pv.arns) {
          const pattern = resolveCompiled(pv.template, values, pv.arns, compileArnPattern);
          if (pattern !== undefined && arnMatches(pattern, parts)) return true;
        }
      }
      return false;
    }
    default:
      return false;
  }
}

/** The operator applied to one context value, negation included. */
function valueHolds(cond: CompiledCondition, actual: string, values: ReadonlyMap<string, ContextValue>): boolean {
  const matched = anyValueMatches(cond, actual, values);
  if (matched === undefined) return false;
  return cond.spec.negated ? !matched : matched;
}

/** Evaluates one compiled condition against the request's context values. */
export function conditionHolds(cond: CompiledCondition, values: ReadonlyMap<string, ContextValue>): boolean {
  const actual = values.get(cond.key);
  if (cond.spec.family === 'null') {
    const absent = actual === undefined;
    for (const expectAbsent of cond.nullExpect) if (expectAbsent === absent) return true;
    return false;
  }
  if (actual === undefined) {
    if (cond.qualifier === 1) return true;
    if (cond.qualifier === 2) return false;
    return cond.ifExists || cond.spec.negated;
  }
  if (cond.qualifier === 0) {
    if (typeof actual !== 'string') return false;
    return valueHolds(cond, actual, values);
  }
  if (typeof actual === 'string') return valueHolds(cond, actual, values);
  if (cond.qualifier === 1) {
    for (const item of actual) if (!valueHolds(cond, item, values)) return false;
    return true;
  }
  for (const item of actual) if (valueHolds(cond, item, values)) return true;
  return false;
}

/** True when every condition holds (conditions are AND-ed). */
export function conditionsHold(
  conds: readonly CompiledCondition[],
  values: ReadonlyMap<string, ContextValue>,
): boolean {
  for (let i = 0; i < conds.length; i++) {
    if (!conditionHolds(conds[i] as CompiledCondition, values)) return false;
  }
  return true;
}
