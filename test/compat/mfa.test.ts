/**
 * Virtual MFA end to end with the AWS SDK: a device is created (seed and QR code), enabled with two
 * consecutive codes, and the AWS policy "deny everything unless MFA" then refuses the user's
 * long-term key while GetSessionToken with a code yields credentials that pass; codes are never
 * accepted twice; AssumeRole with a code satisfies a trust policy that requires MFA.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as iam from '@aws-sdk/client-iam';
import * as sts from '@aws-sdk/client-sts';
import { base32Decode, codeAt, stepOf } from '../../src/auth/totp.ts';
import { rejectsWith } from '../support/assertions.js';
import { awsJson, haveAwsCli, runAws } from '../support/aws-cli.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { type Credentials, iamClient, stsClient } from '../support/clients.js';

const A = ROOT.accountId;
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** "IAM: Allows IAM users to self-manage an MFA device" (IAM User Guide), its deny-unless-MFA statement. */
const DENY_UNLESS_MFA = {
  Sid: 'BlockMostAccessUnlessSignedInWithMFA',
  Effect: 'Deny',
  NotAction: [
    'iam:CreateVirtualMFADevice',
    'iam:EnableMFADevice',
    'iam:ListMFADevices',
    'iam:ListUsers',
    'iam:ListVirtualMFADevices',
    'iam:ResyncMFADevice',
    'sts:GetSessionToken',
  ],
  Resource: '*',
  Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
};

