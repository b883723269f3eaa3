/**
 * IAM operations carry only the condition keys the Service Authorization Reference gives their action
 * and resource type: `iam:PermissionsBoundary` on the actions that list it, `iam:ResourceTag/…` on
 * users and roles only; and creating a tagged virtual MFA device also needs iam:TagMFADevice. Every
 * request carries aws:ResourceAccount, the account that owns the resource.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as iam from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { rejectsWith } from '../support/assertions.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { type Credentials, iamClient } from '../support/clients.js';
import { formBody, signedPost } from '../support/query.js';
import { userWithStatements } from '../support/users.js';

const A = ROOT.accountId;
const BOUNDARY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const DENIED = /is not authorized to perform/;

describe('IAM condition keys per action and resource type', { concurrency: false }, () => {
  let server: TestServer;
  let root: iam.IAMClient;
  before(async () => {
    server = await startBasalt();
    root = iamClient(server.url);
    await root.send(new iam.CreateUserCommand({ UserName: 'bounded', PermissionsBoundary: BOUNDARY }));
  });
  after(async () => {
    await server?.stop();
  });

  test('iam:PermissionsBoundary is present only for the actions that provide it', async () => {
    const admin = iamClient(
      server.url,
      await userWithStatements(server.url, 'boundary-admin', [
        {
          Effect: 'Allow',
          Action: ['iam:GetUser', 'iam:CreateAccessKey', 'iam:TagUser', 'iam:PutUserPolicy'],
          Resource: '*',
          Condition: { StringEquals: { 'iam:PermissionsBoundary': BOUNDARY } },
        },
      ]),
    );
    // iam:PutUserPolicy provides the key: the condition holds.
    await admin.send(
      new iam.PutUserPolicyCommand({
        UserName: 'bounded',
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }],
        }),
      }),
    );
    // The others do not: the key is absent and the condition fails, as on AWS.
    await rejectsWith(admin.send(new iam.GetUserCommand({ UserName: 'bounded' })), 'AccessDenied', DENIED);
    await rejectsWith(admin.send(new iam.CreateAccessKeyCommand({ UserName: 'bounded' })), 'AccessDenied', DENIED);
    await rejectsWith(
      admin.send(new iam.TagUserCommand({ UserName: 'bounded', Tags: [{ Key: 'k', Value: 'v' }] })),
      'AccessDenied',
      DENIED,
    );
  });

  test('iam:ResourceTag applies to users and roles, not to policies', async () => {
    const created = await root.send(
      new iam.CreatePolicyCommand({
        PolicyName: 'tagged',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }],
        }),
        Tags: [{ Key: 'team', Value: 'x' }],
      }),
    );
    const policyArn = created.Policy?.Arn ?? '';
    /** A user allowed iam:GetPolicy only on resources whose tag `team` (read through `prefix`) is x. */
    const readerByTag = async (name: string, prefix: 'iam' | 'aws') =>
      iamClient(
        server.url,
        await userWithStatements(server.url, name, [
          {
            Effect: 'Allow',
            Action: 'iam:GetPolicy',
            Resource: '*',
            Condition: { StringEquals: { [`${prefix}:ResourceTag/team`]: 'x' } },
          },
        ]),
      );
    const byIamKey = await readerByTag('iam-key', 'iam');
    await rejectsWith(byIamKey.send(new iam.GetPolicyCommand({ PolicyArn: policyArn })), 'AccessDenied', DENIED);
    const byAwsKey = await readerByTag('aws-key', 'aws');
    await byAwsKey.send(new iam.GetPolicyCommand({ PolicyArn: policyArn }));
    await root.send(new iam.TagUserCommand({ UserName: 'bounded', Tags: [{ Key: 'team', Value: 'x' }] }));
    const onUser = iamClient(
      server.url,
      await userWithStatements(server.url, 'user-key', [
        {
          Effect: 'Allow',
          Action: 'iam:GetUser',
          Resource: `arn:aws:iam::${A}:user/*`,
          Condition: { StringEquals: { 'iam:ResourceTag/team': 'x' } },
        },
      ]),
    );
    await onUser.send(new iam.GetUserCommand({ UserName: 'bounded' }));
  });

  test('creating a tagged virtual MFA device also needs iam:TagMFADevice', async () => {
    const creator = iamClient(
      server.url,
      await userWithStatements(server.url, 'mfa-creator', [
        { Effect: 'Allow', Action: 'iam:CreateVirtualMFADevice', Resource: '*' },
      ]),
    );
    await rejectsWith(
      creator.send(
        new iam.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'tagged', Tags: [{ Key: 'k', Value: 'v' }] }),
      ),
      'AccessDenied',
      /iam:TagMFADevice/,
    );
    await creator.send(new iam.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'plain' }));
  });
  test("a virtual MFA device's tags are aws:ResourceTag when it is deleted; providers carry no iam:ResourceTag", async () => {
    await root.send(
      new iam.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'keepme', Tags: [{ Key: 'keep', Value: 'yes' }] }),
    );
    await root.send(new iam.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'spare' }));
    const cleaner = iamClient(
      server.url,
      await userWithStatements(server.url, 'mfa-cleaner', [
        { Effect: 'Allow', Action: 'iam:DeleteVirtualMFADevice', Resource: '*' },
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/keep': 'yes' } },
        },
      ]),
    );
    await rejectsWith(
      cleaner.send(new iam.DeleteVirtualMFADeviceCommand({ SerialNumber: `arn:aws:iam::${A}:mfa/keepme` })),
      'AccessDenied',
      /with an explicit deny/,
    );
    await cleaner.send(new iam.DeleteVirtualMFADeviceCommand({ SerialNumber: `arn:aws:iam::${A}:mfa/spare` }));
    // Its tags change and list like any IAM resource's (TagMFADevice, UntagMFADevice, ListMFADeviceTags).
    const keep = `arn:aws:iam::${A}:mfa/keepme`;
    await root.send(new iam.TagMFADeviceCommand({ SerialNumber: keep, Tags: [{ Key: 'Owner', Value: 'ops' }] }));
    const listed = await root.send(new iam.ListMFADeviceTagsCommand({ SerialNumber: keep }));
    assert.deepEqual(
      listed.Tags?.map((t) => `${t.Key}=${t.Value}`),
      ['Owner=ops', 'keep=yes'],
    );
    await rejectsWith(
      cleaner.send(new iam.UntagMFADeviceCommand({ SerialNumber: keep, TagKeys: ['keep'] })),
      'AccessDenied',
    );
    await root.send(new iam.UntagMFADeviceCommand({ SerialNumber: keep, TagKeys: ['keep'] }));
    await cleaner.send(new iam.DeleteVirtualMFADeviceCommand({ SerialNumber: keep }));
    await rejectsWith(root.send(new iam.ListMFADeviceTagsCommand({ SerialNumber: keep })), 'NoSuchEntityException');
    // An OIDC provider has aws:ResourceTag only (the Service Authorization Reference's oidc-provider).
    const provider = await root.send(
      new iam.CreateOpenIDConnectProviderCommand({
        Url: 'https://tagged.example.com',
        ClientIDList: ['app'],
        Tags: [{ Key: 'team', Value: 'x' }],
      }),
    );
    const byIamKey = iamClient(
      server.url,
      await userWithStatements(server.url, 'oidc-reader', [
        {
          Effect: 'Allow',
          Action: 'iam:GetOpenIDConnectProvider',
          Resource: '*',
          Condition: { StringEquals: { 'iam:ResourceTag/team': 'x' } },
        },
      ]),
    );
    await rejectsWith(
      byIamKey.send(
        new iam.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: provider.OpenIDConnectProviderArn }),
      ),
      'AccessDenied',
      DENIED,
    );
  });

  test("ChangePassword is authorized on the caller's own user, with its tags", async () => {
    const statements = [
      { Effect: 'Allow', Action: 'iam:ChangePassword', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'iam:ChangePassword',
        Resource: '*',
        Condition: { StringEquals: { 'iam:ResourceTag/locked': 'true' } },
      },
    ];
    const password = 'an old long password 1';
    for (const [name, locked] of [
      ['pw-locked', true],
      ['pw-open', false],
    ] as const) {
      const client = iamClient(
        server.url,
        await userWithStatements(server.url, name, statements, { tags: [{ Key: 'locked', Value: String(locked) }] }),
      );
      await root.send(new iam.CreateLoginProfileCommand({ UserName: name, Password: password }));
      const change = client.send(
        new iam.ChangePasswordCommand({ OldPassword: password, NewPassword: 'a new long password 2' }),
      );
      if (locked)
        await rejectsWith(
          change,
          'AccessDenied',
          new RegExp(`iam:ChangePassword on resource: arn:aws:iam::${A}:user/${name} with an explicit deny`),
        );
      else await change;
    }
  });

  test("aws:ResourceAccount is the account of the resource's ARN, not the caller's for an AWS managed policy", async () => {
    const perimeter = iamClient(
      server.url,
      await userWithStatements(server.url, 'own-account-only', [
        {
          Effect: 'Allow',
          Action: ['iam:GetUser', 'iam:ListUsers', 'iam:ListPolicies', 'iam:GetPolicy', 'iam:GetAccountPasswordPolicy'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceAccount': `\${aws:PrincipalAccount}` } },
        },
        {
          Effect: 'Deny',
          Action: 'iam:GetUser',
          Resource: `arn:aws:iam::${A}:user/bounded`,
          Condition: { StringEquals: { 'aws:ResourceAccount': A } },
        },
      ]),
    );
    // On a user's ARN, the user path of ListUsers, ListPolicies' policy path, and `*`: the caller's
    // own account.
    await perimeter.send(new iam.GetUserCommand({ UserName: 'own-account-only' }));
    await perimeter.send(new iam.ListUsersCommand({}));
    await perimeter.send(new iam.ListPoliciesCommand({ Scope: 'Local' }));
    await rejectsWith(perimeter.send(new iam.GetAccountPasswordPolicyCommand({})), 'NoSuchEntityException');
    await rejectsWith(perimeter.send(new iam.GetUserCommand({ UserName: 'bounded' })), 'AccessDenied', /explicit deny/);
    // An AWS managed policy is AWS's, not the caller's account's: the Allow does not apply.
    await rejectsWith(perimeter.send(new iam.GetPolicyCommand({ PolicyArn: BOUNDARY })), 'AccessDenied', DENIED);
  });

  test('aws:UserAgent and aws:Referer are the headers the caller sent', async () => {
    const creds = await userWithStatements(server.url, 'agent-bound', [
      { Effect: 'Allow', Action: ['iam:ListUsers', 'iam:ListGroups', 'iam:ListRoles'], Resource: '*' },
      // The JavaScript SDK's User-Agent starts with aws-sdk-js/3.
      {
        Effect: 'Deny',
        Action: 'iam:ListUsers',
        Resource: '*',
        Condition: { StringLike: { 'aws:UserAgent': 'aws-sdk-js/*' } },
      },
      {
        Effect: 'Deny',
        Action: 'iam:ListGroups',
        Resource: '*',
        Condition: { StringNotLike: { 'aws:UserAgent': 'aws-sdk-js/*' } },
      },
      {
        Effect: 'Deny',
        Action: 'iam:ListRoles',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:Referer': 'https://console.example.com/' } },
      },
    ]);
    const client = iamClient(server.url, creds);
    await rejectsWith(client.send(new iam.ListUsersCommand({})), 'AccessDenied', /explicit deny/);
    await client.send(new iam.ListGroupsCommand({}));
    await rejectsWith(client.send(new iam.ListRolesCommand({})), 'AccessDenied', /explicit deny/);
    const listRoles = formBody({ Action: 'ListRoles', Version: '2010-05-08' });
    const referred = await signedPost(server.url, creds, listRoles, {
      headers: { referer: 'https://console.example.com/', 'user-agent': 'aws-sdk-js/3 test' },
    });
    assert.equal(referred.status, 200, referred.body);
    const other = await signedPost(server.url, creds, listRoles, {
      headers: { referer: 'https://elsewhere.example.com/', 'user-agent': 'aws-sdk-js/3 test' },
    });
    assert.equal(other.status, 403, other.body);
  });

  test('aws:RequestedRegion is us-east-1 for IAM, whatever Region the request is signed for', async () => {
    // IAM has one endpoint, in us-east-1 ("AWS: Denies access to AWS based on the requested Region").
    const creds: Credentials = await userWithStatements(server.url, 'region-bound', [
      { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' },
      {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
      },
    ]);
    const signedFor = (region: string) =>
      new iam.IAMClient({
        endpoint: server.url,
        region,
        credentials: creds,
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler(),
      });
    for (const region of ['us-east-1', 'eu-west-1']) {
      await rejectsWith(
        signedFor(region).send(new iam.GetUserCommand({ UserName: 'bounded' })),
        'AccessDenied',
        /with an explicit deny/,
      );
    }
  });
});
