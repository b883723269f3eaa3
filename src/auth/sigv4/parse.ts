/**
 * Phase 1 of SigV4 authentication: find the signature (Authorization header or presigned query) and
 * parse it into a SigV4Credential, checking everything that needs neither the secret nor the clock.
 *
 * Decides: "Elements of an AWS API request signature"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html), "Authenticating Requests:
 * Using Query Parameters" (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 * The order of the checks and the messages follow what AWS answers (docs/sigv4.md lists them).
 */

import { decodeQueryPart, forEachQueryPair } from './encode.js';
import { MISSING_AUTH_MESSAGE, SigV4Error } from './errors.js';
import type { IncomingSignedRequest, SigV4Credential } from './types.js';

/** The only algorithm SigV4 verification supports (SigV4a's AWS4-ECDSA-P256-SHA256 is not). */
export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** The fifth element of every credential scope. */
export const TERMINATOR = 'aws4_request';
/** X-Amz-Expires bounds: "The minimum value you can set is 1, and the maximum is 604800 (seven days)." */
export const MAX_EXPIRES_SECONDS = 604800;

/**
 * One header as a single string: arrays (node:http `headersDistinct`, duplicates) are joined with ',',
 * absent headers are undefined. Own properties only, so `constructor` or `__proto__` never resolve to
 * Object.prototype members.
 */
export function headerValue(headers: IncomingSignedRequest['headers'], name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const v = headers[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length === 1 ? v[0] : v.join(',');
  return undefined;
}

/** The authentication parameters a presigned URL may carry, by exact (case-sensitive) name. */
const AUTH_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
]);

/**
 * The decoded X-Amz-* authentication parameters of a raw query; the first occurrence of each wins
 * (later duplicates still take part in the canonical query, so they cannot change what was signed).
 */
export function authQueryParams(rawQuery: string): Map<string, string> {
  const found = new Map<string, string>();
  // Fast path: most requests carry no X-Amz-* parameter at all.
  if (rawQuery === '' || (rawQuery.indexOf('Amz') === -1 && rawQuery.indexOf('%') === -1)) return found;
  forEachQueryPair(rawQuery, (start, eq, end) => {
    const name = decodeQueryPart(rawQuery, start, eq);
    if (AUTH_PARAMS.has(name) && !found.has(name)) {
      found.set(name, eq < end ? decodeQueryPart(rawQuery, eq + 1, end) : '');
    }
  });
  return found;
}

