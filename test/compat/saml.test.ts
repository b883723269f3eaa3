/**
 * SAML federation against the real server with the AWS SDK: IAM SAML providers (create, read, list,
 * update, tag, delete, and the metadata checks), and AssumeRoleWithSAML sent unsigned — a response
 * signed by the provider's key gets a role session whose credentials work; the trust policy decides
 * with the `saml:` keys; tampered, unsigned, foreign-signed, expired, misaddressed and misdirected
 * responses are refused with AWS's error codes and grant nothing; SessionDuration shortens the
 * session; PrincipalTag attributes need sts:TagSession and become principal tags.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as iam from '@aws-sdk/client-iam';
import * as sts from '@aws-sdk/client-sts';
import { STS_OPERATIONS } from '../../src/services/sts/index.js';
import { credsOf, rejectsWith } from '../support/assertions.js';
import { awsJson, haveAwsCli } from '../support/aws-cli.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { iamClient, stsClient } from '../support/clients.js';
import { formBody, rawRequest } from '../support/query.js';
import { createIdp, encodeResponse, opensslUnavailable, type TestIdp } from '../support/saml-idp.js';

const A = ROOT.accountId;
const PROVIDER = `arn:aws:iam::${A}:saml-provider/corp-idp`;
const role = (name: string) => `arn:aws:iam::${A}:role/${name}`;
const pair = (name: string) => `${role(name)},${PROVIDER}`;
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const trust = (actions: string[], condition?: object) =>
  doc([
    {
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: actions,
      ...(condition === undefined ? {} : { Condition: condition }),
    },
  ]);

/** An STS client with no credentials: AssumeRoleWithSAML must go out unsigned. */
function anonymousSts(url: string): sts.STSClient {
  return new sts.STSClient({
    endpoint: url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: async () => {
      throw new Error('AssumeRoleWithSAML asked for credentials: it must be sent unsigned');
    },
  });
}

const missingOpenssl = opensslUnavailable();

