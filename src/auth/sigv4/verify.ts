/**
 * Phase 2 of SigV4 authentication: rebuild the canonical request and the string to sign, derive the
 * signing key (cached), and compare signatures in constant time; check the request time.
 *
 * Decides: "Create a signed AWS API request"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) for the canonical
 * request, string to sign and key derivation; "Elements of an AWS API request signature"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html) for the 15-minute window;
 * "Authenticating Requests: Using Query Parameters"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html) for X-Amz-Expires.
 */

// The default export (not named imports) so tests can observe createHmac and timingSafeEqual.
import crypto from 'node:crypto';
import { canonicalHeaderValue, canonicalQuery, canonicalUri } from './encode.js';
import { SigV4Error, signatureMismatch } from './errors.js';
import { ALGORITHM, formatAmzDate, headerValue, parseAmzDate, scopeDateError, TERMINATOR } from './parse.js';
import type { IncomingSignedRequest, SigV4Credential, VerifyOptions } from './types.js';

/** The payload hash of a presigned request whose body is not signed. */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** How far the request time may be from the server's clock: "within 15 minutes". */
const SKEW_MS = 15 * 60 * 1000;
/** Signing keys kept; one per (secret, date, region, service), so a day's working set is small. */
export const KEY_CACHE_SIZE = 1024;

/** Hex SHA-256 of bytes; the one-shot crypto.hash where Node has it (20.12+) allocates no Hash object. */
function sha256Hex(data: Uint8Array | string): string {
  if (typeof crypto.hash === 'function') return crypto.hash('sha256', data, 'hex');
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** 0: ASCII only; 1: some char in U+0080..U+00FF (and none above); 2: some char above U+00FF. */
function charRange(s: string): 0 | 1 | 2 {
  let range: 0 | 1 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return 2;
    if (c > 0x7f) range = 1;
  }
  return range;
}

/**
 * `s` as octets, one char per byte. Node decodes header bytes as latin-1 (HTTP/1.1 and HTTP/2), so a
 * header string already is its wire octets, and hashing it as latin-1 signs exactly the bytes received,
 * as AWS does. A string holding a char above U+00FF cannot have come from the wire that way; it is
 * taken as text and UTF-8 encoded.
 */
