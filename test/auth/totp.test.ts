/**
 * TOTP against RFC 6238 Appendix B (SHA-1 seed "12345678901234567890"; the 6-digit codes are the
 * low six digits of the 8-digit vectors) and base32 against RFC 4648 section 10.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { base32Decode, base32Encode, codeAt, matchStep, stepOf } from '../../src/auth/totp.ts';

const SEED = Buffer.from('12345678901234567890', 'ascii');

test('RFC 6238 Appendix B vectors (SHA-1)', () => {
  const vectors: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [time, code] of vectors) {
    assert.equal(codeAt(SEED, stepOf(time), 8), code, `T=${time}`);
    assert.equal(codeAt(SEED, stepOf(time)), code.slice(2), `T=${time}, 6 digits`);
  }
});

test('RFC 4648 base32 vectors and round trip', () => {
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ];
  for (const [plain, encoded] of vectors) {
    assert.equal(base32Encode(Buffer.from(plain)), encoded);
    assert.equal(
      Buffer.from(base32Decode(`${encoded}======`.slice(0, Math.ceil(encoded.length / 8) * 8 || 0)) ?? []).toString(),
      plain,
    );
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) =>
      assert.deepEqual(base32Decode(base32Encode(b)), Uint8Array.from(b)),
    ),
  );
  assert.equal(base32Decode('ABC1'), undefined);
});

test('matchStep accepts one step either side and nothing further', () => {
  const now = 1_800_000_000;
  const step = stepOf(now);
  for (const d of [-1, 0, 1]) assert.equal(matchStep(SEED, codeAt(SEED, step + d), now), step + d);
  for (const d of [-3, -2, 2, 3]) {
    const code = codeAt(SEED, step + d);
    const clash = [-1, 0, 1].some((e) => codeAt(SEED, step + e) === code);
    if (!clash) assert.equal(matchStep(SEED, code, now), undefined);
  }
  assert.equal(matchStep(SEED, '12345', now), undefined);
  assert.equal(matchStep(SEED, 'abcdef', now), undefined);
});
