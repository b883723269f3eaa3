// Data-driven policy-engine vectors: every test/vectors/*.json file holds cases of one topic, each a
// `basalt simulate` case and the decision the AWS IAM User Guide says it must get. The structure is
// checked strictly (unknown fields anywhere outside `case`, and unknown fields of `case` itself, fail
// the run with the file and case name), so a typo cannot silently turn a vector into a no-op.
//
// Run: node --import tsx --test test/vectors.test.ts
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CASE_FIELDS, simulateCase } from '../src/policy/index.ts';
import type { SimulateCase, SimulateError, SimulateResult } from '../src/policy/simulate-types.ts';

const DIR = new URL('./vectors/', import.meta.url);
/** INVARIANT: the suite never shrinks below this many vectors unnoticed. */
const MIN_TOTAL = 300;

const FILE_KEYS = new Set(['topic', 'cases']);
const VECTOR_KEYS = new Set(['name', 'doc', 'case', 'expect']);
const EXPECT_KEYS = new Set(['decision', 'decidedBy', 'matched', 'error']);
const ERROR_KEYS = new Set(['code', 'path', 'messageIncludes']);
const MATCHED_KEYS = new Set(['policyType', 'level', 'policyIndex', 'statementIndex', 'sid', 'effect']);
const CASE_KEYS = CASE_FIELDS;
const DECISIONS = new Set(['Allow', 'ExplicitDeny', 'ImplicitDeny']);
const POLICY_TYPES = new Set(['identity', 'resource', 'permissionsBoundary', 'session', 'scp', 'rcp']);
const EFFECTS = new Set(['Allow', 'Deny']);

type Json = Record<string, unknown>;

/** An expected matched statement: every field given must equal the engine's. */
interface ExpectedMatch {
  policyType?: string;
  level?: number;
  policyIndex?: number;
  statementIndex?: number;
  sid?: string;
  effect?: string;
}

interface Expectation {
  decision?: string;
  decidedBy?: string;
  matched?: ExpectedMatch[];
  error?: { code: string; path?: string; messageIncludes?: string };
}

interface Vector {
  name: string;
  doc?: string;
  case: SimulateCase;
  expect: Expectation;
}

interface VectorFile {
  file: string;
  topic: string;
  /** Raw case entries; each is validated on its own so one bad entry names itself. */
  entries: unknown[];
  /** Problems with the file as a whole (shape, top-level fields, duplicate names). */
  problems: string[];
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(o: Json, allowed: ReadonlySet<string>): string[] {
  return Object.keys(o).filter((k) => !allowed.has(k));
}

/** Returns the problems of one vector entry; an empty list means it is a well-formed Vector. */
function vectorProblems(entry: unknown): string[] {
  if (!isObject(entry)) return ['the case entry is not an object'];
  const problems: string[] = [];
  for (const k of unknownKeys(entry, VECTOR_KEYS)) problems.push(`unknown field "${k}" in the case entry`);
  if (typeof entry.name !== 'string' || entry.name === '') problems.push('"name" must be a non-empty string');
  if (entry.doc !== undefined && typeof entry.doc !== 'string') problems.push('"doc" must be a string');

  const c = entry.case;
  if (!isObject(c)) {
    problems.push('"case" must be an object');
  } else {
    for (const k of unknownKeys(c, CASE_KEYS)) problems.push(`unknown field "${k}" in case`);
    if (typeof c.action !== 'string') problems.push('case.action must be a string');
    if (typeof c.resource !== 'string') problems.push('case.resource must be a string');
  }

  const e = entry.expect;
  if (!isObject(e)) {
    problems.push('"expect" must be an object');
    return problems;
  }
  for (const k of unknownKeys(e, EXPECT_KEYS)) problems.push(`unknown field "${k}" in expect`);
  if (e.error !== undefined) {
    if (e.decision !== undefined || e.decidedBy !== undefined || e.matched !== undefined) {
      problems.push('expect.error excludes decision, decidedBy and matched');
    }
    if (!isObject(e.error)) {
      problems.push('expect.error must be an object');
    } else {
      for (const k of unknownKeys(e.error, ERROR_KEYS)) problems.push(`unknown field "${k}" in expect.error`);
      if (typeof e.error.code !== 'string') problems.push('expect.error.code must be a string');
      if (e.error.path !== undefined && typeof e.error.path !== 'string') {
        problems.push('expect.error.path must be a string');
      }
      if (e.error.messageIncludes !== undefined && typeof e.error.messageIncludes !== 'string') {
        problems.push('expect.error.messageIncludes must be a string');
      }
    }
    return problems;
  }
  if (typeof e.decision !== 'string' || !DECISIONS.has(e.decision)) {
    problems.push(`expect.decision must be one of ${[...DECISIONS].join(', ')}`);
  }
  if (e.decidedBy !== undefined && (typeof e.decidedBy !== 'string' || !POLICY_TYPES.has(e.decidedBy))) {
    problems.push(`expect.decidedBy must be one of ${[...POLICY_TYPES].join(', ')}`);
  }
  if (e.matched !== undefined) {
    if (!Array.isArray(e.matched)) {
      problems.push('expect.matched must be an array');
    } else {
      e.matched.forEach((m, i) => {
        if (!isObject(m)) {
          problems.push(`expect.matched[${i}] must be an object`);
          return;
        }
        for (const k of unknownKeys(m, MATCHED_KEYS)) problems.push(`unknown field "${k}" in expect.matched[${i}]`);
        if (m.policyType !== undefined && !POLICY_TYPES.has(String(m.policyType))) {
          problems.push(`expect.matched[${i}].policyType is not a policy type`);
        }
        if (m.effect !== undefined && !EFFECTS.has(String(m.effect))) {
          problems.push(`expect.matched[${i}].effect must be Allow or Deny`);
        }
        for (const k of ['level', 'policyIndex', 'statementIndex']) {
          if (m[k] !== undefined && !Number.isInteger(m[k]))
            problems.push(`expect.matched[${i}].${k} must be an integer`);
        }
        if (m.sid !== undefined && typeof m.sid !== 'string')
          problems.push(`expect.matched[${i}].sid must be a string`);
      });
    }
  }
  return problems;
}

function entryName(entry: unknown, index: number): string {
  return isObject(entry) && typeof entry.name === 'string' && entry.name !== '' ? entry.name : `case #${index}`;
}

function loadFile(file: string): VectorFile {
  const out: VectorFile = { file, topic: file, entries: [], problems: [] };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
  } catch (err) {
    out.problems.push(`${file}: not valid JSON: ${(err as Error).message}`);
    return out;
  }
  if (!isObject(data)) {
    out.problems.push(`${file}: the top level must be an object`);
    return out;
  }
  for (const k of unknownKeys(data, FILE_KEYS)) out.problems.push(`${file}: unknown top-level field "${k}"`);
  if (typeof data.topic === 'string' && data.topic !== '') out.topic = data.topic;
  else out.problems.push(`${file}: "topic" must be a non-empty string`);
  if (!Array.isArray(data.cases) || data.cases.length === 0) {
    out.problems.push(`${file}: "cases" must be a non-empty array`);
    return out;
  }
  out.entries = data.cases;
  const seen = new Set<string>();
  data.cases.forEach((entry: unknown, i: number) => {
    const name = entryName(entry, i);
    if (seen.has(name)) out.problems.push(`${file} > ${name}: duplicate case name`);
    seen.add(name);
  });
  return out;
}

