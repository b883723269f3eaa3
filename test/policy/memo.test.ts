// Compiled conditions and resource patterns are shared between policies and memoized per evaluation
// (src/policy/epoch.ts). No result may leak from one request into another: every vector case must
// decide the same whatever was evaluated before it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { evaluate, prepareCase, simulateCase } from '../../src/policy/index.ts';

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

test('the fast path decides exactly as the collecting path, on every vector and on generated cases', async () => {
  const { simulateCaseArb } = await import('../differential/arbitraries.ts');
  const fc = (await import('fast-check')).default;
  const check = (c: unknown) => {
    const prepared = prepareCase(c);
    if ('error' in prepared) return;
    const full = evaluate(prepared.req, prepared.set, true);
    const fast = evaluate(prepared.req, prepared.set, false);
    assert.deepEqual([fast.decision, fast.decidedBy], [full.decision, full.decidedBy], JSON.stringify(c));
  };
  for (const c of cases) check(c);
  fc.assert(
    fc.property(simulateCaseArb(), (c) => check(c)),
    { numRuns: 3000 },
  );
});