function octets(s: string): string {
  return charRange(s) === 2 ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/** Hex SHA-256 of a string of octets; `ascii` says no char is above U+007F, so UTF-8 and latin-1 agree. */
function sha256Octets(text: string, ascii: boolean): string {
  return sha256Hex(ascii ? text : Buffer.from(text, 'latin1'));
}

/** The value of one signed header: `host` falls back to `:authority` over HTTP/2. */
function signedHeaderValue(req: IncomingSignedRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  const v = req.headers[lower];
  const own = Object.hasOwn(req.headers, lower) ? v : undefined;
  if (typeof own === 'string') return canonicalHeaderValue(octets(own));
  if (Array.isArray(own)) {
    // Repeated headers: each value trimmed, joined with ',' in the order received.
    let joined = '';
    for (let i = 0; i < own.length; i++) joined += (i === 0 ? '' : ',') + canonicalHeaderValue(octets(own[i] ?? ''));
    return joined;
  }
  // An HTTP/2 client that signed `host` sends it as the :authority pseudo-header.
  if (lower === 'host' && req.http2) {
    const authority = headerValue(req.headers, ':authority');
    return authority === undefined ? undefined : canonicalHeaderValue(octets(authority));
  }
  return undefined;
}

/** The canonical request without its payload-hash line, and whether it is all ASCII. */
interface CanonicalPrefix {
  text: string;
  ascii: boolean;
}

/**
 * Everything of the canonical request but its last line (the payload hash), newline-terminated, as
 * octets. Throws SignatureDoesNotMatch when a signed header is absent from the request.
 */
function canonicalPrefix(
  req: IncomingSignedRequest,
  cred: SigV4Credential,
  opts: VerifyOptions | undefined,
): CanonicalPrefix {
  // The URI and the query are ASCII by construction (percent-encoded); method, names and values may not be.
  const method = octets(req.method);
  let ascii = charRange(method) === 0;
  let headers = '';
  let list = '';
  for (let i = 0; i < cred.signedHeaders.length; i++) {
    const raw = cred.signedHeaders[i] ?? '';
    const value = signedHeaderValue(req, raw);
    if (value === undefined) throw signatureMismatch(`signed header '${raw}' is not in the request`);
    const name = octets(raw);
    if (ascii && (charRange(name) !== 0 || charRange(value) !== 0)) ascii = false;
    headers += `${name}:${value}\n`;
    list += i === 0 ? name : `;${name}`;
  }
  const text =
    `${method}\n` +
    `${canonicalUri(req.rawPath, opts?.normalizePath ?? true)}\n` +
    `${canonicalQuery(req.rawQuery, cred.presigned)}\n` +
    `${headers}\n` +
    `${list}\n`;
  return { text, ascii };
}

/**
 * The payload hashes the signer may have used, most likely first. `x-amz-content-sha256` (header, or
 * the hoisted X-Amz-Content-Sha256 query parameter of a presigned URL) names it and must then match
 * the body; otherwise the SHA-256 of the body. A presigned URL may also have been signed with
 * UNSIGNED-PAYLOAD, the constant of S3's query authentication ("Authenticating Requests: Using Query
 * Parameters"; botocore's S3 presigner uses it, its other presigners and smithy hash the empty body).
 * That leaves the body out of the signature, so it is accepted only for a request without a body:
 * otherwise whoever holds the URL could send any body under it (an awsQuery POST runs the Action in
 * its body, a Converse any prompt), and the signer never agreed to that body.
 */
function payloadHashes(req: IncomingSignedRequest, cred: SigV4Credential, bodyHash: string): string[] {
  let declared = headerValue(req.headers, 'x-amz-content-sha256');
  if (declared === undefined && cred.presigned) {
    declared = presignedContentSha(req.rawQuery);
  }
  const unsignedAllowed = cred.presigned && req.body.length === 0;
  if (declared === undefined) return unsignedAllowed ? [bodyHash, UNSIGNED_PAYLOAD] : [bodyHash];
  if (declared.toLowerCase() === bodyHash) return [declared];
  // UNSIGNED-PAYLOAD is for presigned URLs only: a header-signed request to a non-S3 service signs its body.
  if (declared === UNSIGNED_PAYLOAD && unsignedAllowed) return [declared];
  if (declared === UNSIGNED_PAYLOAD && cred.presigned) {
    throw signatureMismatch('a presigned request signed with UNSIGNED-PAYLOAD must not have a body');
  }
  throw signatureMismatch(`x-amz-content-sha256 '${declared}' is not the SHA-256 of the body (${bodyHash})`);
}

/**
 * X-Amz-Content-Sha256 of a presigned query, any letter case: smithy hoists the header under its own
 * (lowercase) name. Its value is hex or a token, so it is read without decoding.
 */
function presignedContentSha(rawQuery: string): string | undefined {
  const key = 'x-amz-content-sha256=';
  const lower = rawQuery.toLowerCase();
  let at = lower.indexOf(key);
  while (at > 0 && lower.charCodeAt(at - 1) !== 38) at = lower.indexOf(key, at + 1);
  if (at === -1) return undefined;
  const start = at + key.length;
  const end = rawQuery.indexOf('&', start);
  return rawQuery.slice(start, end === -1 ? rawQuery.length : end);
}

/**
 * The canonical request the verifier computes for a request and its parsed credential, exposed for
 * tests and for debugging a client. It is a string of octets (one char per byte; ASCII unless a
 * header value carries other bytes), and stringToSign hashes exactly those bytes. Its last line is the
 * payload hash the signer most likely used (the `x-amz-content-sha256` value when present, else the
 * SHA-256 of the body); a presigned request may instead have been signed with UNSIGNED-PAYLOAD, which
 * verifySigV4 also tries. Throws SignatureDoesNotMatch when a signed header is absent or
 * `x-amz-content-sha256` disagrees with the body.
 */
export function canonicalRequest(req: IncomingSignedRequest, cred: SigV4Credential, opts?: VerifyOptions): string {
  const hashes = payloadHashes(req, cred, sha256Hex(req.body));
  return canonicalPrefix(req, cred, opts).text + (hashes[0] ?? '');
}

/**
 * The string to sign for a credential and a canonical request: the algorithm, the request timestamp,
 * the credential scope and the hex SHA-256 of the canonical request, one per line ("Create a string to
 * sign" in "Create a signed AWS API request").
 */
export function stringToSign(cred: SigV4Credential, canonicalRequestText: string): string {
  const text = octets(canonicalRequestText);
  return stringToSignOf(cred, sha256Octets(text, charRange(text) === 0));
}

function stringToSignOf(cred: SigV4Credential, canonicalHash: string): string {
  return `${ALGORITHM}\n${cred.amzDate}\n${cred.date}/${cred.region}/${cred.service}/${TERMINATOR}\n${canonicalHash}`;
}

/**
 * Derived signing keys by a SHA-256 of (secret, scope): the map key never holds the secret in clear.
 * A Map iterates in insertion order, so re-inserting on a hit and evicting the first key is an LRU.
 */
const keyCache = new Map<string, Buffer>();

function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const scoped = `${secretAccessKey}\n${date}/${region}/${service}`;
  const id =
    typeof crypto.hash === 'function'
      ? crypto.hash('sha256', scoped, 'base64')
      : crypto.createHash('sha256').update(scoped).digest('base64');
  const hit = keyCache.get(id);
  if (hit !== undefined) {
    keyCache.delete(id);
    keyCache.set(id, hit);
    return hit;
  }
  // kDate = HMAC("AWS4" + secret, date); kRegion; kService; kSigning = HMAC(kService, "aws4_request").
  const kDate = crypto.createHmac('sha256', `AWS4${secretAccessKey}`).update(date).digest();
  const kRegion = crypto.createHmac('sha256', kDate).update(region).digest();
  const kService = crypto.createHmac('sha256', kRegion).update(service).digest();
  const kSigning = crypto.createHmac('sha256', kService).update(TERMINATOR).digest();
  keyCache.set(id, kSigning);
  if (keyCache.size > KEY_CACHE_SIZE) {
    const oldest = keyCache.keys().next();
    if (oldest.done !== true) keyCache.delete(oldest.value);
  }
  return kSigning;
}

