/**
 * Races between requests served by two processes that share one store (a SQLite file, and
 * PostgreSQL): every check that a write depends on is made inside the write's transaction, and a
 * caller's policies are never a mix of two states. Each race is run many times; on the code before
 * these checks moved into their transactions, every one of them failed within its rounds.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBasalt, type TestServer } from '../support/basalt.js';
import { bedrockRequest } from '../support/bedrock-rest.js';
import { type Credentials, rootCredentials } from '../support/clients.js';
import { postgresUnavailable } from '../support/postgres.js';
import { callQuery } from '../support/query.js';
import { userWithStatements } from '../support/users.js';

const ROUNDS = 20;
const ALLOW_LIST_USERS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }],
});

async function ok(url: string, action: string, params: Record<string, string>): Promise<string> {
  const r = await callQuery(url, rootCredentials, action, params);
  assert.equal(r.status, 200, `${action}: ${r.body}`);
  return r.body;
}

function races(store: 'sqlite' | 'postgres'): void {
  /** Creates a provisioned model (through process A); the path of its REST resource. */
  const provisioned = async (name: string): Promise<string> => {
    const made = await bedrockRequest(a.url, rootCredentials, 'POST', '/provisioned-model-throughput', {
      provisionedModelName: name,
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      modelUnits: 1,
    });
    assert.equal(made.status, 201, made.text);
    const arn = (JSON.parse(made.text) as { provisionedModelArn: string }).provisionedModelArn;
    return `/provisioned-model-throughput/${encodeURIComponent(arn)}`;
  };
  let a: TestServer;
  let b: TestServer;
  let account = '';

  before(async () => {
    a = await startBasalt(store === 'postgres' ? { store } : {});
    b = await startBasalt(
      store === 'postgres'
        ? { store, ...(a.database === undefined ? {} : { database: a.database }) }
        : { dataDir: a.dataDir },
    );
    account =
      /<Account>(\d{12})</.exec((await callQuery(a.url, rootCredentials, 'GetCallerIdentity', {}, 'sts')).body)?.[1] ??
      '';
  });
  after(async () => {
    await b?.destroy();
    await a?.destroy();
  });

  test('AttachUserPolicy racing DeletePolicy never leaves an attachment to a deleted policy', async () => {
    await ok(a.url, 'CreateUser', { UserName: 'attach-race' });
    const arn = `arn:aws:iam::${account}:policy/attach-race`;
    for (let round = 0; round < ROUNDS; round++) {
      await ok(a.url, 'CreatePolicy', { PolicyName: 'attach-race', PolicyDocument: ALLOW_LIST_USERS });
      const [attached, deleted] = await Promise.all([
        callQuery(a.url, rootCredentials, 'AttachUserPolicy', { UserName: 'attach-race', PolicyArn: arn }),
        callQuery(b.url, rootCredentials, 'DeletePolicy', { PolicyArn: arn }),
      ]);
      // One of them wins: the attachment (and the delete fails with DeleteConflict), or the
      // delete (and the attachment fails with NoSuchEntity).
      assert.notEqual(attached.status === 200, deleted.status === 200, `${attached.body}\n${deleted.body}`);
      if (attached.status === 200) {
        assert.equal(deleted.code, 'DeleteConflict', deleted.body);
        await ok(a.url, 'DetachUserPolicy', { UserName: 'attach-race', PolicyArn: arn });
        await ok(a.url, 'DeletePolicy', { PolicyArn: arn });
      } else {
        assert.equal(attached.code, 'NoSuchEntity', attached.body);
      }
      const listed = await ok(a.url, 'ListAttachedUserPolicies', { UserName: 'attach-race' });
      assert.doesNotMatch(listed, /attach-race/, `round ${round}`);
    }
  });

  test('PutUserPermissionsBoundary racing DeletePolicy never leaves a boundary on a deleted policy', async () => {
    await ok(a.url, 'CreateUser', { UserName: 'boundary-race' });
    const arn = `arn:aws:iam::${account}:policy/boundary-race`;
    for (let round = 0; round < ROUNDS; round++) {
      await ok(a.url, 'CreatePolicy', { PolicyName: 'boundary-race', PolicyDocument: ALLOW_LIST_USERS });
      const [bounded, deleted] = await Promise.all([
        callQuery(a.url, rootCredentials, 'PutUserPermissionsBoundary', {
          UserName: 'boundary-race',
          PermissionsBoundary: arn,
        }),
        callQuery(b.url, rootCredentials, 'DeletePolicy', { PolicyArn: arn }),
      ]);
      assert.notEqual(bounded.status === 200, deleted.status === 200, `${bounded.body}\n${deleted.body}`);
      if (bounded.status === 200) {
        await ok(a.url, 'DeleteUserPermissionsBoundary', { UserName: 'boundary-race' });
        await ok(a.url, 'DeletePolicy', { PolicyArn: arn });
      } else {
        assert.equal(bounded.code, 'NoSuchEntity', bounded.body);
      }
      const user = await ok(a.url, 'GetUser', { UserName: 'boundary-race' });
      assert.doesNotMatch(user, /PermissionsBoundary/, `round ${round}`);
    }
  });

  test("a group renamed while its member calls never loses the group's Deny", async () => {
    const creds: Credentials = await userWithStatements(a.url, 'rename-race', [
      { Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' },
    ]);
    await ok(a.url, 'CreateGroup', { GroupName: 'deny-0' });
    await ok(a.url, 'AddUserToGroup', { GroupName: 'deny-0', UserName: 'rename-race' });
    await ok(a.url, 'PutGroupPolicy', {
      GroupName: 'deny-0',
      PolicyName: 'deny',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' }],
      }),
    });
    let renaming = true;
    const renames = (async () => {
      for (let n = 0; renaming; n++)
        await ok(a.url, 'UpdateGroup', { GroupName: `deny-${n}`, NewGroupName: `deny-${n + 1}` });
    })();
    try {
      for (let round = 0; round < ROUNDS * 5; round++) {
        const calls = await Promise.all([1, 2, 3].map(() => callQuery(b.url, creds, 'ListUsers')));
        for (const r of calls) assert.equal(r.code, 'AccessDenied', `round ${round}: ${r.body}`);
      }
    } finally {
      renaming = false;
      await renames;
    }
  });

  test('UpdateProvisionedModelThroughput: a rename racing a model change keeps the change', async () => {
    const path = await provisioned('update-race');
    const models = ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'];
    for (let round = 0; round < ROUNDS; round++) {
      const model = models[round % 2] as string;
      const [renamed, changed] = await Promise.all([
        bedrockRequest(a.url, rootCredentials, 'PATCH', path, { desiredProvisionedModelName: `update-race-${round}` }),
        bedrockRequest(b.url, rootCredentials, 'PATCH', path, { desiredModelId: model }),
      ]);
      assert.equal(renamed.status, 200, renamed.text);
      assert.equal(changed.status, 200, changed.text);
      const got = JSON.parse((await bedrockRequest(a.url, rootCredentials, 'GET', path)).text) as {
        modelArn: string;
        provisionedModelName: string;
      };
      assert.equal(got.modelArn, `arn:aws:bedrock:us-east-1::foundation-model/${model}`, `round ${round}`);
      assert.equal(got.provisionedModelName, `update-race-${round}`);
    }
  });

  test('concurrent deletes of one resource: one succeeds, the others are ResourceNotFound', async () => {
    for (let round = 0; round < ROUNDS / 4; round++) {
      const path = await provisioned(`delete-race-${round}`);
      const deletes = await Promise.all(
        [a, b, a, b].map((s) => bedrockRequest(s.url, rootCredentials, 'DELETE', path)),
      );
      const statuses = deletes.map((d) => d.status).sort();
      assert.deepEqual(statuses, [200, 404, 404, 404], deletes.map((d) => d.text).join('\n'));
    }
  });
}

describe('two processes on one SQLite file', () => races('sqlite'));

const pgReason = await postgresUnavailable();
if (pgReason !== undefined) {
  if (process.env.CI === 'true')
    test('races on PostgreSQL', () => assert.fail(`${pgReason} (CI=true: PostgreSQL is required)`));
  else test('races on PostgreSQL', { skip: pgReason }, () => {});
} else {
  describe('two processes on PostgreSQL', () => races('postgres'));
}
