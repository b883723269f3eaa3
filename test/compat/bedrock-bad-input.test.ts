/**
 * Bad input to the Bedrock API gets a restJson1 error in Bedrock's shape (the code in
 * x-amzn-ErrorType, `{"message": …}`), never a 500 or a crash: unknown paths, unsigned and
 * mis-signed requests, bodies that are not JSON, and random JSON (fast-check) for every operation,
 * with members of every type in the places the operation reads.
 */

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ListFoundationModelsCommand } from '@aws-sdk/client-bedrock';
import fc from 'fast-check';
import { REST_OPERATIONS } from '../../src/server/rest-endpoint.ts';
import { startBasalt, type TestServer } from '../support/basalt.js';
import { bedrockClient, rootCredentials } from '../support/clients.js';
import { rawRequest, signedPost, signedRequest } from '../support/query.js';

/** Fills an operation's path template with these labels (percent-encoded). */
function fill(path: string, labels: string[]): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => encodeURIComponent(labels[i++ % labels.length] ?? 'x') || 'x');
}

/** Member names the Bedrock operations read, so random bodies reach the validation code. */
const MEMBERS = [
  'messages',
  'system',
  'inferenceConfig',
  'guardrailConfig',
  'toolConfig',
  'requestMetadata',
  'anthropic_version',
  'max_tokens',
  'prompt',
  'inputText',
  'textGenerationConfig',
  'name',
  'description',
  'tags',
  'resourceARN',
  'tagKeys',
  'modelSource',
  'inferenceProfileName',
  'blockedInputMessaging',
  'blockedOutputsMessaging',
  'topicPolicyConfig',
  'wordPolicyConfig',
  'sensitiveInformationPolicyConfig',
  'contentPolicyConfig',
  'provisionedModelName',
  'modelId',
  'modelUnits',
  'input',
  'source',
  'content',
  'role',
  'text',
];

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.constantFrom('user', 'assistant', 'DRAFT', '1', 'BLOCK', 'EMAIL', 'bedrock-2023-05-31', 'INPUT'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...MEMBERS), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const body = fc.dictionary(fc.constantFrom(...MEMBERS), jsonValue, { maxKeys: 6 });

const LABELS = [
  'anthropic.claude-3-haiku-20240307-v1:0',
  'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
  'arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-1-8b-instruct-v1:0',
  'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefabcdef',
  'abcdefabcdef',
  'DRAFT',
  '1',
  '',
  '../../etc/passwd',
  'ü∂ƒ',
];

