/**
 * The shapes SigV4 verification works on: the request as the HTTP server received it, and the parsed,
 * not yet verified, credential.
 */

/**
 * A request as the HTTP server received it.
 *
 * For exact results pass node:http's `message.headersDistinct` (every value an array, in wire order):
 * `message.headers` joins repeated headers with ", " and drops repeats of some (e.g. `host`), which
 * changes what the canonical request sees. Over HTTP/2 pass the stream's headers object as received.
 */
export interface IncomingSignedRequest {
  /** 'GET', 'POST', ... */
  method: string;
  /** The path exactly as received on the wire, without '?query' (still percent-encoded). */
  rawPath: string;
  /** The query string exactly as received, without the leading '?'; '' when none. */
  rawQuery: string;
  /**
   * Lowercase names as Node gives them (node:http IncomingMessage.headersDistinct or http2 headers;
   * over HTTP/2 ':authority' is present and 'host' usually absent).
   */
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  http2: boolean;
}

/** A parsed SigV4 credential: what the request claims, not yet verified. */
export interface SigV4Credential {
  accessKeyId: string;
  /** Credential scope date, YYYYMMDD. */
  date: string;
  region: string;
  service: string;
  /** The SignedHeaders list in the order the client gave it. */
  signedHeaders: string[];
  /** The signature the client sent (64 lowercase hex digits when well formed). */
  signature: string;
  /** The request timestamp, YYYYMMDDTHHMMSSZ (from X-Amz-Date, or converted from the Date header). */
  amzDate: string;
  /** True when the authentication came in the query string (presigned URL). */
  presigned: boolean;
  /** X-Amz-Expires of a presigned URL, 1..604800. */
  expiresSeconds?: number;
  /** X-Amz-Security-Token, from the header or the query. */
  securityToken?: string;
}

/** Options of canonicalRequest and verifySigV4. */
export interface VerifyOptions {
  /**
   * Normalize the path (remove dot and empty segments) before encoding it: true (the default) for every
   * AWS service except S3; false reproduces the aws-c-auth "unnormalized" vectors.
   */
  normalizePath?: boolean;
}