if (missingOpenssl !== undefined) {
  if (process.env.CI === 'true') {
    test('SAML federation', () => assert.fail(`${missingOpenssl} (CI=true: openssl is required)`));
  } else {
    test('SAML federation', { skip: `${missingOpenssl}: the test IdP needs it to make its key` }, () => {});
  }
} else {
  describe('SAML federation over the AWS SDK', { concurrency: false }, () => {
    let server: TestServer;
    let root: iam.IAMClient;
    let saml: sts.STSClient;
    let idp: TestIdp;
    let stranger: TestIdp;

    const assume = (roleName: string, response: string, extra: Partial<sts.AssumeRoleWithSAMLRequest> = {}) =>
      saml.send(
        new sts.AssumeRoleWithSAMLCommand({
          RoleArn: role(roleName),
          PrincipalArn: PROVIDER,
          SAMLAssertion: response,
          ...extra,
        }),
      );

    before(async () => {
      idp = createIdp('https://idp.example.test/saml');
      stranger = createIdp('https://idp.example.test/saml');
      server = await startBasalt();
      root = iamClient(server.url);
      saml = anonymousSts(server.url);
      const created = await root.send(
        new iam.CreateSAMLProviderCommand({
          Name: 'corp-idp',
          SAMLMetadataDocument: idp.metadata,
          Tags: [{ Key: 'owner', Value: 'security' }],
        }),
      );
      assert.equal(created.SAMLProviderArn, PROVIDER);
      const roles: Array<[string, string, object[]]> = [
        [
          'saml-reader',
          trust(['sts:AssumeRoleWithSAML'], {
            StringEquals: { 'saml:aud': 'https://signin.aws.amazon.com/saml', 'saml:iss': idp.entityId },
          }),
          [
            { Effect: 'Allow', Action: ['iam:ListUsers', 'iam:GetUser'], Resource: '*' },
            // saml:namequalifier, saml:sub and saml:sub_type reach the session's permission
            // policies too ("SAML 2.0 federation"); saml:aud decides the trust policy only, so the
            // session's ListRoles is refused.
            {
              Effect: 'Allow',
              Action: 'iam:ListGroups',
              Resource: '*',
              Condition: { StringEquals: { 'saml:sub': 'alice', 'saml:sub_type': 'persistent' } },
            },
            {
              Effect: 'Allow',
              Action: 'iam:ListRoles',
              Resource: '*',
              Condition: { StringEquals: { 'saml:aud': 'https://signin.aws.amazon.com/saml' } },
            },
          ],
        ],
        [
          'saml-alice',
          trust(['sts:AssumeRoleWithSAML'], {
            StringEquals: { 'saml:sub': 'alice', 'saml:sub_type': 'persistent', 'saml:doc': `${A}/corp-idp` },
            StringNotLike: { 'sts:RoleSessionName': 'admin*' },
            Null: { 'sts:RoleSessionName': 'false' },
          }),
          [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }],
        ],
        [
          'saml-untagged',
          trust(['sts:AssumeRoleWithSAML']),
          [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }],
        ],
        [
          'saml-tagged',
          trust(['sts:AssumeRoleWithSAML', 'sts:TagSession', 'sts:SetSourceIdentity']),
          [
            {
              Effect: 'Allow',
              Action: 'iam:ListGroups',
              Resource: '*',
              Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ml' } },
            },
          ],
        ],
      ];
      for (const [name, trustPolicy, permissions] of roles) {
        await root.send(
          new iam.CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: trustPolicy,
            MaxSessionDuration: 7200,
          }),
        );
        await root.send(
          new iam.PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: doc(permissions) }),
        );
      }
    });
    after(async () => {
      root?.destroy();
      saml?.destroy();
      await server?.destroy();
    });

    test('AssumeRoleWithSAML is registered with STS', () => {
      assert.ok(
        STS_OPERATIONS.has('AssumeRoleWithSAML'),
        'src/services/sts/index.ts must register ...SAML_OPERATIONS (from ./saml.js) in STS_OPERATIONS',
      );
    });

    test('IAM: a SAML provider is created from IdP metadata, read, listed, updated and tagged', async () => {
      const got = await root.send(new iam.GetSAMLProviderCommand({ SAMLProviderArn: PROVIDER }));
      assert.equal(got.SAMLMetadataDocument, idp.metadata);
      assert.ok(got.CreateDate instanceof Date && Math.abs(got.CreateDate.getTime() - Date.now()) < 120_000);
      assert.equal(got.ValidUntil?.toISOString(), '2099-01-01T00:00:00.000Z');
      assert.deepEqual(got.Tags, [{ Key: 'owner', Value: 'security' }]);

      const list = await root.send(new iam.ListSAMLProvidersCommand({}));
      assert.deepEqual(
        list.SAMLProviderList?.map((p) => p.Arn),
        [PROVIDER],
      );

      await root.send(
        new iam.TagSAMLProviderCommand({ SAMLProviderArn: PROVIDER, Tags: [{ Key: 'env', Value: 'test' }] }),
      );
      const tags = await root.send(new iam.ListSAMLProviderTagsCommand({ SAMLProviderArn: PROVIDER }));
      assert.deepEqual(tags.Tags, [
        { Key: 'env', Value: 'test' },
        { Key: 'owner', Value: 'security' },
      ]);
      await root.send(new iam.UntagSAMLProviderCommand({ SAMLProviderArn: PROVIDER, TagKeys: ['env'] }));
      const after = await root.send(new iam.ListSAMLProviderTagsCommand({ SAMLProviderArn: PROVIDER }));
      assert.deepEqual(after.Tags, [{ Key: 'owner', Value: 'security' }]);

      // Updating the metadata to another IdP's moves trust to that IdP's key, and back again.
      const updated = await root.send(
        new iam.UpdateSAMLProviderCommand({ SAMLProviderArn: PROVIDER, SAMLMetadataDocument: stranger.metadata }),
      );
      assert.equal(updated.SAMLProviderArn, PROVIDER);
      const reread = await root.send(new iam.GetSAMLProviderCommand({ SAMLProviderArn: PROVIDER }));
      assert.equal(reread.SAMLMetadataDocument, stranger.metadata);
      await root.send(
        new iam.UpdateSAMLProviderCommand({ SAMLProviderArn: PROVIDER, SAMLMetadataDocument: idp.metadata }),
      );
    });

    test('IAM: duplicate names, documents that are not IdP metadata, and unknown providers are refused', async () => {
      await rejectsWith(
        root.send(new iam.CreateSAMLProviderCommand({ Name: 'CORP-IDP', SAMLMetadataDocument: idp.metadata })),
        'EntityAlreadyExistsException',
      );
      const notMetadata = `<html><body>${'x'.repeat(1200)}</body></html>`;
      await rejectsWith(
        root.send(new iam.CreateSAMLProviderCommand({ Name: 'broken', SAMLMetadataDocument: notMetadata })),
        'InvalidInputException',
        /Could not parse metadata/,
      );
      const noCertificate = idp.metadata.replace(
        /<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>/,
        `<!-- ${'k'.repeat(1200)} -->`,
      );
      await rejectsWith(
        root.send(new iam.CreateSAMLProviderCommand({ Name: 'no-key', SAMLMetadataDocument: noCertificate })),
        'InvalidInputException',
      );
      await rejectsWith(
        root.send(new iam.CreateSAMLProviderCommand({ Name: 'bad name!', SAMLMetadataDocument: idp.metadata })),
        'ValidationError',
      );
      await rejectsWith(
        root.send(new iam.CreateSAMLProviderCommand({ Name: 'short', SAMLMetadataDocument: '<x/>' })),
        'ValidationError',
        /greater than or equal to 1000/,
      );
      await rejectsWith(
        root.send(new iam.GetSAMLProviderCommand({ SAMLProviderArn: `arn:aws:iam::${A}:saml-provider/nobody` })),
        'NoSuchEntityException',
      );
      await root.send(new iam.CreateSAMLProviderCommand({ Name: 'short-lived', SAMLMetadataDocument: idp.metadata }));
      await root.send(
        new iam.DeleteSAMLProviderCommand({ SAMLProviderArn: `arn:aws:iam::${A}:saml-provider/short-lived` }),
      );
      await rejectsWith(
        root.send(
          new iam.DeleteSAMLProviderCommand({ SAMLProviderArn: `arn:aws:iam::${A}:saml-provider/short-lived` }),
        ),
        'NoSuchEntityException',
      );
    });

    test('AssumeRoleWithSAML: a signed response gets a role session whose credentials work', async () => {
      const r = await assume('saml-reader', idp.response({ roles: [pair('saml-reader')], sessionName: 'alice@corp' }));
      assert.match(r.Credentials?.AccessKeyId ?? '', /^ASIA/);
      assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/saml-reader/alice@corp`);
      assert.match(r.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]+:alice@corp$/);
      assert.equal(r.Subject, 'alice');
      assert.equal(r.SubjectType, 'persistent');
      assert.equal(r.Issuer, idp.entityId);
      assert.equal(r.Audience, 'https://signin.aws.amazon.com/saml');
      // "About SAML 2.0-based federation": Base64(SHA1(issuer + account + "/" + provider name)).
      const qualifier = createHash('sha1').update(`${idp.entityId}${A}/corp-idp`).digest('base64');
      assert.equal(r.NameQualifier, qualifier);
      const expires = r.Credentials?.Expiration?.getTime() ?? 0;
      assert.ok(Math.abs(expires - Date.now() - 3600_000) < 60_000, 'the default session is one hour');

      const session = credsOf(r.Credentials);
      const who = await stsClient(server.url, session).send(new sts.GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:sts::${A}:assumed-role/saml-reader/alice@corp`);
      const asRole = iamClient(server.url, session);
      await asRole.send(new iam.ListUsersCommand({}));
      await asRole.send(new iam.ListGroupsCommand({}));
      await rejectsWith(asRole.send(new iam.ListRolesCommand({})), 'AccessDenied');
      asRole.destroy();
    });

    test('the aws CLI assumes a role with a SAML assertion, unsigned', async (t) => {
      if (!haveAwsCli(t)) return;
      const out = (await awsJson(server.url, [
        'sts',
        'assume-role-with-saml',
        '--role-arn',
        role('saml-reader'),
        '--principal-arn',
        PROVIDER,
        '--saml-assertion',
        idp.response({ roles: [pair('saml-reader')], sessionName: 'cli@corp' }),
      ])) as {
        AssumedRoleUser: { Arn: string };
        Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
      };
      assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${A}:assumed-role/saml-reader/cli@corp`);
      const users = (await awsJson(server.url, ['iam', 'list-users'], {
        accessKeyId: out.Credentials.AccessKeyId,
        secretAccessKey: out.Credentials.SecretAccessKey,
        sessionToken: out.Credentials.SessionToken,
      })) as { Users: unknown[] };
      assert.ok(Array.isArray(users.Users));
    });

    test('AssumeRoleWithSAML: a signed response, or both signed, works too; the pair may be in either order', async () => {
      for (const sign of ['response', 'both'] as const) {
        const r = await assume('saml-reader', idp.response({ roles: [`${PROVIDER},${role('saml-reader')}`], sign }));
        assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/saml-reader/test-session`);
      }
    });

    test('AssumeRoleWithSAML is unsigned on the wire: a raw POST without any credentials works', async () => {
      const body = formBody({
        Action: 'AssumeRoleWithSAML',
        Version: '2011-06-15',
        RoleArn: role('saml-reader'),
        PrincipalArn: PROVIDER,
        SAMLAssertion: idp.response({ roles: [pair('saml-reader')] }),
      });
      const r = await rawRequest(
        server.url,
        'POST',
        { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host: new URL(server.url).host },
        body,
      );
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, /<AssumeRoleWithSAMLResult>/);
    });

    test('the trust policy decides with the saml: keys and the session name', async () => {
      const r = await assume('saml-alice', idp.response({ roles: [pair('saml-alice')], nameId: 'alice' }));
      assert.equal(r.Subject, 'alice');
      // sts:RoleSessionName is the assertion's RoleSessionName.
      await rejectsWith(
        assume('saml-alice', idp.response({ roles: [pair('saml-alice')], nameId: 'alice', sessionName: 'admin-bob' })),
        'AccessDenied',
        /sts:AssumeRoleWithSAML/,
      );
      await rejectsWith(
        assume('saml-alice', idp.response({ roles: [pair('saml-alice')], nameId: 'bob' })),
        'AccessDenied',
        /sts:AssumeRoleWithSAML/,
      );
      await rejectsWith(
        assume(
          'saml-alice',
          idp.response({
            roles: [pair('saml-alice')],
            nameId: 'alice',
            nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
          }),
        ),
        'AccessDenied',
      );
      // saml:aud is the Recipient: a regional sign-in endpoint is accepted by STS, but the role's
      // condition names the global one.
      await rejectsWith(
        assume(
          'saml-reader',
          idp.response({
            roles: [pair('saml-reader')],
            recipient: 'https://us-east-2.signin.aws.amazon.com/saml',
            destination: null,
          }),
        ),
        'AccessDenied',
      );
    });

    test('bad responses are refused with AWS error codes, and grant nothing', async () => {
      const roles = [pair('saml-reader')];
      const signed = idp.responseXml({ roles, nameId: 'alice' });
      const cases: Array<[string, string, string]> = [
        [
          'tampered NameID',
          encodeResponse(signed.replace('>alice</saml:NameID>', '>mallory</saml:NameID>')),
          'InvalidIdentityTokenException',
        ],
        ['unsigned', idp.response({ roles, sign: 'none' }), 'InvalidIdentityTokenException'],
        ['signed by another key', stranger.response({ roles }), 'InvalidIdentityTokenException'],
        [
          'expired',
          idp.response({
            roles,
            notBefore: new Date(Date.now() - 7200_000),
            notOnOrAfter: new Date(Date.now() - 3600_000),
          }),
          'ExpiredTokenException',
        ],
        [
          'not yet valid',
          idp.response({ roles, notBefore: new Date(Date.now() + 3600_000) }),
          'InvalidIdentityTokenException',
        ],
        [
          'wrong audience',
          idp.response({ roles, audience: 'https://app.example.test/' }),
          'InvalidIdentityTokenException',
        ],
        [
          'wrong recipient',
          idp.response({ roles, recipient: 'https://app.example.test/acs' }),
          'InvalidIdentityTokenException',
        ],
        [
          'wrong destination',
          idp.response({ roles, destination: 'https://app.example.test/acs' }),
          'InvalidIdentityTokenException',
        ],
        [
          'wrong issuer',
          idp.response({ roles, issuer: 'https://other.example.test/' }),
          'InvalidIdentityTokenException',
        ],
        [
          'failed status',
          idp.response({ roles, status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }),
          'IDPRejectedClaimException',
        ],
        ['role attribute names another role', idp.response({ roles: [pair('saml-alice')] }), 'AccessDenied'],
        ['no role attribute', idp.response({}), 'AccessDenied'],
        ['no RoleSessionName', idp.response({ roles, sessionName: null }), 'InvalidIdentityTokenException'],
        ['bad RoleSessionName', idp.response({ roles, sessionName: 'John Doe' }), 'InvalidIdentityTokenException'],
        ['not base64', '!!!not-base64!!!', 'InvalidIdentityTokenException'],
        ['not XML', encodeResponse('<samlp:Response'), 'InvalidIdentityTokenException'],
        [
          'document type declaration',
          encodeResponse(`<!DOCTYPE r [<!ENTITY x "y">]>${signed.slice(signed.indexOf('<samlp:Response'))}`),
          'InvalidIdentityTokenException',
        ],
      ];
      for (const [what, response, code] of cases) {
        await assert.rejects(assume('saml-reader', response), (e: Error & { Credentials?: unknown }) => {
          assert.equal(e.name, code, `${what}: expected ${code}, got ${e.name}: ${e.message}`);
          assert.equal(e.Credentials, undefined, `${what}: no credentials`);
          return true;
        });
      }
      await rejectsWith(
        saml.send(
          new sts.AssumeRoleWithSAMLCommand({
            RoleArn: role('saml-reader'),
            PrincipalArn: `arn:aws:iam::${A}:saml-provider/nobody`,
            SAMLAssertion: idp.response({ roles }),
          }),
        ),
        'InvalidIdentityTokenException',
        /Specified provider doesn't exist/,
      );
    });

    test('signature wrapping: an unsigned assertion beside a signed one is refused', async () => {
      const roles = [pair('saml-reader')];
      const signed = idp.responseXml({ roles, nameId: 'alice' });
      const start = signed.indexOf('<saml:Assertion');
      const end = signed.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
      const genuine = signed.slice(start, end);
      const forged = genuine
        .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
        .replace(/ID="[^"]+"/, 'ID="_forged"')
        .replace('>alice</saml:NameID>', '>mallory</saml:NameID>');
      // The forged assertion takes the genuine one's place; the signed one hides in Extensions.
      const wrapped = `${signed.slice(0, start)}<samlp:Extensions>${genuine}</samlp:Extensions>${forged}${signed.slice(end)}`;
      await rejectsWith(assume('saml-reader', encodeResponse(wrapped)), 'InvalidIdentityTokenException');
      const twice = `${signed.slice(0, end)}${forged}${signed.slice(end)}`;
      await rejectsWith(assume('saml-reader', encodeResponse(twice)), 'InvalidIdentityTokenException');
    });

    test('session length: DurationSeconds within the role maximum, shortened by SessionDuration', async () => {
      const roles = [pair('saml-reader')];
      const short = await assume('saml-reader', idp.response({ roles, attributes: { SessionDuration: '900' } }));
      const shortLeft = (short.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
      assert.ok(Math.abs(shortLeft - 900_000) < 60_000, `SessionDuration 900 gives 15 minutes, got ${shortLeft} ms`);

      const asked = await assume('saml-reader', idp.response({ roles, attributes: { SessionDuration: '43200' } }), {
        DurationSeconds: 1800,
      });
      const askedLeft = (asked.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
      assert.ok(Math.abs(askedLeft - 1800_000) < 60_000, `DurationSeconds 1800 wins, got ${askedLeft} ms`);

      const ended = await assume(
        'saml-reader',
        idp.response({ roles, sessionNotOnOrAfter: new Date(Date.now() + 1200_000) }),
        { DurationSeconds: 7200 },
      );
      const endedLeft = (ended.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
      assert.ok(Math.abs(endedLeft - 1200_000) < 60_000, `SessionNotOnOrAfter ends it, got ${endedLeft} ms`);

      await rejectsWith(
        assume('saml-reader', idp.response({ roles }), { DurationSeconds: 10800 }),
        'ValidationError',
        /MaxSessionDuration/,
      );
      await rejectsWith(
        assume('saml-reader', idp.response({ roles, attributes: { SessionDuration: '60' } })),
        'InvalidIdentityTokenException',
      );
    });

    test('session policies narrow the session', async () => {
      const r = await assume('saml-reader', idp.response({ roles: [pair('saml-reader')] }), {
        Policy: doc([{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }]),
      });
      assert.ok((r.PackedPolicySize ?? 0) > 0);
      const asRole = iamClient(server.url, credsOf(r.Credentials));
      await rejectsWith(asRole.send(new iam.ListUsersCommand({})), 'AccessDenied', /no session policy allows/);
      asRole.destroy();
      await rejectsWith(
        assume('saml-reader', idp.response({ roles: [pair('saml-reader')] }), { Policy: '{"Version":"2012-10-17"' }),
        'MalformedPolicyDocumentException',
      );
    });

    test('PrincipalTag attributes need sts:TagSession in the trust policy and become principal tags', async () => {
      await rejectsWith(
        assume(
          'saml-untagged',
          idp.response({ roles: [pair('saml-untagged')], attributes: { 'PrincipalTag:team': 'ml' } }),
        ),
        'AccessDenied',
        /sts:TagSession/,
      );
      const untagged = await assume('saml-untagged', idp.response({ roles: [pair('saml-untagged')] }));
      assert.ok(untagged.Credentials?.AccessKeyId);

      const r = await assume(
        'saml-tagged',
        idp.response({
          roles: [pair('saml-tagged')],
          attributes: { 'PrincipalTag:team': 'ml', TransitiveTagKeys: 'team', SourceIdentity: 'alice-laptop' },
        }),
      );
      assert.equal(r.SourceIdentity, 'alice-laptop');
      const asRole = iamClient(server.url, credsOf(r.Credentials));
      await asRole.send(new iam.ListGroupsCommand({}));
      asRole.destroy();

      const other = await assume(
        'saml-tagged',
        idp.response({ roles: [pair('saml-tagged')], attributes: { 'PrincipalTag:team': 'web' } }),
      );
      const asOther = iamClient(server.url, credsOf(other.Credentials));
      await rejectsWith(asOther.send(new iam.ListGroupsCommand({})), 'AccessDenied');
      asOther.destroy();

      await rejectsWith(
        assume(
          'saml-tagged',
          idp.response({ roles: [pair('saml-tagged')], attributes: { TransitiveTagKeys: 'nothing-tagged' } }),
        ),
        'InvalidIdentityTokenException',
      );
    });

    test('a role the assertion names but the trust policy does not allow, or that does not exist, is refused', async () => {
      await root.send(
        new iam.CreateRoleCommand({
          RoleName: 'saml-nobody',
          AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }]),
        }),
      );
      await rejectsWith(assume('saml-nobody', idp.response({ roles: [pair('saml-nobody')] })), 'AccessDenied');
      await rejectsWith(assume('saml-missing', idp.response({ roles: [pair('saml-missing')] })), 'AccessDenied');
    });
  });
}
