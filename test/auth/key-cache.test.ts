/**
 * The caches of the request path (opened access keys, a caller's policies) hold what was read at one
 * store revision. A load that started before a write and finishes after another request moved the
 * cache to the write's revision must not land in the cache: it may have read the store before the
 * write, and would then serve a deleted key (or revoked policies) until the next write.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Authenticator } from '../../src/auth/authenticate.ts';
import { SecretBox } from '../../src/auth/secret-box.ts';
import { type IncomingSignedRequest, SigV4Error } from '../../src/auth/sigv4/index.ts';
import { BEDROCK_REGIONS } from '../../src/catalog/regions.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { signedIncoming } from '../support/incoming.ts';

const box = new SecretBox(Buffer.alloc(32, 9));
const ACCOUNT = '123456789012';
const KEY = 'AKIAKEYCACHETEST0001';
const SECRET = 'key-cache-test-secret-key-000000000000000';

function signed(now: Date): Promise<IncomingSignedRequest> {
  return signedIncoming({
    credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
    service: 'bedrock',
    method: 'GET',
    path: '/foundation-models',
    signingDate: now,
  });
}

/** The store, with its access-key reads held until `release` is called once the read has started. */
function pausingReads(store: Store): { store: Store; started: Promise<void>; release: () => void } {
  let release = () => {};
  let started = () => {};
  const gate = new Promise<void>((res) => (release = res));
  const startedPromise = new Promise<void>((res) => (started = res));
  let paused = false;
  const wrapped: Store = Object.create(store);
  wrapped.getById = async (kind, id) => {
    const row = await store.getById(kind, id);
    if (kind === 'access-key' && !paused) {
      paused = true;
      started();
      await gate;
    }
    return row;
  };
  return { store: wrapped, started: startedPromise, release };
}

test('a key read before its deletion is not cached under the revision of the deletion', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-key-cache-'));
  const store = await openStore({ dataDir: dir });
  try {
    await store.write(async (tx) => {
      await tx.insert({
        kind: 'access-key',
        accountId: ACCOUNT,
        key: KEY,
        id: KEY,
        owner: '',
        body: { accessKeyId: KEY, secretCiphertext: box.seal(SECRET, KEY), status: 'Active', createdAt: '' },
      });
    });
    const paused = pausingReads(store);
    const auth = new Authenticator(paused.store, box);
    const now = new Date();
    const before = await store.revision();
    // Request A reads the key at the old revision and is held there.
    const a = auth.authenticate(await signed(now), before, now, 'bedrock', BEDROCK_REGIONS);
    await paused.started;
    // The key is deleted; request B, at the new revision, is refused.
    await store.write(async (tx) => {
      await tx.delete('access-key', ACCOUNT, KEY);
    });
    const after = await store.revision();
    assert.ok(after > before);
    await assert.rejects(
      auth.authenticate(await signed(now), after, now, 'bedrock', BEDROCK_REGIONS),
      (e: unknown) => e instanceof SigV4Error && e.code === 'InvalidClientTokenId',
    );
    // A finishes with what it read (it began before the deletion) ...
    paused.release();
    assert.equal((await a).caller.arn, `arn:aws:iam::${ACCOUNT}:root`);
    // ... and C, at the new revision, is still refused: A's read did not land in the cache.
    await assert.rejects(
      auth.authenticate(await signed(now), after, now, 'bedrock', BEDROCK_REGIONS),
      (e: unknown) => e instanceof SigV4Error && e.code === 'InvalidClientTokenId',
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
