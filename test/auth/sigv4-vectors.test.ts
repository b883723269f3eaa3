// The official SigV4 test vectors, read from ../shared/sigv4-test-suite (see its README):
// - v4/<case>/: the aws-c-auth suite. Each case is run twice, header-signed and presigned (query):
//   the signed request is parsed, the canonical request and string to sign are compared with the
//   expected text, the signature must verify at the context's timestamp and fail with a wrong secret.
// - classic/raw/aws-sig-v4-test-suite/: the 2015 AWS suite (.sreq .creq .sts .authz), same checks.
// Every case is either run or listed in NOT_APPLICABLE with a reason; a listed case must exist and
// must show the behaviour the reason describes, so the list cannot go stale silently.
//
// Run: node --import tsx --test test/auth/sigv4-vectors.test.ts
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  canonicalRequest,
  type IncomingSignedRequest,
  parseSigV4,
  SigV4Error,
  stringToSign,
  verifySigV4,
} from '../../src/auth/sigv4/index.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
/**
 * Where the shared suite lives: BASALT_SIGV4_SUITE, else ../shared beside this checkout, else the
 * workspace's /work/shared (a CI clone may sit elsewhere on the same machine).
 */
const CANDIDATES = [
  process.env.BASALT_SIGV4_SUITE,
  path.resolve(repoRoot, '..', 'shared', 'sigv4-test-suite'),
  '/work/shared/sigv4-test-suite',
].filter((p): p is string => p !== undefined && p !== '');
const SUITE = CANDIDATES.find((p) => existsSync(p)) ?? (CANDIDATES[0] as string);
const V4 = path.join(SUITE, 'v4');
const CLASSIC = path.join(SUITE, 'classic', 'raw', 'aws-sig-v4-test-suite');

/** INVARIANT: the suites never shrink unnoticed (README: 38 aws-c-auth cases, 31 classic cases). */
const MIN_V4 = 38;
const MIN_CLASSIC = 31;

/**
 * Cases (`<case>/<header|query>` for v4, the relative folder for classic) that are not run as
 * passing vectors, with why. Each is still asserted to behave as the reason says.
 */
const NOT_APPLICABLE: Record<string, { reason: string; expect: 'rejected' | 'obs-fold' | 'charset' }> = {
  'v4:post-sts-header-after/query': {
    reason:
      'X-Amz-Security-Token is appended to the presigned URL after signing. Every current signer (smithy, botocore, ' +
      'the Go and Java SDKs) signs the token into the query, and every query parameter except X-Amz-Signature is part ' +
      'of the canonical query, so the verifier rejects the URL (SignatureDoesNotMatch) rather than guess which ' +
      'parameters were added after signing. The header form of this case (token header not signed) is run and passes.',
    expect: 'rejected',
  },
  'classic:get-header-value-multiline': {
    reason:
      'obs-fold (a header continued on indented lines). The classic suite reads it as three values ' +
      '(value1,value2,value3), the v4 suite and RFC 9112 §5.2 as one value with spaces (value1 value2 value3). ' +
      "Node's HTTP parser rejects obs-fold with 400, so no such request reaches the verifier; the v4 copy runs.",
    expect: 'obs-fold',
  },
  'classic:post-x-www-form-urlencoded-parameters': {
    reason:
      "Internally inconsistent: its .sts and signature were computed for Content-Type '...; charset=utf8' while " +
      "the .req and .sreq carry 'charset=utf-8', and its .authz signs content-length, which the .sreq does not. " +
      'The v4 copy of this case is consistent and runs.',
    expect: 'charset',
  },
};

/**
 * Classic cases whose .creq file is defective (suite README): post-x-www-form-urlencoded's .creq signs
 * content-length, its .sreq and .authz do not; its .sts, .authz and signature are checked.
 */
const CLASSIC_CREQ_DEFECTIVE = new Set(['post-x-www-form-urlencoded']);

const CONTEXT_KEYS = new Set([
  'credentials',
  'expiration_in_seconds',
  'normalize',
  'region',
  'service',
  'sign_body',
  'timestamp',
  'omit_session_token',
]);
const CREDENTIAL_KEYS = new Set(['access_key_id', 'secret_access_key', 'token']);

interface VectorContext {
  accessKeyId: string;
  secret: string;
  token: string | undefined;
  expires: number;
  normalize: boolean;
  region: string;
  service: string;
  timestamp: Date;
}

function readContext(file: string): VectorContext {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(typeof raw === 'object' && raw !== null && !Array.isArray(raw), `${file}: not an object`);
  const ctx = raw as Record<string, unknown>;
  for (const key of Object.keys(ctx)) assert.ok(CONTEXT_KEYS.has(key), `${file}: unknown field '${key}'`);
  const creds = ctx.credentials as Record<string, unknown>;
  for (const key of Object.keys(creds))
    assert.ok(CREDENTIAL_KEYS.has(key), `${file}: unknown credentials field '${key}'`);
  const str = (v: unknown, what: string): string => {
    assert.equal(typeof v, 'string', `${file}: ${what} must be a string`);
    return v as string;
  };
  return {
    accessKeyId: str(creds.access_key_id, 'access_key_id'),
    secret: str(creds.secret_access_key, 'secret_access_key'),
    token: creds.token === undefined ? undefined : str(creds.token, 'token'),
    expires: Number(ctx.expiration_in_seconds),
    normalize: ctx.normalize !== false,
    region: str(ctx.region, 'region'),
    service: str(ctx.service, 'service'),
    timestamp: new Date(str(ctx.timestamp, 'timestamp')),
  };
}

