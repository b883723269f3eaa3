/**
 * A preload (`--import`) that records the garbage collector's pauses in the process it is loaded
 * into (PerformanceObserver `gc` entries) and writes them, from the start, to `$BENCH_GC_STATS` every
 * 200 ms while they change: the benchmark reads the file before and after a run and takes the
 * pauses in between. A young-generation pause (scavenge) stops every request in flight, so its
 * length bounds the tail latency a server can show at moderate load.
 */

import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';

/** What the file holds: every pause so far, in ms, young-generation (minor) and the others. */
export interface GcPauses {
  minor: number[];
  other: number[];
}

const out = process.env.BENCH_GC_STATS;
if (out !== undefined && out !== '') {
  const pauses: GcPauses = { minor: [], other: [] };
  let written = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      (kind === constants.NODE_PERFORMANCE_GC_MINOR ? pauses.minor : pauses.other).push(entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const write = (): void => {
    const count = pauses.minor.length + pauses.other.length;
    if (count === written) return;
    written = count;
    writeFileSync(out, JSON.stringify(pauses));
  };
  setInterval(write, 200).unref();
  process.on('exit', write);
}
