/**
 * Policy decisions per second, side by side in one run and on one core: basalt against
 * @cedar-policy/cedar-wasm and @cloud-copilot/iam-simulate on the same generated scenarios, with the
 * engines' decisions cross-checked; and basalt's compile time for a policy at the 6,144-character
 * managed policy limit. Prints tables and writes bench/results/policy.json.
 *
 * Run from the repository root: `node --import tsx bench/policy.ts` (`--quick` for a short smoke run).
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { getCedarSDKVersion } from '@cedar-policy/cedar-wasm/nodejs';
import { type Agreement, compare, compareAll } from './lib/agreement.ts';
import { type BasaltPrincipal, basaltDecider, prepareBasalt } from './lib/basalt.ts';
import { type Breakdown, measureBreakdown } from './lib/breakdown.ts';
import { type CedarPrepared, cedarCall, cedarDecide, cedarEvaluationErrors, prepareCedar } from './lib/cedar.ts';
import { type CompileFigures, measureCompile } from './lib/compile-time.ts';
import { prepareIamSimulate, simulateSafe, simulateUnsafe, simulation } from './lib/iam-simulate.ts';
import { type Measurement, measureAsync, measureSync, type RunOptions, timed } from './lib/measure.ts';
import { count, percent, ratio, table } from './lib/report.ts';
import { scenarioA, scenarioB } from './lib/scenarios.ts';
import type { Decision, Scenario } from './lib/types.ts';

// Node 20's V8 (11.3) can hit a fatal "unreachable code" in the deoptimizer when TurboFan has inlined
// JS-to-Wasm calls (seen here in cedar-wasm's glue after the basalt runs). Turning that inlining off
// avoids the crash; it only concerns calls into Wasm, so basalt and iam-simulate are unaffected.
v8.setFlagsFromString('--no-turbo-inline-js-wasm-calls');

const QUICK = process.argv.includes('--quick');
const SCALE = QUICK ? 0.1 : 1;

const RUNS = {
  basalt: { seconds: 3 * SCALE, maxRequests: Number.POSITIVE_INFINITY, batch: 1_024, warmup: 500_000 * SCALE },
  cedar: { seconds: 2 * SCALE, maxRequests: Number.POSITIVE_INFINITY, batch: 512, warmup: 2_000 * SCALE },
  iamSimulateUnsafe: { seconds: 3 * SCALE, maxRequests: 20_000, batch: 64, warmup: 200 * SCALE },
  iamSimulate: { seconds: 3 * SCALE, maxRequests: 3_000, batch: 16, warmup: 20 },
} satisfies Record<string, RunOptions>;

/** One engine's row in the results. */
interface EngineResult {
  key: string;
  label: string;
  requests: number;
  seconds: number;
  decisionsPerSecond: number;
  /** Half the p10–p90 range of the per-window rates, relative to their median. */
  spread: number;
  windows: number[];
  /** basalt's fast path (collect=false) decisions/s divided by this engine's. */
  basaltRatio: number;
  counts: Record<Decision, number>;
}

