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
import { arnTarget, type ContextLookup, lowerKey } from './context.js';
import { currentEpoch, InternTable } from './epoch.js';
import { Glob, type GlobToken, wildcardTokens } from './glob.js';
import { type Cidr, cidrContains, parseCidr, parseIp } from './ip.js';
import { type OperatorSpec, parseOperator, takesVariables } from './operators.js';
import { hasUnresolved, parseTemplate, resolveCompiled, resolveText, type Template } from './template.js';

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
  /** An Allow statement's condition: a negated operator whose values hold a variable without a value does not hold. */
  strict: boolean;
  /** The epoch of the evaluation that last computed `lastResult` (see epoch.ts); 0 for none. */
  lastEpoch: number;
  lastResult: boolean;
}

const interned = new InternTable<CompiledCondition>(65536);

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
  const fast = parseCanonicalDate(text);
  if (!Number.isNaN(fast)) return fast;
  if (EPOCH.test(text)) return Number(text) * 1000;
  if (!ISO_DATE.test(text)) return Number.NaN;
  const hasZone = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const withZone = text.length > 10 && !hasZone ? `${text}Z` : text;
  return Date.parse(withZone);
}

function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level date
 * algorithms", days_from_civil): integer arithmetic, several times cheaper than Date.UTC here.
 * Out-of-range days roll over as Date.UTC does (02-31 is March 3 or 2).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * The form AWS puts in aws:CurrentTime, `YYYY-MM-DDTHH:MM:SSZ`, read without regular expressions;
 * NaN for anything else (parseDate then tries the general forms).
 */
function parseCanonicalDate(text: string): number {
  if (text.length !== 20 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84) {
    return Number.NaN;
  }
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(19) !== 90) return Number.NaN;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const sec = digits(text, 17, 2);
  // Date.UTC reads years 0-99 as 1900-1999: leave those to Date.parse.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) {
    return Number.NaN;
  }
  // INVARIANT: agrees with Date.parse on this form (which, like Date.UTC, rolls 02-31 into March).
  return (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1000;
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
 * 2012-10-17, where `${…}` is literal text; `allow` says the statement is an Allow (see `strict`).
 */
export function compileConditions(
  entries: readonly ConditionEntry[],
  variables: boolean,
  allow: boolean,
): CompiledCondition[] {
  const out: CompiledCondition[] = [];
  for (const entry of entries) {
    const op = parseOperator(entry.operator);
    if (op === undefined) throw new Error(`unvalidated condition operator ${entry.operator}`);
    for (const { key, values } of entry.keys) {
      // Conditions spelled alike share one compiled object, and so one memo per evaluation.
      const id = `${entry.operator}\u0000${variables ? 1 : 0}${allow && op.spec.negated ? 1 : 0}\u0000${key.toLowerCase()}\u0000${JSON.stringify(values.values)}`;
      out.push(
        interned.get(id, () => ({
          key: lowerKey(key),
          spec: op.spec,
          qualifier: op.qualifier,
          ifExists: op.ifExists,
          values: values.values.map((raw) => prepare(op.spec, raw, variables)),
          nullExpect: values.values.map((raw) => raw.toLowerCase() === 'true'),
          strict: allow && op.spec.negated,
          lastEpoch: 0,
          lastResult: false,
        })),
      );
    }
  }
  return out.sort((a, b) => cost(a) - cost(b));
}

// Single-entry memos: the same context value (aws:SourceIp, aws:CurrentTime, aws:MultiFactorAuthAge) is usually tested by
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

let lastNumberText: string | undefined;
let lastNumberValue = Number.NaN;

function parseNumberMemo(text: string): number {
  if (text !== lastNumberText) {
    lastNumberValue = parseNumber(text);
    lastNumberText = text;
  }
  return lastNumberValue;
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
function anyValueMatches(cond: CompiledCondition, actual: string, values: ContextLookup): boolean | undefined {
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
      const n = spec.family === 'numeric' ? parseNumberMemo(actual) : parseDateMemo(actual);
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
      const target = arnTarget(actual);
      if (!target.isArn) return false;
      for (const pv of cond.values) {
        if (pv.arn) {
          if (arnMatches(pv.arn, target)) return true;
        } else if (pv.template && pv.arns) {
          const pattern = resolveCompiled(pv.template, values, pv.arns, compileArnPattern);
          if (pattern !== undefined && arnMatches(pattern, target)) return true;
        }
      }
      return false;
    }
    default:
      return false;
  }
}

/** The operator applied to one context value, negation included. */
function valueHolds(cond: CompiledCondition, actual: string, values: ContextLookup): boolean {
  const matched = anyValueMatches(cond, actual, values);
  if (matched === undefined) return false;
  return cond.spec.negated ? !matched : matched;
}

/**
 * Evaluates one compiled condition against the request's context values.
 * INVARIANT: the result is memoized per evaluation epoch; callers advance it (nextEpoch) once per
 * request, as evaluate() does, or they would read another request's result.
 */
export function conditionHolds(cond: CompiledCondition, values: ContextLookup): boolean {
  const epoch = currentEpoch();
  if (cond.lastEpoch === epoch) return cond.lastResult;
  const holds = evaluateCondition(cond, values);
  cond.lastEpoch = epoch;
  cond.lastResult = holds;
  return holds;
}

function evaluateCondition(cond: CompiledCondition, values: ContextLookup): boolean {
  const actual = values.get(cond.key);
  if (cond.spec.family === 'null') {
    const absent = actual === undefined;
    for (const expectAbsent of cond.nullExpect) if (expectAbsent === absent) return true;
    return false;
  }
  // "Policy variables with no value": the value "is effectively null. There is no equal or like
  // value", so a negated operator would hold; but "If AWS cannot resolve a variable this might cause
  // the entire statement to be invalid" ("IAM policy elements: Variables and tags"). Of the two
  // readings basalt takes the one that grants less: in an Allow the negation does not hold, in a
  // Deny it does (docs/compatibility.md #5).
  if (cond.strict && unresolvedValue(cond, values)) return false;
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

/** True when a policy value of the condition holds a variable the request has no value for. */
function unresolvedValue(cond: CompiledCondition, values: ContextLookup): boolean {
  for (const pv of cond.values) if (pv.template !== undefined && hasUnresolved(pv.template, values)) return true;
  return false;
}

/** True when every condition holds (conditions are AND-ed). Memoized per epoch, as conditionHolds. */
export function conditionsHold(conds: readonly CompiledCondition[], values: ContextLookup): boolean {
  for (let i = 0; i < conds.length; i++) {
    if (!conditionHolds(conds[i] as CompiledCondition, values)) return false;
  }
  return true;
}
