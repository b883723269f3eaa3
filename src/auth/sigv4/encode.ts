/**
 * The byte-level building blocks of the canonical request: URI encoding, path normalization, query
 * canonicalization, header value trimming. No regular expressions; every function walks its input once.
 *
 * Decides: "Create a canonical request" in "Create a signed AWS API request"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request).
 */

/** 1 for the RFC 3986 unreserved characters A-Z a-z 0-9 - _ . ~ (RFC 3986 §2.3), else 0. */
const UNRESERVED = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const isAlnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  UNRESERVED[c] = isAlnum || c === 45 || c === 95 || c === 46 || c === 126 ? 1 : 0;
}

/** `%XX` with uppercase hex for every byte value; AWS requires uppercase hex digits. */
const PCT: readonly string[] = Array.from(
  { length: 256 },
  (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
);

function pct(byte: number): string {
  return PCT[byte] ?? '';
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** The UTF-8 bytes of one code point, percent-encoded. Lone surrogates become U+FFFD, as TextEncoder does. */
function pctCodePoint(cp: number): string {
  const c = cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp;
  if (c < 0x800) return pct(0xc0 | (c >> 6)) + pct(0x80 | (c & 63));
  if (c < 0x10000) return pct(0xe0 | (c >> 12)) + pct(0x80 | ((c >> 6) & 63)) + pct(0x80 | (c & 63));
  return pct(0xf0 | (c >> 18)) + pct(0x80 | ((c >> 12) & 63)) + pct(0x80 | ((c >> 6) & 63)) + pct(0x80 | (c & 63));
}

/**
 * Reads the code point at `i` of `s` (a char code >= 0x80) and returns it with the number of code
 * units it used, so callers can advance past surrogate pairs.
 */
function codePointAt(s: string, i: number, c: number): [number, number] {
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return [0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00), 2];
  }
  return [c, 1];
}

/**
 * Percent-encodes every character of `s` except the unreserved set (and '/' when `keepSlash`), taking
 * the string as it is: a '%' in the input becomes '%25'. Applied to the path exactly as received on the
 * wire, this is the "encode twice" of the AWS docs: the client encoded each segment once to put it on
 * the wire, the canonical URI encodes that wire form once more (non-S3 services only).
 */
export function uriEncode(s: string, keepSlash: boolean): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!(c < 128 && (UNRESERVED[c] === 1 || (keepSlash && c === 47)))) break;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      out += UNRESERVED[c] === 1 || (keepSlash && c === 47) ? s.charAt(i) : pct(c);
      i++;
    } else {
      const [cp, units] = codePointAt(s, i, c);
      out += pctCodePoint(cp);
      i += units;
    }
  }
  return out;
}

/**
 * Removes dot segments and empty segments from a wire path the way the AWS SDKs do for non-S3
 * services (smithy `getCanonicalPath`, botocore `remove_dot_segments`): '.' and '' segments vanish,
 * '..' drops the previous segment (never above the root), a trailing '/' survives when any segment
 * remains. `/example/..` → `/`, `//example//` → `/example/`, `/./` → `/`.
 */
export function normalizePath(path: string): string {
  // Fast path: an absolute path with no empty and no dot segment is already normal.
  if (path.charCodeAt(0) === 47 && path.indexOf('//') === -1 && path.indexOf('/.') === -1) return path;
  const kept: string[] = [];
  let start = 0;
  const n = path.length;
  while (start <= n) {
    let end = path.indexOf('/', start);
    if (end === -1) end = n;
    const seg = path.slice(start, end);
    if (seg === '..') kept.pop();
    else if (seg !== '' && seg !== '.') kept.push(seg);
    start = end + 1;
  }
  const lead = path.charCodeAt(0) === 47 ? '/' : '';
  const trail = kept.length > 0 && path.charCodeAt(n - 1) === 47 ? '/' : '';
  return lead + kept.join('/') + trail;
}

/**
 * The canonical URI of a raw (still percent-encoded) request path. `normalize` is true for every
 * service but S3; the aws-c-auth vectors call the other mode "unnormalized". An empty path is '/'
 * ("If the absolute path is empty, use a forward slash character (/)").
 */
export function canonicalUri(rawPath: string, normalize: boolean): string {
  const path = normalize ? normalizePath(rawPath) : rawPath;
  return path === '' ? '/' : uriEncode(path, true);
}

/**
 * Canonical form of one raw query name or value, `raw.slice(start, end)`: percent-decoded to bytes and
 * re-encoded with the unreserved set, so `%7e` → `~`, `%2f` → `%2F`, `é` → `%C3%A9`. A '+' is a space
 * (`%20`): AWS services decode the query as a form, and signers always send a literal plus as `%2B`.
 * A '%' not followed by two hex digits is a literal percent (`%25`).
 */
