/**
 * Control-plane calls authorize what AWS documents beyond their own action and resource: tags at
 * CreateGuardrail need bedrock:TagResource; CreateInferenceProfile's request tags apply to its
 * source model too; a foundation-model ARN with an account is authorized as the model's own ARN;
 * what basalt cannot check (a KMS key) or cannot tell apart (tag keys differing only in case) is
 * refused, never accepted unchecked.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { type Credentials, rootCredentials } from '../support/clients.js';
import { signedRequest } from '../support/query.js';
import { userWithStatements } from '../support/users.js';

const A = ROOT.accountId;
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const fm = (id: string) => `arn:aws:bedrock:us-east-1::foundation-model/${id}`;
const guardrail = { name: 'g', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' };

describe('Bedrock control-plane authorization beyond the action', { concurrency: false }, () => {
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

  test('provisioned throughput: a model ARN with an account is authorized as the model ARN', async () => {
    const denied = await userWithStatements(server.url, 'no-sonnet', [
      { Effect: 'Allow', Action: 'bedrock:*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'bedrock:*ProvisionedModelThroughput',
        Resource: `arn:aws:bedrock:*::foundation-model/${SONNET}`,
      },
    ]);
    const withAccount = `arn:aws:bedrock:us-east-1:${A}:foundation-model/${SONNET}`;
    const create = await call(denied, 'POST', '/provisioned-model-throughput', {
      provisionedModelName: 'sneaky',
      modelId: withAccount,
      modelUnits: 1,
    });
    assert.equal(create.status, 403, create.text);
    assert.match(
      messageOf(create.text),
      new RegExp(`on resource: ${fm(SONNET).replace(/[.]/g, '\\.')} with an explicit deny`),
    );
    const made = await call(denied, 'POST', '/provisioned-model-throughput', {
      provisionedModelName: 'haiku',
      modelId: HAIKU,
      modelUnits: 1,
    });
    assert.equal(made.status, 201, made.text);
    const arn = (JSON.parse(made.text) as { provisionedModelArn: string }).provisionedModelArn;
    const update = await call(denied, 'PATCH', `/provisioned-model-throughput/${encodeURIComponent(arn)}`, {
      desiredModelId: withAccount,
    });
    assert.equal(update.status, 403, update.text);
    // Allowed everything, the ARN with an account names no model.
    const invalid = await call(rootCredentials, 'POST', '/provisioned-model-throughput', {
      provisionedModelName: 'invalid',
      modelId: withAccount,
      modelUnits: 1,
    });
    assert.equal(invalid.status, 400, invalid.text);
  });

  test('CreateGuardrail with tags also needs bedrock:TagResource', async () => {
    const createOnly = await userWithStatements(server.url, 'create-only', [
      { Effect: 'Allow', Action: 'bedrock:CreateGuardrail', Resource: '*' },
    ]);
    const tagged = { ...guardrail, tags: [{ key: 'team', value: 'red' }] };
    const refused = await call(createOnly, 'POST', '/guardrails', tagged);
    assert.equal(refused.status, 403, refused.text);
    assert.match(
      messageOf(refused.text),
      new RegExp(`bedrock:TagResource on resource: arn:aws:bedrock:us-east-1:${A}:guardrail/\\*`),
    );
    assert.equal((await call(createOnly, 'POST', '/guardrails', { ...guardrail, name: 'untagged' })).status, 202);
    const both = await userWithStatements(server.url, 'create-and-tag', [
      { Effect: 'Allow', Action: ['bedrock:CreateGuardrail', 'bedrock:TagResource'], Resource: '*' },
    ]);
    assert.equal((await call(both, 'POST', '/guardrails', { ...tagged, name: 'tagged-red' })).status, 202);
  });

  test("CreateInferenceProfile's request tags apply to its source model too", async () => {
    const onlyRed = await userWithStatements(server.url, 'only-red', [
      {
        Effect: 'Allow',
        Action: 'bedrock:CreateInferenceProfile',
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestTag/team': 'red' } },
      },
    ]);
    const profile = (name: string, tags: { key: string; value: string }[]) => ({
      inferenceProfileName: name,
      modelSource: { copyFrom: fm(HAIKU) },
      tags,
    });
    const red = await call(onlyRed, 'POST', '/inference-profiles', profile('red', [{ key: 'team', value: 'red' }]));
    assert.equal(red.status, 201, red.text);
    const blue = await call(onlyRed, 'POST', '/inference-profiles', profile('blue', [{ key: 'team', value: 'blue' }]));
    assert.equal(blue.status, 403, blue.text);

    const noProdModels = await userWithStatements(server.url, 'no-prod-models', [
      { Effect: 'Allow', Action: 'bedrock:CreateInferenceProfile', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'bedrock:CreateInferenceProfile',
        Resource: 'arn:aws:bedrock:*::foundation-model/*',
        Condition: { StringEquals: { 'aws:RequestTag/env': 'prod' } },
      },
    ]);
    const prod = await call(
      noProdModels,
      'POST',
      '/inference-profiles',
      profile('prod', [{ key: 'env', value: 'prod' }]),
    );
    assert.equal(prod.status, 403, prod.text);
    assert.match(messageOf(prod.text), /foundation-model.* with an explicit deny/);
    const dev = await call(noProdModels, 'POST', '/inference-profiles', profile('dev', [{ key: 'env', value: 'dev' }]));
    assert.equal(dev.status, 201, dev.text);
  });

  test('a KMS key for a guardrail is refused, not accepted unchecked', async () => {
    const r = await call(rootCredentials, 'POST', '/guardrails', {
      ...guardrail,
      name: 'with-key',
      kmsKeyId: `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.headers['x-amzn-errortype'], 'ValidationException');
    assert.match(messageOf(r.text), /kmsKeyId is not supported/);
  });

  test('tag keys that differ only in case are refused, at create and at TagResource', async () => {
    const colliding = await call(rootCredentials, 'POST', '/guardrails', {
      ...guardrail,
      name: 'colliding',
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'Env', value: 'dev' },
      ],
    });
    assert.equal(colliding.status, 400, colliding.text);
    assert.match(messageOf(colliding.text), /Tag keys env and Env differ only in case/);

    const made = await call(rootCredentials, 'POST', '/guardrails', {
      ...guardrail,
      name: 'tagged',
      tags: [{ key: 'env', value: 'prod' }],
    });
    assert.equal(made.status, 202, made.text);
    const arn = (JSON.parse(made.text) as { guardrailArn: string }).guardrailArn;
    const added = await call(rootCredentials, 'POST', '/tagResource', {
      resourceARN: arn,
      tags: [{ key: 'ENV', value: 'dev' }],
    });
    assert.equal(added.status, 400, added.text);
    const replaced = await call(rootCredentials, 'POST', '/tagResource', {
      resourceARN: arn,
      tags: [{ key: 'env', value: 'dev' }],
    });
    assert.equal(replaced.status, 200, replaced.text);
  });
});
