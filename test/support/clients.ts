/**
 * AWS SDK clients pointed at a test server, over HTTP/1.1 or HTTP/2 (h2c).
 */

import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import { ROOT } from './basalt.js';

/** Access key credentials. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The root user's credentials. */
export const rootCredentials: Credentials = { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey };

function config(url: string, credentials: Credentials, http2: boolean) {
  return {
    endpoint: url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    ...(http2 ? { requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: false }) } : {}),
  };
}

/** An IAM client for the server at `url`. */
export function iamClient(url: string, credentials: Credentials = rootCredentials, http2 = false): IAMClient {
  return new IAMClient(config(url, credentials, http2));
}

/** An STS client for the server at `url`. */
export function stsClient(url: string, credentials: Credentials = rootCredentials, http2 = false): STSClient {
  return new STSClient(config(url, credentials, http2));
}