export function canonicalQueryPart(raw: string, start: number, end: number): string {
  let i = start;
  for (; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (!(c < 128 && UNRESERVED[c] === 1)) break;
  }
  if (i === end) return raw.slice(start, end);
  let out = raw.slice(start, i);
  while (i < end) {
    const c = raw.charCodeAt(i);
    if (c === 37) {
      // Both hex digits must lie inside [start, end).
      const hi = i + 2 < end ? hexValue(raw.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < end ? hexValue(raw.charCodeAt(i + 2)) : -1;
      if (hi >= 0 && lo >= 0) {
        const b = (hi << 4) | lo;
        out += b < 128 && UNRESERVED[b] === 1 ? String.fromCharCode(b) : pct(b);
        i += 3;
      } else {
        out += '%25';
        i++;
      }
    } else if (c === 43) {
      out += '%20';
      i++;
    } else if (c < 128) {
      out += UNRESERVED[c] === 1 ? raw.charAt(i) : pct(c);
      i++;
    } else {
      const [cp, units] = codePointAt(raw, i, c);
      out += pctCodePoint(cp);
      i += units;
    }
  }
  return out;
}

/**
 * Percent-decodes one raw query name or value to a string (UTF-8), '+' as space, a malformed escape
 * kept literally. Used for the X-Amz-* authentication parameters only; the canonical query never
 * goes through strings.
 */
export function decodeQueryPart(raw: string, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 37 || c === 43) {
      plain = false;
      break;
    }
  }
  if (plain) return raw.slice(start, end);
  const bytes: number[] = [];
  let i = start;
  while (i < end) {
    const c = raw.charCodeAt(i);
    if (c === 37 && i + 2 < end) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hexValue(raw.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes.push((hi << 4) | lo);
        i += 3;
        continue;
      }
    }
    if (c === 43) {
      bytes.push(32);
      i++;
    } else if (c < 128) {
      bytes.push(c);
      i++;
    } else {
      const [cp, units] = codePointAt(raw, i, c);
      for (const b of Buffer.from(String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp), 'utf8')) {
        bytes.push(b);
      }
      i += units;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** One `name=value` pair of the canonical query, both already in canonical encoding. */
interface QueryPair {
  name: string;
  value: string;
}

/**
 * Calls `visit` with the bounds of each `name=value` piece of a raw query string, in order: the
 * name is [start, eq), the value (eq + 1, end) — empty when eq === end, a piece without '='.
 * Empty pieces (`&&`) are skipped.
 */
export function forEachQueryPair(rawQuery: string, visit: (start: number, eq: number, end: number) => void): void {
  const n = rawQuery.length;
  let start = 0;
  while (start <= n) {
    let end = rawQuery.indexOf('&', start);
    if (end === -1) end = n;
    if (end > start) {
      let eq = rawQuery.indexOf('=', start);
      if (eq === -1 || eq > end) eq = end;
      visit(start, eq, end);
    }
    start = end + 1;
  }
}

/**
 * The canonical query string of a raw query (without '?'): pairs split on '&' (empty pieces skipped),
 * a piece without '=' has an empty value, names and values re-encoded by canonicalQueryPart, sorted by
 * name then value by code point, joined as `name=value&...`. With `dropSignature`, every
 * `X-Amz-Signature` parameter is left out, as the presigned-URL signature cannot sign itself.
 */
export function canonicalQuery(rawQuery: string, dropSignature: boolean): string {
  if (rawQuery === '') return '';
  const pairs: QueryPair[] = [];
  forEachQueryPair(rawQuery, (start, eq, end) => {
    const name = canonicalQueryPart(rawQuery, start, eq);
    if (!(dropSignature && name === 'X-Amz-Signature')) {
      pairs.push({ name, value: eq < end ? canonicalQueryPart(rawQuery, eq + 1, end) : '' });
    }
  });
  if (pairs.length > 1) {
    // Encoded strings are ASCII, so code-unit order is byte order, as AWS sorts.
    pairs.sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0,
    );
  }
  let out = '';
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i];
    if (p === undefined) continue;
    out += i === 0 ? `${p.name}=${p.value}` : `&${p.name}=${p.value}`;
  }
  return out;
}

/** SP, HT, CR, LF: the whitespace the SDKs trim and collapse in header values. */
function isHeaderSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * A header value as the canonical request wants it: leading and trailing whitespace removed, each inner
 * run of whitespace (space, tab, and the CR/LF of a folded line) replaced by one space. AWS docs: "trim
 * any leading or trailing spaces, and convert sequential spaces to a single space".
 */
export function canonicalHeaderValue(v: string): string {
  const n = v.length;
  let needsWork = n > 0 && (isHeaderSpace(v.charCodeAt(0)) || isHeaderSpace(v.charCodeAt(n - 1)));
  if (!needsWork) {
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c !== 32 && isHeaderSpace(c)) {
        needsWork = true;
        break;
      }
      if (c === 32 && v.charCodeAt(i + 1) === 32) {
        needsWork = true;
        break;
      }
    }
  }
  if (!needsWork) return v;
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (isHeaderSpace(c)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      out += ' ';
      pendingSpace = false;
    }
    out += v.charAt(i);
  }
  return out;
}
