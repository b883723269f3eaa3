/**
 * Every registered operation is authorized: a principal with no permissions gets AccessDenied from
 * each (and nothing changes), and the classic IAM privilege escalation paths are refused to a user
 * who lacks exactly that permission and work for one who has it.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IAM_OPERATIONS } from '../../src/services/iam/index.js';
import { STS_OPERATIONS } from '../../src/services/sts/index.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { type Credentials, rootCredentials } from '../support/clients.js';
import { callQuery } from '../support/query.js';
import * as mfaSamples from './samples/mfa.js';
import * as oidcSamples from './samples/oidc.js';
import * as samlSamples from './samples/saml.js';

const A = ROOT.accountId;
const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }],
});
const POLICY_ARN = `arn:aws:iam::${A}:policy/fixture-policy`;

/** Valid parameters for each operation, naming the fixtures created in `before`. */
const SAMPLES: Record<string, Record<string, string>> = {
  CreateUser: { UserName: 'new-user' },
  GetUser: { UserName: 'target' },
  ListUsers: {},
  UpdateUser: { UserName: 'target', NewPath: '/moved/' },
  DeleteUser: { UserName: 'target' },
  CreateGroup: { GroupName: 'new-group' },
  GetGroup: { GroupName: 'grp' },
  ListGroups: {},
  UpdateGroup: { GroupName: 'grp', NewPath: '/moved/' },
  DeleteGroup: { GroupName: 'grp' },
  AddUserToGroup: { GroupName: 'grp', UserName: 'target' },
  RemoveUserFromGroup: { GroupName: 'grp', UserName: 'target' },
  ListGroupsForUser: { UserName: 'target' },
  CreateRole: { RoleName: 'new-role', AssumeRolePolicyDocument: TRUST },
  GetRole: { RoleName: 'rl' },
  ListRoles: {},
  UpdateRole: { RoleName: 'rl', Description: 'x' },
  UpdateRoleDescription: { RoleName: 'rl', Description: 'x' },
  DeleteRole: { RoleName: 'rl' },
  UpdateAssumeRolePolicy: { RoleName: 'rl', PolicyDocument: TRUST },
  CreatePolicy: { PolicyName: 'new-policy', PolicyDocument: ALLOW_ALL },
  GetPolicy: { PolicyArn: POLICY_ARN },
  ListPolicies: { Scope: 'Local' },
  DeletePolicy: { PolicyArn: POLICY_ARN },
  CreatePolicyVersion: { PolicyArn: POLICY_ARN, PolicyDocument: ALLOW_ALL, SetAsDefault: 'true' },
  GetPolicyVersion: { PolicyArn: POLICY_ARN, VersionId: 'v1' },
  ListPolicyVersions: { PolicyArn: POLICY_ARN },
  DeletePolicyVersion: { PolicyArn: POLICY_ARN, VersionId: 'v1' },
  SetDefaultPolicyVersion: { PolicyArn: POLICY_ARN, VersionId: 'v1' },
  ListEntitiesForPolicy: { PolicyArn: POLICY_ARN },
  TagUser: { UserName: 'target', 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' },
  UntagUser: { UserName: 'target', 'TagKeys.member.1': 'k' },
  ListUserTags: { UserName: 'target' },
  TagRole: { RoleName: 'rl', 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' },
  UntagRole: { RoleName: 'rl', 'TagKeys.member.1': 'k' },
  ListRoleTags: { RoleName: 'rl' },
  TagPolicy: { PolicyArn: POLICY_ARN, 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' },
  UntagPolicy: { PolicyArn: POLICY_ARN, 'TagKeys.member.1': 'k' },
  ListPolicyTags: { PolicyArn: POLICY_ARN },
  PutUserPermissionsBoundary: { UserName: 'target', PermissionsBoundary: POLICY_ARN },
  DeleteUserPermissionsBoundary: { UserName: 'target' },
  PutRolePermissionsBoundary: { RoleName: 'rl', PermissionsBoundary: POLICY_ARN },
  DeleteRolePermissionsBoundary: { RoleName: 'rl' },
  CreateAccessKey: { UserName: 'target' },
  UpdateAccessKey: { UserName: 'target', AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA', Status: 'Inactive' },
  DeleteAccessKey: { UserName: 'target', AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
  ListAccessKeys: { UserName: 'target' },
  GetAccessKeyLastUsed: { AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
  CreateLoginProfile: { UserName: 'target', Password: 'a long password 1' },
  GetLoginProfile: { UserName: 'target' },
  UpdateLoginProfile: { UserName: 'target', Password: 'another long password 2' },
  DeleteLoginProfile: { UserName: 'target' },
  ChangePassword: { OldPassword: 'a long password 1', NewPassword: 'another long password 2' },
  GetAccountPasswordPolicy: {},
  UpdateAccountPasswordPolicy: { MinimumPasswordLength: '10' },
  DeleteAccountPasswordPolicy: {},
  GetAccountAuthorizationDetails: {},
};
for (const extra of [mfaSamples, oidcSamples, samlSamples]) Object.assign(SAMPLES, extra.IAM_SAMPLES);
for (const kind of ['User', 'Group', 'Role']) {
  const param = `${kind}Name`;
  const name = kind === 'User' ? 'target' : kind === 'Group' ? 'grp' : 'rl';
  SAMPLES[`Attach${kind}Policy`] = { [param]: name, PolicyArn: POLICY_ARN };
  SAMPLES[`Detach${kind}Policy`] = { [param]: name, PolicyArn: POLICY_ARN };
  SAMPLES[`ListAttached${kind}Policies`] = { [param]: name };
  SAMPLES[`Put${kind}Policy`] = { [param]: name, PolicyName: 'inline', PolicyDocument: ALLOW_ALL };
  SAMPLES[`Get${kind}Policy`] = { [param]: name, PolicyName: 'inline' };
  SAMPLES[`Delete${kind}Policy`] = { [param]: name, PolicyName: 'inline' };
  SAMPLES[`List${kind}Policies`] = { [param]: name };
}

async function ok(url: string, creds: Credentials, action: string, params: Record<string, string> = {}) {
  const r = await callQuery(url, creds, action, params);
  assert.equal(r.status, 200, `${action} ${JSON.stringify(params)} failed: ${r.body}`);
  return r.body;
}

async function userWithKey(url: string, name: string, policy?: object): Promise<Credentials> {
  await ok(url, rootCredentials, 'CreateUser', { UserName: name });
  if (policy !== undefined)
    await ok(url, rootCredentials, 'PutUserPolicy', {
      UserName: name,
      PolicyName: 'p',
      PolicyDocument: JSON.stringify(policy),
    });
  const body = await ok(url, rootCredentials, 'CreateAccessKey', { UserName: name });
  return {
    accessKeyId: /<AccessKeyId>([^<]+)</.exec(body)?.[1] ?? '',
    secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(body)?.[1] ?? '',
  };
}

describe('authorization of every operation', { concurrency: false }, () => {
  let server: TestServer;
  let nobody: Credentials;
  before(async () => {
    server = await startBasalt();
    const url = server.url;
    await ok(url, rootCredentials, 'CreateUser', { UserName: 'target' });
    await ok(url, rootCredentials, 'CreateGroup', { GroupName: 'grp' });
    await ok(url, rootCredentials, 'CreateRole', { RoleName: 'rl', AssumeRolePolicyDocument: TRUST });
    await ok(url, rootCredentials, 'CreatePolicy', { PolicyName: 'fixture-policy', PolicyDocument: ALLOW_ALL });
    nobody = await userWithKey(url, 'nobody');
  });
  after(() => server?.destroy());

  test('every registered operation has a sample request here', () => {
    const missing = [...IAM_OPERATIONS.keys()].filter((name) => SAMPLES[name] === undefined);
    assert.deepEqual(missing, []);
  });

  test('a principal with no permissions is denied every operation, and nothing changes', async () => {
    const before = await ok(server.url, rootCredentials, 'GetAccountAuthorizationDetails');
    for (const [name, op] of IAM_OPERATIONS) {
      const r = await callQuery(server.url, nobody, name, SAMPLES[name] ?? {});
      assert.equal(r.code, 'AccessDenied', `${name}: expected AccessDenied, got ${r.status} ${r.body}`);
      assert.equal(r.status, 403);
      assert.match(
        r.message ?? '',
        new RegExp(
          `^User: arn:aws:iam::${A}:user/nobody is not authorized to perform: ${op.action}( on resource: .+)? because `,
        ),
      );
    }
    const afterAll = await ok(server.url, rootCredentials, 'GetAccountAuthorizationDetails');
    assert.equal(
      afterAll,
      before.replace(/<RequestId>[^<]+<\/RequestId>/, afterAll.match(/<RequestId>[^<]+<\/RequestId>/)?.[0] ?? ''),
    );
  });

  test('STS: only the operations STS documents as needing no permission answer a principal without any', async () => {
    const stsSamples: Record<string, Record<string, string>> = {
      GetCallerIdentity: {},
      GetSessionToken: { DurationSeconds: '900' },
      GetFederationToken: { Name: 'probe' },
      AssumeRole: { RoleArn: `arn:aws:iam::${A}:role/rl`, RoleSessionName: 'probe' },
      GetAccessKeyInfo: { AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
      DecodeAuthorizationMessage: { EncodedMessage: 'not-a-message' },
      ...mfaSamples.STS_SAMPLES,
      ...oidcSamples.STS_SAMPLES,
      ...samlSamples.STS_SAMPLES,
    };
    // AssumeRoleWith… calls carry no AWS credentials: their own tests cover them.
    const signed = [...STS_OPERATIONS.entries()].filter(([, op]) => op.authenticateInput === undefined);
    const missing = signed.map(([name]) => name).filter((name) => stsSamples[name] === undefined);
    assert.deepEqual(missing, []);
    for (const [name, op] of signed) {
      const r = await callQuery(server.url, nobody, name, stsSamples[name] ?? {}, 'sts');
      if (op.noPermissionRequired === undefined) assert.equal(r.code, 'AccessDenied', `${name}: ${r.body}`);
      else assert.equal(r.status, 200, r.body);
    }
    assert.deepEqual(
      [...STS_OPERATIONS.values()].filter((op) => op.noPermissionRequired !== undefined).map((op) => op.name),
      ['GetCallerIdentity', 'GetSessionToken'],
    );
    const exempt = [...IAM_OPERATIONS.values()].filter((op) => op.noPermissionRequired !== undefined);
    assert.deepEqual(exempt, []);
  });
});

/** One privilege escalation path: the action, and the call that would escalate. */
interface Path {
  action: string;
  /** Prepares fixtures (as root) for an attacker named `who`; returns the escalating call's parameters. */
  setup(url: string, who: string): Promise<Record<string, string>>;
  op: string;
}

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

const PATHS: Path[] = [
  {
    action: 'iam:CreatePolicyVersion',
    op: 'CreatePolicyVersion',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreatePolicy', {
        PolicyName: `${who}-own`,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }],
        }),
      });
      return { PolicyArn: `arn:aws:iam::${A}:policy/${who}-own`, PolicyDocument: ALLOW_ALL, SetAsDefault: 'true' };
    },
  },
  {
    action: 'iam:SetDefaultPolicyVersion',
    op: 'SetDefaultPolicyVersion',
    async setup(url, who) {
      const arn = `arn:aws:iam::${A}:policy/${who}-v`;
      await ok(url, rootCredentials, 'CreatePolicy', {
        PolicyName: `${who}-v`,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
        }),
      });
      await ok(url, rootCredentials, 'CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: ALLOW_ALL });
      return { PolicyArn: arn, VersionId: 'v2' };
    },
  },
  {
    action: 'iam:CreateAccessKey',
    op: 'CreateAccessKey',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreateUser', { UserName: `${who}-victim` });
      return { UserName: `${who}-victim` };
    },
  },
  {
    action: 'iam:CreateLoginProfile',
    op: 'CreateLoginProfile',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreateUser', { UserName: `${who}-victim` });
      return { UserName: `${who}-victim`, Password: 'a long password 1' };
    },
  },
  {
    action: 'iam:UpdateLoginProfile',
    op: 'UpdateLoginProfile',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreateUser', { UserName: `${who}-victim` });
      await ok(url, rootCredentials, 'CreateLoginProfile', {
        UserName: `${who}-victim`,
        Password: 'a long password 1',
      });
      return { UserName: `${who}-victim`, Password: 'attacker password 2' };
    },
  },
  {
    action: 'iam:AttachUserPolicy',
    op: 'AttachUserPolicy',
    setup: async (_u, who) => ({ UserName: who, PolicyArn: ADMIN }),
  },
  {
    action: 'iam:AttachGroupPolicy',
    op: 'AttachGroupPolicy',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreateGroup', { GroupName: `${who}-g` });
      await ok(url, rootCredentials, 'AddUserToGroup', { GroupName: `${who}-g`, UserName: who });
      return { GroupName: `${who}-g`, PolicyArn: ADMIN };
    },
  },
  {
    action: 'iam:AttachRolePolicy',
    op: 'AttachRolePolicy',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreateRole', { RoleName: `${who}-r`, AssumeRolePolicyDocument: TRUST });
      return { RoleName: `${who}-r`, PolicyArn: ADMIN };
    },
  },
  {
    action: 'iam:PutUserPolicy',
    op: 'PutUserPolicy',
    setup: async (_u, who) => ({ UserName: who, PolicyName: 'esc', PolicyDocument: ALLOW_ALL }),
  },
  {
    action: 'iam:PutGroupPolicy',
    op: 'PutGroupPolicy',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreateGroup', { GroupName: `${who}-g` });
      await ok(url, rootCredentials, 'AddUserToGroup', { GroupName: `${who}-g`, UserName: who });
      return { GroupName: `${who}-g`, PolicyName: 'esc', PolicyDocument: ALLOW_ALL };
    },
  },
  {
    action: 'iam:PutRolePolicy',
    op: 'PutRolePolicy',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreateRole', { RoleName: `${who}-r`, AssumeRolePolicyDocument: TRUST });
      return { RoleName: `${who}-r`, PolicyName: 'esc', PolicyDocument: ALLOW_ALL };
    },
  },
  {
    action: 'iam:AddUserToGroup',
    op: 'AddUserToGroup',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreateGroup', { GroupName: `${who}-admins` });
      await ok(url, rootCredentials, 'AttachGroupPolicy', { GroupName: `${who}-admins`, PolicyArn: ADMIN });
      return { GroupName: `${who}-admins`, UserName: who };
    },
  },
  {
    action: 'iam:UpdateAssumeRolePolicy',
    op: 'UpdateAssumeRolePolicy',
    async setup(url, who) {
      await ok(url, rootCredentials, 'CreateRole', { RoleName: `${who}-admin-role`, AssumeRolePolicyDocument: TRUST });
      await ok(url, rootCredentials, 'AttachRolePolicy', { RoleName: `${who}-admin-role`, PolicyArn: ADMIN });
      const trustMe = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/${who}` }, Action: 'sts:AssumeRole' }],
      };
      return { RoleName: `${who}-admin-role`, PolicyDocument: JSON.stringify(trustMe) };
    },
  },
  {
    action: 'iam:DeleteUserPermissionsBoundary',
    op: 'DeleteUserPermissionsBoundary',
    setup: async (_u, who) => ({ UserName: who }),
  },
];

describe('privilege escalation paths', { concurrency: false }, () => {
  let server: TestServer;
  before(async () => {
    server = await startBasalt();
  });
  after(() => server?.destroy());

  for (const path of PATHS) {
    test(`${path.action}: refused without exactly that permission, allowed with it`, async () => {
      const url = server.url;
      const slug = path.op.toLowerCase();
      // The attacker may do everything else in IAM, but not this one action.
      const lacking = await userWithKey(url, `${slug}-lacks`, {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', NotAction: path.action, Resource: '*' }],
      });
      // The boundary path needs a boundary to remove; it still allows what the user's policy grants.
      if (path.op === 'DeleteUserPermissionsBoundary') {
        await ok(url, rootCredentials, 'PutUserPermissionsBoundary', {
          UserName: `${slug}-lacks`,
          PermissionsBoundary: ADMIN,
        });
      }
      const denied = await callQuery(url, lacking, path.op, await path.setup(url, `${slug}-lacks`));
      assert.equal(denied.code, 'AccessDenied', denied.body);
      assert.match(denied.message ?? '', new RegExp(`perform: ${path.action} on resource`));

      const holding = await userWithKey(url, `${slug}-has`, {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: path.action, Resource: '*' }],
      });
      if (path.op === 'DeleteUserPermissionsBoundary') {
        await ok(url, rootCredentials, 'PutUserPermissionsBoundary', {
          UserName: `${slug}-has`,
          PermissionsBoundary: ADMIN,
        });
      }
      const allowed = await callQuery(url, holding, path.op, await path.setup(url, `${slug}-has`));
      assert.equal(allowed.status, 200, allowed.body);
    });
  }
});
