/**
 * The awsQuery protocol (IAM, STS): a form-encoded POST (or a GET query string) with `Action` and
 * `Version`, answered with XML in the service's namespace. Lists are `Name.member.N` (1-based), maps
 * `Name.entry.N.key/value`; responses wrap the result in `<ActionResponse><ActionResult>` and errors
 * in `<ErrorResponse><Error>` ("Query API request" and "Error responses", IAM API Reference).
 */

import { errorStatus, WireError } from './wire-error.js';

/** The decoded parameters of a query request. */
export type QueryParams = ReadonlyMap<string, string>;

/** At most this many parameters in one request; more is refused before anything else reads them. */
const MAX_PARAMS = 2000;

/**
 * Decodes an `application/x-www-form-urlencoded` body or query string. Throws WireError
 * (MalformedQueryString) on bad percent-encoding or too many parameters. A repeated name keeps its
 * first value.
 */
export function parseQuery(text: string): QueryParams {
  const params = new Map<string, string>();
  if (text === '') return params;
  const pairs = text.split('&');
  if (pairs.length > MAX_PARAMS) {
    throw new WireError('MalformedQueryString', `Too many parameters: ${pairs.length} (at most ${MAX_PARAMS})`);
  }
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const name = decodeComponent(rawName);
    if (!params.has(name)) params.set(name, decodeComponent(rawValue));
  }
  return params;
}

function decodeComponent(raw: string): string {
  const plus = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    throw new WireError('MalformedQueryString', `Malformed percent-encoding in the query: ${raw.slice(0, 64)}`);
  }
}

/** A value an XML response can hold. Arrays become `<member>` lists; undefined members are left out. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlValue[] | { [name: string]: XmlValue };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Escapes text for an XML element or attribute. Control characters XML 1.0 cannot carry at all
 * become U+FFFD, so a response is always well-formed whatever a caller sent.
 */
export function escapeXml(text: string): string {
  return (
    text
      .replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
      .replace(/\r/g, '&#13;')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters being replaced
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
  );
}

function writeValue(out: string[], name: string, value: XmlValue): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    out.push(`<${name}>`);
    for (const item of value) writeValue(out, 'member', item);
    out.push(`</${name}>`);
  } else if (value instanceof Date) {
    out.push(`<${name}>${value.toISOString()}</${name}>`);
  } else if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [k, v] of Object.entries(value)) writeValue(out, k, v);
    out.push(`</${name}>`);
  } else {
    out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
  }
}

/** The XML of a successful call: `<ActionResponse xmlns><ActionResult>…</ActionResult><ResponseMetadata>`. */
export function queryResponse(
  namespace: string,
  action: string,
  result: Record<string, XmlValue> | undefined,
  requestId: string,
): string {
  const out: string[] = [`<${action}Response xmlns="${namespace}">`];
  if (result !== undefined) writeValue(out, `${action}Result`, result);
  out.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`);
  return out.join('');
}

/** The error envelope and HTTP status of a failed call. */
export function queryError(namespace: string, error: WireError, requestId: string): { status: number; body: string } {
  const { status, type } = errorStatus(error);
  const body =
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status, body };
}
