// Runs the Store contract against SQLite (a temporary file) and PostgreSQL (a fresh database on
// the server at BASALT_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres),
// plus the checks that only make sense for one dialect.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openStore } from '../../src/store/open.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { type Store, StoreError } from '../../src/store/types.ts';
import { admin, adminUrl, databaseUrl, freshDatabase, type TestDatabase } from '../support/postgres.ts';
import { storeContract } from './contract.ts';

const tmp = mkdtempSync(join(tmpdir(), 'basalt-store-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function rejectsWith(promise: Promise<unknown>, code: StoreError['code'], message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected StoreError(${code}), got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

// ---- SQLite ------------------------------------------------------------------------------

const sqliteFile = join(tmp, 'contract.db');
storeContract('sqlite', () => openSqliteStore(sqliteFile));

describe('sqlite specifics', () => {
  test('openStore({ dataDir }) creates the directory 0700 and basalt.db 0600, in WAL mode', async () => {
    const dataDir = join(tmp, 'data', 'nested');
    const store = await openStore({ dataDir });
    try {
      assert.equal(store.dialect, 'sqlite');
      await store.write(async () => {});
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      const file = join(dataDir, 'basalt.db');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(`${file}-wal`).mode & 0o777, 0o600, 'SQLite gives the WAL the database file’s mode');
      const peek = new Database(file, { readonly: true });
      try {
        assert.equal(peek.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        peek.close();
      }
    } finally {
      await store.close();
    }
  });

  test('a missing directory, or a file that is not a database, is Unavailable', async () => {
    await rejectsWith(
      openSqliteStore(join(tmp, 'no', 'such', 'dir', 'x.db')),
      'Unavailable',
      /directory does not exist/,
    );
    const junk = join(tmp, 'junk.db');
    writeFileSync(junk, 'this is not an SQLite database, just text that is long enough to have a header'.repeat(20));
    await rejectsWith(openSqliteStore(junk), 'Unavailable');
  });

  test('migrations are recorded once, however often and however concurrently the file is opened', async () => {
    const file = join(tmp, 'migrations.db');
    const stores = await Promise.all(Array.from({ length: 5 }, () => openSqliteStore(file)));
    await Promise.all(stores.map((s) => s.close()));
    await (await openSqliteStore(file)).close();
    const peek = new Database(file, { readonly: true });
    try {
      const versions = peek.prepare('SELECT version FROM basalt_migrations ORDER BY version').all();
      assert.deepEqual(
        versions,
        MIGRATIONS.map((m) => ({ version: m.version })),
      );
      assert.deepEqual(peek.prepare('SELECT revision FROM basalt_meta').all(), [{ revision: 0 }]);
    } finally {
      peek.close();
    }
  });

  test('every acknowledged write survives SIGKILL of the writing process', { timeout: 60_000 }, async () => {
    const file = join(tmp, 'killed.db');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('kill-writer.ts', import.meta.url).pathname, file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let acknowledged = -1;
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`exit ${code}`))));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) acknowledged = Number(line);
        if (acknowledged >= 50) child.kill('SIGKILL');
      });
    });
    const store = await openSqliteStore(file);
    try {
      const keys = (await store.list('account', '000000000000')).map((r) => Number(r.key));
      assert.ok(keys.length >= acknowledged + 1, `${keys.length} rows, ${acknowledged + 1} acknowledged`);
      assert.deepEqual(
        keys.slice(0, acknowledged + 1),
        Array.from({ length: acknowledged + 1 }, (_, i) => i),
      );
      assert.equal(await store.revision(), keys.length, 'one revision per committed row');
    } finally {
      await store.close();
    }
  });
});

test('openStore refuses a database URL that is not postgres:// or postgresql:// without echoing it', async () => {
  await rejectsWith(openStore({ databaseUrl: 'mysql://u:hunter2@db/x' }), 'Unavailable', /scheme is mysql:/);
  await openStore({ databaseUrl: 'mysql://u:hunter2@db/x' }).catch((e: Error) => {
    assert.ok(!e.message.includes('hunter2'));
  });
});

// ---- PostgreSQL --------------------------------------------------------------------------

let unreachable: string | undefined;
let database: TestDatabase | undefined;
try {
  database = await freshDatabase();
} catch (error) {
  unreachable = `PostgreSQL not reachable at ${new URL(adminUrl).host}: ${(error as Error).message}`;
}