/** Days of each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The two decimal digits of `s` at `i` as a number (the caller checked they are digits). */
function twoDigits(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

/** Epoch milliseconds of a `YYYYMMDDTHHMMSSZ` timestamp, or undefined when it is not one (or not a real date). */
export function parseAmzDate(s: string): number | undefined {
  if (s.length !== 16 || s.charCodeAt(8) !== 84 || s.charCodeAt(15) !== 90) return undefined;
  for (let i = 0; i < 15; i++) {
    if (i === 8) continue;
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const y = twoDigits(s, 0) * 100 + twoDigits(s, 2);
  const mo = twoDigits(s, 4);
  const d = twoDigits(s, 6);
  const h = twoDigits(s, 9);
  const mi = twoDigits(s, 11);
  const se = twoDigits(s, 13);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : (MONTH_DAYS[mo - 1] ?? 31))) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

/** Formats epoch milliseconds as `YYYYMMDDTHHMMSSZ`, the form of X-Amz-Date and of AWS's messages. */
export function formatAmzDate(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2015-08-30T12:36:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Epoch milliseconds of an HTTP `Date` header in IMF-fixdate form (`Sun, 30 Aug 2015 12:36:00 GMT`,
 * RFC 9110 §5.6.7), or undefined. AWS accepts `Date` when `X-Amz-Date` is absent ("Handling dates in
 * Signature Version 4"); the string to sign then carries the same instant in ISO 8601 basic format.
 */
export function parseHttpDate(s: string): number | undefined {
  const parts = s.trim().split(' ');
  if (parts.length !== 6 || parts[5] !== 'GMT') return undefined;
  const [, day, mon, year, time] = parts;
  if (day === undefined || mon === undefined || year === undefined || time === undefined) return undefined;
  const mo = MONTHS.indexOf(mon);
  if (mo < 0 || day.length !== 2 || year.length !== 4 || time.length !== 8) return undefined;
  const stamp = `${year}${String(mo + 1).padStart(2, '0')}${day}T${time.slice(0, 2)}${time.slice(3, 5)}${time.slice(6, 8)}Z`;
  if (time.charCodeAt(2) !== 58 || time.charCodeAt(5) !== 58) return undefined;
  return parseAmzDate(stamp);
}

function badDate(value: string): SigV4Error {
  return new SigV4Error(
    'IncompleteSignature',
    `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
  );
}

/** Splits `SignedHeaders` (`host;x-amz-date`) into names; an empty list stays empty. */
function splitSignedHeaders(list: string): string[] {
  return list === '' ? [] : list.split(';');
}

/**
 * The checks shared by both forms once the parameters are present: host signed, algorithm, the
 * five-element credential, its terminator and date. Returns the credential's parts.
 */
function checkCommon(
  algorithm: string,
  credential: string,
  signedHeaders: string[],
  amzDate: string,
): { accessKeyId: string; date: string; region: string; service: string } {
  // INVARIANT: the host is always signed, so a signature cannot be replayed against another endpoint.
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) {
    throw new SigV4Error(
      'SignatureDoesNotMatch',
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      `signed headers: ${signedHeaders.join(';')}`,
    );
  }
  if (algorithm !== ALGORITHM) {
    throw new SigV4Error(
      'IncompleteSignature',
      `Unsupported AWS 'algorithm': '${algorithm}' (only ${ALGORITHM} for now).`,
    );
  }
  // AWS ignores trailing slashes of the credential before counting its elements.
  let end = credential.length;
  while (end > 0 && credential.charCodeAt(end - 1) === 47) end--;
  const parts = credential.slice(0, end).split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (
    parts.length !== 5 ||
    accessKeyId === undefined ||
    date === undefined ||
    region === undefined ||
    service === undefined ||
    terminator === undefined
  ) {
    throw new SigV4Error(
      'IncompleteSignature',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const scopeErrors: string[] = [];
  if (terminator !== TERMINATOR) {
    scopeErrors.push(`Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${terminator}'.`);
  }
  const dateError = scopeDateError(date, amzDate);
  if (dateError !== undefined) scopeErrors.push(dateError);
  if (scopeErrors.length > 0) throw new SigV4Error('SignatureDoesNotMatch', scopeErrors.join(' '));
  return { accessKeyId, date, region, service };
}

/**
 * AWS's message when the credential scope date is not the date part of the request timestamp, or
 * undefined when they agree.
 */
export function scopeDateError(date: string, amzDate: string): string | undefined {
  const expected = amzDate.slice(0, 8);
  if (date === expected) return undefined;
  return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${expected}', from '${amzDate}'.`;
}

/** ',' or a space or a tab: what separates the algorithm and the parameters of an Authorization header. */
function isAuthSeparator(c: number): boolean {
  return c === 44 || c === 32 || c === 9;
}

/** Parses the `Authorization` header form. `auth` starts with `AWS4-`. */
function parseHeaderAuth(req: IncomingSignedRequest, auth: string, query: Map<string, string>): SigV4Credential {
  const text = auth.trim();
  const n = text.length;
  let sp = 0;
  while (sp < n && !isAuthSeparator(text.charCodeAt(sp))) sp++;
  const algorithm = text.slice(0, sp);
  let credential: string | undefined;
  let signature: string | undefined;
  let signedHeaderList: string | undefined;
  // AWS tolerates ", " and "," and plain spaces between the parameters; the last of a repeated one wins.
  let i = sp;
  while (i < n) {
    if (isAuthSeparator(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    let eq = -1;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (isAuthSeparator(c)) break;
      if (c === 61 && eq === -1) eq = j;
    }
    if (eq === -1) {
      throw new SigV4Error(
        'IncompleteSignature',
        `'${text.slice(i, j)}' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`,
      );
    }
    const key = text.slice(i, eq);
    if (key === 'Credential') credential = text.slice(eq + 1, j);
    else if (key === 'Signature') signature = text.slice(eq + 1, j);
    else if (key === 'SignedHeaders') signedHeaderList = text.slice(eq + 1, j);
    i = j + 1;
  }
  const xAmzDate = headerValue(req.headers, 'x-amz-date');
  const httpDate = xAmzDate === undefined ? headerValue(req.headers, 'date') : undefined;

  let missing = '';
  if (credential === undefined || credential === '') {
    missing += "Authorization header requires 'Credential' parameter. ";
  }
  if (signature === undefined || signature === '') {
    missing += "Authorization header requires 'Signature' parameter. ";
  }
  // An empty SignedHeaders is present; the host check below rejects it.
  if (signedHeaderList === undefined) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (xAmzDate === undefined && httpDate === undefined) {
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (missing !== '' || credential === undefined || signature === undefined || signedHeaderList === undefined) {
    throw new SigV4Error('IncompleteSignature', `${missing}Authorization=${auth}`);
  }

  let amzDate: string;
  if (xAmzDate !== undefined) {
    if (parseAmzDate(xAmzDate) === undefined) throw badDate(xAmzDate);
    amzDate = xAmzDate;
  } else {
    const ms = parseHttpDate(httpDate ?? '');
    if (ms === undefined) throw badDate(httpDate ?? '');
    amzDate = formatAmzDate(ms);
  }

  const signedHeaders = splitSignedHeaders(signedHeaderList);
  const scope = checkCommon(algorithm, credential, signedHeaders, amzDate);
  const securityToken = headerValue(req.headers, 'x-amz-security-token') ?? query.get('X-Amz-Security-Token');
  // Spelled out: an object spread here costs more than all the parsing (V8's slow clone path).
  const cred: SigV4Credential = {
    accessKeyId: scope.accessKeyId,
    date: scope.date,
    region: scope.region,
    service: scope.service,
    signedHeaders,
    signature,
    amzDate,
    presigned: false,
  };
  if (securityToken !== undefined) cred.securityToken = securityToken;
  return cred;
}

/** Parses X-Amz-Expires: a decimal integer in 1..604800, in AWS's words when not. */
function parseExpires(value: string): number {
  let digits = value.length > 0;
  for (let i = value.charCodeAt(0) === 45 ? 1 : 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) {
      digits = false;
      break;
    }
  }
  if (!digits || value === '-') {
    throw new SigV4Error('IncompleteSignature', 'X-Amz-Expires should be a number', `X-Amz-Expires=${value}`);
  }
  const n = Number(value);
  if (n < 0) {
    throw new SigV4Error('IncompleteSignature', 'X-Amz-Expires must be non-negative', `X-Amz-Expires=${value}`);
  }
  if (n < 1) {
    throw new SigV4Error('IncompleteSignature', 'X-Amz-Expires must be at least 1 second', `X-Amz-Expires=${value}`);
  }
  if (n > MAX_EXPIRES_SECONDS) {
    throw new SigV4Error(
      'IncompleteSignature',
      `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_EXPIRES_SECONDS} seconds`,
      `X-Amz-Expires=${value}`,
    );
  }
  return n;
}

/** Parses the presigned form: every authentication parameter is in the query string. */
function parsePresigned(req: IncomingSignedRequest, query: Map<string, string>): SigV4Credential {
  const algorithm = query.get('X-Amz-Algorithm');
  const credential = query.get('X-Amz-Credential');
  const signature = query.get('X-Amz-Signature');
  const signedHeaderList = query.get('X-Amz-SignedHeaders');
  const amzDate = query.get('X-Amz-Date');
  let missing = '';
  const required: [string, string | undefined][] = [
    ['X-Amz-Algorithm', algorithm],
    ['X-Amz-Credential', credential],
    ['X-Amz-Signature', signature],
    ['X-Amz-SignedHeaders', signedHeaderList],
    ['X-Amz-Date', amzDate],
  ];
  for (const [name, value] of required) {
    if (value === undefined || value === '') missing += `AWS query-string parameters must include '${name}'. `;
  }
  if (
    missing !== '' ||
    algorithm === undefined ||
    credential === undefined ||
    signature === undefined ||
    signedHeaderList === undefined ||
    amzDate === undefined
  ) {
    throw new SigV4Error('IncompleteSignature', `${missing}Re-examine the query-string parameters.`);
  }
  if (parseAmzDate(amzDate) === undefined) throw badDate(amzDate);
  const expires = query.get('X-Amz-Expires');
  const expiresSeconds = expires === undefined ? undefined : parseExpires(expires);
  const signedHeaders = splitSignedHeaders(signedHeaderList);
  const scope = checkCommon(algorithm, credential, signedHeaders, amzDate);
  const securityToken = query.get('X-Amz-Security-Token') ?? headerValue(req.headers, 'x-amz-security-token');
  const cred: SigV4Credential = {
    accessKeyId: scope.accessKeyId,
    date: scope.date,
    region: scope.region,
    service: scope.service,
    signedHeaders,
    signature,
    amzDate,
    presigned: true,
  };
  if (expiresSeconds !== undefined) cred.expiresSeconds = expiresSeconds;
  if (securityToken !== undefined) cred.securityToken = securityToken;
  return cred;
}

/**
 * Phase 1: find and parse the SigV4 authentication of a request, either the `Authorization` header or a
 * presigned query (`X-Amz-Algorithm` present). Throws SigV4Error `MissingAuthenticationToken` when there
 * is none (an Authorization header of another scheme, e.g. `Bearer`, counts as none, as AWS treats it),
 * `IncompleteSignature` when a part is missing or malformed, `SignatureDoesNotMatch` for a credential
 * scope that cannot be right (terminator, date) or an unsigned host. The result is not yet verified:
 * look up the secret for `accessKeyId`, check region and service (checkCredentialScope), then call
 * verifySigV4.
 */
export function parseSigV4(req: IncomingSignedRequest): SigV4Credential {
  const auth = headerValue(req.headers, 'authorization');
  const query = authQueryParams(req.rawQuery);
  if (query.has('X-Amz-Algorithm')) {
    if (auth !== undefined) {
      throw new SigV4Error(
        'SignatureDoesNotMatch',
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
      );
    }
    return parsePresigned(req, query);
  }
  if (auth === undefined || !auth.trimStart().startsWith('AWS4-')) {
    throw new SigV4Error('MissingAuthenticationToken', MISSING_AUTH_MESSAGE);
  }
  return parseHeaderAuth(req, auth, query);
}

/**
 * Checks the region (one, or one of a set) and service of a parsed credential against what the
 * endpoint serves, with AWS's
 * messages ("Credential should be scoped to a valid region, not 'x'." / "Credential should be scoped to
 * correct service: 'iam'."), both reported at once as AWS does. Throws `SignatureDoesNotMatch`. Call it
 * after parseSigV4 and before looking up the secret, the order AWS answers in.
 */
export function checkCredentialScope(
  cred: SigV4Credential,
  expected: { region?: string; regions?: ReadonlySet<string>; service?: string },
): void {
  const errors: string[] = [];
  if (
    (expected.region !== undefined && cred.region !== expected.region) ||
    (expected.regions !== undefined && !expected.regions.has(cred.region))
  ) {
    errors.push(`Credential should be scoped to a valid region, not '${cred.region}'.`);
  }
  if (expected.service !== undefined && cred.service !== expected.service) {
    errors.push(`Credential should be scoped to correct service: '${expected.service}'.`);
  }
  if (errors.length > 0) throw new SigV4Error('SignatureDoesNotMatch', errors.join(' '));
}