function isError(r: SimulateResult | SimulateError): r is SimulateError {
  return 'error' in r;
}

function describe(r: SimulateResult | SimulateError): string {
  return isError(r)
    ? `error ${r.error.code}${r.error.path ? ` at ${r.error.path}` : ''}: ${r.error.message}`
    : `${r.decision} (decidedBy ${r.decidedBy}; matched ${JSON.stringify(r.matched)})`;
}

/** Runs one vector and asserts its expectation; every message names the file and the case. */
function check(file: string, v: Vector): void {
  const where = `${file} > ${v.name}`;
  const got = simulateCase(v.case);
  if (v.case.id !== undefined) assert.equal(got.id, v.case.id, `${where}: the case id is not echoed`);
  const e = v.expect;
  if (e.error) {
    assert.ok(isError(got), `${where}: expected error ${e.error.code}, got ${describe(got)}`);
    assert.equal(got.error.code, e.error.code, `${where}: wrong error code; got ${describe(got)}`);
    if (e.error.path !== undefined) assert.equal(got.error.path, e.error.path, `${where}: wrong error path`);
    if (e.error.messageIncludes !== undefined) {
      assert.ok(
        got.error.message.includes(e.error.messageIncludes),
        `${where}: error message ${JSON.stringify(got.error.message)} lacks ${JSON.stringify(e.error.messageIncludes)}`,
      );
    }
    return;
  }
  assert.ok(!isError(got), `${where}: expected ${e.decision}, got ${describe(got)}`);
  assert.equal(got.decision, e.decision, `${where}: expected ${e.decision}, got ${describe(got)}`);
  if (e.decidedBy !== undefined) {
    assert.equal(got.decidedBy, e.decidedBy, `${where}: expected decidedBy ${e.decidedBy}, got ${describe(got)}`);
  }
  for (const want of e.matched ?? []) {
    const found = got.matched.some((m) => Object.entries(want).every(([k, val]) => (m as unknown as Json)[k] === val));
    assert.ok(found, `${where}: no matched statement like ${JSON.stringify(want)}; got ${describe(got)}`);
  }
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map(loadFile);

test('vector files are well-formed', () => {
  assert.ok(files.length > 0, 'no vector files in test/vectors');
  const problems = files.flatMap((f) => [
    ...f.problems,
    ...f.entries.flatMap((entry, i) => vectorProblems(entry).map((p) => `${f.file} > ${entryName(entry, i)}: ${p}`)),
  ]);
  assert.deepEqual(problems, [], `malformed vectors:\n${problems.join('\n')}`);
});

test(`at least ${MIN_TOTAL} vectors`, () => {
  const total = files.reduce((n, f) => n + f.entries.length, 0);
  assert.ok(total >= MIN_TOTAL, `only ${total} vectors`);
});

for (const f of files) {
  test(`${f.file}: ${f.topic}`, async (t) => {
    for (const [i, entry] of f.entries.entries()) {
      const name = entryName(entry, i);
      await t.test(name, () => {
        const problems = vectorProblems(entry);
        assert.deepEqual(problems, [], `${f.file} > ${name}: malformed vector: ${problems.join('; ')}`);
        check(f.file, entry as Vector);
      });
    }
  });
}
