/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and sums the self time of each function (by name,
 * file and line) and of each file, so a benchmark can say where a server spent its time without
 * opening a profiler UI. Idle time, the garbage collector and "(program)" are kept as V8 names them.
 */

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function or file and its self time. */
export interface SelfTime {
  name: string;
  ms: number;
  /** Share of the busy time (everything but "(idle)"). */
  share: number;
}

/** The self times of a profile, largest first: per function and per file. */
export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  files: SelfTime[];
  /**
   * basalt's own functions (under src/) by total time, callees included: what each step of the
   * request path costs (each function counted once per sample, however deep its recursion).
   */
  sourceTotals: SelfTime[];
}

/** A file URL shortened to what tells it apart: the part from `src/` or `node_modules/`. */
function shortFile(url: string): string {
  if (url === '') return '';
  const at = Math.max(url.lastIndexOf('/src/'), url.lastIndexOf('/node_modules/'));
  return at >= 0 ? url.slice(at + 1) : url.replace(/^file:\/\//, '');
}

/** Sums the self time of every function and file in the profile at `path`. */
export function summarizeProfile(path: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const functions = new Map<string, number>();
  const totals = new Map<string, number>();
  const files = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; it is charged to the sample, as DevTools does.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    const file = shortFile(frame.url);
    // tsx's output keeps no line numbers worth showing (every function reports line 1).
    const line = frame.lineNumber > 0 ? `:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${file === '' ? '' : ` ${file}${line}`}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const fileKey = file === '' ? frame.functionName : file;
    files.set(fileKey, (files.get(fileKey) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      const short = f === undefined ? '' : shortFile(f.url);
      if (f === undefined || !short.startsWith('src/')) continue;
      seen.add(`${f.functionName || '(anonymous)'} ${short}`);
    }
    for (const name of seen) totals.set(name, (totals.get(name) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>): SelfTime[] =>
    [...m.entries()].map(([name, ms]) => ({ name, ms, share: ms / busyMs })).sort((a, b) => b.ms - a.ms);
  return { busyMs, idleMs, functions: sorted(functions), files: sorted(files), sourceTotals: sorted(totals) };
}