/**
 * A raw HTTP/1.1 request file as node:http would hand it over: the request target split into path and
 * query untouched, header names lowercased, values trimmed, repeats kept as arrays in order (as
 * `headersDistinct`), the body as bytes. `fold` says what an obs-fold continuation line means: 'space'
 * joins it to the previous value with a space (RFC 9112 §5.2), 'value' makes it another value.
 */
function parseRawRequest(bytes: Buffer, fold: 'space' | 'value'): IncomingSignedRequest {
  let headEnd = bytes.indexOf('\n\n');
  let sepLen = 2;
  const crlf = bytes.indexOf('\r\n\r\n');
  if (crlf !== -1 && (headEnd === -1 || crlf < headEnd)) {
    headEnd = crlf;
    sepLen = 4;
  }
  const head = (headEnd === -1 ? bytes : bytes.subarray(0, headEnd)).toString('utf8');
  const body = headEnd === -1 ? new Uint8Array() : new Uint8Array(bytes.subarray(headEnd + sepLen));
  const lines = head.split(/\r?\n/);
  const requestLine = lines.shift() ?? '';
  // The target may contain spaces (get-space): the method ends at the first space, the version
  // starts after the last.
  const firstSp = requestLine.indexOf(' ');
  const lastSp = requestLine.lastIndexOf(' ');
  const method = requestLine.slice(0, firstSp);
  const target = requestLine.slice(firstSp + 1, lastSp);
  const q = target.indexOf('?');
  const headers: Record<string, string[]> = {};
  let last: string[] | undefined;
  for (const line of lines) {
    if (line === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      assert.ok(last !== undefined, `continuation line without a header: ${line}`);
      if (fold === 'space') last[last.length - 1] = `${last[last.length - 1] ?? ''} ${line.trim()}`;
      else last.push(line.trim());
      continue;
    }
    const colon = line.indexOf(':');
    assert.ok(colon > 0, `malformed header line: ${line}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const values = headers[name] ?? [];
    values.push(value);
    headers[name] = values;
    last = values;
  }
  return {
    method,
    rawPath: q === -1 ? target : target.slice(0, q),
    rawQuery: q === -1 ? '' : target.slice(q + 1),
    headers,
    body,
    http2: false,
  };
}

function readText(file: string): string {
  assert.ok(existsSync(file), `missing vector file ${file}`);
  return readFileSync(file, 'utf8');
}

/** Asserts a SigV4Error with the given code. */
function throwsCode(fn: () => void, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof SigV4Error && e.code === code);
}

const summary = { v4Passed: 0, classicPassed: 0, notApplicable: 0, v4Cases: 0, classicCases: 0 };

if (!existsSync(SUITE)) {
  // The issue: "skip with a message when the folder is absent" (it is not part of the repository).
  test.skip(`sigv4 vectors: SigV4 test suite not found (looked in ${CANDIDATES.join(', ')}; set BASALT_SIGV4_SUITE)`);
} else {
  const v4Cases = readdirSync(V4)
    .filter((name) => statSync(path.join(V4, name)).isDirectory())
    .sort();
  summary.v4Cases = v4Cases.length;

  for (const name of v4Cases) {
    const dir = path.join(V4, name);
    const ctx = readContext(path.join(dir, 'context.json'));
    for (const mode of ['header', 'query'] as const) {
      const id = `v4:${name}/${mode}`;
      const na = NOT_APPLICABLE[id];
      test(`sigv4 vector ${id}${na === undefined ? '' : ' (not applicable)'}`, () => {
        const req = parseRawRequest(readFileSync(path.join(dir, `${mode}-signed-request.txt`)), 'space');
        const cred = parseSigV4(req);
        if (na !== undefined) {
          assert.equal(na.expect, 'rejected');
          throwsCode(
            () => verifySigV4(req, cred, ctx.secret, ctx.timestamp, { normalizePath: ctx.normalize }),
            'SignatureDoesNotMatch',
          );
          summary.notApplicable++;
          return;
        }
        assert.equal(cred.presigned, mode === 'query');
        assert.equal(cred.accessKeyId, ctx.accessKeyId);
        assert.equal(cred.region, ctx.region);
        assert.equal(cred.service, ctx.service);
        if (mode === 'query') assert.equal(cred.expiresSeconds, ctx.expires);
        if (ctx.token !== undefined) assert.equal(cred.securityToken, ctx.token);
        assert.equal(cred.signature, readText(path.join(dir, `${mode}-signature.txt`)).trim());
        const creq = canonicalRequest(req, cred, { normalizePath: ctx.normalize });
        assert.equal(creq, readText(path.join(dir, `${mode}-canonical-request.txt`)));
        assert.equal(stringToSign(cred, creq), readText(path.join(dir, `${mode}-string-to-sign.txt`)));
        verifySigV4(req, cred, ctx.secret, ctx.timestamp, { normalizePath: ctx.normalize });
        throwsCode(
          () => verifySigV4(req, cred, `${ctx.secret}x`, ctx.timestamp, { normalizePath: ctx.normalize }),
          'SignatureDoesNotMatch',
        );
        summary.v4Passed++;
      });
    }
  }

  // The classic suite: one folder per case, some nested one level (normalize-path/, post-sts-token/).
  const classicCases: string[] = [];
  const walk = (rel: string): void => {
    const dir = path.join(CLASSIC, rel);
    const entries = readdirSync(dir);
    if (entries.some((e) => e.endsWith('.sreq'))) classicCases.push(rel);
    for (const e of entries) if (statSync(path.join(dir, e)).isDirectory()) walk(path.join(rel, e));
  };
  walk('');
  classicCases.sort();
  summary.classicCases = classicCases.length;
  const CLASSIC_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  const CLASSIC_NOW = new Date('2015-08-30T12:36:00Z');

  for (const rel of classicCases) {
    const base = path.join(CLASSIC, rel, path.basename(rel));
    const id = `classic:${rel}`;
    const na = NOT_APPLICABLE[id];
    test(`sigv4 vector ${id}${na === undefined ? '' : ' (not applicable)'}`, () => {
      const expectedCreq = readText(`${base}.creq`);
      if (na?.expect === 'charset') {
        // As shipped the request does not verify; with the Content-Type the .sts was made for, it does.
        const req = parseRawRequest(readFileSync(`${base}.sreq`), 'space');
        throwsCode(() => verifySigV4(req, parseSigV4(req), CLASSIC_SECRET, CLASSIC_NOW), 'SignatureDoesNotMatch');
        req.headers['content-type'] = ['application/x-www-form-urlencoded; charset=utf8'];
        const cred = parseSigV4(req);
        assert.equal(stringToSign(cred, canonicalRequest(req, cred)), readText(`${base}.sts`));
        verifySigV4(req, cred, CLASSIC_SECRET, CLASSIC_NOW);
        summary.notApplicable++;
        return;
      }
      if (na !== undefined) {
        assert.equal(na.expect, 'obs-fold');
        // Read as the classic suite means it (three values), the vector passes: the verifier joins
        // repeated values with ',' as AWS specifies; only the reading of obs-fold differs.
        const asValues = parseRawRequest(readFileSync(`${base}.sreq`), 'value');
        const cred = parseSigV4(asValues);
        assert.equal(canonicalRequest(asValues, cred), expectedCreq);
        verifySigV4(asValues, cred, CLASSIC_SECRET, CLASSIC_NOW);
        summary.notApplicable++;
        return;
      }
      const req = parseRawRequest(readFileSync(`${base}.sreq`), 'space');
      assert.equal(req.headers.authorization?.[0], readText(`${base}.authz`).trim());
      const cred = parseSigV4(req);
      assert.equal(cred.accessKeyId, 'AKIDEXAMPLE');
      const creq = canonicalRequest(req, cred);
      if (CLASSIC_CREQ_DEFECTIVE.has(rel)) assert.notEqual(creq, expectedCreq, `${rel}: .creq no longer defective`);
      else assert.equal(creq, expectedCreq);
      assert.equal(stringToSign(cred, creq), readText(`${base}.sts`));
      verifySigV4(req, cred, CLASSIC_SECRET, CLASSIC_NOW);
      throwsCode(() => verifySigV4(req, cred, `${CLASSIC_SECRET}x`, CLASSIC_NOW), 'SignatureDoesNotMatch');
      summary.classicPassed++;
    });
  }

  test('sigv4 vectors: every case accounted for', (t) => {
    assert.ok(summary.v4Cases >= MIN_V4, `only ${summary.v4Cases} v4 cases, expected ${MIN_V4}`);
    assert.ok(
      summary.classicCases >= MIN_CLASSIC,
      `only ${summary.classicCases} classic cases, expected ${MIN_CLASSIC}`,
    );
    for (const id of Object.keys(NOT_APPLICABLE)) {
      const [suite, rest] = id.split(':');
      const exists =
        suite === 'v4' ? v4Cases.includes((rest ?? '').split('/')[0] ?? '') : classicCases.includes(rest ?? '');
      assert.ok(exists, `NOT_APPLICABLE lists ${id}, which is not in the suite`);
    }
    const runs = summary.v4Cases * 2 + summary.classicCases;
    assert.equal(
      summary.v4Passed + summary.classicPassed + summary.notApplicable,
      runs,
      'a vector neither passed nor was listed',
    );
    t.diagnostic(
      `v4: ${summary.v4Cases} cases x header/query = ${summary.v4Cases * 2} runs, ${summary.v4Passed} passed; ` +
        `classic: ${summary.classicCases} cases, ${summary.classicPassed} passed; not applicable: ${summary.notApplicable}`,
    );
  });
}
