// The Store contract: every implementation (SQLite, PostgreSQL) runs these same tests.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { compareKeys } from '../../src/store/sql.ts';
import {
  type Attachment,
  type ListFilter,
  type PasswordPolicy,
  type Row,
  type Store,
  StoreError,
  SYSTEM_ACCOUNT,
  type User,
} from '../../src/store/types.ts';

/** A tag unique to this run, so ids never collide with another run's rows in a shared database. */
const RUN = randomBytes(4).toString('hex');
let serial = 0;

/** A fresh 12-digit account ID: each test works in its own account. */
function account(): string {
  serial += 1;
  return String(100_000_000_000 + Number.parseInt(RUN.slice(0, 5), 16) * 1000 + serial);
}

/** A fresh unique ID. */
function uid(prefix = 'AIDA'): string {
  serial += 1;
  return `${prefix}${RUN.toUpperCase()}${String(serial).padStart(8, '0')}`;
}

function user(accountId: string, name: string, extra: { id?: string; path?: string; createdAt?: string } = {}) {
  const path = extra.path ?? '/';
  const id = extra.id ?? uid();
  const body: User = {
    name,
    path,
    id,
    arn: `arn:aws:iam::${accountId}:user${path}${name}`,
    createdAt: extra.createdAt ?? '2024-01-01T00:00:00Z',
    tags: [],
  };
  const row: Row<'user'> = { kind: 'user', accountId, key: name.toLowerCase(), id, path, body };
  return row;
}

function attachment(accountId: string, ownerName: string, policyArn: string): Row<'attachment'> {
  const body: Attachment = { ownerKind: 'user', ownerName, policyArn };
  return {
    kind: 'attachment',
    accountId,
    key: `user:${ownerName}|${policyArn}`,
    owner: `user:${ownerName}`,
    target: policyArn,
    body,
  };
}

/** A counter row (the password policy's minimum length holds the count). */
function counter(accountId: string, n: number): Row<'password-policy'> {
  const body: PasswordPolicy = {
    MinimumPasswordLength: n,
    RequireSymbols: false,
    RequireNumbers: false,
    RequireUppercaseCharacters: false,
    RequireLowercaseCharacters: false,
    AllowUsersToChangePassword: true,
  };
  return { kind: 'password-policy', accountId, key: '', body };
}

async function readCounter(store: Pick<Store, 'get'>, accountId: string): Promise<number> {
  const row = await store.get('password-policy', accountId, '');
  assert.ok(row, 'the counter row exists');
  return row.body.MinimumPasswordLength;
}

async function rejectsWith(promise: Promise<unknown>, code: StoreError['code']): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected StoreError(${code}), got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

const keysOf = (rows: Row[]) => rows.map((r) => r.key);