if (unreachable !== undefined) {
  const reason = unreachable;
  if (process.env.CI === 'true') {
    test('postgres', () => assert.fail(`${reason} (CI=true: PostgreSQL is required)`));
  } else {
    test('postgres', { skip: reason }, () => {});
  }
} else if (database !== undefined) {
  const db = database;
  after(() => db.drop());
  storeContract('postgres', () => openPostgresStore(db.url));

  describe('postgres specifics', () => {
    test('concurrent opens of a fresh database migrate it exactly once', { timeout: 60_000 }, async () => {
      const fresh = await freshDatabase();
      const name = fresh.name;
      try {
        const stores: Store[] = await Promise.all(
          Array.from({ length: 6 }, () => openPostgresStore(databaseUrl(name))),
        );
        await Promise.all(stores.map((s) => s.close()));
        const reopened = await openStore({ databaseUrl: databaseUrl(name) });
        assert.equal(reopened.dialect, 'postgres');
        assert.equal(await reopened.revision(), 0);
        await reopened.close();
        const client = new pg.Client({ connectionString: databaseUrl(name) });
        await client.connect();
        try {
          const { rows } = await client.query('SELECT version FROM basalt_migrations ORDER BY version');
          assert.deepEqual(
            rows,
            MIGRATIONS.map((m) => ({ version: m.version })),
          );
        } finally {
          await client.end();
        }
      } finally {
        await fresh.drop();
      }
    });

    test('an unreachable server is Unavailable, and the message never shows the password', async () => {
      const url = 'postgres://basalt:s3cret-pw@127.0.0.1:1/none';
      await rejectsWith(openPostgresStore(url), 'Unavailable', /127\.0\.0\.1:1\/none/);
      await openPostgresStore(url).catch((e: Error) => assert.ok(!e.message.includes('s3cret-pw'), e.message));
      await rejectsWith(openPostgresStore(databaseUrl(`${db.name}_missing`)), 'Unavailable');
    });

    test('a server-side termination mid-transaction fails the write with Unavailable and writes nothing', async () => {
      const store = await openPostgresStore(db.url);
      try {
        const before = await store.revision();
        await rejectsWith(
          store.write(async (tx) => {
            await tx.insert({
              kind: 'account',
              accountId: '999999999999',
              key: 'terminated',
              body: { id: 'x', createdAt: 'now', name: 'x' },
            });
            // Kill the connection that holds the revision lock.
            await admin((client) =>
              client.query(
                `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'`,
                [db.name],
              ),
            );
            await tx.get('account', '999999999999', 'terminated');
          }),
          'Unavailable',
        );
        assert.equal(await store.get('account', '999999999999', 'terminated'), undefined);
        assert.equal(await store.revision(), before);
        // The pool recovers: the next write works.
        await store.write((tx) => tx.delete('account', '999999999999', 'terminated'));
        assert.equal(await store.revision(), before + 1);
      } finally {
        await store.close();
      }
    });
  });
}

describe('the SQLite revision marker (the WAL-index header)', () => {
  const turn = () => new Promise((r) => setImmediate(r));

  test('a database opened through a symbolic link reads the header SQLite writes, not a stray file at the link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basalt-marker-'));
    try {
      const real = await openSqliteStore(join(dir, 'real.db'));
      symlinkSync(join(dir, 'real.db'), join(dir, 'link.db'));
      // A leftover file at the link's name (an old -shm of a database moved away) never changes.
      writeFileSync(join(dir, 'link.db-shm'), Buffer.alloc(32768));
      const viaLink = await openSqliteStore(join(dir, 'link.db'));
      for (let i = 0; i < 3; i++) {
        await real.write(async () => {});
        await turn();
        assert.equal(await viaLink.revision(), await real.revision());
      }
      await viaLink.close();
      await real.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("closing one store keeps the process's SQLite locks on the -shm file for the others", async (t) => {
    if (process.platform !== 'linux') return t.skip('reads /proc/locks');
    const dir = mkdtempSync(join(tmpdir(), 'basalt-marker-'));
    try {
      const file = join(dir, 'db.sqlite');
      const a = await openSqliteStore(file);
      const b = await openSqliteStore(file);
      await b.revision();
      const inode = statSync(`${file}-shm`).ino;
      const locks = () =>
        readFileSync('/proc/locks', 'utf8')
          .split('\n')
          .filter((l) => l.includes(` ${process.pid} `) && l.includes(`:${inode} `));
      const held = locks();
      assert.ok(held.length > 0, 'SQLite holds a lock on the -shm file');
      await a.close();
      assert.deepEqual(locks(), held);
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
