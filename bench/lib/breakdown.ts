/**
 * Where basalt's per-request time goes: describePrincipal (cached per principal by the authorizer,
 * timed here for information), building the request (requestFor) and evaluate timed
 * separately on the same unique requests (each step's inputs built untimed by the step before).
 */

import { describePrincipal, evaluate, type RequestContext, type RequestPrincipal } from '../../src/policy/index.ts';
import { type BasaltPrincipal, requestFor } from './basalt.ts';
import type { RequestSpec, Scenario } from './types.ts';

/** Mean microseconds per request of each step. */
export interface Breakdown {
  requests: number;
  describePrincipalUs: number;
  makeRequestUs: number;
  evaluateUs: number;
  evaluateCollectUs: number;
}

const BATCH = 1024;
const START = 2 ** 29;

function time(fn: () => void): bigint {
  const t0 = process.hrtime.bigint();
  fn();
  return process.hrtime.bigint() - t0;
}

/** Times each step on batches of fresh requests until `seconds` of timed work have passed. */
export function measureBreakdown(scenario: Scenario, principals: BasaltPrincipal[], seconds: number): Breakdown {
  const ns: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
  let n = 0;
  let sink = 0;
  const budget = BigInt(Math.round(seconds * 1e9));
  while (ns[0] + ns[1] + ns[2] + ns[3] < budget) {
    const specs: RequestSpec[] = [];
    for (let j = 0; j < BATCH; j++) specs.push(scenario.request(START + n + j));
    const sets = specs.map((x) => principals[x.principal] as BasaltPrincipal);
    const who: RequestPrincipal[] = new Array(BATCH);
    const reqs: RequestContext[] = new Array(BATCH);
    ns[0] += time(() => {
      for (let j = 0; j < BATCH; j++) who[j] = describePrincipal((sets[j] as BasaltPrincipal).principal.arn);
    });
    ns[1] += time(() => {
      for (let j = 0; j < BATCH; j++) reqs[j] = requestFor(sets[j] as BasaltPrincipal, specs[j] as RequestSpec);
    });
    ns[2] += time(() => {
      for (let j = 0; j < BATCH; j++)
        sink += evaluate(reqs[j] as RequestContext, (sets[j] as BasaltPrincipal).set, false).matched.length;
    });
    ns[3] += time(() => {
      for (let j = 0; j < BATCH; j++)
        sink += evaluate(reqs[j] as RequestContext, (sets[j] as BasaltPrincipal).set, true).matched.length;
    });
    n += BATCH;
  }
  const us = (x: bigint) => Number(x) / 1000 / n;
  if (sink < 0) throw new Error('unreachable');
  return {
    requests: n,
    describePrincipalUs: us(ns[0]),
    makeRequestUs: us(ns[1]),
    evaluateUs: us(ns[2]),
    evaluateCollectUs: us(ns[3]),
  };
}
