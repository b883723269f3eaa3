/**
 * Cross-checking engines: every engine decided a prefix of the same request stream, so decisions can
 * be compared index by index over the shorter prefix. Disagreements are reported, not hidden.
 */

import type { Measurement } from './measure.ts';
import { type ContextInput, DECISIONS, type Decision, type Scenario } from './types.ts';

/** One request on which two engines differ. */
export interface Disagreement {
  index: number;
  principal: string;
  action: string;
  resource: string;
  context: ContextInput;
  reference: Decision;
  peer: Decision;
}

/** How one peer's decisions compare with the reference engine's. */
export interface Agreement {
  peer: string;
  compared: number;
  agreed: number;
  rate: number;
  /** Counts of each `reference->peer` pair of differing decisions. */
  differences: Record<string, number>;
  examples: Disagreement[];
}

function example(scenario: Scenario, index: number, reference: Decision, peer: Decision): Disagreement {
  const spec = scenario.request(index);
  const principal = scenario.principals[spec.principal]?.arn ?? '';
  return { index, principal, action: spec.action, resource: spec.resource, context: spec.context, reference, peer };
}

/** Compares a peer with the reference over the requests both decided. */
export function compare(
  scenario: Scenario,
  reference: Measurement,
  peerName: string,
  peer: Measurement,
  maxExamples = 5,
): Agreement {
  const compared = Math.min(reference.requests, peer.requests);
  let agreed = 0;
  const differences: Record<string, number> = {};
  const examples: Disagreement[] = [];
  for (let i = 0; i < compared; i++) {
    const r = reference.decisions[i] as number;
    const p = peer.decisions[i] as number;
    if (r === p) {
      agreed++;
      continue;
    }
    const a = DECISIONS[r] as Decision;
    const b = DECISIONS[p] as Decision;
    differences[`${a}->${b}`] = (differences[`${a}->${b}`] ?? 0) + 1;
    if (examples.length < maxExamples) examples.push(example(scenario, i, a, b));
  }
  return {
    peer: peerName,
    compared,
    agreed,
    rate: compared === 0 ? Number.NaN : agreed / compared,
    differences,
    examples,
  };
}

/** How many of the requests that every engine decided got the same decision from all of them. */
export function compareAll(measurements: readonly Measurement[]): { compared: number; agreed: number; rate: number } {
  const compared = Math.min(...measurements.map((m) => m.requests));
  let agreed = 0;
  for (let i = 0; i < compared; i++) {
    const first = measurements[0]?.decisions[i];
    if (measurements.every((m) => m.decisions[i] === first)) agreed++;
  }
  return { compared, agreed, rate: compared === 0 ? Number.NaN : agreed / compared };
}