describe('bad input to the Bedrock API', { concurrency: false }, () => {
  let server: TestServer;
  before(async () => {
    server = await startBasalt();
  });
  after(() => server?.destroy());

  function checkError(r: { status: number; text: string; headers: Record<string, unknown> }, what: string): void {
    assert.ok(r.status < 500, `${what}: ${r.status} ${r.text}`);
    if (r.status >= 400) {
      assert.equal(typeof r.headers['x-amzn-errortype'], 'string', `${what}: no x-amzn-errortype`);
      const parsed = JSON.parse(r.text) as { message?: unknown };
      assert.equal(typeof parsed.message, 'string', `${what}: ${r.text}`);
    }
  }

  test('unknown paths, unsigned and mis-signed requests', async () => {
    const unknown = await signedRequest(server.url, rootCredentials, 'GET', '/no-such-thing', '', {
      service: 'bedrock',
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers['x-amzn-errortype'], 'UnknownOperationException');
    const unsigned = await rawRequest(server.url, 'GET', { host: 'x' }, '', '/foundation-models');
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    const wrongKey = await signedRequest(
      server.url,
      { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: rootCredentials.secretAccessKey },
      'GET',
      '/foundation-models',
      '',
      { service: 'bedrock' },
    );
    assert.equal(wrongKey.status, 403);
    assert.equal(wrongKey.headers['x-amzn-errortype'], 'UnrecognizedClientException');
    const wrongSecret = await signedRequest(
      server.url,
      { accessKeyId: rootCredentials.accessKeyId, secretAccessKey: 'x'.repeat(40) },
      'GET',
      '/foundation-models',
      '',
      { service: 'bedrock' },
    );
    assert.equal(wrongSecret.headers['x-amzn-errortype'], 'InvalidSignatureException');
    const wrongService = await signedRequest(server.url, rootCredentials, 'GET', '/foundation-models', '', {
      service: 'iam',
    });
    assert.equal(wrongService.status, 403);
  });

  test('a request signed for a Region Bedrock is not offered in is refused before it is authorized', async () => {
    // Otherwise a made-up or upper-cased Region would slip past every policy that names a Region
    // (aws:RequestedRegion, the Region of a foundation-model ARN), and an empty one would reach the
    // Region-less ARN that only a global inference profile may invoke.
    const converse = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    const path = `/model/${encodeURIComponent('anthropic.claude-3-haiku-20240307-v1:0')}/converse`;
    for (const region of ['xx-fake-9', 'US-EAST-1', '*', 'unspecified', '', 'cn-north-1', 'mx-central-1']) {
      const r = await signedRequest(server.url, rootCredentials, 'POST', path, converse, {
        service: 'bedrock',
        region,
        contentType: 'application/json',
      });
      assert.equal(r.status, 403, `${region}: ${r.text}`);
      assert.equal(r.headers['x-amzn-errortype'], 'InvalidSignatureException', region);
      if (region !== '') assert.ok(r.text.includes(`scoped to a valid region, not '${region}'`), r.text);
    }
    const ok = await signedRequest(server.url, rootCredentials, 'POST', path, converse, {
      service: 'bedrock',
      region: 'eu-west-1',
      contentType: 'application/json',
    });
    assert.equal(ok.status, 200, ok.text);
    // STS and IAM take any Region of the commercial partition, and no other.
    const sts = (region: string) =>
      signedPost(server.url, rootCredentials, 'Action=GetCallerIdentity&Version=2011-06-15', {
        service: 'sts',
        region,
      });
    assert.equal((await sts('mx-central-1')).status, 200);
    const fake = await sts('xx-fake-9');
    assert.equal(fake.status, 403);
    assert.equal(fake.code, 'SignatureDoesNotMatch');
  });

  test('a body over the InvokeModel limit (25,000,000 bytes) is refused before it is read', async () => {
    const big = Buffer.alloc(25_000_001, 0x20);
    const r = await signedRequest(server.url, rootCredentials, 'POST', '/model/x/invoke', big, {
      service: 'bedrock',
      contentType: 'application/json',
    });
    assert.equal(r.status, 413);
    assert.equal(r.headers['x-amzn-errortype'], 'RequestEntityTooLarge');
    assert.match((JSON.parse(r.text) as { message: string }).message, /larger than 25000000 bytes/);
  });

  /**
   * Opens a connection and sends a POST's head with `headers` and `sent` bytes of its body, no more
   * (a stalled upload); resolves with the socket and a promise of the first answer's head.
   */
  async function stalledUpload(
    headers: Record<string, string>,
    sent: number,
  ): Promise<{ socket: net.Socket; answer: Promise<string> }> {
    const u = new URL(server.url);
    const socket = net.connect(Number(u.port), u.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n')) resolve(text);
      });
      socket.on('close', () => resolve(text));
    });
    const head = Object.entries({ host: u.host, ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`POST /model/x/invoke HTTP/1.1\r\n${head}\r\n`);
    socket.write(Buffer.alloc(sent, 0x20));
    return { socket, answer };
  }

  /** The head of a SigV4-signed request for this key (the root's) with a made-up signature (no secret needed). */
  function knownKeyHeaders(length: number, accessKeyId = rootCredentials.accessKeyId): Record<string, string> {
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const scope = `${amzDate.slice(0, 8)}/us-east-1/bedrock/aws4_request`;
    return {
      'content-type': 'application/json',
      'content-length': String(length),
      'x-amz-date': amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    };
  }

  test('a large body is not read for a caller without a known key, and large bodies being received are bounded', async () => {
    // Unsigned, and signed with a key the server does not know: refused as soon as the head is in,
    // with the body still incomplete (a server that waited for it would never answer here).
    const unsigned = await stalledUpload({ 'content-type': 'application/json', 'content-length': '1000000' }, 1000);
    assert.match(await unsigned.answer, /^HTTP\/1\.1 403[\s\S]*x-amzn-errortype: MissingAuthenticationTokenException/i);
    unsigned.socket.destroy();
    const unknownKey = await stalledUpload(knownKeyHeaders(1_000_000, 'AKIAAAAAAAAAAAAAAAAA'), 1000);
    assert.match(await unknownKey.answer, /^HTTP\/1\.1 403[\s\S]*x-amzn-errortype: UnrecognizedClientException/i);
    unknownKey.socket.destroy();

    // A known key's uploads are read (the signature is checked with the body), but the body bytes
    // held at once are bounded (100,000,000), counted as they arrive: four uploads stalled after
    // 24,900,000 bytes each hold 99,600,000, and a body that would go past the bound is refused with
    // a retryable 503 as soon as it does.
    const stalled = await Promise.all([1, 2, 3, 4].map(() => stalledUpload(knownKeyHeaders(25_000_000), 24_900_000)));
    // The server reads the four uploads before a probe goes past the bound: try until one does.
    let fifth = '';
    for (let i = 0; i < 50 && !fifth.startsWith('HTTP/1.1 503'); i++) {
      const probe = await stalledUpload(knownKeyHeaders(1_000_000), 1_000_000);
      fifth = await probe.answer;
      probe.socket.destroy();
      if (!fifth.startsWith('HTTP/1.1 503')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(fifth, /^HTTP\/1\.1 503[\s\S]*x-amzn-errortype: ServiceUnavailableException/i);
    // A request without a body is not held up (over HTTP/2 too: a stream that ends with its headers).
    const small = await signedRequest(server.url, rootCredentials, 'GET', '/foundation-models', '', {
      service: 'bedrock',
    });
    assert.equal(small.status, 200, small.text);
    const overH2 = bedrockClient(server.url, rootCredentials, true);
    assert.ok(((await overH2.send(new ListFoundationModelsCommand({}))).modelSummaries?.length ?? 0) > 0);
    overH2.destroy();
    // A client that goes away gives its share back: a large body is read again afterwards.
    for (const s of stalled) s.socket.destroy();
    let after = '';
    for (let i = 0; i < 50 && !after.startsWith('HTTP/1.1 403'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const body = Buffer.alloc(100_000, 0x20);
      const probe = await stalledUpload(knownKeyHeaders(body.length), body.length);
      after = await probe.answer;
      probe.socket.destroy();
    }
    // Read whole and then refused for its made-up signature, not for the budget.
    assert.match(after, /^HTTP\/1\.1 403[\s\S]*x-amzn-errortype: InvalidSignatureException/i);
  });

  test('"Expect: 100-continue" is answered only after the checks that can refuse without the body', async () => {
    const expect = { expect: '100-continue' };
    // Refused at once with the final answer: the client never sends its body.
    const unknownKey = await stalledUpload({ ...knownKeyHeaders(1_000_000, 'AKIAAAAAAAAAAAAAAAAA'), ...expect }, 0);
    assert.match(await unknownKey.answer, /^HTTP\/1\.1 403[\s\S]*x-amzn-errortype: UnrecognizedClientException/i);
    unknownKey.socket.destroy();
    const tooLarge = await stalledUpload({ ...knownKeyHeaders(25_000_001), ...expect }, 0);
    assert.match(await tooLarge.answer, /^HTTP\/1\.1 413/);
    tooLarge.socket.destroy();
    // A known key, large or small body: "go on", then the body is read and checked.
    for (const length of [1_000_000, 100]) {
      const known = await stalledUpload({ ...knownKeyHeaders(length), ...expect }, 0);
      assert.match(await known.answer, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
      const final = new Promise<string>((resolve) => {
        let text = '';
        known.socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
          if (text.includes('\r\n\r\n')) resolve(text);
        });
      });
      known.socket.write(Buffer.alloc(length, 0x20));
      assert.match(await final, /^HTTP\/1\.1 403[\s\S]*x-amzn-errortype: InvalidSignatureException/i);
      known.socket.destroy();
    }
  });

  test('bodies that are not JSON, or JSON of the wrong shape', async () => {
    for (const op of REST_OPERATIONS.filter((o) => o.method !== 'GET' && o.method !== 'DELETE')) {
      for (const text of ['not json', '[1,2]', '"text"', '{"messages": "nope"}', '\u0000\u00ff']) {
        const r = await signedRequest(server.url, rootCredentials, op.method, fill(op.path, [LABELS[0] ?? 'x']), text, {
          service: 'bedrock',
          contentType: 'application/json',
        });
        checkError(r, `${op.name} ${JSON.stringify(text)}`);
        assert.ok(r.status >= 400, `${op.name} accepted ${JSON.stringify(text)}: ${r.text}`);
      }
    }
  });

  test('random JSON to every operation never gets a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...REST_OPERATIONS),
        body,
        fc.array(fc.constantFrom(...LABELS), { minLength: 1, maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom('maxResults', 'nextToken', 'type', 'guardrailVersion', 'byProvider'),
          fc.string(),
          {
            maxKeys: 2,
          },
        ),
        async (op, json, labels, query) => {
          const path = fill(op.path, labels);
          const r = await signedRequest(server.url, rootCredentials, op.method, path, JSON.stringify(json), {
            service: 'bedrock',
            contentType: 'application/json',
            query,
          });
          checkError(r, `${op.name} ${path} ${JSON.stringify(json)}`);
        },
      ),
      { numRuns: 300 },
    );
    // Still serving.
    const ok = await signedRequest(server.url, rootCredentials, 'GET', '/foundation-models', '', {
      service: 'bedrock',
    });
    assert.equal(ok.status, 200);
  });
});
