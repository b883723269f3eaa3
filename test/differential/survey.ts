/**
 * Survey of disagreements between basalt and iam-simulate, for classifying them (the differential
 * test stops at the first one). Generates cases, collects every disagreement, reduces a sample of
 * them to minimal cases and groups those by the features they use.
 *
 *   node --import tsx test/differential/survey.ts [cases=5000] [seed=1] [minimize=60]
 *
 * Prints one block per group: the pair of decisions, how many generated cases fell in it, and a
 * minimal `basalt simulate` line.
 */
import fc from 'fast-check';
import type { SimulateCase } from '../../src/policy/simulate-types.ts';
import { simulateCaseArb } from './arbitraries.ts';
import { arnAccount } from './catalog.ts';
import { caseLine, decide, minimizeDisagreement, type Outcome } from './compare.ts';

const [cases = 5000, seed = 1, toMinimize = 60] = process.argv.slice(2).map(Number);

/** The features of a (minimal) case that tell disagreements apart: operators, policy types, principal kind. */
function signature(c: SimulateCase, outcome: Outcome): string {
  const text = JSON.stringify(c);
  const operators = [
    ...new Set([...text.matchAll(/"((?:ForAnyValue:|ForAllValues:)?[A-Z][A-Za-z]+)":(?=\{)/g)].map((m) => m[1])),
  ]
    .filter((op) => op !== 'Statement' && op !== 'Condition' && op !== 'Principal')
    .sort();
  const principalAccount = arnAccount(c.principal ?? '');
  const resourceAccount = c.resourceAccount ?? (arnAccount(c.resource) || principalAccount);
  const parts = [
    `${outcome.basalt} vs ${outcome.iamSimulate}`,
    `action=${c.action}`,
    c.principal?.includes(':assumed-role/') ? 'session' : 'user',
    principalAccount === resourceAccount ? 'same-account' : 'cross-account',
    ...[
      'identityPolicies',
      'permissionsBoundary',
      'serviceControlPolicies',
      'resourceControlPolicies',
      'resourcePolicy',
    ].filter((k) => k in c && JSON.stringify((c as unknown as Record<string, unknown>)[k]) !== '[]'),
    ...operators,
    text.includes('${') ? 'variables' : '',
    text.includes('NotResource') ? 'NotResource' : '',
    text.includes('NotAction') ? 'NotAction' : '',
  ];
  return parts.filter(Boolean).join(' | ');
}

const samples = fc.sample(simulateCaseArb(), { numRuns: cases, seed });
const disagreements: Array<{ c: SimulateCase; outcome: Outcome }> = [];
for (const c of samples) {
  const outcome = await decide(c);
  if (outcome.basalt !== outcome.iamSimulate) disagreements.push({ c, outcome });
}
console.log(`${disagreements.length} of ${cases} cases disagree (seed ${seed})`);

// Minimize a sample spread over the coarse classes (pair of decisions), then group by signature.
const byPair = new Map<string, Array<{ c: SimulateCase; outcome: Outcome }>>();
for (const d of disagreements) {
  const key = `${d.outcome.basalt} vs ${d.outcome.iamSimulate}`;
  byPair.set(key, [...(byPair.get(key) ?? []), d]);
}
const picked: Array<{ c: SimulateCase; outcome: Outcome }> = [];
for (let i = 0; picked.length < Math.min(toMinimize, disagreements.length); i++) {
  for (const list of byPair.values()) {
    const d = list[i];
    if (d && picked.length < toMinimize) picked.push(d);
  }
}
const groups = new Map<string, { count: number; example: SimulateCase }>();
for (const d of picked) {
  const minimal = await minimizeDisagreement(d.c, 1500);
  const sig = signature(minimal, d.outcome);
  const group = groups.get(sig);
  if (group) {
    group.count += 1;
    if (JSON.stringify(minimal).length < JSON.stringify(group.example).length) group.example = minimal;
  } else {
    groups.set(sig, { count: 1, example: minimal });
  }
}
for (const [pair, list] of byPair) console.log(`  ${pair}: ${list.length}`);
console.log();
for (const [sig, { count, example }] of [...groups].sort((a, b) => b[1].count - a[1].count)) {
  console.log(`[${count}] ${sig}\n${caseLine(example)}\n`);
}
