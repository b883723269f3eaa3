/**
 * Trust policies name users and roles by unique ID, as IAM does ("AWS JSON policy elements:
 * Principal"): a user or role deleted and recreated under the same name is not trusted, the deleted
 * principal shows as its unique ID, a principal that does not exist is refused at save, and saving
 * the policy again binds the name to the new principal.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as iam from '@aws-sdk/client-iam';
import * as sts from '@aws-sdk/client-sts';
import { credsOf, rejectsWith } from '../support/assertions.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { type Credentials, iamClient, stsClient } from '../support/clients.js';
import { userWithStatements } from '../support/users.js';

const A = ROOT.accountId;
const trusting = (arn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: arn }, Action: 'sts:AssumeRole' }],
  });
const TRUST_USER = `arn:aws:iam::${A}:user/alice`;
const TRUST_ROLE = `arn:aws:iam::${A}:role/hop`;

describe('trust policy principals are bound to unique IDs', { concurrency: false }, () => {
  let server: TestServer;
  let root: iam.IAMClient;
  before(async () => {
    server = await startBasalt();
    root = iamClient(server.url);
  });
  after(async () => {
    await server?.stop();
  });

  /** Creates alice with no policy of her own: a trust policy naming her user ARN is enough in her account. */
  const createAlice = () => userWithStatements(server.url, 'alice', []);
  async function deleteAlice(): Promise<void> {
    const keys = await root.send(new iam.ListAccessKeysCommand({ UserName: 'alice' }));
    for (const k of keys.AccessKeyMetadata ?? []) {
      await root.send(new iam.DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: k.AccessKeyId }));
    }
    await root.send(new iam.DeleteUserCommand({ UserName: 'alice' }));
  }
  const assume = (creds: Credentials, role: string) =>
    stsClient(server.url, creds).send(
      new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/${role}`, RoleSessionName: 'session' }),
    );
  const shownPrincipal = async (role: string) => {
    const r = await root.send(new iam.GetRoleCommand({ RoleName: role }));
    const doc = JSON.parse(decodeURIComponent(r.Role?.AssumeRolePolicyDocument ?? ''));
    return doc.Statement[0].Principal.AWS as string;
  };

  test('a principal that does not exist is refused when the policy is saved', async () => {
    await rejectsWith(
      root.send(new iam.CreateRoleCommand({ RoleName: 'nobody', AssumeRolePolicyDocument: trusting(TRUST_USER) })),
      'MalformedPolicyDocumentException',
      /^Invalid principal in policy: "AWS":"arn:aws:iam::\d{12}:user\/alice"$/,
    );
    await rejectsWith(
      root.send(
        new iam.CreateRoleCommand({
          RoleName: 'nobody',
          AssumeRolePolicyDocument: trusting(`arn:aws:iam::${A}:user/*`),
        }),
      ),
      'MalformedPolicyDocumentException',
      /Invalid principal in policy/,
    );
  });

  test('NotPrincipal is refused in a trust policy, at CreateRole and UpdateAssumeRolePolicy', async () => {
    // "You cannot use the NotPrincipal element … in an IAM role trust policy."
    const notPrincipal = (effect: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: effect, NotPrincipal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' }],
      });
    for (const effect of ['Allow', 'Deny']) {
      await rejectsWith(
        root.send(
          new iam.CreateRoleCommand({ RoleName: 'not-principal', AssumeRolePolicyDocument: notPrincipal(effect) }),
        ),
        'MalformedPolicyDocumentException',
        /Invalid principal in policy/,
      );
    }
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'not-principal',
        AssumeRolePolicyDocument: trusting(`arn:aws:iam::${A}:root`),
      }),
    );
    await rejectsWith(
      root.send(
        new iam.UpdateAssumeRolePolicyCommand({ RoleName: 'not-principal', PolicyDocument: notPrincipal('Allow') }),
      ),
      'MalformedPolicyDocumentException',
      /Invalid principal in policy/,
    );
    await root.send(new iam.DeleteRoleCommand({ RoleName: 'not-principal' }));
  });

  test('a recreated user is not trusted; the deleted one shows as its unique ID; saving again trusts the new one', async () => {
    const first = await createAlice();
    const firstId = (await root.send(new iam.GetUserCommand({ UserName: 'alice' }))).User?.UserId ?? '';
    await root.send(new iam.CreateRoleCommand({ RoleName: 'target', AssumeRolePolicyDocument: trusting(TRUST_USER) }));
    await assume(first, 'target');
    assert.equal(await shownPrincipal('target'), TRUST_USER);

    await deleteAlice();
    assert.match(firstId, /^AIDA/);
    assert.equal(await shownPrincipal('target'), firstId);
    const listed = await root.send(new iam.ListRolesCommand({}));
    const target = listed.Roles?.find((r) => r.RoleName === 'target');
    assert.match(decodeURIComponent(target?.AssumeRolePolicyDocument ?? ''), new RegExp(firstId));

    const second = await createAlice();
    assert.equal(await shownPrincipal('target'), firstId, 'the recreated user is not the one trusted');
    await rejectsWith(assume(second, 'target'), 'AccessDenied', /is not authorized to perform: sts:AssumeRole/);

    await root.send(
      new iam.UpdateAssumeRolePolicyCommand({ RoleName: 'target', PolicyDocument: trusting(TRUST_USER) }),
    );
    assert.equal(await shownPrincipal('target'), TRUST_USER);
    await assume(second, 'target');
  });

  test("a recreated role's sessions are not trusted by a role that trusted the old one", async () => {
    const trustAlice = trusting(TRUST_USER);
    await root.send(new iam.CreateRoleCommand({ RoleName: 'hop', AssumeRolePolicyDocument: trustAlice }));
    await root.send(new iam.CreateRoleCommand({ RoleName: 'end', AssumeRolePolicyDocument: trusting(TRUST_ROLE) }));
    const alice: Credentials = await (async () => {
      await deleteAlice();
      return createAlice();
    })();
    // alice was recreated after `hop` was saved: bind `hop` to her again.
    await root.send(new iam.UpdateAssumeRolePolicyCommand({ RoleName: 'hop', PolicyDocument: trustAlice }));
    const hop = credsOf((await assume(alice, 'hop')).Credentials);
    await assume(hop, 'end');

    await root.send(new iam.DeleteRoleCommand({ RoleName: 'hop' }));
    await root.send(new iam.CreateRoleCommand({ RoleName: 'hop', AssumeRolePolicyDocument: trustAlice }));
    const newHop = credsOf((await assume(alice, 'hop')).Credentials);
    await rejectsWith(assume(newHop, 'end'), 'AccessDenied', /is not authorized to perform: sts:AssumeRole/);
    assert.match(await shownPrincipal('end'), /^AROA/);
  });
  test("a deleted user's or role's leftover session is allowed nothing, even by a trust policy naming its old ID", async () => {
    await deleteAlice();
    const alice = await createAlice();
    await root.send(new iam.CreateRoleCommand({ RoleName: 'first', AssumeRolePolicyDocument: trusting(TRUST_USER) }));
    await root.send(new iam.CreateRoleCommand({ RoleName: 'second', AssumeRolePolicyDocument: trusting(TRUST_USER) }));
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'after',
        AssumeRolePolicyDocument: trusting(`arn:aws:iam::${A}:role/first`),
      }),
    );
    // A role session whose role is then deleted.
    const first = credsOf((await assume(alice, 'first')).Credentials);
    await assume(first, 'after');
    await root.send(new iam.DeleteRoleCommand({ RoleName: 'first' }));
    await rejectsWith(assume(first, 'after'), 'AccessDenied', /is not authorized to perform: sts:AssumeRole/);
    // A GetSessionToken session whose user is then deleted and recreated.
    const session = credsOf((await stsClient(server.url, alice).send(new sts.GetSessionTokenCommand({}))).Credentials);
    await assume(session, 'second');
    await deleteAlice();
    await rejectsWith(assume(session, 'second'), 'AccessDenied', /is not authorized to perform: sts:AssumeRole/);
    await createAlice();
    await rejectsWith(assume(session, 'second'), 'AccessDenied', /is not authorized to perform: sts:AssumeRole/);
  });

  test('an IAM ARN written under Federated, Service or CanonicalUser names no IAM principal', async () => {
    await deleteAlice();
    const alice = await createAlice();
    for (const type of ['Federated', 'Service', 'CanonicalUser']) {
      const role = `under-${type.toLowerCase()}`;
      const document = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { [type]: TRUST_USER }, Action: 'sts:AssumeRole' }],
      });
      try {
        await root.send(new iam.CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: document }));
      } catch (e) {
        assert.equal((e as Error).name, 'MalformedPolicyDocumentException');
        continue;
      }
      await rejectsWith(assume(alice, role), 'AccessDenied', /is not authorized to perform: sts:AssumeRole/);
    }
  });
});
