/**
 * The awsQuery codec: form decoding agrees with the WHATWG form decoder on well-formed input and
 * refuses bad percent-encoding with a typed error; XML output is well-formed whatever the text.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { escapeXml, parseQuery, queryError, queryResponse } from '../../src/protocols/aws-query.js';
import { WireError } from '../../src/protocols/wire-error.js';

test('parseQuery agrees with URLSearchParams on encoded forms (first value wins)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), { maxLength: 8 }),
      (pairs) => {
        const form = new URLSearchParams(pairs).toString();
        const ours = parseQuery(form);
        const reference = new URLSearchParams(form);
        for (const [k] of pairs) assert.equal(ours.get(k), reference.get(k));
      },
    ),
    { numRuns: 2000 },
  );
});

test('bad percent-encoding and too many parameters are MalformedQueryString', () => {
  for (const bad of ['a=%ZZ', 'a=%E0%A4%A', '%=1', Array.from({ length: 2001 }, (_, i) => `p${i}=1`).join('&')]) {
    assert.throws(
      () => parseQuery(bad),
      (e: unknown) => e instanceof WireError && e.code === 'MalformedQueryString',
    );
  }
});

/** True when the text has no raw markup characters and no character XML 1.0 forbids. */
function safeText(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that none are left
  return !/[<>&"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(
    text.replace(/&(amp|lt|gt|quot|apos|#13);/g, ''),
  );
}

test('escaped text never carries markup or characters XML cannot hold', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      assert.ok(safeText(escapeXml(s)), JSON.stringify(s));
    }),
    { numRuns: 5000 },
  );
});

test('responses and errors are shaped as IAM writes them', () => {
  const ok = queryResponse(
    'https://iam.amazonaws.com/doc/2010-05-08/',
    'ListUsers',
    { Users: [{ UserName: 'a<b' }], IsTruncated: false },
    'rid',
  );
  assert.equal(
    ok,
    '<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users><member><UserName>a&lt;b</UserName></member></Users><IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListUsersResponse>',
  );
  const err = queryError('ns', new WireError('NoSuchEntity', 'The user with name x cannot be found.'), 'rid');
  assert.equal(err.status, 404);
  assert.match(err.body, /<Error><Type>Sender<\/Type><Code>NoSuchEntity<\/Code>/);
  assert.equal(queryError('ns', new WireError('ServiceFailure', 'x'), 'r').status, 500);
  assert.match(queryError('ns', new WireError('ServiceFailure', 'x'), 'r').body, /<Type>Receiver<\/Type>/);
});
