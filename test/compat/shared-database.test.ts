/**
 * Several basalt processes sharing one database (a SQLite file, or PostgreSQL): a policy change made through one is
 * applied by the other at its next request (each request reads the store revision, which every
 * write bumps, and drops cached policy sets and keys when it moved).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBasalt, type TestServer } from '../support/basalt.js';
import { rootCredentials } from '../support/clients.js';
import { postgresUnavailable } from '../support/postgres.js';
import { callQuery } from '../support/query.js';

/** A policy change and a key deactivation made through process A apply at B's very next request. */
async function changesApplyAcross(a: TestServer, b: TestServer): Promise<void> {
  const ok = async (action: string, params: Record<string, string>) => {
    const r = await callQuery(a.url, rootCredentials, action, params);
    assert.equal(r.status, 200, r.body);
    return r.body;
  };
  await ok('CreateUser', { UserName: 'shared' });
  const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] };
  await ok('PutUserPolicy', { UserName: 'shared', PolicyName: 'p', PolicyDocument: JSON.stringify(allow) });
  const key = await ok('CreateAccessKey', { UserName: 'shared' });
  const creds = {
    accessKeyId: /<AccessKeyId>([^<]+)</.exec(key)?.[1] ?? '',
    secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(key)?.[1] ?? '',
  };
  // Process B knows the key and allows the call (and caches both)...
  assert.equal((await callQuery(b.url, creds, 'ListUsers')).status, 200);
  assert.equal((await callQuery(b.url, creds, 'ListUsers')).status, 200);
  // ...until process A replaces the policy with a deny: B's very next request is denied.
  const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' }] };
  await ok('PutUserPolicy', { UserName: 'shared', PolicyName: 'p', PolicyDocument: JSON.stringify(deny) });
  const denied = await callQuery(b.url, creds, 'ListUsers');
  assert.equal(denied.code, 'AccessDenied', denied.body);
  assert.match(denied.message ?? '', /with an explicit deny in an identity-based policy/);
  // A key deactivated through A stops working in B at once.
  await ok('UpdateAccessKey', { UserName: 'shared', AccessKeyId: creds.accessKeyId, Status: 'Inactive' });
  const inactive = await callQuery(b.url, creds, 'ListUsers');
  assert.equal(inactive.code, 'InvalidClientTokenId', inactive.body);
}

test('two processes on one SQLite file: a change through one applies at once in the other', {
  timeout: 60_000,
}, async () => {
  // The second process reads the revision from the WAL-index header while nothing commits
  // (src/store/sqlite.ts): the first one's writes must still be seen at the next request.
  const a = await startBasalt();
  const b = await startBasalt({ dataDir: a.dataDir });
  try {
    await changesApplyAcross(a, b);
  } finally {
    await b.destroy();
    await a.destroy();
  }
});

const pgReason = await postgresUnavailable();

if (pgReason !== undefined) {
  if (process.env.CI === 'true')
    test('shared database', () => assert.fail(`${pgReason} (CI=true: PostgreSQL is required)`));
  else test('shared database', { skip: pgReason }, () => {});
} else {
  test('a change through one process applies at once in another', { timeout: 60_000 }, async () => {
    const a = await startBasalt({ store: 'postgres' });
    const b = await startBasalt({ store: 'postgres', ...(a.database === undefined ? {} : { database: a.database }) });
    try {
      await changesApplyAcross(a, b);
    } finally {
      await b.destroy();
      await a.destroy();
    }
  });
}
