/**
 * A runtime call authorizes the model it runs, however the caller spells its ID: a foundation-model
 * ARN with an account written into it (foundation-model ARNs have none) is checked as the model's
 * own ARN and runs nothing; an application profile copied from a global profile needs what the
 * global profile needs; a model served only through inference profiles refuses to be called by its
 * own ID, after authorization, as Bedrock does.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { type Credentials, rootCredentials } from '../support/clients.js';
import { signedRequest } from '../support/query.js';
import { userWithStatements } from '../support/users.js';

const A = ROOT.accountId;
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const SONNET_45 = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const GLOBAL_SONNET_45 = `global.${SONNET_45}`;
const enc = encodeURIComponent;
const converse = { messages: [{ role: 'user', content: [{ text: 'hi' }] }] };

describe('runtime model identifiers', { concurrency: false }, () => {
  let server: TestServer;

  function call(creds: Credentials, method: string, path: string, body?: unknown) {
    return signedRequest(server.url, creds, method, path, body === undefined ? '' : JSON.stringify(body), {
      service: 'bedrock',
      ...(body === undefined ? {} : { contentType: 'application/json' }),
    });
  }
  const messageOf = (text: string) => (JSON.parse(text) as { message: string }).message;

  before(async () => {
    server = await startBasalt();
  });
  after(async () => server.destroy());

  test('a foundation-model ARN with an account is authorized as the model ARN and runs nothing', async () => {
    const denied = await userWithStatements(server.url, 'no-anthropic', [
      { Effect: 'Allow', Action: 'bedrock:*', Resource: '*' },
      { Effect: 'Deny', Action: 'bedrock:*', Resource: 'arn:aws:bedrock:*::foundation-model/anthropic.*' },
    ]);
    const canonical = `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`;
    for (const account of [A, '111122223333']) {
      const withAccount = `arn:aws:bedrock:us-east-1:${account}:foundation-model/${HAIKU}`;
      for (const [op, action] of [
        ['converse', 'bedrock:InvokeModel'],
        ['converse-stream', 'bedrock:InvokeModelWithResponseStream'],
        ['count-tokens', 'bedrock:CountTokens'],
      ] as const) {
        const body = op === 'count-tokens' ? { input: { converse } } : converse;
        const r = await call(denied, 'POST', `/model/${enc(withAccount)}/${op}`, body);
        assert.equal(r.status, 403, `${op} ${account}: ${r.text}`);
        assert.equal(
          messageOf(r.text),
          `User: arn:aws:iam::${A}:user/no-anthropic is not authorized to perform: ${action} on resource: ` +
            `${canonical} with an explicit deny in an identity-based policy`,
        );
      }
      // Allowed everything, the ARN still names no model.
      const r = await call(rootCredentials, 'POST', `/model/${enc(withAccount)}/converse`, converse);
      assert.equal(r.status, 400, r.text);
      assert.equal(messageOf(r.text), 'The provided model identifier is invalid.');
    }
    // The model's own ARN and ID are refused by the same Deny, and run for root.
    assert.equal((await call(denied, 'POST', `/model/${enc(canonical)}/converse`, converse)).status, 403);
    assert.equal((await call(rootCredentials, 'POST', `/model/${enc(canonical)}/converse`, converse)).status, 200);
  });

  test('CreateInferenceProfile refuses a foundation-model ARN with an account as its source', async () => {
    const r = await call(rootCredentials, 'POST', '/inference-profiles', {
      inferenceProfileName: 'from-account-arn',
      modelSource: { copyFrom: `arn:aws:bedrock:us-east-1:${A}:foundation-model/${HAIKU}` },
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.headers['x-amzn-errortype'], 'ValidationException');
    const list = await call(rootCredentials, 'GET', '/inference-profiles?type=APPLICATION');
    assert.doesNotMatch(list.text, /from-account-arn/);
  });

  test('an application profile copied from a global profile needs the Region-less model too', async () => {
    const created = await call(rootCredentials, 'POST', '/inference-profiles', {
      inferenceProfileName: 'global-copy',
      modelSource: { copyFrom: `arn:aws:bedrock:us-east-1:${A}:inference-profile/${GLOBAL_SONNET_45}` },
    });
    assert.equal(created.status, 201, created.text);
    const profileArn = (JSON.parse(created.text) as { inferenceProfileArn: string }).inferenceProfileArn;
    const got = await call(rootCredentials, 'GET', `/inference-profiles/${enc(profileArn)}`);
    const models = (JSON.parse(got.text) as { models: { modelArn: string }[] }).models.map((m) => m.modelArn);
    assert.deepEqual(models, [
      `arn:aws:bedrock:us-east-1::foundation-model/${SONNET_45}`,
      `arn:aws:bedrock:::foundation-model/${SONNET_45}`,
    ]);

    const regionalOnly = await userWithStatements(server.url, 'regional-only', [
      { Effect: 'Allow', Action: 'bedrock:*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'bedrock:InvokeModel',
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'unspecified' } },
      },
    ]);
    for (const id of [GLOBAL_SONNET_45, profileArn]) {
      const r = await call(regionalOnly, 'POST', `/model/${enc(id)}/converse`, converse);
      assert.equal(r.status, 403, `${id}: ${r.text}`);
      assert.match(messageOf(r.text), new RegExp(`on resource: arn:aws:bedrock:::foundation-model/${SONNET_45}`));
    }
    const r = await call(rootCredentials, 'POST', `/model/${enc(profileArn)}/converse`, converse);
    assert.equal(r.status, 200, r.text);
  });

  test('a model served only through profiles refuses its own ID after authorization, and counts tokens', async () => {
    const nobody = await userWithStatements(server.url, 'nobody', []);
    const denied = await call(nobody, 'POST', `/model/${enc(SONNET_45)}/converse`, converse);
    assert.equal(denied.status, 403, denied.text);
    for (const id of [SONNET_45, `arn:aws:bedrock:us-east-1::foundation-model/${SONNET_45}`]) {
      for (const op of ['converse', 'converse-stream']) {
        const r = await call(rootCredentials, 'POST', `/model/${enc(id)}/${op}`, converse);
        assert.equal(r.status, 400, `${op} ${id}: ${r.text}`);
        assert.equal(
          messageOf(r.text),
          `Invocation of model ID ${SONNET_45} with on-demand throughput isn\u2019t supported. ` +
            'Retry your request with the ID or ARN of an inference profile that contains this model.',
        );
      }
    }
    const viaProfile = await call(rootCredentials, 'POST', `/model/${enc(`us.${SONNET_45}`)}/converse`, converse);
    assert.equal(viaProfile.status, 200, viaProfile.text);
    const counted = await call(rootCredentials, 'POST', `/model/${enc(SONNET_45)}/count-tokens`, {
      input: { converse },
    });
    assert.equal(counted.status, 200, counted.text);
  });
});
