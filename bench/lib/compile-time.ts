/**
 * Compile time of one policy at the IAM managed policy size limit (6,144 characters): basalt's
 * compilePolicy from JSON text (parse, validate, compile), timed run by run.
 */

import { compilePolicy, PolicyError } from '../../src/policy/index.ts';
import { quantile } from './measure.ts';
import { largePolicy } from './scenarios.ts';

/** Compile-time figures, in microseconds. */
export interface CompileFigures {
  characters: number;
  statements: number;
  runs: number;
  medianUs: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
}

/** Compiles the large policy `warmup` times untimed, then `runs` times, each timed on its own. */
export function measureCompile(runs = 5000, warmup = 500): CompileFigures {
  const doc = largePolicy();
  const text = JSON.stringify(doc);
  const first = compilePolicy(text, 'identity');
  if (first instanceof PolicyError)
    throw new Error(`basalt rejected the large policy: ${JSON.stringify(first.findings)}`);
  for (let i = 0; i < warmup; i++) compilePolicy(text, 'identity');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    compilePolicy(text, 'identity');
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    characters: text.length,
    statements: doc.Statement.length,
    runs,
    medianUs: quantile(sorted, 0.5),
    p99Us: quantile(sorted, 0.99),
    maxUs: sorted[sorted.length - 1] as number,
    meanUs: times.reduce((a, b) => a + b, 0) / times.length,
  };
}
