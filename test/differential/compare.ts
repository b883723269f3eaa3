/**
 * Runs one case through both engines. Shared by the differential test and the survey script.
 */
import { simulateCase } from '../../src/policy/index.ts';
import type { SimulateCase } from '../../src/policy/simulate-types.ts';
import { type Decision, iamSimulateDecision } from './iam-simulate-adapter.ts';
import { type Json, minimizeJson } from './minimize.ts';

/** Both engines' answers for one case. */
export interface Outcome {
  /** basalt's decision, or `error:<code>` when basalt refused the case. */
  basalt: string;
  /** iam-simulate's decision, or undefined when it refused the case. */
  iamSimulate: Decision | undefined;
}

/** basalt's decision for a case, or `error:<code>` when basalt refused it. */
export function basaltDecision(c: SimulateCase): string {
  const result = simulateCase(c);
  return 'error' in result ? `error:${result.error.code}` : result.decision;
}

/** Both decisions for a case; never throws. */
export async function decide(c: SimulateCase): Promise<Outcome> {
  let iamSimulate: Decision | undefined;
  try {
    iamSimulate = await iamSimulateDecision(c);
  } catch {
    iamSimulate = undefined;
  }
  let basalt: string;
  try {
    basalt = basaltDecision(c);
  } catch (e) {
    basalt = `threw:${(e as Error).message}`;
  }
  return { basalt, iamSimulate };
}

/** Reduce a disagreeing case to a minimal one that shows the same pair of decisions. */
export async function minimizeDisagreement(c: SimulateCase, maxChecks?: number): Promise<SimulateCase> {
  const original = await decide(c);
  const minimal = await minimizeJson(
    c as unknown as Json,
    async (candidate) => {
      const d = await decide(candidate as unknown as SimulateCase);
      return d.iamSimulate !== undefined && d.basalt === original.basalt && d.iamSimulate === original.iamSimulate;
    },
    maxChecks,
  );
  return minimal as unknown as SimulateCase;
}

/** One `basalt simulate` input line for a case. */
export function caseLine(c: SimulateCase, id: string | number = 'diff'): string {
  return JSON.stringify({ id, ...c });
}
