/**
 * Raw awsQuery calls signed with the official @smithy/signature-v4 signer: for tests that send
 * what an SDK would not (any operation by name, bad input, odd bodies).
 */

import http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './clients.js';

/** The answer: HTTP status, body text, and the error code when there is one. */
export interface QueryResult {
  status: number;
  body: string;
  code?: string;
  message?: string;
}

/** Reads `<Code>` and `<Message>` from an error envelope. */
export function errorOf(body: string): { code?: string; message?: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return {
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message: unescapeXml(message) }),
  };
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Encodes form parameters as the SDKs do (RFC 3986). */
export function formBody(params: Record<string, string>): string {
  return Object.entries(params)
    .map(
      ([k, v]) =>
        `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
    )
    .join('&');
}

/** Signs and sends a raw body to the server (POST /), as `service`. */
export async function signedPost(
  url: string,
  credentials: Credentials,
  body: string | Uint8Array,
  options: { service?: string; region?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<QueryResult> {
  const { status, text } = await signedRequest(url, credentials, 'POST', '/', body, {
    ...options,
    contentType: options.contentType ?? 'application/x-www-form-urlencoded; charset=utf-8',
  });
  return { status, body: text, ...errorOf(text) };
}

/**
 * Signs (SigV4, as `service`) and sends any request: `path` is the raw, already percent-encoded
 * path, `query` the decoded query parameters.
 */
export async function signedRequest(
  url: string,
  credentials: Credentials,
  method: string,
  path: string,
  body: string | Uint8Array,
  options: {
    service?: string;
    region?: string;
    contentType?: string;
    headers?: Record<string, string>;
    query?: Record<string, string>;
  } = {},
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(url);
  const signer = new SignatureV4({
    credentials,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'iam',
    sha256: Sha256,
    uriEscapePath: true,
  });
  const query = options.query ?? {};
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path,
    query,
    headers: {
      host: u.host,
      ...(options.contentType === undefined ? {} : { 'content-type': options.contentType }),
      ...(body.length === 0 ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
      ...options.headers,
    },
    body,
  });
  const qs = new URLSearchParams(query).toString();
  return rawRequest(url, method, signed.headers as Record<string, string>, body, qs === '' ? path : `${path}?${qs}`);
}

/** Sends exactly these bytes with these headers (node:http, so nothing is added or fixed up). */
export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array,
  path = '/',
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: Number(u.port), method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Calls one query operation with parameters. */
export function callQuery(
  url: string,
  credentials: Credentials,
  action: string,
  params: Record<string, string> = {},
  service: 'iam' | 'sts' = 'iam',
): Promise<QueryResult> {
  const version = service === 'iam' ? '2010-05-08' : '2011-06-15';
  return signedPost(url, credentials, formBody({ Action: action, Version: version, ...params }), { service });
}
