/**
 * Session tokens: sealed claims open only with the same master key and purpose; any change, any
 * truncation (including of the GCM tag) is refused; expired sessions are ExpiredToken; a token
 * only serves the access key it names.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Authenticator } from '../../src/auth/authenticate.ts';
import { SecretBox } from '../../src/auth/secret-box.ts';
import { openSessionToken, type SessionClaims, sealSessionToken } from '../../src/auth/session-token.ts';
import { SigV4Error } from '../../src/auth/sigv4/index.ts';
import { AWS_REGIONS } from '../../src/catalog/regions.ts';
import { openStore } from '../../src/store/index.ts';
import { signedIncoming } from '../support/incoming.ts';

const box = new SecretBox(Buffer.alloc(32, 7));
const now = Math.floor(Date.now() / 1000);
const claims: SessionClaims = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
  secretAccessKey: 'x'.repeat(40),
  accountId: '123456789012',
  type: 'assumedRole',
  arn: 'arn:aws:sts::123456789012:assumed-role/r/s',
  userId: 'AROAEXAMPLEEXAMPLE123:s',
  roleName: 'r',
  roleArn: 'arn:aws:iam::123456789012:role/r',
  sessionName: 's',
  tags: [{ Key: 'team', Value: 'ml' }],
  transitiveTagKeys: [],
  policies: [],
  mfa: false,
  issuedAt: now,
  expiresAt: now + 900,
  chained: false,
};

test('a token opens to its claims with the same key only', () => {
  const token = sealSessionToken(box, claims);
  assert.deepEqual(openSessionToken(box, token), claims);
  assert.equal(openSessionToken(new SecretBox(Buffer.alloc(32, 8)), token), undefined);
  assert.equal(openSessionToken(box, box.seal(JSON.stringify(claims), 'some-other-purpose')), undefined);
});

test('any single-character change or truncation is refused', () => {
  const token = sealSessionToken(box, claims);
  fc.assert(
    fc.property(fc.nat(token.length - 1), fc.constantFrom(...'ABCabc012-_.'), (i, ch) => {
      fc.pre(token[i] !== ch);
      const changed = token.slice(0, i) + ch + token.slice(i + 1);
      // base64url has padding bits: a change there decodes to the same bytes and is no change.
      const opened = openSessionToken(box, changed);
      if (opened !== undefined) assert.deepEqual(opened, claims);
    }),
    { numRuns: 2000 },
  );
  for (let cut = 1; cut < 24; cut++) assert.equal(openSessionToken(box, token.slice(0, -cut)), undefined, `cut ${cut}`);
});

test('an expired session is ExpiredToken; a token names its own access key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-session-'));
  const store = await openStore({ dataDir: dir });
  try {
    const auth = new Authenticator(store, box);
    const token = sealSessionToken(box, claims);
    const sign = (accessKeyId: string) =>
      signedIncoming({
        credentials: { accessKeyId, secretAccessKey: claims.secretAccessKey, sessionToken: token },
        service: 'sts',
        body: 'Action=GetCallerIdentity&Version=2011-06-15',
        contentType: 'application/x-www-form-urlencoded',
        signingDate: new Date((now + 60) * 1000),
      });
    const ok = await auth.authenticate(
      await sign(claims.accessKeyId),
      0,
      new Date((now + 60) * 1000),
      'sts',
      AWS_REGIONS,
    );
    assert.equal(ok.caller.arn, claims.arn);
    assert.equal(ok.caller.type, 'assumedRole');
    const late = new Date((now + 901) * 1000);
    await assert.rejects(
      auth.authenticate(await sign(claims.accessKeyId), 0, late, 'sts', AWS_REGIONS),
      (e: unknown) => e instanceof SigV4Error && e.code === 'ExpiredToken',
    );
    await assert.rejects(
      auth.authenticate(await sign('ASIAOTHEROTHEROTHER1'), 0, new Date((now + 60) * 1000), 'sts', AWS_REGIONS),
      (e: unknown) => e instanceof SigV4Error && e.code === 'InvalidClientTokenId',
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
