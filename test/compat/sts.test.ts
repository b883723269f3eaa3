/**
 * STS against the real server with the AWS SDK: AssumeRole (trust policy, identity policy, session
 * policies, durations, chaining, session tags, source identity, revocation by token issue time),
 * GetSessionToken, and the temporary credentials used for IAM calls.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as iam from '@aws-sdk/client-iam';
import * as sts from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { SecretBox } from '../../src/auth/secret-box.ts';
import { encodeAuthorizationMessage } from '../../src/authz/index.ts';
import { describePrincipal } from '../../src/policy/index.ts';
import { openStore, SYSTEM_ACCOUNT } from '../../src/store/index.ts';
import { credsOf, rejectsWith } from '../support/assertions.js';
import { ROOT, startBasalt, TEST_MASTER_KEY, type TestServer } from '../support/basalt.js';
import { type Credentials, iamClient, stsClient } from '../support/clients.js';
import { callQuery } from '../support/query.js';
import { userWithStatements } from '../support/users.js';

const A = ROOT.accountId;
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('STS over the AWS SDK', { concurrency: false }, () => {
  let server: TestServer;
  let root: iam.IAMClient;
  let dev: Credentials;
  before(async () => {
    server = await startBasalt({ env: { BASALT_LAST_USED_FLUSH_MS: '100' } });
    root = iamClient(server.url);
    await root.send(new iam.CreateUserCommand({ UserName: 'dev', Tags: [{ Key: 'team', Value: 'ml' }] }));
    await root.send(
      new iam.PutUserPolicyCommand({
        UserName: 'dev',
        PolicyName: 'assume',
        PolicyDocument: doc([
          { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: '*' },
        ]),
      }),
    );
    const k = await root.send(new iam.CreateAccessKeyCommand({ UserName: 'dev' }));
    dev = { accessKeyId: k.AccessKey?.AccessKeyId ?? '', secretAccessKey: k.AccessKey?.SecretAccessKey ?? '' };
    const trust = doc([
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${A}:user/dev` },
        Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
      },
    ]);
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'reader',
        AssumeRolePolicyDocument: trust,
        MaxSessionDuration: 7200,
        Tags: [{ Key: 'team', Value: 'role-team' }],
      }),
    );
    await root.send(
      new iam.PutRolePolicyCommand({
        RoleName: 'reader',
        PolicyName: 'read',
        PolicyDocument: doc([
          { Effect: 'Allow', Action: ['iam:ListUsers', 'iam:GetUser', 'sts:AssumeRole'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'iam:ListGroups',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'session-team' } },
          },
        ]),
      }),
    );
  });
  after(async () => {
    root?.destroy();
    await server?.destroy();
  });

  test('a user assumes a role its trust policy names and acts as the role', async () => {
    const client = stsClient(server.url, dev);
    const r = await client.send(
      new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/reader`, RoleSessionName: 'alpha' }),
    );
    assert.match(r.Credentials?.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/reader/alpha`);
    assert.match(r.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:alpha$/);
    const expires = r.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(Math.abs(expires - Date.now() - 3600_000) < 60_000, 'default duration is one hour');
    const session = credsOf(r.Credentials);
    const id = await stsClient(server.url, session).send(new sts.GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${A}:assumed-role/reader/alpha`);
    assert.equal(id.UserId, r.AssumedRoleUser?.AssumedRoleId);
    const asRole = iamClient(server.url, session);
    await asRole.send(new iam.ListUsersCommand({}));
    await rejectsWith(
      asRole.send(new iam.ListRolesCommand({})),
      'AccessDenied',
      new RegExp(`User: arn:aws:sts::${A}:assumed-role/reader/alpha is not authorized to perform: iam:ListRoles`),
    );
    // The role's own tag, not the user's, is aws:PrincipalTag/team for the session.
    await rejectsWith(asRole.send(new iam.ListGroupsCommand({})), 'AccessDenied');
    // GetRole shows when and where the role was last assumed (written every 100 ms here).
    await new Promise((res) => setTimeout(res, 400));
    const got = await root.send(new iam.GetRoleCommand({ RoleName: 'reader' }));
    assert.equal(got.Role?.RoleLastUsed?.Region, 'us-east-1');
    assert.ok(got.Role?.RoleLastUsed?.LastUsedDate instanceof Date);
  });

  test('a role session must name the user of a self-service IAM call: it never acts on the root user', async () => {
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'keymaker',
        AssumeRolePolicyDocument: doc([
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/dev` }, Action: 'sts:AssumeRole' },
        ]),
      }),
    );
    await root.send(
      new iam.PutRolePolicyCommand({
        RoleName: 'keymaker',
        PolicyName: 'keys',
        PolicyDocument: doc([
          {
            Effect: 'Allow',
            Action: [
              'iam:CreateAccessKey',
              'iam:ListAccessKeys',
              'iam:DeleteAccessKey',
              'iam:GetUser',
              'iam:ListMFADevices',
            ],
            Resource: '*',
          },
        ]),
      }),
    );
    const rootKeysBefore = (await root.send(new iam.ListAccessKeysCommand({}))).AccessKeyMetadata?.length;
    const r = await stsClient(server.url, dev).send(
      new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/keymaker`, RoleSessionName: 'keys' }),
    );
    const asRole = iamClient(server.url, credsOf(r.Credentials));
    const message = /Must specify userName when calling with non-User credentials/;
    // Before, this created an access key of the account root.
    await rejectsWith(asRole.send(new iam.CreateAccessKeyCommand({})), 'ValidationError', message);
    await rejectsWith(asRole.send(new iam.ListAccessKeysCommand({})), 'ValidationError', message);
    await rejectsWith(asRole.send(new iam.GetUserCommand({})), 'ValidationError', message);
    await rejectsWith(asRole.send(new iam.ListMFADevicesCommand({})), 'ValidationError', message);
    assert.equal((await root.send(new iam.ListAccessKeysCommand({}))).AccessKeyMetadata?.length, rootKeysBefore);
    // Naming the user works as for any caller.
    const made = await asRole.send(new iam.CreateAccessKeyCommand({ UserName: 'dev' }));
    assert.equal(made.AccessKey?.UserName, 'dev');
    await asRole.send(new iam.DeleteAccessKeyCommand({ UserName: 'dev', AccessKeyId: made.AccessKey?.AccessKeyId }));
  });

  test("the role's tags are aws:ResourceTag and iam:ResourceTag when it is assumed", async () => {
    // The Service Authorization Reference gives sts:AssumeRole iam:ResourceTag/${TagKey} on the role,
    // and the ABAC tutorial allows AssumeRole by the role's tag: a Deny by tag must stop it.
    const trustAccount = doc([
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' },
    ]);
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'prod-role',
        AssumeRolePolicyDocument: trustAccount,
        Tags: [{ Key: 'tier', Value: 'prod' }],
      }),
    );
    await root.send(new iam.CreateRoleCommand({ RoleName: 'dev-role', AssumeRolePolicyDocument: trustAccount }));
    const assume = async (creds: Credentials, role: string) =>
      stsClient(server.url, creds).send(
        new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/${role}`, RoleSessionName: 'tagged' }),
      );
    for (const key of ['iam:ResourceTag/tier', 'aws:ResourceTag/tier']) {
      const denied = await userWithStatements(server.url, `no-prod-${key.slice(0, 3)}`, [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
        { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*', Condition: { StringEquals: { [key]: 'prod' } } },
      ]);
      await rejectsWith(assume(denied, 'prod-role'), 'AccessDenied', /with an explicit deny/);
      await assume(denied, 'dev-role');
    }
    const onlyProd = await userWithStatements(server.url, 'only-prod', [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:ResourceTag/tier': 'prod' } },
      },
    ]);
    await assume(onlyProd, 'prod-role');
    await rejectsWith(assume(onlyProd, 'dev-role'), 'AccessDenied');
  });

  test('a principal the trust policy does not name is refused, and so is root', async () => {
    await root.send(new iam.CreateUserCommand({ UserName: 'outsider' }));
    await root.send(
      new iam.PutUserPolicyCommand({
        UserName: 'outsider',
        PolicyName: 'p',
        PolicyDocument: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]),
      }),
    );
    const k = await root.send(new iam.CreateAccessKeyCommand({ UserName: 'outsider' }));
    const outsider = stsClient(server.url, {
      accessKeyId: k.AccessKey?.AccessKeyId ?? '',
      secretAccessKey: k.AccessKey?.SecretAccessKey ?? '',
    });
    await rejectsWith(
      outsider.send(new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/reader`, RoleSessionName: 'sx' })),
      'AccessDenied',
      /is not authorized to perform: sts:AssumeRole on resource: .*role\/reader/,
    );
    await rejectsWith(
      outsider.send(new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/missing`, RoleSessionName: 'sx' })),
      'AccessDenied',
    );
    await rejectsWith(
      stsClient(server.url).send(
        new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/reader`, RoleSessionName: 'sx' }),
      ),
      'AccessDenied',
      /root/,
    );
  });

  test('session policies narrow the session', async () => {
    const r = await stsClient(server.url, dev).send(
      new sts.AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${A}:role/reader`,
        RoleSessionName: 'narrow',
        Policy: doc([{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }]),
      }),
    );
    assert.ok((r.PackedPolicySize ?? 0) > 0);
    const asRole = iamClient(server.url, credsOf(r.Credentials));
    await asRole.send(new iam.GetUserCommand({ UserName: 'dev' }));
    await rejectsWith(
      asRole.send(new iam.ListUsersCommand({})),
      'AccessDenied',
      /because no session policy allows the iam:ListUsers action/,
    );
    await rejectsWith(
      stsClient(server.url, dev).send(
        new sts.AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${A}:role/reader`,
          RoleSessionName: 'big',
          Policy: doc([
            { Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/${'x'.repeat(2100)}` },
          ]),
        }),
      ),
      'ValidationError',
    );
  });

  test('a managed session policy applies as it stands now: narrowed or deleted, it narrows the live session', async () => {
    const created = await root.send(
      new iam.CreatePolicyCommand({
        PolicyName: 'session-limit',
        PolicyDocument: doc([{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListUsers'], Resource: '*' }]),
      }),
    );
    const policyArn = created.Policy?.Arn ?? '';
    const r = await stsClient(server.url, dev).send(
      new sts.AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${A}:role/reader`,
        RoleSessionName: 'managed',
        PolicyArns: [{ arn: policyArn }],
      }),
    );
    const asRole = iamClient(server.url, credsOf(r.Credentials));
    await asRole.send(new iam.ListUsersCommand({}));
    // A new default version that drops iam:ListUsers applies to the session already issued.
    await root.send(
      new iam.CreatePolicyVersionCommand({
        PolicyArn: policyArn,
        PolicyDocument: doc([{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }]),
        SetAsDefault: true,
      }),
    );
    await rejectsWith(
      asRole.send(new iam.ListUsersCommand({})),
      'AccessDenied',
      /because no session policy allows the iam:ListUsers action/,
    );
    await asRole.send(new iam.GetUserCommand({ UserName: 'dev' }));
    // Deleted, it allows nothing: the session does not fall back to the role's whole permissions;
    // recreated under the same ARN, it is another policy and still allows nothing to this session.
    await root.send(new iam.DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' }));
    await root.send(new iam.DeletePolicyCommand({ PolicyArn: policyArn }));
    await rejectsWith(asRole.send(new iam.GetUserCommand({ UserName: 'dev' })), 'AccessDenied');
    await root.send(
      new iam.CreatePolicyCommand({
        PolicyName: 'session-limit',
        PolicyDocument: doc([{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListUsers'], Resource: '*' }]),
      }),
    );
    await rejectsWith(asRole.send(new iam.GetUserCommand({ UserName: 'dev' })), 'AccessDenied');
  });

  test('durations: the role maximum, and one hour when chaining', async () => {
    const client = stsClient(server.url, dev);
    await rejectsWith(
      client.send(
        new sts.AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${A}:role/reader`,
          RoleSessionName: 'long',
          DurationSeconds: 10800,
        }),
      ),
      'ValidationError',
      /MaxSessionDuration/,
    );
    const r = await client.send(
      new sts.AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${A}:role/reader`,
        RoleSessionName: 'two-hours',
        DurationSeconds: 7200,
      }),
    );
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'second',
        MaxSessionDuration: 43200,
        AssumeRolePolicyDocument: doc([
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/reader` }, Action: 'sts:AssumeRole' },
        ]),
      }),
    );
    const chainer = stsClient(server.url, credsOf(r.Credentials));
    await rejectsWith(
      chainer.send(
        new sts.AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${A}:role/second`,
          RoleSessionName: 'chain',
          DurationSeconds: 7200,
        }),
      ),
      'ValidationError',
      /1 hour session limit/,
    );
    const chained = await chainer.send(
      new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/second`, RoleSessionName: 'chain' }),
    );
    assert.equal(chained.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/second/chain`);
  });

  test('session tags and source identity: need permission, show as principal tags, carry on', async () => {
    const r = await stsClient(server.url, dev).send(
      new sts.AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${A}:role/reader`,
        RoleSessionName: 'tagged',
        Tags: [{ Key: 'team', Value: 'session-team' }],
        TransitiveTagKeys: ['team'],
        SourceIdentity: 'dev-laptop',
      }),
    );
    assert.equal(r.SourceIdentity, 'dev-laptop');
    const asRole = iamClient(server.url, credsOf(r.Credentials));
    // The session tag overrides the role's tag of the same key.
    await asRole.send(new iam.ListGroupsCommand({}));
    await root.send(
      new iam.UpdateAssumeRolePolicyCommand({
        RoleName: 'second',
        PolicyDocument: doc([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:role/reader` },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ]),
      }),
    );
    await rejectsWith(
      stsClient(server.url, credsOf(r.Credentials)).send(
        new sts.AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${A}:role/second`,
          RoleSessionName: 'xy',
          SourceIdentity: 'someone-else',
        }),
      ),
      'AccessDenied',
    );
    // Chained without naming it, the session's source identity is still set on the new session, so
    // the target's trust policy must allow sts:SetSourceIdentity and sees sts:SourceIdentity ("Monitor
    // and control actions taken with assumed roles": required "in the role trust policy of the target
    // role" when chaining).
    const chainOn = () =>
      stsClient(server.url, credsOf(r.Credentials)).send(
        new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/second`, RoleSessionName: 'carried' }),
      );
    await rejectsWith(chainOn(), 'AccessDenied', /sts:SetSourceIdentity/);
    const readerMay = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/reader` } };
    await root.send(
      new iam.UpdateAssumeRolePolicyCommand({
        RoleName: 'second',
        PolicyDocument: doc([
          { ...readerMay, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] },
          {
            Effect: 'Deny',
            Principal: { AWS: `arn:aws:iam::${A}:role/reader` },
            Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
            Condition: { StringEquals: { 'sts:SourceIdentity': 'dev-laptop' } },
          },
        ]),
      }),
    );
    await rejectsWith(chainOn(), 'AccessDenied', /explicit deny/);
    await root.send(
      new iam.UpdateAssumeRolePolicyCommand({
        RoleName: 'second',
        PolicyDocument: doc([{ ...readerMay, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }]),
      }),
    );
    assert.equal((await chainOn()).SourceIdentity, 'dev-laptop');
    // A trust policy that names the account delegates to identity policies: a user they do not
    // allow sts:TagSession cannot tag a session. (One that names the user directly allows on its own.)
    await root.send(new iam.CreateUserCommand({ UserName: 'notagger' }));
    await root.send(
      new iam.PutUserPolicyCommand({
        UserName: 'notagger',
        PolicyName: 'p',
        PolicyDocument: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]),
      }),
    );
    const k = await root.send(new iam.CreateAccessKeyCommand({ UserName: 'notagger' }));
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'delegated',
        AssumeRolePolicyDocument: doc([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:root` },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ]),
      }),
    );
    const notagger = stsClient(server.url, {
      accessKeyId: k.AccessKey?.AccessKeyId ?? '',
      secretAccessKey: k.AccessKey?.SecretAccessKey ?? '',
    });
    await rejectsWith(
      notagger.send(
        new sts.AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${A}:role/delegated`,
          RoleSessionName: 'xy',
          Tags: [{ Key: 'a', Value: 'b' }],
        }),
      ),
      'AccessDenied',
      /sts:TagSession/,
    );
    await notagger.send(
      new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/delegated`, RoleSessionName: 'xy' }),
    );
  });

  test('ExternalId: a trust policy that requires sts:ExternalId', async () => {
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'partner',
        AssumeRolePolicyDocument: doc([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:user/dev` },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'unique-id-7' } },
          },
        ]),
      }),
    );
    const client = stsClient(server.url, dev);
    const arn = `arn:aws:iam::${A}:role/partner`;
    await rejectsWith(
      client.send(new sts.AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'none' })),
      'AccessDenied',
    );
    await rejectsWith(
      client.send(new sts.AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'wrong', ExternalId: 'unique-id-8' })),
      'AccessDenied',
    );
    const r = await client.send(
      new sts.AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'right', ExternalId: 'unique-id-7' }),
    );
    assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/partner/right`);
  });

  test('bad session input is a clear error and grants nothing', async () => {
    const client = stsClient(server.url, dev);
    const role = `arn:aws:iam::${A}:role/reader`;
    await rejectsWith(
      client.send(
        new sts.AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'xy', Tags: [{ Key: 'bad key!', Value: 'v' }] }),
      ),
      'ValidationError',
    );
    const many = Array.from({ length: 51 }, (_, n) => ({ Key: `k${n}`, Value: 'v' }));
    await rejectsWith(
      client.send(new sts.AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'many', Tags: many })),
      'ValidationError',
      /50/,
    );
    await rejectsWith(
      client.send(new sts.AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'bad name!' })),
      'ValidationError',
    );
    await rejectsWith(
      client.send(new sts.AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'pol', Policy: '{"Statement":' })),
      'MalformedPolicyDocumentException',
    );
    await rejectsWith(
      client.send(
        new sts.AssumeRoleCommand({
          RoleArn: role,
          RoleSessionName: 'arns',
          PolicyArns: [{ arn: `arn:aws:iam::${A}:policy/none` }],
        }),
      ),
      'InvalidParameterValue',
    );
    await rejectsWith(
      client.send(new sts.AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'short', DurationSeconds: 60 })),
      'ValidationError',
    );
  });

  test('revoking older sessions with aws:TokenIssueTime', async () => {
    const r = await stsClient(server.url, dev).send(
      new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/reader`, RoleSessionName: 'old' }),
    );
    const asRole = iamClient(server.url, credsOf(r.Credentials));
    await asRole.send(new iam.ListUsersCommand({}));
    await new Promise((res) => setTimeout(res, 1100));
    const cutoff = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await root.send(
      new iam.PutRolePolicyCommand({
        RoleName: 'reader',
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: doc([
          { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } },
        ]),
      }),
    );
    await rejectsWith(
      asRole.send(new iam.ListUsersCommand({})),
      'AccessDenied',
      /explicit deny in an identity-based policy/,
    );
    await new Promise((res) => setTimeout(res, 1100));
    const fresh = await stsClient(server.url, dev).send(
      new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/reader`, RoleSessionName: 'new' }),
    );
    await iamClient(server.url, credsOf(fresh.Credentials)).send(new iam.ListUsersCommand({}));
  });

  test('GetAccessKeyInfo names the account of long-term and temporary keys', async () => {
    await root.send(
      new iam.PutUserPolicyCommand({
        UserName: 'dev',
        PolicyName: 'info',
        PolicyDocument: doc([
          { Effect: 'Allow', Action: ['sts:GetAccessKeyInfo', 'sts:DecodeAuthorizationMessage'], Resource: '*' },
        ]),
      }),
    );
    const client = stsClient(server.url, dev);
    assert.equal((await client.send(new sts.GetAccessKeyInfoCommand({ AccessKeyId: dev.accessKeyId }))).Account, A);
    const t = await client.send(new sts.GetSessionTokenCommand({ DurationSeconds: 900 }));
    assert.equal(
      (await client.send(new sts.GetAccessKeyInfoCommand({ AccessKeyId: t.Credentials?.AccessKeyId ?? '' }))).Account,
      A,
    );
    assert.equal((await client.send(new sts.GetAccessKeyInfoCommand({ AccessKeyId: ROOT.accessKeyId }))).Account, A);
  });

  test('DecodeAuthorizationMessage decodes what basalt encoded, for callers allowed to', async () => {
    const caller = {
      type: 'user' as const,
      accountId: A,
      arn: `arn:aws:iam::${A}:user/dev`,
      userId: 'AIDAEXAMPLE',
      userName: 'dev',
      tags: [],
      accessKeyId: dev.accessKeyId,
      principal: describePrincipal(`arn:aws:iam::${A}:user/dev`),
    };
    const encoded = encodeAuthorizationMessage(
      SecretBox.fromText(TEST_MASTER_KEY),
      caller,
      {
        action: 'bedrock:InvokeModel',
        resource: 'arn:aws:bedrock:us-east-1::foundation-model/x',
        context: { 'aws:SourceIp': '10.0.0.1' },
      },
      { decision: 'ImplicitDeny', decidedBy: 'identity', matched: [] },
    );
    const decoded = await stsClient(server.url, dev).send(
      new sts.DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }),
    );
    const message = JSON.parse(decoded.DecodedMessage ?? '{}') as {
      allowed: boolean;
      context: { action: string; conditions: { items: { key: string }[] } };
    };
    assert.equal(message.allowed, false);
    assert.equal(message.context.action, 'bedrock:InvokeModel');
    assert.deepEqual(
      message.context.conditions.items.map((c) => c.key),
      ['aws:SourceIp'],
    );
    await rejectsWith(
      stsClient(server.url, dev).send(
        new sts.DecodeAuthorizationMessageCommand({ EncodedMessage: `${encoded.slice(0, -2)}AA` }),
      ),
      'InvalidAuthorizationMessageException',
    );
  });

  test("the SDK's fromTemporaryCredentials provider assumes a role against basalt", async () => {
    const provider = fromTemporaryCredentials({
      params: { RoleArn: `arn:aws:iam::${A}:role/reader`, RoleSessionName: 'provider' },
      masterCredentials: dev,
      clientConfig: { endpoint: server.url, region: 'us-east-1' },
    });
    const client = new sts.STSClient({ endpoint: server.url, region: 'us-east-1', credentials: provider });
    const id = await client.send(new sts.GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${A}:assumed-role/reader/provider`);
  });

  test('cross-account: both the trust policy of the other account and the caller policies must allow', async () => {
    const B = '210987654321';
    const store = await openStore({ dataDir: server.dataDir });
    try {
      await store.write(async (tx) => {
        await tx.insert({
          kind: 'account',
          accountId: SYSTEM_ACCOUNT,
          key: B,
          id: B,
          body: { id: B, createdAt: '2026-01-01T00:00:00Z', name: 'second' },
        });
        const trust = doc([
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' },
        ]);
        await tx.insert({
          kind: 'role',
          accountId: B,
          key: 'cross',
          id: 'AROACROSSACCOUNTROLE1',
          path: '/',
          body: {
            name: 'cross',
            path: '/',
            id: 'AROACROSSACCOUNTROLE1',
            arn: `arn:aws:iam::${B}:role/cross`,
            createdAt: '2026-01-01T00:00:00Z',
            trustPolicy: trust,
            maxSessionDuration: 3600,
            tags: [],
          },
        });
      });
    } finally {
      await store.close();
    }
    const r = await stsClient(server.url, dev).send(
      new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${B}:role/cross`, RoleSessionName: 'over' }),
    );
    assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${B}:assumed-role/cross/over`);
    const id = await stsClient(server.url, credsOf(r.Credentials)).send(new sts.GetCallerIdentityCommand({}));
    assert.equal(id.Account, B);
    // A user of account A whose own policies do not allow it is refused, though the trust names A.
    await root.send(new iam.CreateUserCommand({ UserName: 'no-cross' }));
    const k = await root.send(new iam.CreateAccessKeyCommand({ UserName: 'no-cross' }));
    await rejectsWith(
      stsClient(server.url, {
        accessKeyId: k.AccessKey?.AccessKeyId ?? '',
        secretAccessKey: k.AccessKey?.SecretAccessKey ?? '',
      }).send(new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${B}:role/cross`, RoleSessionName: 'over' })),
      'AccessDenied',
      /because no identity-based policy allows the sts:AssumeRole action/,
    );
  });

  test('GetSessionToken: STS works, IAM needs MFA, tokens cannot be forged', async () => {
    const t = await stsClient(server.url, dev).send(new sts.GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session = credsOf(t.Credentials);
    const id = await stsClient(server.url, session).send(new sts.GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:iam::${A}:user/dev`);
    await rejectsWith(iamClient(server.url, session).send(new iam.ListUsersCommand({})), 'InvalidClientTokenId');
    await rejectsWith(
      stsClient(server.url, session).send(new sts.GetSessionTokenCommand({})),
      'AccessDenied',
      /session credentials/,
    );
    // "Cannot call any STS API except AssumeRole or GetCallerIdentity" (STS API Reference, GetSessionToken).
    await rejectsWith(
      stsClient(server.url, session).send(new sts.GetAccessKeyInfoCommand({ AccessKeyId: dev.accessKeyId })),
      'AccessDenied',
      /^Cannot call GetAccessKeyInfo with session credentials$/,
    );
    await rejectsWith(
      stsClient(server.url, session).send(new sts.DecodeAuthorizationMessageCommand({ EncodedMessage: 'x' })),
      'AccessDenied',
      /^Cannot call DecodeAuthorizationMessage with session credentials$/,
    );
    const rootToken = await stsClient(server.url).send(new sts.GetSessionTokenCommand({ DurationSeconds: 7200 }));
    const rootExpiry = rootToken.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(rootExpiry - Date.now() <= 3600_000 + 5000, 'root sessions last at most one hour');
    // Forged, truncated or swapped tokens open nothing.
    const token = session.sessionToken ?? '';
    for (const bad of [
      token.slice(0, -4),
      // One character changed (to one it is not already, or the token would be the original).
      `${token.slice(0, 40)}${token[40] === 'A' ? 'B' : 'A'}${token.slice(41)}`,
      'BasaltSTS1.v1.AAAA.BBBB.CCCC',
      'garbage',
    ]) {
      const r = await callQuery(server.url, { ...session, sessionToken: bad }, 'GetCallerIdentity', {}, 'sts');
      assert.equal(r.code, 'InvalidClientTokenId', r.body);
    }
    const other = await stsClient(server.url, dev).send(new sts.GetSessionTokenCommand({ DurationSeconds: 900 }));
    const swapped = await callQuery(
      server.url,
      { ...session, sessionToken: other.Credentials?.SessionToken ?? '' },
      'GetCallerIdentity',
      {},
      'sts',
    );
    assert.equal(swapped.code, 'InvalidClientTokenId', 'a token names its own access key');
  });
});