/**
 * Registers the Store contract tests under `describe(name)`. `open` must return a new Store on
 * the SAME database each time it is called (the suite opens a second instance and reopens after
 * close); each test works in its own account, so the database may already hold rows.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    test('insert then get returns the row as written; a missing key reads as undefined', async () => {
      const a = account();
      const full = user(a, 'Alice', { path: '/eng/' });
      const bare: Row<'attachment'> = { ...attachment(a, 'alice', 'arn:aws:iam::aws:policy/X') };
      delete bare.target;
      await store.write(async (tx) => {
        await tx.insert(full);
        await tx.insert(bare);
      });
      assert.deepEqual(await store.get('user', a, 'alice'), full);
      const readBare = await store.get('attachment', a, bare.key);
      assert.deepEqual(readBare, bare);
      assert.ok(readBare && !('target' in readBare) && !('id' in readBare) && !('path' in readBare));
      assert.equal(await store.get('user', a, 'Alice'), undefined, 'keys are case-sensitive; callers lowercase');
      assert.equal(await store.get('user', account(), 'alice'), undefined, 'other account');
      assert.equal(await store.get('group', a, 'alice'), undefined, 'other kind');
      // The account registry: rows under the empty pseudo account.
      const registered: Row<'account'> = {
        kind: 'account',
        accountId: SYSTEM_ACCOUNT,
        key: a,
        id: a,
        body: { id: a, createdAt: '2024-01-01T00:00:00Z', name: 'root' },
      };
      await store.write((tx) => tx.insert(registered));
      assert.deepEqual(await store.get('account', SYSTEM_ACCOUNT, a), registered);
      assert.deepEqual(await store.getById('account', a), registered);
      assert.deepEqual(await store.list('account', SYSTEM_ACCOUNT, { keyPrefix: a }), [registered]);
    });

    test('getById finds a row by (kind, id) across accounts; ids are unique per kind only', async () => {
      const [a, b] = [account(), account()];
      const id = uid();
      const row = user(b, 'bob', { id });
      await store.write(async (tx) => {
        await tx.insert(user(a, 'someone'));
        await tx.insert(row);
        // The same id in another kind is no conflict.
        await tx.insert({
          kind: 'group',
          accountId: a,
          key: 'g',
          id,
          path: '/',
          body: { name: 'g', path: '/', id, arn: 'arn:aws:iam::1:group/g', createdAt: 'now' },
        });
      });
      assert.deepEqual(await store.getById('user', id), row);
      assert.equal((await store.getById('group', id))?.accountId, a);
      assert.equal(await store.getById('role', id), undefined);
      assert.equal(await store.getById('user', uid()), undefined);
    });

    test('update replaces body and secondary columns; updating a missing row is NotFound', async () => {
      const a = account();
      const original = user(a, 'carol', { path: '/a/' });
      await store.write((tx) => tx.insert(original));
      const changed: Row<'user'> = { ...original, path: '/b/', owner: 'x', body: { ...original.body, path: '/b/' } };
      await store.write((tx) => tx.update(changed));
      assert.deepEqual(await store.get('user', a, 'carol'), changed);
      // Dropping a secondary column clears it.
      const cleared: Row<'user'> = { ...changed };
      delete cleared.owner;
      delete cleared.id;
      await store.write((tx) => tx.update(cleared));
      assert.deepEqual(await store.get('user', a, 'carol'), cleared);
      assert.equal(await store.getById('user', original.id ?? ''), undefined);
      await rejectsWith(
        store.write((tx) => tx.update(user(a, 'nobody'))),
        'NotFound',
      );
      assert.equal(await store.get('user', a, 'nobody'), undefined);
    });

    test('delete reports whether the row existed', async () => {
      const a = account();
      await store.write((tx) => tx.insert(user(a, 'dave')));
      assert.equal(await store.write((tx) => tx.delete('user', a, 'dave')), true);
      assert.equal(await store.get('user', a, 'dave'), undefined);
      assert.equal(await store.write((tx) => tx.delete('user', a, 'dave')), false);
    });

    test('deleteWhere deletes by owner, by target or by both, within one kind and account', async () => {
      const [a, b] = [account(), account()];
      const p1 = 'arn:aws:iam::aws:policy/P1';
      const p2 = 'arn:aws:iam::aws:policy/P2';
      await store.write(async (tx) => {
        for (const u of ['u1', 'u2', 'u3']) {
          for (const p of [p1, p2]) {
            await tx.insert(attachment(a, u, p));
            await tx.insert(attachment(b, u, p));
          }
        }
      });
      assert.equal(await store.write((tx) => tx.deleteWhere('attachment', a, { owner: 'user:u1' })), 2);
      assert.equal(await store.write((tx) => tx.deleteWhere('attachment', a, { target: p1 })), 2);
      assert.equal(await store.write((tx) => tx.deleteWhere('attachment', a, { owner: 'user:u2', target: p2 })), 1);
      assert.equal(await store.write((tx) => tx.deleteWhere('attachment', a, { owner: 'user:nobody' })), 0);
      assert.equal(await store.write((tx) => tx.deleteWhere('membership', a, { owner: 'user:u3' })), 0);
      assert.deepEqual(keysOf(await store.list('attachment', a)), [`user:u3|${p2}`]);
      assert.equal(await store.count('attachment', b), 6, 'the other account is untouched');
      await assert.rejects(
        store.write((tx) => tx.deleteWhere('attachment', a, {})),
        RangeError,
      );
      assert.equal(await store.count('attachment', a), 1);
    });

    test('list orders keys by their UTF-8 bytes, whatever the database locale', async () => {
      const a = account();
      const keys = ['b', 'B', 'a', '_x', '%y', 'é', '😀', '\uE000', 'a b', '', 'Z', 'ab'];
      await store.write(async (tx) => {
        for (const key of keys) await tx.insert({ ...user(a, `n${key}`), key });
      });
      const expected = ['', '%y', 'B', 'Z', '_x', 'a', 'a b', 'ab', 'b', 'é', '\uE000', '😀'];
      assert.deepEqual([...keys].sort(compareKeys), expected);
      assert.deepEqual(keysOf(await store.list('user', a)), expected);
      assert.deepEqual(keysOf(await store.list('user', a, { after: '\uE000' })), ['😀']);
      assert.deepEqual(keysOf(await store.list('user', a, { after: 'Z', limit: 2 })), ['_x', 'a']);
    });

    test('list and count honour owner, target, pathPrefix, keyPrefix, after and limit', async () => {
      const a = account();
      const rows: Row<'user'>[] = [
        { ...user(a, 'a%b', { path: '/a%/' }), owner: 'o1', target: 't1' },
        { ...user(a, 'axb', { path: '/ax/' }), owner: 'o1', target: 't2' },
        { ...user(a, 'a_c', { path: '/a_/' }), owner: 'o2', target: 't1' },
        { ...user(a, 'abc', { path: '/ab/c/' }), owner: 'o2', target: 't2' },
        { ...user(a, 'éa', { path: '/é/' }), owner: 'o1' },
        { ...user(a, 'éb', { path: '/é/x/' }) },
        { ...user(a, 'zz'), owner: 'o1' },
      ];
      const noPath: Row<'user'> = { ...user(a, 'nopath'), owner: 'o2' };
      delete noPath.path;
      rows.push(noPath);
      await store.write(async (tx) => {
        for (const row of rows) await tx.insert(row);
        await tx.insert(user(account(), 'a%b', { path: '/a%/' }));
        await tx.insert({ ...attachment(a, 'x', 'y'), key: 'a%b' });
      });
      const cases: [ListFilter, string[]][] = [
        [{}, ['a%b', 'a_c', 'abc', 'axb', 'nopath', 'zz', 'éa', 'éb']],
        [{ owner: 'o1' }, ['a%b', 'axb', 'zz', 'éa']],
        [{ target: 't1' }, ['a%b', 'a_c']],
        [{ owner: 'o2', target: 't2' }, ['abc']],
        [{ owner: 'nobody' }, []],
        [{ keyPrefix: 'a%' }, ['a%b']],
        [{ keyPrefix: 'a_' }, ['a_c']],
        [{ keyPrefix: 'a' }, ['a%b', 'a_c', 'abc', 'axb']],
        [{ keyPrefix: 'é' }, ['éa', 'éb']],
        [{ keyPrefix: '' }, ['a%b', 'a_c', 'abc', 'axb', 'nopath', 'zz', 'éa', 'éb']],
        [{ keyPrefix: 'zzz' }, []],
        [{ pathPrefix: '/a%' }, ['a%b']],
        [{ pathPrefix: '/a_' }, ['a_c']],
        [{ pathPrefix: '/a' }, ['a%b', 'a_c', 'abc', 'axb']],
        [{ pathPrefix: '/é/' }, ['éa', 'éb']],
        [{ pathPrefix: '/' }, ['a%b', 'a_c', 'abc', 'axb', 'zz', 'éa', 'éb']],
        [{ pathPrefix: '' }, ['a%b', 'a_c', 'abc', 'axb', 'zz', 'éa', 'éb']],
        [{ after: 'axb' }, ['nopath', 'zz', 'éa', 'éb']],
        [{ after: 'éb' }, []],
        [{ owner: 'o1', keyPrefix: 'a', after: 'a%b' }, ['axb']],
        [{ owner: 'o1', pathPrefix: '/é', keyPrefix: 'é' }, ['éa']],
      ];
      for (const [filter, expected] of cases) {
        const what = JSON.stringify(filter);
        assert.deepEqual(keysOf(await store.list('user', a, filter)), expected, `list ${what}`);
        assert.equal(await store.count('user', a, filter), expected.length, `count ${what}`);
        assert.deepEqual(keysOf(await store.list('user', a, { ...filter, limit: 2 })), expected.slice(0, 2));
        assert.equal(await store.count('user', a, { ...filter, limit: 1 }), expected.length, 'count ignores limit');
      }
      assert.deepEqual(await store.list('user', a, { limit: 0 }), []);
      const listed = await store.list('user', a, { owner: 'o2', target: 't2' });
      assert.deepEqual(listed, [rows[3]], 'list returns whole rows');
      await assert.rejects(store.list('user', a, { limit: -1 }), RangeError);
      await assert.rejects(store.list('user', a, { limit: 1.5 }), RangeError);
      assert.equal(await store.count('group', a), 0);
    });

    test('after + limit pagination walks every row exactly once', async () => {
      const a = account();
      const names = Array.from(
        { length: 23 },
        (_, i) => `u${String((i * 7) % 23).padStart(2, '0')}${i % 2 ? 'é' : ''}`,
      );
      await store.write(async (tx) => {
        for (const [i, n] of names.entries()) await tx.insert({ ...user(a, n), owner: i % 3 === 0 ? 'o' : 'p' });
      });
      const all = keysOf(await store.list('user', a));
      assert.equal(all.length, 23);
      for (const filter of [{}, { owner: 'o' }, { keyPrefix: 'u1' }] satisfies ListFilter[]) {
        const expected = keysOf(await store.list('user', a, filter));
        for (const limit of [1, 5, 7, 23, 100]) {
          const seen: string[] = [];
          let marker: string | undefined;
          for (let page = 0; page < 30; page++) {
            const rows = await store.list('user', a, {
              ...filter,
              limit,
              ...(marker === undefined ? {} : { after: marker }),
            });
            seen.push(...keysOf(rows));
            if (rows.length < limit) break;
            marker = rows.at(-1)?.key;
          }
          assert.deepEqual(seen, expected, `limit ${limit} ${JSON.stringify(filter)}`);
        }
      }
    });

    test('Conflict on a duplicate key and on a duplicate (kind, id); a caught Conflict leaves the transaction usable', async () => {
      const [a, b] = [account(), account()];
      const first = user(a, 'erin');
      await store.write((tx) => tx.insert(first));
      await rejectsWith(
        store.write((tx) => tx.insert(user(a, 'erin'))),
        'Conflict',
      );
      // Same id, other key and even another account: ids are unique per kind.
      await rejectsWith(
        store.write((tx) => tx.insert(user(b, 'frank', { id: first.id ?? '' }))),
        'Conflict',
      );
      assert.equal(await store.get('user', b, 'frank'), undefined);
      // Update to an id another row holds.
      const other = user(a, 'gina');
      await store.write((tx) => tx.insert(other));
      await rejectsWith(
        store.write((tx) => tx.update({ ...other, id: first.id ?? '' })),
        'Conflict',
      );
      assert.deepEqual(await store.get('user', a, 'gina'), other);
      // Inside one transaction: catch the Conflict, keep writing, commit.
      const before = await store.revision();
      const outcome = await store.write(async (tx) => {
        const codes: string[] = [];
        for (const row of [user(a, 'erin'), user(a, 'x', { id: other.id ?? '' })]) {
          await tx.insert(row).catch((e: unknown) => codes.push(e instanceof StoreError ? e.code : String(e)));
        }
        await tx.update({ ...other, id: first.id ?? '' }).catch((e: unknown) => codes.push((e as StoreError).code));
        await tx.insert(user(a, 'hank'));
        return codes;
      });
      assert.deepEqual(outcome, ['Conflict', 'Conflict', 'Conflict']);
      assert.ok(await store.get('user', a, 'hank'));
      assert.equal(await store.revision(), before + 1);
    });

    test('a throwing callback rolls back every write, rethrows the same error and leaves the revision', async () => {
      const a = account();
      await store.write(async (tx) => {
        await tx.insert(user(a, 'ivan'));
        await tx.insert(user(a, 'judy'));
      });
      const snapshot = await store.list('user', a);
      const revision = await store.revision();
      const boom = new Error('boom');
      await assert.rejects(
        store.write(async (tx) => {
          await tx.insert(user(a, 'kim'));
          await tx.update({ ...user(a, 'ivan'), path: '/changed/' });
          await tx.delete('user', a, 'judy');
          assert.equal(await tx.count('user', a), 2, 'the transaction sees its own writes');
          await sleep(5);
          throw boom;
        }),
        (error) => error === boom,
      );
      assert.deepEqual(await store.list('user', a), snapshot);
      assert.equal(await store.revision(), revision);
      // A Conflict that escapes the callback rolls back the writes before it.
      await rejectsWith(
        store.write(async (tx) => {
          await tx.insert(user(a, 'lee'));
          await tx.insert(user(a, 'ivan'));
        }),
        'Conflict',
      );
      assert.equal(await store.get('user', a, 'lee'), undefined);
      assert.equal(await store.revision(), revision);
    });

    test('revision reads of one turn are shared, and a write of this store is seen as soon as it commits', async () => {
      const second = await open();
      try {
        await nextTurn();
        // Calls of one turn share one read.
        const shared = store.revision();
        assert.equal(store.revision(), shared);
        const start = await shared;
        // This store's own write is seen at once, in the same turn as much as later ...
        const committed = await store.write(async (tx) => tx.revision);
        assert.equal(committed, start + 1);
        assert.equal(await store.revision(), start + 1);
        // ... another store's from the next turn.
        await second.write((tx) => tx.insert(user(account(), 'sol')));
        await nextTurn();
        assert.equal(await store.revision(), start + 2);
      } finally {
        await second.close();
      }
    });

    test('the revision grows by exactly one per committed write, and tx.revision is the new one', async () => {
      const a = account();
      const start = await store.revision();
      assert.ok(Number.isSafeInteger(start) && start >= 0);
      const seen: number[] = [];
      seen.push(await store.write(async (tx) => tx.revision));
      seen.push(
        await store.write(async (tx) => {
          await tx.insert(user(a, 'mia'));
          return tx.revision;
        }),
      );
      await store
        .write(async () => {
          throw new Error('rolled back');
        })
        .catch(() => {});
      seen.push(
        await store.write(async (tx) => {
          await tx.delete('user', a, 'mia');
          return tx.revision;
        }),
      );
      assert.deepEqual(seen, [start + 1, start + 2, start + 3]);
      assert.equal(await store.revision(), start + 3);
    });

    test('50 concurrent read-modify-write calls lose no update', { timeout: 60_000 }, async () => {
      const a = account();
      await store.write((tx) => tx.insert(counter(a, 0)));
      const start = await store.revision();
      const revisions = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.write(async (tx) => {
            const n = await readCounter(tx, a);
            if (i % 2) await sleep(1);
            else await new Promise((resolve) => setImmediate(resolve));
            await tx.update(counter(a, n + 1));
            return tx.revision;
          }),
        ),
      );
      assert.equal(await readCounter(store, a), 50);
      assert.deepEqual(
        [...revisions].sort((x, y) => x - y),
        Array.from({ length: 50 }, (_, i) => start + 1 + i),
      );
      assert.equal(await store.revision(), start + 50);
    });

    test('reads outside a transaction never see its uncommitted writes', { timeout: 30_000 }, async () => {
      const a = account();
      const victim = user(a, 'nina');
      await store.write(async (tx) => {
        await tx.insert(counter(a, 1));
        await tx.insert(victim);
      });
      const revision = await store.revision();
      const added = user(a, 'oscar');
      let signal: () => void = () => {};
      const inside = new Promise<void>((resolve) => {
        signal = resolve;
      });
      const writing = store.write(async (tx) => {
        await tx.update(counter(a, 2));
        await tx.insert(added);
        await tx.delete('user', a, 'nina');
        assert.equal(await readCounter(tx, a), 2, 'own writes are visible inside');
        assert.deepEqual(await tx.getById('user', added.id ?? ''), added);
        signal();
        await sleep(100);
      });
      await inside;
      assert.equal(await readCounter(store, a), 1);
      assert.equal(await store.get('user', a, 'oscar'), undefined);
      assert.equal(await store.getById('user', added.id ?? ''), undefined);
      assert.deepEqual(await store.get('user', a, 'nina'), victim);
      assert.deepEqual(keysOf(await store.list('user', a)), ['nina']);
      assert.equal(await store.count('user', a), 1);
      assert.equal(await store.revision(), revision);
      await writing;
      assert.equal(await readCounter(store, a), 2);
      assert.deepEqual(keysOf(await store.list('user', a)), ['oscar']);
      assert.equal(await store.revision(), revision + 1);
    });

    test('unicode and 100 KB bodies round trip unchanged', async () => {
      const a = account();
      const unicode = 'ß ü 😀 𝄞 中文 ﷽ a\u0301 \u0000 \u001f \ud800 "quoted" \\ back';
      const big = 'Statement-é-😀-'.repeat(Math.ceil((100 * 1024) / 15)).slice(0, 100 * 1024);
      const row: Row<'role'> = {
        kind: 'role',
        accountId: a,
        key: 'rôle-😀',
        id: uid('AROA'),
        path: '/ünï/',
        owner: '所有者',
        target: 'ターゲット',
        body: {
          name: 'Rôle-😀',
          path: '/ünï/',
          id: 'x',
          arn: `arn:aws:iam::${a}:role/ünï/Rôle-😀`,
          createdAt: 'now',
          trustPolicy: big,
          description: unicode,
          maxSessionDuration: 3600,
          tags: [{ Key: unicode, Value: '' }],
        },
      };
      await store.write((tx) => tx.insert(row));
      const read = await store.get('role', a, 'rôle-😀');
      assert.deepEqual(read, row);
      assert.equal(read?.body.trustPolicy.length, 100 * 1024);
      assert.deepEqual(await store.list('role', a, { keyPrefix: 'rô', owner: '所有者', pathPrefix: '/ün' }), [row]);
    });

    test('a tx object refuses use after its transaction ended', async () => {
      const a = account();
      let leaked: Parameters<Parameters<Store['write']>[0]>[0] | undefined;
      await store.write(async (tx) => {
        leaked = tx;
      });
      assert.ok(leaked);
      const tx = leaked;
      await assert.rejects(tx.insert(user(a, 'late')), /ended/);
      await assert.rejects(tx.get('user', a, 'late'), /ended/);
      assert.equal(await store.get('user', a, 'late'), undefined);
    });

    test('write() inside a write callback of the same store is refused instead of deadlocking', {
      timeout: 10_000,
    }, async () => {
      const inner = await store.write(async () => store.write(async () => 1).then(String, (e: Error) => e.message));
      assert.match(inner, /inside a write callback/);
      // Once the outer write is over, a write scheduled from its context runs normally.
      let later: Promise<number> | undefined;
      await store.write(async () => {
        later = sleep(10).then(() => store.write(async (tx) => tx.revision));
      });
      assert.ok(later);
      assert.equal(typeof (await later), 'number');
    });

    test('two stores on the same database see each other’s writes and revision', { timeout: 60_000 }, async () => {
      const second = await open();
      try {
        const a = account();
        await store.write((tx) => tx.insert(user(a, 'pat')));
        assert.ok(await second.get('user', a, 'pat'));
        // Another process's write is seen from the next event-loop turn (revision reads of one
        // turn are shared): the turn that answers a request is never the turn of a later one.
        await nextTurn();
        assert.equal(await second.revision(), await store.revision());
        await second.write((tx) => tx.insert(user(a, 'quinn')));
        assert.ok(await store.get('user', a, 'quinn'));
        await nextTurn();
        assert.equal(await store.revision(), await second.revision());
        // Writers in two stores are serialised against each other too.
        await store.write((tx) => tx.insert(counter(a, 0)));
        const start = await store.revision();
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? store : second).write(async (tx) => {
              const n = await readCounter(tx, a);
              await sleep(1);
              await tx.update(counter(a, n + 1));
            }),
          ),
        );
        assert.equal(await readCounter(store, a), 20);
        assert.equal(await readCounter(second, a), 20);
        await nextTurn();
        assert.equal(await second.revision(), start + 20);
      } finally {
        await second.close();
      }
    });

    test('close waits for pending writes; a closed store is Unavailable; reopening keeps data and revision', {
      timeout: 30_000,
    }, async () => {
      const a = account();
      const first = await open();
      const slow = first.write(async (tx) => {
        await sleep(50);
        await tx.insert(user(a, 'rita'));
        return tx.revision;
      });
      const closing = first.close();
      const revision = await slow;
      await closing;
      await rejectsWith(first.get('user', a, 'rita'), 'Unavailable');
      await rejectsWith(first.revision(), 'Unavailable');
      await rejectsWith(
        first.write(async () => {}),
        'Unavailable',
      );
      await first.close();
      for (let i = 0; i < 2; i++) {
        const again = await open();
        try {
          assert.ok(await again.get('user', a, 'rita'));
          assert.equal(await again.revision(), revision, 'opening (and migrating) writes nothing');
        } finally {
          await again.close();
        }
      }
      assert.ok(await store.get('user', a, 'rita'));
    });

    test('model-based: random inserts, updates, deletes and lists agree with an in-memory map', {
      timeout: 300_000,
    }, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { maxLength: 25 }), async (ops) => {
          await checkAgainstModel(store, ops);
        }),
        { numRuns: 40 },
      );
    });
  });
}

// ---- model-based test -----------------------------------------------------------------

interface Fields {
  id?: string;
  owner?: string;
  path?: string;
  n: number;
}

type Operation =
  | ({ op: 'insert' | 'update'; key: string } & Fields)
  | { op: 'delete'; key: string }
  | { op: 'deleteWhere'; owner: string }
  | { op: 'list' | 'count'; filter: ListFilter };

const keyArb = fc.string({ unit: fc.constantFrom('a', 'b', 'B', '%', '_', 'é', '😀', '\uE000'), maxLength: 3 });
const ownerArb = fc.constantFrom('o1', 'o2');
const fieldsArb = fc.record(
  {
    id: fc.constantFrom('i1', 'i2', 'i3'),
    owner: ownerArb,
    path: fc.constantFrom('/', '/a/', '/a_/', '/a%/b/', '/é/'),
    n: fc.nat(1000),
  },
  { requiredKeys: ['n'] },
);
const filterArb: fc.Arbitrary<ListFilter> = fc.record(
  {
    owner: ownerArb,
    pathPrefix: fc.constantFrom('/', '/a', '/a_', '/a%', '/é', ''),
    keyPrefix: keyArb,
    after: keyArb,
    limit: fc.nat(4),
  },
  { requiredKeys: [] },
);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    arbitrary: fc
      .tuple(fc.constantFrom('insert' as const, 'update' as const), keyArb, fieldsArb)
      .map(([op, key, fields]) => ({ op, key, ...fields })),
    weight: 5,
  },
  { arbitrary: keyArb.map((key) => ({ op: 'delete' as const, key })), weight: 2 },
  { arbitrary: ownerArb.map((owner) => ({ op: 'deleteWhere' as const, owner })), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('list' as const, 'count' as const), filterArb)
      .map(([op, filter]) => ({ op, filter })),
    weight: 3,
  },
);

/** Applies ops to the store (in a fresh account) and to a Map, and compares every outcome. */
async function checkAgainstModel(store: Store, ops: Operation[]): Promise<void> {
  const a = account();
  const ids = uid('M');
  const model = new Map<string, Fields>();
  const toRow = (key: string, f: Fields): Row<'mfa-device'> => {
    const row: Row<'mfa-device'> = {
      kind: 'mfa-device',
      accountId: a,
      key,
      body: {
        serialNumber: key,
        path: f.path ?? '',
        name: key,
        seedCiphertext: 'x',
        createdAt: 'now',
        lastStep: f.n,
        tags: [],
      },
    };
    if (f.id !== undefined) row.id = `${ids}-${f.id}`;
    if (f.owner !== undefined) row.owner = f.owner;
    if (f.path !== undefined) row.path = f.path;
    return row;
  };
  const idTaken = (key: string, id: string | undefined) =>
    id !== undefined && [...model].some(([k, f]) => k !== key && f.id === id);
  const modelList = (filter: ListFilter) => {
    const rows = [...model]
      .filter(
        ([key, f]) =>
          (filter.owner === undefined || f.owner === filter.owner) &&
          (filter.pathPrefix === undefined || f.path?.startsWith(filter.pathPrefix) === true) &&
          (filter.keyPrefix === undefined || key.startsWith(filter.keyPrefix)) &&
          (filter.after === undefined || compareKeys(key, filter.after) > 0),
      )
      .sort(([x], [y]) => compareKeys(x, y))
      .map(([key, f]) => toRow(key, f));
    return rows;
  };
  let revision = await store.revision();
  for (const o of ops) {
    if (o.op === 'list') {
      const expected = modelList(o.filter).slice(0, o.filter.limit ?? Number.POSITIVE_INFINITY);
      assert.deepEqual(await store.list('mfa-device', a, o.filter), expected, JSON.stringify(o));
      continue;
    }
    if (o.op === 'count') {
      assert.equal(await store.count('mfa-device', a, o.filter), modelList(o.filter).length, JSON.stringify(o));
      continue;
    }
    const actual = await store.write(async (tx): Promise<string | number | boolean> => {
      assert.equal(tx.revision, revision + 1);
      try {
        switch (o.op) {
          case 'insert':
            await tx.insert(toRow(o.key, o));
            return 'ok';
          case 'update':
            await tx.update(toRow(o.key, o));
            return 'ok';
          case 'delete':
            return await tx.delete('mfa-device', a, o.key);
          case 'deleteWhere':
            return await tx.deleteWhere('mfa-device', a, { owner: o.owner });
          default:
            throw new Error(`not a write: ${JSON.stringify(o)}`);
        }
      } catch (error) {
        if (error instanceof StoreError) return error.code;
        throw error;
      }
    });
    revision += 1;
    let expected: string | number | boolean;
    switch (o.op) {
      case 'insert':
        expected = model.has(o.key) || idTaken(o.key, o.id) ? 'Conflict' : 'ok';
        break;
      case 'update':
        expected = !model.has(o.key) ? 'NotFound' : idTaken(o.key, o.id) ? 'Conflict' : 'ok';
        break;
      case 'delete':
        expected = model.delete(o.key);
        break;
      case 'deleteWhere': {
        const gone = [...model].filter(([, f]) => f.owner === o.owner).map(([k]) => k);
        for (const k of gone) model.delete(k);
        expected = gone.length;
        break;
      }
    }
    if ((o.op === 'insert' || o.op === 'update') && expected === 'ok') {
      model.set(o.key, {
        n: o.n,
        ...(o.id && { id: o.id }),
        ...(o.owner && { owner: o.owner }),
        ...(o.path && { path: o.path }),
      });
    }
    assert.equal(actual, expected, JSON.stringify(o));
    assert.equal(await store.revision(), revision);
  }
  assert.deepEqual(await store.list('mfa-device', a), modelList({}));
}
