/**
 * Assertions shared by the compatibility tests.
 */

import assert from 'node:assert/strict';
import type { Credentials as StsCredentials } from '@aws-sdk/client-sts';
import type { Credentials } from './clients.js';

/** Expects the promise to reject with an SDK error of this name (AWS's code), its message matching. */
export async function rejectsWith(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (message !== undefined) assert.match(e.message, message);
    return true;
  });
}

/** Temporary credentials from an STS answer, as the test clients take them. */
export function credsOf(c: StsCredentials | undefined): Credentials {
  return {
    accessKeyId: c?.AccessKeyId ?? '',
    secretAccessKey: c?.SecretAccessKey ?? '',
    sessionToken: c?.SessionToken ?? '',
  };
}