/** Empties the signing-key cache (tests; or to drop derived keys at once after a key is deleted). */
export function clearSigningKeyCache(): void {
  keyCache.clear();
}

/** Constant-time comparison of the computed and the provided signature (hex text). */
function signaturesEqual(computedHex: string, provided: string): boolean {
  const a = Buffer.from(computedHex, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  // The length of the provided signature is public; only equal-length buffers go to timingSafeEqual.
  if (a.length !== b.length) return false;
  return crypto.timingSafeEqual(a, b);
}

/** Throws when the request time is outside the window AWS allows; see verifySigV4. */
function checkTime(cred: SigV4Credential, nowMs: number): void {
  const requestMs = parseAmzDate(cred.amzDate);
  if (requestMs === undefined) {
    throw new SigV4Error(
      'IncompleteSignature',
      `Date must be in ISO-8601 'basic format'. Got '${cred.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  // Second resolution, as the timestamps in AWS's messages.
  const now = Math.floor(nowMs / 1000) * 1000;
  if (requestMs > now + SKEW_MS) {
    throw new SigV4Error(
      'SignatureExpired',
      `Signature not yet current: ${cred.amzDate} is still later than ${formatAmzDate(now + SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
    );
  }
  if (cred.presigned && cred.expiresSeconds !== undefined) {
    if (now > requestMs + cred.expiresSeconds * 1000) {
      throw new SigV4Error(
        'RequestExpired',
        'Request has expired.',
        `X-Amz-Date ${cred.amzDate} + X-Amz-Expires ${cred.expiresSeconds}s is before ${formatAmzDate(now)}`,
      );
    }
    return;
  }
  if (requestMs < now - SKEW_MS) {
    throw new SigV4Error(
      'SignatureExpired',
      `Signature expired: ${cred.amzDate} is now earlier than ${formatAmzDate(now - SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
    );
  }
}

/**
 * Phase 2: verify a parsed credential against the request, given the secret access key the caller
 * looked up by `cred.accessKeyId`. Checks, in AWS's order: the scope date, the request time (header
 * signatures and presigned URLs without X-Amz-Expires: within 15 minutes of `now` either way;
 * presigned URLs: not more than 15 minutes in the future and not past X-Amz-Date + X-Amz-Expires), the
 * payload hash, then the signature, compared in constant time. Returns normally when valid; throws
 * SigV4Error (`SignatureExpired`, `RequestExpired`, `SignatureDoesNotMatch`) otherwise. `now` is
 * injectable for tests.
 */
export function verifySigV4(
  req: IncomingSignedRequest,
  cred: SigV4Credential,
  secretAccessKey: string,
  now: Date = new Date(),
  opts?: VerifyOptions,
): void {
  const dateError = scopeDateError(cred.date, cred.amzDate);
  if (dateError !== undefined) throw new SigV4Error('SignatureDoesNotMatch', dateError);
  checkTime(cred, now.getTime());
  const hashes = payloadHashes(req, cred, sha256Hex(req.body));
  const prefix = canonicalPrefix(req, cred, opts);
  const key = signingKey(secretAccessKey, cred.date, cred.region, cred.service);
  for (const hash of hashes) {
    const canonicalHash = sha256Octets(prefix.text + hash, prefix.ascii);
    const signature = crypto.createHmac('sha256', key).update(stringToSignOf(cred, canonicalHash)).digest('hex');
    if (signaturesEqual(signature, cred.signature)) return;
  }
  throw signatureMismatch(
    cred.presigned ? 'presigned signature differs (body hash and UNSIGNED-PAYLOAD tried)' : 'signature differs',
  );
}
