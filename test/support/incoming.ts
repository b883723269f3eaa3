/**
 * A SigV4-signed request (smithy's signer, as the AWS SDK signs) in the form the HTTP server hands
 * an endpoint or the authenticator: for tests and benchmarks that call them in process.
 */

import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IncomingSignedRequest } from '../../src/auth/sigv4/index.ts';

/** What to sign; the path has no query. */
export interface IncomingOptions {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  service: string;
  method?: string;
  path?: string;
  body?: string;
  contentType?: string;
  signingDate?: Date;
}

/** The request signed for `service` in us-east-1, host `localhost`. */
export async function signedIncoming(o: IncomingOptions): Promise<IncomingSignedRequest> {
  const method = o.method ?? 'POST';
  const path = o.path ?? '/';
  const body = o.body ?? '';
  const signer = new SignatureV4({
    credentials: o.credentials,
    region: 'us-east-1',
    service: o.service,
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    {
      method,
      protocol: 'http:',
      hostname: 'localhost',
      path,
      query: {},
      headers: {
        host: 'localhost',
        ...(o.contentType === undefined ? {} : { 'content-type': o.contentType }),
        ...(body === '' ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
      },
      ...(body === '' ? {} : { body }),
    },
    o.signingDate === undefined ? {} : { signingDate: o.signingDate },
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = String(v);
  return { method, rawPath: path, rawQuery: '', headers, body: Buffer.from(body), http2: false };
}
