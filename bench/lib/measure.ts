/**
 * Timing: each engine decides a scenario's request stream from index 0 on, in batches. A batch's
 * inputs are built untimed (in the engine's own input format), then decided under
 * process.hrtime.bigint(); batches continue until the time budget or the request cap is reached.
 * A warm-up on a separate stretch of the stream (indices from 2^30) runs first, untimed, so the
 * timed requests are still ones the engine has never seen. Single-threaded throughout.
 */

import { DECISIONS, type Decision, type RequestSpec, type Scenario } from './types.ts';

/** How long and how much to run one engine. */
export interface RunOptions {
  seconds: number;
  maxRequests: number;
  batch: number;
  warmup: number;
}

/** One engine's figures on one scenario. */
export interface Measurement {
  requests: number;
  seconds: number;
  perSecond: number;
  counts: Record<Decision, number>;
  /** Decisions/s in each of about eight consecutive windows of the run, to show how steady it was. */
  windows: number[];
  /** Half the p10–p90 range of the window rates, relative to their median. */
  spread: number;
  /** Decision codes (index in DECISIONS) of requests 0…requests-1. */
  decisions: Uint8Array;
}

const CODE: Record<Decision, number> = { Allow: 0, ExplicitDeny: 1, ImplicitDeny: 2, Error: 3 };
const WARMUP_BASE = 2 ** 30;

function inputs<T>(scenario: Scenario, prepare: (spec: RequestSpec) => T, start: number, n: number): T[] {
  const out = new Array<T>(n);
  for (let j = 0; j < n; j++) out[j] = prepare(scenario.request(start + j));
  return out;
}

/** Collects batch results into a growing decision log and counts. */
class Log {
  decisions = new Uint8Array(1 << 12);
  requests = 0;
  elapsed = 0n;
  readonly windows: number[] = [];
  private windowStart = { requests: 0, elapsed: 0n };

  constructor(private readonly windowNs: bigint) {}

  add(batch: Uint8Array, n: number, ns: bigint): void {
    while (this.requests + n > this.decisions.length) {
      const grown = new Uint8Array(this.decisions.length * 2);
      grown.set(this.decisions);
      this.decisions = grown;
    }
    this.decisions.set(batch.subarray(0, n), this.requests);
    this.requests += n;
    this.elapsed += ns;
    const windowNs = this.elapsed - this.windowStart.elapsed;
    if (windowNs >= this.windowNs) {
      this.windows.push(((this.requests - this.windowStart.requests) * 1e9) / Number(windowNs));
      this.windowStart = { requests: this.requests, elapsed: this.elapsed };
    }
  }

  result(): Measurement {
    const counts = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0, Error: 0 };
    const decisions = this.decisions.slice(0, this.requests);
    for (const code of decisions) counts[DECISIONS[code] as Decision]++;
    const seconds = Number(this.elapsed) / 1e9;
    const sorted = [...this.windows].sort((a, b) => a - b);
    const spread = (quantile(sorted, 0.9) - quantile(sorted, 0.1)) / 2 / quantile(sorted, 0.5);
    return {
      requests: this.requests,
      seconds,
      perSecond: this.requests / seconds,
      counts,
      windows: this.windows,
      spread,
      decisions,
    };
  }

  done(opts: RunOptions): boolean {
    return this.elapsed >= BigInt(Math.round(opts.seconds * 1e9)) || this.requests >= opts.maxRequests;
  }
}

/** Measures a synchronous engine. */
export function measureSync<T>(
  scenario: Scenario,
  prepare: (spec: RequestSpec) => T,
  decide: (input: T) => Decision,
  opts: RunOptions,
): Measurement {
  for (let i = 0; i < opts.warmup; i += opts.batch) {
    for (const input of inputs(scenario, prepare, WARMUP_BASE + i, Math.min(opts.batch, opts.warmup - i)))
      decide(input);
  }
  const log = new Log(BigInt(Math.round((opts.seconds * 1e9) / 8)));
  const out = new Uint8Array(opts.batch);
  while (!log.done(opts)) {
    const n = Math.min(opts.batch, opts.maxRequests - log.requests);
    const batch = inputs(scenario, prepare, log.requests, n);
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < n; j++) out[j] = CODE[decide(batch[j] as T)];
    log.add(out, n, process.hrtime.bigint() - t0);
  }
  return log.result();
}

/** Measures an asynchronous engine (awaited one request at a time). */
export async function measureAsync<T>(
  scenario: Scenario,
  prepare: (spec: RequestSpec) => T,
  decide: (input: T) => Promise<Decision>,
  opts: RunOptions,
): Promise<Measurement> {
  for (const input of inputs(scenario, prepare, WARMUP_BASE, opts.warmup)) await decide(input);
  const log = new Log(BigInt(Math.round((opts.seconds * 1e9) / 8)));
  const out = new Uint8Array(opts.batch);
  while (!log.done(opts)) {
    const n = Math.min(opts.batch, opts.maxRequests - log.requests);
    const batch = inputs(scenario, prepare, log.requests, n);
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < n; j++) out[j] = CODE[await decide(batch[j] as T)];
    log.add(out, n, process.hrtime.bigint() - t0);
  }
  return log.result();
}

/** Wall-clock milliseconds a synchronous setup step takes, with its result. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** The q-quantile (0…1) of sorted numbers. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}
