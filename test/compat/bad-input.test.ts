/**
 * Bad input gets a clear AWS error, never a 500, a crash or a half-written change: malformed
 * bodies, unknown or missing actions, missing and invalid parameters, oversized bodies, broken
 * policy JSON, unicode, bad signatures, and random garbage (fast-check) for every operation.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { IAM_OPERATIONS } from '../../src/services/iam/index.js';
import { startBasalt, type TestServer } from '../support/basalt.js';
import { rootCredentials } from '../support/clients.js';
import { callQuery, errorOf, rawRequest, signedPost } from '../support/query.js';

describe('bad input', { concurrency: false }, () => {
  let server: TestServer;
  before(async () => {
    server = await startBasalt();
  });
  after(() => server?.destroy());

  const expectError = async (
    p: Promise<{ status: number; code?: string; body: string }>,
    status: number,
    code: string,
  ) => {
    const r = await p;
    assert.equal(r.code, code, r.body);
    assert.equal(r.status, status, r.body);
    return r;
  };

  test('a presigned URL signed with UNSIGNED-PAYLOAD runs no body sent under it', async () => {
    // The signer agreed to GetCallerIdentity (in the signed query) and to no body: a holder of the
    // URL who posts another Action (here GetSessionToken, which would mint credentials) is refused.
    const u = new URL(server.url);
    const presigned = await new SignatureV4({
      credentials: rootCredentials,
      region: 'us-east-1',
      service: 'sts',
      sha256: Sha256,
    }).presign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: u.hostname,
        port: Number(u.port),
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { expiresIn: 900 },
    );
    const path = `/?${new URLSearchParams(presigned.query as Record<string, string>).toString()}`;
    const body = 'Action=GetSessionToken&Version=2011-06-15';
    const r = await rawRequest(
      server.url,
      'POST',
      { host: u.host, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
      body,
      path,
    );
    assert.equal(r.status, 403, r.text);
    assert.equal(errorOf(r.text).code, 'SignatureDoesNotMatch', r.text);
    assert.doesNotMatch(r.text, /SessionToken|SecretAccessKey/);
  });

  test('a long unauthenticated Authorization header is refused quickly', async () => {
    // The credential scope is read before authentication: a backtracking pattern over this header
    // took tens of milliseconds per request. Timing is not asserted here (no timing in unit tests);
    // the answer must be the usual refusal.
    const r = await rawRequest(
      server.url,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Credential'.repeat(1600) },
      'Action=ListUsers&Version=2010-05-08',
    );
    assert.equal(r.status, 403, r.text);
    assert.equal(errorOf(r.text).code, 'MissingAuthenticationToken', r.text);
  });

  test('a password that breaks a rule is not repeated in the error', async () => {
    // The IAM model marks passwordType sensitive: the message names the member, not the value.
    await callQuery(server.url, rootCredentials, 'CreateUser', { UserName: 'pw-echo' });
    const secret = 'MyS3cret-P\u00e4ssw\u00f6rd\u2713';
    const created = await callQuery(server.url, rootCredentials, 'CreateLoginProfile', {
      UserName: 'pw-echo',
      Password: secret,
    });
    assert.equal(created.code, 'ValidationError', created.body);
    assert.match(created.message ?? '', /Value at 'password' failed to satisfy constraint/);
    assert.ok(!created.body.includes('MyS3cret'), created.body);
  });

  test('malformed percent-encoding', async () => {
    await expectError(
      signedPost(server.url, rootCredentials, 'Action=CreateUser&Version=2010-05-08&UserName=%ZZ'),
      400,
      'MalformedQueryString',
    );
  });

  test('unknown and missing Action', async () => {
    await expectError(callQuery(server.url, rootCredentials, 'CreateUnicorn'), 400, 'InvalidAction');
    await expectError(signedPost(server.url, rootCredentials, 'Version=2010-05-08'), 400, 'MissingAction');
  });

  test('missing and invalid parameters are ValidationError naming the member', async () => {
    const r = await expectError(callQuery(server.url, rootCredentials, 'CreateUser'), 400, 'ValidationError');
    assert.match(r.body, /Value null at &apos;userName&apos; failed to satisfy constraint: Member must not be null/);
    const two = await expectError(
      callQuery(server.url, rootCredentials, 'CreateUser', { UserName: 'a b', Path: 'nopath' }),
      400,
      'ValidationError',
    );
    assert.match(two.body, /2 validation errors detected/);
    await expectError(callQuery(server.url, rootCredentials, 'ListUsers', { MaxItems: '0' }), 400, 'ValidationError');
    await expectError(
      callQuery(server.url, rootCredentials, 'ListUsers', { MaxItems: 'lots' }),
      400,
      'ValidationError',
    );
    await expectError(callQuery(server.url, rootCredentials, 'ListUsers', { Marker: 'not-ours' }), 400, 'InvalidInput');
  });

  test('unicode: names refuse it, tag values take letters of any script', async () => {
    await expectError(
      callQuery(server.url, rootCredentials, 'CreateUser', { UserName: 'zoë' }),
      400,
      'ValidationError',
    );
    const ok = await callQuery(server.url, rootCredentials, 'CreateUser', {
      UserName: 'unicode-tags',
      'Tags.member.1.Key': 'équipe',
      'Tags.member.1.Value': '機械学習 チーム',
    });
    assert.equal(ok.status, 200, ok.body);
    const got = await callQuery(server.url, rootCredentials, 'ListUserTags', { UserName: 'unicode-tags' });
    assert.match(got.body, /機械学習 チーム/);
  });

  test('broken policy JSON is MalformedPolicyDocument and writes nothing', async () => {
    for (const doc of [
      '{',
      '[]',
      '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}',
      '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}}',
    ]) {
      await expectError(
        callQuery(server.url, rootCredentials, 'CreatePolicy', { PolicyName: 'broken', PolicyDocument: doc }),
        400,
        'MalformedPolicyDocument',
      );
    }
    await expectError(
      callQuery(server.url, rootCredentials, 'GetPolicy', { PolicyArn: 'arn:aws:iam::123456789012:policy/broken' }),
      404,
      'NoSuchEntity',
    );
  });

  test('a failed create leaves nothing behind (duplicate tag keys)', async () => {
    await expectError(
      callQuery(server.url, rootCredentials, 'CreateUser', {
        UserName: 'half',
        'Tags.member.1.Key': 'a',
        'Tags.member.1.Value': '1',
        'Tags.member.2.Key': 'A',
        'Tags.member.2.Value': '2',
      }),
      400,
      'InvalidInput',
    );
    await expectError(callQuery(server.url, rootCredentials, 'GetUser', { UserName: 'half' }), 404, 'NoSuchEntity');
  });

  test('an oversized body is refused before it is read, and the server lives on', async () => {
    const body = `Action=CreateUser&Version=2010-05-08&UserName=big&Junk=${'x'.repeat(2 * 1024 * 1024)}`;
    const r = await rawRequest(
      server.url,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
      body,
    );
    assert.equal(r.status, 413);
    assert.match(r.text, /RequestEntityTooLarge/);
    assert.match(r.text, /xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"/);
    // Refused before the body is read, an STS request (its Version in the query string here) gets
    // STS's namespace.
    const sts = await rawRequest(
      server.url,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
      body,
      '/?Version=2011-06-15',
    );
    assert.equal(sts.status, 413);
    assert.match(sts.text, /xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"/);
    const alive = await callQuery(server.url, rootCredentials, 'ListUsers');
    assert.equal(alive.status, 200);
  });

  test('authentication errors in AWS words', async () => {
    const unsigned = await rawRequest(
      server.url,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'Action=ListUsers&Version=2010-05-08',
    );
    assert.equal(unsigned.status, 403);
    assert.match(unsigned.text, /<Code>MissingAuthenticationToken<\/Code>/);
    const wrongSecret = await callQuery(
      server.url,
      { ...rootCredentials, secretAccessKey: 'x'.repeat(40) },
      'ListUsers',
    );
    assert.equal(wrongSecret.code, 'SignatureDoesNotMatch');
    assert.equal(wrongSecret.status, 403);
    const unknownKey = await callQuery(
      server.url,
      { accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', secretAccessKey: 'x'.repeat(40) },
      'ListUsers',
    );
    assert.equal(unknownKey.code, 'InvalidClientTokenId');
    assert.doesNotMatch(
      wrongSecret.body + unknownKey.body,
      new RegExp(rootCredentials.secretAccessKey.replace(/[/+]/g, '.')),
    );
  });

  test('random parameters for every operation never yield a 500', { timeout: 300_000 }, async () => {
    const names = [...IAM_OPERATIONS.keys()];
    const paramName = fc.constantFrom(
      'UserName',
      'GroupName',
      'RoleName',
      'PolicyArn',
      'PolicyDocument',
      'Path',
      'PathPrefix',
      'MaxItems',
      'Marker',
      'VersionId',
      'AccessKeyId',
      'Status',
      'Tags.member.1.Key',
      'Tags.member.1.Value',
      'TagKeys.member.1',
      'NewUserName',
      'Password',
      'AssumeRolePolicyDocument',
      'PolicyName',
      'PermissionsBoundary',
      'Scope',
      'Filter.member.1',
    );
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '',
        '/',
        '*',
        'v1',
        '100',
        '-1',
        'arn:aws:iam::123456789012:policy/x',
        'arn:aws:iam::aws:policy/AdministratorAccess',
        '{}',
        '{"Version":"2012-10-17","Statement":[]}',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.dictionary(paramName, value, { maxKeys: 5 }),
        async (action, params) => {
          const r = await callQuery(server.url, rootCredentials, action, params);
          assert.ok(r.status < 500, `${action} ${JSON.stringify(params)} → ${r.status} ${r.body}`);
          assert.ok(r.status === 200 || (r.code !== undefined && r.code !== ''), r.body);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('random bytes as a signed body never yield a 500', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const r = await signedPost(server.url, rootCredentials, bytes);
        assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.body}`);
      }),
      { numRuns: 150 },
    );
  });
});