/** Everything measured on one scenario. */
interface ScenarioResult {
  id: string;
  title: string;
  principals: number;
  policies: number;
  cedarPolicies: number;
  setupMs: { basaltCompile: number; cedarTranslateAndPreparse: number };
  engines: EngineResult[];
  basaltBreakdown: Breakdown;
  agreement: Agreement[];
  allEnginesAgree: { compared: number; agreed: number; rate: number };
  cedarEvaluationErrors: number;
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A scenario prepared for every engine: compiled, translated, preparsed. */
interface Prepared {
  basalt: BasaltPrincipal[];
  cedar: CedarPrepared;
  iamSimulate: ReturnType<typeof prepareIamSimulate>;
}

/** One engine run: a key for the JSON, a label for the table, and how to measure it. */
interface EngineRun {
  key: string;
  label: string;
  measure(s: Scenario, p: Prepared): Measurement | Promise<Measurement>;
}

/** The runs, basalt's fast path first: it is the reference for ratios and agreement. */
const ENGINE_RUNS: EngineRun[] = [
  {
    key: 'basalt',
    label: 'basalt evaluate(collect=false)',
    measure: (s, p) => measureSync(s, (spec) => spec, basaltDecider(p.basalt, false), RUNS.basalt),
  },
  {
    key: 'basaltCollect',
    label: 'basalt evaluate(collect=true)',
    measure: (s, p) => measureSync(s, (spec) => spec, basaltDecider(p.basalt, true), RUNS.basalt),
  },
  {
    key: 'cedar',
    label: 'cedar-wasm statefulIsAuthorized',
    measure: (s, p) => measureSync(s, (spec) => cedarCall(p.cedar, s, spec), cedarDecide, RUNS.cedar),
  },
  {
    key: 'iamSimulateUnsafe',
    label: 'iam-simulate runUnsafeSimulation',
    measure: (s, p) =>
      measureSync(s, (spec) => simulation(p.iamSimulate, s, spec), simulateUnsafe, RUNS.iamSimulateUnsafe),
  },
  {
    key: 'iamSimulate',
    label: 'iam-simulate runSimulation',
    measure: (s, p) => measureAsync(s, (spec) => simulation(p.iamSimulate, s, spec), simulateSafe, RUNS.iamSimulate),
  },
];

/** Runs every engine on the scenario and cross-checks their decisions against basalt's. */
async function runScenario(s: Scenario): Promise<ScenarioResult> {
  progress(`scenario ${s.id}: ${s.title}`);
  const basalt = timed(() => prepareBasalt(s));
  const cedar = timed(() => prepareCedar(s));
  const prepared: Prepared = { basalt: basalt.value, cedar: cedar.value, iamSimulate: prepareIamSimulate(s) };
  const errorsBefore = cedarEvaluationErrors.count;
  const measured: Measurement[] = [];
  for (const run of ENGINE_RUNS) {
    const m = await run.measure(s, prepared);
    measured.push(m);
    progress(`  ${run.label}: ${count(m.perSecond)} decisions/s (${count(m.requests)} requests)`);
  }
  const breakdown = measureBreakdown(s, basalt.value, SCALE);
  const reference = measured[0] as Measurement;
  return {
    id: s.id,
    title: s.title,
    principals: s.principals.length,
    policies: s.policyCount,
    cedarPolicies: cedar.value.policyCount,
    setupMs: { basaltCompile: basalt.ms, cedarTranslateAndPreparse: cedar.ms },
    engines: ENGINE_RUNS.map((run, i) => engineResult(run, measured[i] as Measurement, reference)),
    basaltBreakdown: breakdown,
    agreement: ENGINE_RUNS.slice(1).map((run, i) => compare(s, reference, run.label, measured[i + 1] as Measurement)),
    allEnginesAgree: compareAll(measured),
    cedarEvaluationErrors: cedarEvaluationErrors.count - errorsBefore,
  };
}

function engineResult(run: EngineRun, m: Measurement, reference: Measurement): EngineResult {
  return {
    key: run.key,
    label: run.label,
    requests: m.requests,
    seconds: m.seconds,
    decisionsPerSecond: m.perSecond,
    spread: m.spread,
    windows: m.windows.map(Math.round),
    basaltRatio: reference.perSecond / m.perSecond,
    counts: m.counts,
  };
}

function scenarioReport(r: ScenarioResult): string {
  const rows = r.engines.map((e) => [
    e.label,
    count(e.requests),
    e.seconds.toFixed(2),
    count(e.decisionsPerSecond),
    Number.isFinite(e.spread) ? `±${(e.spread * 100).toFixed(0)}%` : '-',
    e.key.startsWith('basalt') ? '-' : ratio(e.basaltRatio),
    count(e.counts.Allow),
    count(e.counts.ExplicitDeny),
    count(e.counts.ImplicitDeny),
    count(e.counts.Error),
  ]);
  const head = [
    'engine',
    'requests',
    'seconds',
    'decisions/s',
    'spread',
    'basalt ÷ peer',
    'Allow',
    'ExplicitDeny',
    'ImplicitDeny',
    'Error',
  ];
  const lines = [
    `Scenario ${r.id}: ${r.title}`,
    `  ${r.principals} principal(s), ${r.policies} distinct policies (${r.cedarPolicies} Cedar policies); ` +
      `setup: basalt compile ${r.setupMs.basaltCompile.toFixed(1)} ms, cedar translate+preparse ${r.setupMs.cedarTranslateAndPreparse.toFixed(1)} ms`,
    '',
    table(head, rows, [false, true, true, true, true, true, true, true, true, true]),
    '',
    breakdownReport(r.basaltBreakdown),
    '',
    'Agreement with basalt evaluate(collect=false), on the requests both decided:',
  ];
  for (const a of r.agreement) {
    const diffs = Object.entries(a.differences)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(
      `  ${a.peer.padEnd(34)} ${percent(a.rate).padStart(8)} of ${count(a.compared)}${diffs ? `  (basalt->peer: ${diffs})` : ''}`,
    );
  }
  const all = r.allEnginesAgree;
  lines.push(`  all five runs agree on ${percent(all.rate)} of the ${count(all.compared)} requests they all decided`);
  if (r.cedarEvaluationErrors > 0)
    lines.push(`  cedar reported evaluation errors on ${r.cedarEvaluationErrors} requests`);
  for (const a of r.agreement) {
    for (const x of a.examples.slice(0, 3)) {
      lines.push(
        `  e.g. #${x.index} ${a.peer}: ${x.action} ${x.resource} by ${x.principal}: basalt ${x.reference}, peer ${x.peer}`,
      );
    }
  }
  return lines.join('\n');
}

function breakdownReport(b: Breakdown): string {
  const us = (x: number) => `${x.toFixed(2)} µs`;
  return (
    `basalt per request, steps timed separately: describePrincipal ${us(b.describePrincipalUs)} + ` +
    `requestFor (context + makeRequest) ${us(b.makeRequestUs)} + evaluate ${us(b.evaluateUs)} (collect=true: ${us(b.evaluateCollectUs)})`
  );
}

function compileReport(c: CompileFigures): string {
  return [
    `Compile: basalt compilePolicy on a ${count(c.characters)}-character policy (${c.statements} statements), ${count(c.runs)} runs:`,
    `  median ${c.medianUs.toFixed(1)} µs, p99 ${c.p99Us.toFixed(1)} µs, max ${c.maxUs.toFixed(1)} µs, mean ${c.meanUs.toFixed(1)} µs`,
  ].join('\n');
}

function packageVersion(name: string): string {
  const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

function environment() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    quick: QUICK,
    peers: {
      '@cedar-policy/cedar-wasm': getCedarSDKVersion(),
      '@cloud-copilot/iam-simulate': packageVersion('@cloud-copilot/iam-simulate'),
    },
  };
}

async function main(): Promise<void> {
  const env = environment();
  // Compile time first, on a small heap, before the peers load their data.
  progress('compile time');
  const compile = measureCompile(QUICK ? 500 : 5000, QUICK ? 50 : 500);
  const scenarios: ScenarioResult[] = [];
  for (const make of [scenarioA, scenarioB]) scenarios.push(await runScenario(make()));

  console.log(
    `basalt policy benchmark — ${env.date}, Node ${env.node}, ${env.cpu}, one core${QUICK ? ' (quick run)' : ''}`,
  );
  console.log('Every request is unique (resource and context vary), so no decision repeats.\n');
  for (const r of scenarios) console.log(`${scenarioReport(r)}\n`);
  console.log(compileReport(compile));

  const out = new URL('./results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL('policy.json', out), `${JSON.stringify({ ...env, scenarios, compile }, null, 2)}\n`);
  progress('wrote bench/results/policy.json');
}

await main();
