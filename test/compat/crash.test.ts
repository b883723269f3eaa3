/**
 * Crash safety: the server is killed with SIGKILL during a burst of writes; after a restart on the
 * same data, every write it acknowledged is there (SQLite WAL with synchronous=FULL; PostgreSQL
 * commits before answering).
 */

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { startBasalt } from '../support/basalt.js';
import { rootCredentials } from '../support/clients.js';
import { postgresUnavailable } from '../support/postgres.js';
import { callQuery } from '../support/query.js';

async function burstThenKill(store: 'sqlite' | 'postgres', signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL') {
  const first = await startBasalt({ store });
  const acknowledged: string[] = [];
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const name = `crash-${w}-${i}`;
      try {
        const r = await callQuery(first.url, rootCredentials, 'CreateUser', { UserName: name });
        if (r.status === 200) acknowledged.push(name);
      } catch {
        return; // the connection died with the server
      }
    }
  };
  const workers = Array.from({ length: 6 }, (_, w) => worker(w));
  while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 5));
  if (signal === 'SIGKILL') {
    await first.kill();
  } else {
    // Graceful shutdown: requests in flight are answered, the process exits 0.
    assert.equal(await first.stop(), 0);
  }
  stop = true;
  await Promise.all(workers);

  const second = await startBasalt({
    store,
    dataDir: first.dataDir,
    ...(first.database === undefined ? {} : { database: first.database }),
  });
  try {
    const present = new Set<string>();
    let marker: string | undefined;
    do {
      const r = await callQuery(second.url, rootCredentials, 'ListUsers', {
        MaxItems: '1000',
        ...(marker ? { Marker: marker } : {}),
      });
      for (const m of r.body.matchAll(/<UserName>([^<]+)<\/UserName>/g)) present.add(m[1] ?? '');
      marker = /<IsTruncated>true<\/IsTruncated>/.test(r.body)
        ? /<Marker>([^<]+)<\/Marker>/.exec(r.body)?.[1]
        : undefined;
    } while (marker !== undefined);
    const lost = acknowledged.filter((n) => !present.has(n));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
    assert.ok(acknowledged.length >= 150);
  } finally {
    await second.destroy();
    rmSync(first.dataDir, { recursive: true, force: true });
    if (first.database !== undefined) await first.database.drop();
  }
}

test('SIGKILL during a burst of writes loses no acknowledged write (SQLite)', { timeout: 120_000 }, () =>
  burstThenKill('sqlite'),
);

test(
  'SIGTERM during a burst of writes: a clean exit, and no acknowledged write lost (SQLite)',
  { timeout: 120_000 },
  () => burstThenKill('sqlite', 'SIGTERM'),
);

const pgReason = await postgresUnavailable();
if (pgReason === undefined) {
  test('SIGKILL during a burst of writes loses no acknowledged write (PostgreSQL)', { timeout: 120_000 }, () =>
    burstThenKill('postgres'),
  );
} else if (process.env.CI === 'true') {
  test('crash safety on PostgreSQL', () => assert.fail(`${pgReason} (CI=true: PostgreSQL is required)`));
} else {
  test('crash safety on PostgreSQL', { skip: pgReason }, () => {});
}
