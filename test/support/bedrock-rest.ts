/**
 * Raw Bedrock (restJson1) calls for tests that need exact paths and bodies the SDK would not send:
 * SigV4-signed as service `bedrock`, a JSON body when one is given.
 */

import type { Credentials } from './clients.js';
import { signedRequest } from './query.js';

/** Sends one signed Bedrock request; `path` is already percent-encoded. */
export function bedrockRequest(
  url: string,
  creds: Credentials,
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, string>,
) {
  return signedRequest(url, creds, method, path, body === undefined ? '' : JSON.stringify(body), {
    service: 'bedrock',
    ...(body === undefined ? {} : { contentType: 'application/json' }),
    ...(query === undefined ? {} : { query }),
  });
}

/** The `message` of a restJson1 error body. */
export function messageOf(text: string): string {
  return (JSON.parse(text) as { message: string }).message;
}
