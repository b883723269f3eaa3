/**
 * basalt's own cost per request, in process and without the network: the Bedrock Converse call of
 * bench/gateway.ts (SigV4, the caller's policies, the Converse codec, the built-in echo model)
 * driven straight through the restJson1 endpoint, one request at a time, on a real SQLite store.
 * What bench/gateway.ts measures on top of this is Node's HTTP server, the upstream call and the
 * kernel. Steadier than a network benchmark on a shared machine, so it is the one to compare
 * changes to the request path with.
 *
 *   npm run bench:hot-path [-- --seconds 5 --rounds 3 --caller root --profile FILE]
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import os from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pino } from 'pino';
import { readConfig } from '../src/server/config.ts';
import { openServices } from '../src/server/index.ts';
import { handleQuery } from '../src/server/query-endpoint.ts';
import { handleRest } from '../src/server/rest-endpoint.ts';
import { ROOT, TEST_MASTER_KEY } from '../test/support/basalt.ts';
import { rootCredentials } from '../test/support/clients.ts';
import { signedIncoming } from '../test/support/incoming.ts';
import { createBenchUser } from './lib/bench-user.ts';
import { summarizeProfile } from './lib/cpu-profile.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const SECONDS = Number(option('seconds', '3'));
const ROUNDS = Number(option('rounds', '3'));
const CALLER = option('caller', 'user') === 'root' ? 'root' : 'user';
const PROFILE = option('profile', '');
const MODEL_ID = 'meta.llama3-8b-instruct-v1:0';

const work = mkdtempSync(join(os.tmpdir(), 'basalt-hot-path-'));
const config = readConfig(new Map(), {
  BASALT_DATA_DIR: work,
  BASALT_ACCOUNT_ID: ROOT.accountId,
  BASALT_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
  BASALT_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
  BASALT_MASTER_KEY: TEST_MASTER_KEY,
});
const log = pino({ level: 'warn' });
const { deps, store, lastUsed, models } = await openServices(config, log);
const env = () => ({ sourceIp: '127.0.0.1', secureTransport: false, now: new Date() });

/** An IAM call as root, through the awsQuery endpoint in process; its XML answer. */
async function iam(action: string, params: Record<string, string>): Promise<string> {
  const form = new URLSearchParams({ Version: '2010-05-08', Action: action, ...params }).toString();
  const req = await signedIncoming({
    credentials: rootCredentials,
    service: 'iam',
    body: form,
    contentType: 'application/x-www-form-urlencoded; charset=utf-8',
  });
  const answer = await handleQuery(req, env(), 'setup', deps);
  if (answer.status !== 200) throw new Error(`${action}: ${answer.body}`);
  return answer.body;
}

const creds = CALLER === 'root' ? rootCredentials : await createBenchUser(iam);
const converse = await signedIncoming({
  credentials: creds,
  service: 'bedrock',
  path: `/model/${encodeURIComponent(MODEL_ID)}/converse`,
  body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] }),
  contentType: 'application/json',
});
const client = new AbortController().signal;

/** Requests per second for `seconds`, one at a time. */
async function run(seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) {
      // A turn of the event loop per request, as a server taking one request at a time has.
      await nextTurn();
      const answer = await handleRest(converse, env(), 'bench', client, deps);
      if (answer.status !== 200) throw new Error(`Converse answered ${answer.status}: ${String(answer.body)}`);
    }
    n += 100;
  }
  return n / seconds;
}

await run(1); // JIT warm-up
const session = new Session();
if (PROFILE !== '') {
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 50 });
  session.post('Profiler.start');
}
const rates: number[] = [];
for (let r = 0; r < ROUNDS; r++) rates.push(await run(SECONDS));
if (PROFILE !== '') {
  session.post('Profiler.stop', (err, result) => {
    if (err === null) writeFileSync(PROFILE, JSON.stringify(result.profile));
  });
  const p = summarizeProfile(PROFILE);
  process.stdout.write('self time, share of busy:\n');
  for (const f of p.functions.slice(0, 30))
    process.stdout.write(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}\n`);
  process.stdout.write("basalt's functions by total time:\n");
  for (const f of p.sourceTotals.slice(0, 30))
    process.stdout.write(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}\n`);
}
const best = Math.max(...rates);
process.stdout.write(
  `Converse (echo model, caller ${CALLER === 'root' ? 'account root' : 'IAM user with 3 policies'}), in process, ` +
    `one at a time: ${rates.map((x) => Math.round(x)).join(', ')} req/s; best ${(1e6 / best).toFixed(1)} µs per request\n`,
);
await lastUsed.close();
await store.close();
await models.close();
rmSync(work, { recursive: true, force: true });
