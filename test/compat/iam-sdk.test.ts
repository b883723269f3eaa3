/**
 * The real server driven by the official AWS SDK v3 (@aws-sdk/client-iam and -sts), over HTTP/1.1
 * and HTTP/2, on SQLite and on PostgreSQL: users, groups, roles, managed and inline policies,
 * versions, access keys, boundaries, tags, pagination and errors.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as iam from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { rejectsWith } from '../support/assertions.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { iamClient, stsClient } from '../support/clients.js';
import { postgresUnavailable } from '../support/postgres.js';

const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ROOT.accountId}:root` }, Action: 'sts:AssumeRole' }],
});

function suite(store: 'sqlite' | 'postgres', http2: boolean) {
  describe(`IAM over the AWS SDK (${store}, ${http2 ? 'HTTP/2' : 'HTTP/1.1'})`, { concurrency: false }, () => {
    let server: TestServer;
    let client: iam.IAMClient;
    before(async () => {
      server = await startBasalt({ store, env: { BASALT_LAST_USED_FLUSH_MS: '100' } });
      client = iamClient(server.url, undefined, http2);
    });
    after(async () => {
      client?.destroy();
      await server?.destroy();
    });

    test('GetCallerIdentity answers for the root user', async () => {
      const sts = stsClient(server.url, undefined, http2);
      const id = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      assert.equal(id.Account, ROOT.accountId);
      assert.equal(id.Arn, `arn:aws:iam::${ROOT.accountId}:root`);
      assert.equal(id.UserId, ROOT.accountId);
    });

    test('users: create, get, update, tag, list, delete', async () => {
      const created = await client.send(
        new iam.CreateUserCommand({ UserName: 'alice', Path: '/team/', Tags: [{ Key: 'team', Value: 'ml' }] }),
      );
      assert.equal(created.User?.Arn, `arn:aws:iam::${ROOT.accountId}:user/team/alice`);
      assert.match(created.User?.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
      assert.ok(created.User?.CreateDate instanceof Date);
      const got = await client.send(new iam.GetUserCommand({ UserName: 'ALICE' }));
      assert.equal(got.User?.UserName, 'alice', 'user names are case-insensitive');
      assert.deepEqual(got.User?.Tags, [{ Key: 'team', Value: 'ml' }]);
      await rejectsWith(client.send(new iam.CreateUserCommand({ UserName: 'Alice' })), 'EntityAlreadyExistsException');
      await client.send(new iam.TagUserCommand({ UserName: 'alice', Tags: [{ Key: 'cost', Value: '42' }] }));
      const tags = await client.send(new iam.ListUserTagsCommand({ UserName: 'alice' }));
      assert.deepEqual(tags.Tags?.map((t) => t.Key).sort(), ['cost', 'team']);
      await client.send(new iam.UntagUserCommand({ UserName: 'alice', TagKeys: ['cost'] }));
      await client.send(new iam.UpdateUserCommand({ UserName: 'alice', NewUserName: 'alice2', NewPath: '/x/' }));
      const renamed = await client.send(new iam.GetUserCommand({ UserName: 'alice2' }));
      assert.equal(renamed.User?.Arn, `arn:aws:iam::${ROOT.accountId}:user/x/alice2`);
      assert.deepEqual(renamed.User?.Tags, [{ Key: 'team', Value: 'ml' }]);
      await rejectsWith(
        client.send(new iam.GetUserCommand({ UserName: 'alice' })),
        'NoSuchEntityException',
        /alice cannot be found/,
      );
      const listed = await client.send(new iam.ListUsersCommand({ PathPrefix: '/x/' }));
      assert.deepEqual(
        listed.Users?.map((u) => u.UserName),
        ['alice2'],
      );
      await client.send(new iam.DeleteUserCommand({ UserName: 'alice2' }));
      await rejectsWith(client.send(new iam.DeleteUserCommand({ UserName: 'alice2' })), 'NoSuchEntityException');
    });

    test('pagination walks every user exactly once', async () => {
      const names = Array.from({ length: 23 }, (_, i) => `page-user-${String(i).padStart(2, '0')}`);
      for (const UserName of names) await client.send(new iam.CreateUserCommand({ UserName, Path: '/paged/' }));
      const seen: string[] = [];
      let Marker: string | undefined;
      let pages = 0;
      do {
        const page = await client.send(
          new iam.ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 5, ...(Marker ? { Marker } : {}) }),
        );
        seen.push(...(page.Users ?? []).map((u) => u.UserName ?? ''));
        Marker = page.IsTruncated ? page.Marker : undefined;
        pages++;
      } while (Marker !== undefined);
      assert.deepEqual(seen, names);
      assert.equal(pages, 5);
      const viaPaginator: string[] = [];
      for await (const page of iam.paginateListUsers({ client, pageSize: 7 }, { PathPrefix: '/paged/' })) {
        viaPaginator.push(...(page.Users ?? []).map((u) => u.UserName ?? ''));
      }
      assert.deepEqual(viaPaginator, names);
    });

    test('groups and membership', async () => {
      await client.send(new iam.CreateUserCommand({ UserName: 'bob' }));
      await client.send(new iam.CreateGroupCommand({ GroupName: 'devs' }));
      await client.send(new iam.AddUserToGroupCommand({ GroupName: 'devs', UserName: 'bob' }));
      const g = await client.send(new iam.GetGroupCommand({ GroupName: 'devs' }));
      assert.deepEqual(
        g.Users?.map((u) => u.UserName),
        ['bob'],
      );
      const forUser = await client.send(new iam.ListGroupsForUserCommand({ UserName: 'bob' }));
      assert.deepEqual(
        forUser.Groups?.map((x) => x.GroupName),
        ['devs'],
      );
      await rejectsWith(client.send(new iam.DeleteGroupCommand({ GroupName: 'devs' })), 'DeleteConflictException');
      await rejectsWith(client.send(new iam.DeleteUserCommand({ UserName: 'bob' })), 'DeleteConflictException');
      await client.send(new iam.UpdateGroupCommand({ GroupName: 'devs', NewGroupName: 'developers' }));
      const renamed = await client.send(new iam.ListGroupsForUserCommand({ UserName: 'bob' }));
      assert.deepEqual(
        renamed.Groups?.map((x) => x.GroupName),
        ['developers'],
      );
      await client.send(new iam.RemoveUserFromGroupCommand({ GroupName: 'developers', UserName: 'bob' }));
      await client.send(new iam.DeleteGroupCommand({ GroupName: 'developers' }));
      await client.send(new iam.DeleteUserCommand({ UserName: 'bob' }));
    });

    test('roles: trust policy, description, duration, tags, boundary', async () => {
      const created = await client.send(
        new iam.CreateRoleCommand({
          RoleName: 'runner',
          AssumeRolePolicyDocument: TRUST,
          Description: 'runs',
          MaxSessionDuration: 7200,
        }),
      );
      assert.match(created.Role?.RoleId ?? '', /^AROA/);
      const got = await client.send(new iam.GetRoleCommand({ RoleName: 'runner' }));
      assert.deepEqual(JSON.parse(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? '')), JSON.parse(TRUST));
      assert.equal(got.Role?.MaxSessionDuration, 7200);
      await rejectsWith(
        client.send(new iam.UpdateRoleCommand({ RoleName: 'runner', MaxSessionDuration: 50000 })),
        'ValidationError',
        /maxSessionDuration/,
      );
      await rejectsWith(
        client.send(new iam.UpdateAssumeRolePolicyCommand({ RoleName: 'runner', PolicyDocument: ALLOW_ALL })),
        'MalformedPolicyDocumentException',
      );
      await client.send(new iam.TagRoleCommand({ RoleName: 'runner', Tags: [{ Key: 'env', Value: 'prod' }] }));
      await client.send(
        new iam.PutRolePermissionsBoundaryCommand({
          RoleName: 'runner',
          PermissionsBoundary: 'arn:aws:iam::aws:policy/AmazonBedrockReadOnly',
        }),
      );
      const withBoundary = await client.send(new iam.GetRoleCommand({ RoleName: 'runner' }));
      assert.equal(
        withBoundary.Role?.PermissionsBoundary?.PermissionsBoundaryArn,
        'arn:aws:iam::aws:policy/AmazonBedrockReadOnly',
      );
      assert.deepEqual(withBoundary.Role?.Tags, [{ Key: 'env', Value: 'prod' }]);
      await client.send(new iam.DeleteRolePermissionsBoundaryCommand({ RoleName: 'runner' }));
      await client.send(new iam.DeleteRoleCommand({ RoleName: 'runner' }));
    });

    test('managed policies and versions', async () => {
      const created = await client.send(
        new iam.CreatePolicyCommand({ PolicyName: 'all', PolicyDocument: ALLOW_ALL, Path: '/p/' }),
      );
      const arn = created.Policy?.Arn ?? '';
      assert.equal(arn, `arn:aws:iam::${ROOT.accountId}:policy/p/all`);
      assert.equal(created.Policy?.DefaultVersionId, 'v1');
      for (let i = 2; i <= 5; i++) {
        const v = await client.send(
          new iam.CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: ALLOW_ALL, SetAsDefault: i === 3 }),
        );
        assert.equal(v.PolicyVersion?.VersionId, `v${i}`);
      }
      await rejectsWith(
        client.send(new iam.CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: ALLOW_ALL })),
        'LimitExceededException',
      );
      const versions = await client.send(new iam.ListPolicyVersionsCommand({ PolicyArn: arn }));
      assert.deepEqual(
        versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion]),
        [
          ['v5', false],
          ['v4', false],
          ['v3', true],
          ['v2', false],
          ['v1', false],
        ],
      );
      await rejectsWith(
        client.send(new iam.DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' })),
        'DeleteConflictException',
      );
      await client.send(new iam.SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
      const v5 = await client.send(new iam.GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
      assert.deepEqual(JSON.parse(decodeURIComponent(v5.PolicyVersion?.Document ?? '')), JSON.parse(ALLOW_ALL));
      await rejectsWith(
        client.send(new iam.DeletePolicyCommand({ PolicyArn: arn })),
        'DeleteConflictException',
        /versions/,
      );
      for (const VersionId of ['v1', 'v2', 'v3', 'v4'])
        await client.send(new iam.DeletePolicyVersionCommand({ PolicyArn: arn, VersionId }));
      await client.send(new iam.CreateUserCommand({ UserName: 'carol' }));
      await client.send(new iam.AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: arn }));
      const entities = await client.send(new iam.ListEntitiesForPolicyCommand({ PolicyArn: arn }));
      assert.deepEqual(
        entities.PolicyUsers?.map((u) => u.UserName),
        ['carol'],
      );
      const p = await client.send(new iam.GetPolicyCommand({ PolicyArn: arn }));
      assert.equal(p.Policy?.AttachmentCount, 1);
      await rejectsWith(
        client.send(new iam.DeletePolicyCommand({ PolicyArn: arn })),
        'DeleteConflictException',
        /attached/,
      );
      await client.send(new iam.DetachUserPolicyCommand({ UserName: 'carol', PolicyArn: arn }));
      await client.send(new iam.DeletePolicyCommand({ PolicyArn: arn }));
      await client.send(new iam.DeleteUserCommand({ UserName: 'carol' }));
    });

    test('AWS managed policies are all there, with versions', async () => {
      const full = await client.send(
        new iam.GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess' }),
      );
      assert.equal(full.Policy?.PolicyName, 'AmazonBedrockFullAccess');
      const versions = await client.send(
        new iam.ListPolicyVersionsCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AmazonBedrockFullAccess' }),
      );
      assert.ok((versions.Versions?.length ?? 0) > 1);
      let count = 0;
      for await (const page of iam.paginateListPolicies({ client, pageSize: 1000 }, { Scope: 'AWS' }))
        count += page.Policies?.length ?? 0;
      assert.ok(count > 1000, `expected every AWS managed policy, got ${count}`);
      await rejectsWith(
        client.send(
          new iam.CreatePolicyVersionCommand({
            PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
            PolicyDocument: ALLOW_ALL,
          }),
        ),
        'InvalidInputException',
      );
    });

    test('inline policies with the size quota', async () => {
      await client.send(new iam.CreateUserCommand({ UserName: 'dave' }));
      await client.send(
        new iam.PutUserPolicyCommand({ UserName: 'dave', PolicyName: 'p1', PolicyDocument: ALLOW_ALL }),
      );
      const got = await client.send(new iam.GetUserPolicyCommand({ UserName: 'dave', PolicyName: 'p1' }));
      assert.deepEqual(JSON.parse(decodeURIComponent(got.PolicyDocument ?? '')), JSON.parse(ALLOW_ALL));
      const big = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(2100)}` }],
      });
      await rejectsWith(
        client.send(new iam.PutUserPolicyCommand({ UserName: 'dave', PolicyName: 'p2', PolicyDocument: big })),
        'LimitExceededException',
      );
      await rejectsWith(
        client.send(
          new iam.PutUserPolicyCommand({ UserName: 'dave', PolicyName: 'p3', PolicyDocument: '{"Statement":[' }),
        ),
        'MalformedPolicyDocumentException',
      );
      const names = await client.send(new iam.ListUserPoliciesCommand({ UserName: 'dave' }));
      assert.deepEqual(names.PolicyNames, ['p1']);
      await client.send(new iam.DeleteUserPolicyCommand({ UserName: 'dave', PolicyName: 'p1' }));
      await client.send(new iam.DeleteUserCommand({ UserName: 'dave' }));
    });

    test('access keys: at most two, the secret works, deactivation stops it', async () => {
      await client.send(new iam.CreateUserCommand({ UserName: 'erin' }));
      const k1 = await client.send(new iam.CreateAccessKeyCommand({ UserName: 'erin' }));
      await client.send(new iam.CreateAccessKeyCommand({ UserName: 'erin' }));
      await rejectsWith(client.send(new iam.CreateAccessKeyCommand({ UserName: 'erin' })), 'LimitExceededException');
      const key = k1.AccessKey;
      assert.match(key?.AccessKeyId ?? '', /^AKIA[A-Z2-7]{16}$/);
      assert.equal(key?.SecretAccessKey?.length, 40);
      const creds = { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
      const sts = stsClient(server.url, creds, http2);
      const id = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(id.Arn, `arn:aws:iam::${ROOT.accountId}:user/erin`);
      const asErin = iamClient(server.url, creds, http2);
      await rejectsWith(
        asErin.send(new iam.ListUsersCommand({})),
        'AccessDenied',
        /because no identity-based policy allows the iam:ListUsers action/,
      );
      await client.send(
        new iam.UpdateAccessKeyCommand({ UserName: 'erin', AccessKeyId: creds.accessKeyId, Status: 'Inactive' }),
      );
      await rejectsWith(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
      const listed = await client.send(new iam.ListAccessKeysCommand({ UserName: 'erin' }));
      assert.equal(listed.AccessKeyMetadata?.length, 2);
      // Last-used records are written every BASALT_LAST_USED_FLUSH_MS (100 ms here).
      await new Promise((r) => setTimeout(r, 400));
      const lastUsed = await client.send(new iam.GetAccessKeyLastUsedCommand({ AccessKeyId: creds.accessKeyId }));
      assert.equal(lastUsed.UserName, 'erin');
      assert.equal(lastUsed.AccessKeyLastUsed?.Region, 'us-east-1');
      assert.ok(
        ['sts', 'iam'].includes(lastUsed.AccessKeyLastUsed?.ServiceName ?? ''),
        JSON.stringify(lastUsed.AccessKeyLastUsed),
      );
      assert.ok(lastUsed.AccessKeyLastUsed?.LastUsedDate instanceof Date);
      const unused = await client.send(
        new iam.GetAccessKeyLastUsedCommand({
          AccessKeyId: listed.AccessKeyMetadata?.find((k) => k.AccessKeyId !== creds.accessKeyId)?.AccessKeyId,
        }),
      );
      assert.equal(unused.AccessKeyLastUsed?.ServiceName, 'N/A');
      for (const k of listed.AccessKeyMetadata ?? []) {
        await client.send(new iam.DeleteAccessKeyCommand({ UserName: 'erin', AccessKeyId: k.AccessKeyId }));
      }
      await client.send(new iam.DeleteUserCommand({ UserName: 'erin' }));
      sts.destroy();
      asErin.destroy();
    });

    test('a user with a policy is allowed; a boundary then narrows it', async () => {
      await client.send(new iam.CreateUserCommand({ UserName: 'frank' }));
      await client.send(
        new iam.PutUserPolicyCommand({ UserName: 'frank', PolicyName: 'all', PolicyDocument: ALLOW_ALL }),
      );
      const k = await client.send(new iam.CreateAccessKeyCommand({ UserName: 'frank' }));
      const asFrank = iamClient(
        server.url,
        { accessKeyId: k.AccessKey?.AccessKeyId ?? '', secretAccessKey: k.AccessKey?.SecretAccessKey ?? '' },
        http2,
      );
      await asFrank.send(new iam.ListUsersCommand({}));
      await client.send(
        new iam.PutUserPermissionsBoundaryCommand({
          UserName: 'frank',
          PermissionsBoundary: 'arn:aws:iam::aws:policy/AmazonBedrockReadOnly',
        }),
      );
      await rejectsWith(
        asFrank.send(new iam.ListUsersCommand({})),
        'AccessDenied',
        /because no permissions boundary allows/,
      );
      asFrank.destroy();
    });

    test('login profiles and the password policy', async () => {
      await client.send(new iam.CreateUserCommand({ UserName: 'gina' }));
      await client.send(
        new iam.UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12, RequireNumbers: true }),
      );
      await rejectsWith(
        client.send(new iam.CreateLoginProfileCommand({ UserName: 'gina', Password: 'short1' })),
        'PasswordPolicyViolationException',
      );
      await client.send(
        new iam.CreateLoginProfileCommand({
          UserName: 'gina',
          Password: 'long enough 123',
          PasswordResetRequired: true,
        }),
      );
      const lp = await client.send(new iam.GetLoginProfileCommand({ UserName: 'gina' }));
      assert.equal(lp.LoginProfile?.PasswordResetRequired, true);
      const pp = await client.send(new iam.GetAccountPasswordPolicyCommand({}));
      assert.equal(pp.PasswordPolicy?.MinimumPasswordLength, 12);
      await client.send(new iam.DeleteAccountPasswordPolicyCommand({}));
      await rejectsWith(client.send(new iam.GetAccountPasswordPolicyCommand({})), 'NoSuchEntityException');
      await client.send(new iam.DeleteLoginProfileCommand({ UserName: 'gina' }));
    });

    test('GetAccountAuthorizationDetails lists everything with policies', async () => {
      await client.send(
        new iam.AttachUserPolicyCommand({
          UserName: 'gina',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonBedrockReadOnly',
        }),
      );
      const d = await client.send(new iam.GetAccountAuthorizationDetailsCommand({}));
      const gina = d.UserDetailList?.find((u) => u.UserName === 'gina');
      assert.deepEqual(
        gina?.AttachedManagedPolicies?.map((p) => p.PolicyName),
        ['AmazonBedrockReadOnly'],
      );
      assert.ok(d.Policies?.some((p) => p.PolicyName === 'AmazonBedrockReadOnly'));
    });

    test('validation errors name the parameter, as IAM does', async () => {
      await rejectsWith(
        client.send(new iam.CreateUserCommand({ UserName: 'bad name' })),
        'ValidationError',
        /userName.*regular expression/,
      );
      await rejectsWith(
        client.send(new iam.CreateUserCommand({ UserName: 'x'.repeat(65) })),
        'ValidationError',
        /length less than or equal to 64/,
      );
      await rejectsWith(
        client.send(new iam.GetPolicyCommand({ PolicyArn: 'arn:aws:iam::123456789012:policy/none' })),
        'NoSuchEntityException',
      );
    });
  });
}

const pgReason = await postgresUnavailable();
for (const http2 of [false, true]) suite('sqlite', http2);
if (pgReason === undefined) suite('postgres', false);
else if (process.env.CI === 'true')
  test('IAM over the AWS SDK (postgres)', () => assert.fail(`${pgReason} (CI=true: PostgreSQL is required)`));
else test('IAM over the AWS SDK (postgres)', { skip: pgReason }, () => {});
