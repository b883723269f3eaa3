/**
 * Differential test: basalt's simulator against @cloud-copilot/iam-simulate on generated cases.
 *
 * Run from the repository root:
 *   node --import tsx --test test/differential/differential.test.ts
 * Environment:
 *   DIFF_CASES  number of generated cases (default 10000)
 *   DIFF_SEED   fast-check seed, to replay a reported failure
 *   DIFF_PATH   fast-check path (printed with the seed), to replay exactly the failing case
 *
 * Any disagreement fails the test. The report gives fast-check's seed and path, the case reduced
 * to a minimal one that still shows the same disagreement, as one `basalt simulate` JSON line, and
 * both decisions. Documented, deliberate differences are listed in docs/compatibility.md; the generator avoids them.
 * To list every kind of disagreement at once, run test/differential/survey.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { simulateCase } from '../../src/policy/index.ts';
import { simulateCaseArb } from './arbitraries.ts';
import { basaltDecision, caseLine, decide, minimizeDisagreement } from './compare.ts';
import { type Decision, iamSimulateDecision } from './iam-simulate-adapter.ts';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

const numRuns = envInt('DIFF_CASES', 10_000);
const seed = process.env.DIFF_SEED ? envInt('DIFF_SEED', 0) : undefined;
const path = process.env.DIFF_PATH || undefined;

test(`basalt agrees with iam-simulate on ${numRuns} generated cases`, async (t) => {
  const histogram: Record<Decision, number> = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
  let failed = false;
  const started = performance.now();
  const details = await fc.check(
    fc.asyncProperty(simulateCaseArb(), async (c) => {
      // iam-simulate refusing a generated case is a generator bug: let it throw.
      const expected = await iamSimulateDecision(c);
      const actual = basaltDecision(c);
      // Count only the generated cases, not the re-runs while fast-check shrinks a failure.
      if (!failed) histogram[expected] += 1;
      if (actual !== expected) failed = true;
      return actual === expected;
    }),
    { numRuns, seed, path, endOnFailure: path !== undefined },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  t.diagnostic(`iam-simulate decisions over ${details.numRuns} cases: ${JSON.stringify(histogram)}, ${seconds} s`);
  if (!details.failed) return;

  const report = fc.defaultReportMessage(details) ?? 'property failed';
  const counterexample = details.counterexample?.[0];
  if (counterexample === undefined) assert.fail(report);
  const minimal = await minimizeDisagreement(counterexample);
  const outcome = await decide(minimal);
  assert.fail(
    `basalt and iam-simulate disagree.\n${report}\n\n` +
      `Minimal case (one \`basalt simulate\` line):\n${caseLine(minimal)}\n` +
      `basalt: ${outcome.basalt}   iam-simulate: ${outcome.iamSimulate}\n` +
      `basalt result: ${JSON.stringify(simulateCase(minimal))}`,
  );
});
