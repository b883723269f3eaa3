/**
 * The real server driven by the `aws` command line (`aws --endpoint-url … iam …`), on SQLite and
 * PostgreSQL. Outside CI the test skips when no `aws` is installed; under CI=true it must run.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AWS_CLI, awsJson, type CliCredentials, missingAwsCli, runAws } from '../support/aws-cli.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { rootCredentials } from '../support/clients.js';
import { postgresUnavailable } from '../support/postgres.js';
import { callQuery } from '../support/query.js';
import { userWithStatements } from '../support/users.js';

const AWS = AWS_CLI;

function run(
  server: TestServer,
  args: string[],
  creds: CliCredentials = rootCredentials,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runAws(server.url, args, creds);
}

function json(
  server: TestServer,
  args: string[],
  creds: CliCredentials = rootCredentials,
): Promise<Record<string, unknown>> {
  return awsJson(server.url, args, creds);
}

function suite(store: 'sqlite' | 'postgres') {
  describe(`IAM over the aws CLI (${store})`, { concurrency: false }, () => {
    let server: TestServer;
    let dir: string;
    before(async () => {
      server = await startBasalt({ store });
      dir = mkdtempSync(join(tmpdir(), 'basalt-cli-'));
    });
    after(async () => {
      await server?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    test('sts get-caller-identity', async () => {
      const id = await json(server, ['sts', 'get-caller-identity']);
      assert.equal(id.Account, ROOT.accountId);
    });

    test('users, groups, tags and errors', async () => {
      const u = (await json(server, [
        'iam',
        'create-user',
        '--user-name',
        'cli-alice',
        '--tags',
        'Key=team,Value=ml',
      ])) as { User: { Arn: string } };
      assert.equal(u.User.Arn, `arn:aws:iam::${ROOT.accountId}:user/cli-alice`);
      await json(server, ['iam', 'create-group', '--group-name', 'cli-devs']);
      await json(server, ['iam', 'add-user-to-group', '--group-name', 'cli-devs', '--user-name', 'cli-alice']);
      const groups = (await json(server, ['iam', 'list-groups-for-user', '--user-name', 'cli-alice'])) as {
        Groups: { GroupName: string }[];
      };
      assert.deepEqual(
        groups.Groups.map((g) => g.GroupName),
        ['cli-devs'],
      );
      const tags = (await json(server, ['iam', 'list-user-tags', '--user-name', 'cli-alice'])) as { Tags: unknown[] };
      assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'ml' }]);
      const missing = await run(server, ['iam', 'get-user', '--user-name', 'nobody-here']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /\(NoSuchEntity\).*nobody-here cannot be found/);
      const dup = await run(server, ['iam', 'create-user', '--user-name', 'CLI-ALICE']);
      assert.match(dup.stderr, /\(EntityAlreadyExists\)/);
    });

    test('managed policies, versions and attachments', async () => {
      const file = join(dir, 'policy.json');
      writeFileSync(
        file,
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }],
        }),
      );
      const p = (await json(server, [
        'iam',
        'create-policy',
        '--policy-name',
        'cli-invoke',
        '--policy-document',
        `file://${file}`,
      ])) as {
        Policy: { Arn: string };
      };
      await json(server, [
        'iam',
        'create-policy-version',
        '--policy-arn',
        p.Policy.Arn,
        '--policy-document',
        `file://${file}`,
        '--set-as-default',
      ]);
      const v = (await json(server, [
        'iam',
        'get-policy-version',
        '--policy-arn',
        p.Policy.Arn,
        '--version-id',
        'v2',
      ])) as {
        PolicyVersion: { Document: { Statement: { Action: string }[] }; IsDefaultVersion: boolean };
      };
      assert.equal(
        v.PolicyVersion.Document.Statement[0]?.Action,
        'bedrock:InvokeModel',
        'the CLI decodes the URL-encoded document',
      );
      assert.equal(v.PolicyVersion.IsDefaultVersion, true);
      await json(server, ['iam', 'attach-user-policy', '--user-name', 'cli-alice', '--policy-arn', p.Policy.Arn]);
      await json(server, [
        'iam',
        'attach-user-policy',
        '--user-name',
        'cli-alice',
        '--policy-arn',
        'arn:aws:iam::aws:policy/AmazonBedrockReadOnly',
      ]);
      const attached = (await json(server, ['iam', 'list-attached-user-policies', '--user-name', 'cli-alice'])) as {
        AttachedPolicies: { PolicyName: string }[];
      };
      assert.deepEqual(attached.AttachedPolicies.map((a) => a.PolicyName).sort(), [
        'AmazonBedrockReadOnly',
        'cli-invoke',
      ]);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}');
      const malformed = await run(server, [
        'iam',
        'put-user-policy',
        '--user-name',
        'cli-alice',
        '--policy-name',
        'x',
        '--policy-document',
        `file://${bad}`,
      ]);
      assert.match(malformed.stderr, /\(MalformedPolicyDocument\)/);
    });

    test('roles, boundaries and access keys', async () => {
      const trust = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
      const r = (await json(server, [
        'iam',
        'create-role',
        '--role-name',
        'cli-role',
        '--assume-role-policy-document',
        trust,
      ])) as { Role: { RoleId: string } };
      assert.match(r.Role.RoleId, /^AROA/);
      const got = (await json(server, ['iam', 'get-role', '--role-name', 'cli-role'])) as {
        Role: { AssumeRolePolicyDocument: unknown };
      };
      assert.deepEqual(got.Role.AssumeRolePolicyDocument, JSON.parse(trust));
      await json(server, [
        'iam',
        'put-role-permissions-boundary',
        '--role-name',
        'cli-role',
        '--permissions-boundary',
        'arn:aws:iam::aws:policy/AmazonBedrockReadOnly',
      ]);
      const k = (await json(server, ['iam', 'create-access-key', '--user-name', 'cli-alice'])) as {
        AccessKey: { AccessKeyId: string; SecretAccessKey: string };
      };
      assert.equal(k.AccessKey.SecretAccessKey.length, 40);
      const keys = (await json(server, ['iam', 'list-access-keys', '--user-name', 'cli-alice'])) as {
        AccessKeyMetadata: unknown[];
      };
      assert.equal(keys.AccessKeyMetadata.length, 1);
    });

    test('sts assume-role, and the session used for IAM calls', async () => {
      const q = async (action: string, params: Record<string, string>) => {
        const r = await callQuery(server.url, rootCredentials, action, params);
        assert.equal(r.status, 200, r.body);
        return r.body;
      };
      await q('CreateUser', { UserName: 'cli-assumer' });
      await q('PutUserPolicy', {
        UserName: 'cli-assumer',
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
        }),
      });
      const key = await q('CreateAccessKey', { UserName: 'cli-assumer' });
      const user = {
        accessKeyId: /<AccessKeyId>([^<]+)</.exec(key)?.[1] ?? '',
        secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(key)?.[1] ?? '',
      };
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ROOT.accountId}:user/cli-assumer` },
            Action: 'sts:AssumeRole',
          },
        ],
      };
      await q('CreateRole', { RoleName: 'cli-lister', AssumeRolePolicyDocument: JSON.stringify(trust) });
      await q('AttachRolePolicy', { RoleName: 'cli-lister', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' });
      const assumed = (await json(
        server,
        [
          'sts',
          'assume-role',
          '--role-arn',
          `arn:aws:iam::${ROOT.accountId}:role/cli-lister`,
          '--role-session-name',
          'cli',
        ],
        user,
      )) as {
        Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
        AssumedRoleUser: { Arn: string };
      };
      assert.equal(assumed.AssumedRoleUser.Arn, `arn:aws:sts::${ROOT.accountId}:assumed-role/cli-lister/cli`);
      const session = {
        accessKeyId: assumed.Credentials.AccessKeyId,
        secretAccessKey: assumed.Credentials.SecretAccessKey,
        sessionToken: assumed.Credentials.SessionToken,
      };
      const users = (await json(server, ['iam', 'list-users'], session)) as { Users: unknown[] };
      assert.ok(users.Users.length > 0);
      const denied = await run(server, ['iam', 'create-user', '--user-name', 'nope'], session);
      assert.match(
        denied.stderr,
        /\(AccessDenied\).*assumed-role\/cli-lister\/cli is not authorized to perform: iam:CreateUser/,
      );
    });

    test('sts get-federation-token, and the session limited to its policy', async () => {
      const user = await userWithStatements(server.url, 'cli-broker', [
        { Effect: 'Allow', Action: ['sts:GetFederationToken', 'bedrock:ListFoundationModels'], Resource: '*' },
      ]);
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'bedrock:ListFoundationModels', Resource: '*' }],
      });
      const fed = (await json(
        server,
        ['sts', 'get-federation-token', '--name', 'cli-app', '--policy', policy, '--duration-seconds', '900'],
        user,
      )) as {
        Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
        FederatedUser: { Arn: string; FederatedUserId: string };
      };
      assert.equal(fed.FederatedUser.Arn, `arn:aws:sts::${ROOT.accountId}:federated-user/cli-app`);
      const session = {
        accessKeyId: fed.Credentials.AccessKeyId,
        secretAccessKey: fed.Credentials.SecretAccessKey,
        sessionToken: fed.Credentials.SessionToken,
      };
      const models = (await json(server, ['bedrock', 'list-foundation-models'], session)) as {
        modelSummaries: unknown[];
      };
      assert.ok(models.modelSummaries.length > 0);
      const denied = await run(server, ['iam', 'list-users'], session);
      assert.match(denied.stderr, /\(AccessDenied\)/);
    });

    test('pagination through the CLI', async () => {
      // Set up over the query API (each CLI start costs half a second); read back through the CLI.
      for (let i = 0; i < 12; i++) {
        const r = await callQuery(server.url, rootCredentials, 'CreateUser', {
          UserName: `cli-page-${String(i).padStart(2, '0')}`,
          Path: '/cli-page/',
        });
        assert.equal(r.status, 200, r.body);
      }
      const all = (await json(server, ['iam', 'list-users', '--path-prefix', '/cli-page/', '--page-size', '5'])) as {
        Users: unknown[];
      };
      assert.equal(all.Users.length, 12, 'the CLI follows markers across pages');
      const first = (await json(server, ['iam', 'list-users', '--path-prefix', '/cli-page/', '--max-items', '4'])) as {
        Users: unknown[];
        NextToken: string;
      };
      assert.equal(first.Users.length, 4);
      const rest = (await json(server, [
        'iam',
        'list-users',
        '--path-prefix',
        '/cli-page/',
        '--starting-token',
        first.NextToken,
      ])) as { Users: unknown[] };
      assert.equal(rest.Users.length, 8);
    });
  });
}

if (AWS === undefined) {
  missingAwsCli('aws CLI');
} else {
  suite('sqlite');
  const pgReason = await postgresUnavailable();
  if (pgReason === undefined) suite('postgres');
  else if (process.env.CI === 'true')
    test('aws CLI (postgres)', () => assert.fail(`${pgReason} (CI=true: PostgreSQL is required)`));
  else test('aws CLI (postgres)', { skip: pgReason }, () => {});
}