describe('virtual MFA', { concurrency: false }, () => {
  let server: TestServer;
  let root: iam.IAMClient;
  let user: Credentials;
  let seed: Uint8Array;
  const serial = `arn:aws:iam::${A}:mfa/mfa-user`;
  const code = (offset: number) => codeAt(seed, stepOf(Date.now() / 1000) + offset);

  before(async () => {
    server = await startBasalt();
    root = iamClient(server.url);
    await root.send(new iam.CreateUserCommand({ UserName: 'mfa-user' }));
    await root.send(
      new iam.PutUserPolicyCommand({
        UserName: 'mfa-user',
        PolicyName: 'admin-with-mfa',
        PolicyDocument: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }, DENY_UNLESS_MFA]),
      }),
    );
    const k = await root.send(new iam.CreateAccessKeyCommand({ UserName: 'mfa-user' }));
    user = { accessKeyId: k.AccessKey?.AccessKeyId ?? '', secretAccessKey: k.AccessKey?.SecretAccessKey ?? '' };
  });
  after(async () => {
    root?.destroy();
    await server?.destroy();
  });

  test('create a device: a base32 seed and a QR code PNG', async () => {
    const d = await root.send(new iam.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-user' }));
    assert.equal(d.VirtualMFADevice?.SerialNumber, serial);
    const text = Buffer.from(d.VirtualMFADevice?.Base32StringSeed ?? new Uint8Array()).toString('ascii');
    assert.match(text, /^[A-Z2-7]{64}$/);
    seed = base32Decode(text) ?? new Uint8Array();
    const png = Buffer.from(d.VirtualMFADevice?.QRCodePNG ?? new Uint8Array());
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const unassigned = await root.send(new iam.ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }));
    assert.deepEqual(
      unassigned.VirtualMFADevices?.map((v) => v.SerialNumber),
      [serial],
    );
  });

  test('enabling needs two consecutive codes', async () => {
    await rejectsWith(
      root.send(
        new iam.EnableMFADeviceCommand({
          UserName: 'mfa-user',
          SerialNumber: serial,
          AuthenticationCode1: code(-1),
          AuthenticationCode2: code(-1),
        }),
      ),
      'InvalidAuthenticationCodeException',
    );
    await root.send(
      new iam.EnableMFADeviceCommand({
        UserName: 'mfa-user',
        SerialNumber: serial,
        AuthenticationCode1: code(-2),
        AuthenticationCode2: code(-1),
      }),
    );
    const listed = await root.send(new iam.ListMFADevicesCommand({ UserName: 'mfa-user' }));
    assert.deepEqual(
      listed.MFADevices?.map((m) => m.SerialNumber),
      [serial],
    );
    await rejectsWith(root.send(new iam.DeleteUserCommand({ UserName: 'mfa-user' })), 'DeleteConflictException');
  });

  test('deny unless MFA: the long-term key is refused, a session with a code passes, codes are single-use', async () => {
    const longTerm = iamClient(server.url, user);
    await rejectsWith(
      longTerm.send(new iam.GetUserCommand({})),
      'AccessDenied',
      /with an explicit deny in an identity-based policy/,
    );
    await longTerm.send(new iam.ListUsersCommand({}));
    const userSts = stsClient(server.url, user);
    await rejectsWith(
      userSts.send(
        new sts.GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code(0) === '000000' ? '111111' : '000000' }),
      ),
      'AccessDenied',
      /invalid MFA one time pass code/,
    );
    const current = code(0);
    const t = await userSts.send(
      new sts.GetSessionTokenCommand({ SerialNumber: serial, TokenCode: current, DurationSeconds: 900 }),
    );
    const session = {
      accessKeyId: t.Credentials?.AccessKeyId ?? '',
      secretAccessKey: t.Credentials?.SecretAccessKey ?? '',
      sessionToken: t.Credentials?.SessionToken ?? '',
    };
    const withMfa = iamClient(server.url, session);
    const me = await withMfa.send(new iam.GetUserCommand({}));
    assert.equal(me.User?.UserName, 'mfa-user');
    await rejectsWith(
      userSts.send(new sts.GetSessionTokenCommand({ SerialNumber: serial, TokenCode: current })),
      'AccessDenied',
      /invalid MFA one time pass code/,
    );
    await rejectsWith(
      userSts.send(
        new sts.GetSessionTokenCommand({ SerialNumber: `arn:aws:iam::${A}:mfa/someone-else`, TokenCode: code(1) }),
      ),
      'AccessDenied',
      /unable to validate MFA code/,
    );
  });

  test('AssumeRole with a code satisfies a trust policy that requires MFA', async () => {
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'needs-mfa',
        AssumeRolePolicyDocument: doc([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:user/mfa-user` },
            Action: 'sts:AssumeRole',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
          },
        ]),
      }),
    );
    const userSts = stsClient(server.url, user);
    await rejectsWith(
      userSts.send(
        new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/needs-mfa`, RoleSessionName: 'no-mfa' }),
      ),
      'AccessDenied',
    );
    const r = await userSts.send(
      new sts.AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${A}:role/needs-mfa`,
        RoleSessionName: 'with-mfa',
        SerialNumber: serial,
        TokenCode: code(1),
      }),
    );
    assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/needs-mfa/with-mfa`);
  });

  test('the aws CLI gets a session token with an MFA code', async (t) => {
    if (!haveAwsCli(t)) return;
    // A user and device of its own, so its codes are unused.
    await root.send(new iam.CreateUserCommand({ UserName: 'cli-mfa' }));
    await root.send(
      new iam.PutUserPolicyCommand({
        UserName: 'cli-mfa',
        PolicyName: 'admin-with-mfa',
        PolicyDocument: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }, DENY_UNLESS_MFA]),
      }),
    );
    const k = await root.send(new iam.CreateAccessKeyCommand({ UserName: 'cli-mfa' }));
    const creds = { accessKeyId: k.AccessKey?.AccessKeyId ?? '', secretAccessKey: k.AccessKey?.SecretAccessKey ?? '' };
    const d = await root.send(new iam.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'cli-mfa' }));
    const cliSeed =
      base32Decode(Buffer.from(d.VirtualMFADevice?.Base32StringSeed ?? new Uint8Array()).toString('ascii')) ??
      new Uint8Array();
    const at = (offset: number) => codeAt(cliSeed, stepOf(Date.now() / 1000) + offset);
    const cliSerial = `arn:aws:iam::${A}:mfa/cli-mfa`;
    await root.send(
      new iam.EnableMFADeviceCommand({
        UserName: 'cli-mfa',
        SerialNumber: cliSerial,
        AuthenticationCode1: at(-2),
        AuthenticationCode2: at(-1),
      }),
    );
    const denied = await runAws(server.url, ['iam', 'get-user'], creds);
    assert.match(denied.stderr, /\(AccessDenied\)/);
    const out = (await awsJson(
      server.url,
      ['sts', 'get-session-token', '--serial-number', cliSerial, '--token-code', at(0)],
      creds,
    )) as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    };
    const me = (await awsJson(server.url, ['iam', 'get-user'], {
      accessKeyId: out.Credentials.AccessKeyId,
      secretAccessKey: out.Credentials.SecretAccessKey,
      sessionToken: out.Credentials.SessionToken,
    })) as { User: { UserName: string } };
    assert.equal(me.User.UserName, 'cli-mfa');
  });

  test('deactivate, then delete', async () => {
    await rejectsWith(
      root.send(new iam.DeleteVirtualMFADeviceCommand({ SerialNumber: serial })),
      'DeleteConflictException',
    );
    await root.send(new iam.DeactivateMFADeviceCommand({ UserName: 'mfa-user', SerialNumber: serial }));
    await root.send(new iam.DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    const all = await root.send(new iam.ListVirtualMFADevicesCommand({}));
    assert.ok(!(all.VirtualMFADevices ?? []).some((v) => v.SerialNumber === serial));
  });
});
