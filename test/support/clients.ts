/**
 * AWS SDK clients pointed at a test server, over HTTP/1.1 or HTTP/2 (h2c).
 */

import { BedrockClient } from '@aws-sdk/client-bedrock';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { ROOT } from './basalt.js';

/** Access key credentials. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The root user's credentials. */
export const rootCredentials: Credentials = { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey };

function config(url: string, credentials: Credentials, http2: boolean, region = 'us-east-1') {
  return {
    endpoint: url,
    region,
    credentials,
    maxAttempts: 1,
    // Explicit both ways: the Bedrock Runtime client would otherwise pick HTTP/2 on its own.
    requestHandler: http2 ? new NodeHttp2Handler({ disableConcurrentStreams: false }) : new NodeHttpHandler(),
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

/** A Bedrock (control plane) client for the server at `url`. */
export function bedrockClient(
  url: string,
  credentials: Credentials = rootCredentials,
  http2 = false,
  region = 'us-east-1',
): BedrockClient {
  return new BedrockClient(config(url, credentials, http2, region));
}

/** A Bedrock Runtime client for the server at `url`. */
export function runtimeClient(
  url: string,
  credentials: Credentials = rootCredentials,
  http2 = false,
  region = 'us-east-1',
): BedrockRuntimeClient {
  return new BedrockRuntimeClient(config(url, credentials, http2, region));
}
