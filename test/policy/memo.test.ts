// Compiled conditions and resource patterns are shared between policies and memoized per evaluation
// (src/policy/epoch.ts). No result may leak from one request into another: every vector case must
// decide the same whatever was evaluated before it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { simulateCase } from '../../src/policy/index.ts';

const dir = new URL('../vectors/', import.meta.url);
const cases: unknown[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => (JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { cases: { case: unknown }[] }).cases)
  .map((c) => c.case);

test('decisions do not depend on what was evaluated before', () => {
  assert.ok(cases.length >= 300);
  const forward = cases.map((c) => JSON.stringify(simulateCase(c)));
  const backward = [...cases].reverse().map((c) => JSON.stringify(simulateCase(c)));
  backward.reverse();
  assert.deepEqual(backward, forward);
  // Interleaved with a fixed other case between every two.
  const other = cases[0];
  const interleaved = cases.map((c) => {
    simulateCase(other);
    return JSON.stringify(simulateCase(c));
  });
  assert.deepEqual(interleaved, forward);
});
