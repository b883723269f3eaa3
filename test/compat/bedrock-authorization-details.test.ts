/**
 * Bedrock authorizes the resource a call acts on, however the caller spells it, and everything AWS
 * documents beyond the call's own action:
 * - a foundation-model ARN with an account written into it (foundation-model ARNs have none) is
 *   checked as the model's own ARN and names no model, at runtime and in the control plane;
 * - an application profile copied from a global profile needs what the global profile needs;
 * - a model served only through inference profiles refuses its own ID after authorization;
 * - tags at CreateGuardrail need bedrock:TagResource; CreateInferenceProfile's request tags apply
 *   to its source model too;
 * - what basalt cannot check (a KMS key) or tell apart (tag keys differing only in case) is
 *   refused, never accepted unchecked;
 * - aws:ResourceAccount is the account of a profile, guardrail or provisioned model, and never the
 *   caller's for AWS's foundation models, so AWS's AmazonDataZoneBedrockModelManagementPolicy works
 *   as written.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { bedrockRequest, messageOf } from '../support/bedrock-rest.js';
import { type Credentials, rootCredentials } from '../support/clients.js';
import { userWithStatements } from '../support/users.js';

const A = ROOT.accountId;
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const SONNET_45 = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const GLOBAL_SONNET_45 = `global.${SONNET_45}`;
const enc = encodeURIComponent;
const fm = (id: string) => `arn:aws:bedrock:us-east-1::foundation-model/${id}`;
const converse = { messages: [{ role: 'user', content: [{ text: 'hi' }] }] };
const guardrail = { name: 'g', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' };

describe('Bedrock authorizes what a call acts on', { concurrency: false }, () => {
  let server: TestServer;

  const call = (creds: Credentials, method: string, path: string, body?: unknown) =>
    bedrockRequest(server.url, creds, method, path, body);

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
    // Renaming needs the model it serves too (the Reference lists foundation-model as required).
    const sonnet = await call(rootCredentials, 'POST', '/provisioned-model-throughput', {
      provisionedModelName: 'sonnet',
      modelId: SONNET,
      modelUnits: 1,
    });
    assert.equal(sonnet.status, 201, sonnet.text);
    const sonnetArn = (JSON.parse(sonnet.text) as { provisionedModelArn: string }).provisionedModelArn;
    const rename = await call(denied, 'PATCH', `/provisioned-model-throughput/${encodeURIComponent(sonnetArn)}`, {
      desiredProvisionedModelName: 'renamed',
    });
    assert.equal(rename.status, 403, rename.text);
    const renameHaiku = await call(denied, 'PATCH', `/provisioned-model-throughput/${encodeURIComponent(arn)}`, {
      desiredProvisionedModelName: 'haiku-renamed',
    });
    assert.equal(renameHaiku.status, 200, renameHaiku.text);
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

  test("aws:ResourceAccount: the caller's account for its profiles, not for AWS's foundation models", async () => {
    const made = await call(rootCredentials, 'POST', '/inference-profiles', {
      inferenceProfileName: 'owned',
      modelSource: { copyFrom: fm(HAIKU) },
    });
    assert.equal(made.status, 201, made.text);
    const profileArn = (JSON.parse(made.text) as { inferenceProfileArn: string }).inferenceProfileArn;
    const ownDenied = await userWithStatements(server.url, 'own-account-denied', [
      { Effect: 'Allow', Action: 'bedrock:*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: ['bedrock:InvokeModel', 'bedrock:DeleteInferenceProfile'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceAccount': `\${aws:PrincipalAccount}` } },
      },
    ]);
    // The application profile is the caller's account's: denied, to call and to delete.
    const invoked = await call(ownDenied, 'POST', `/model/${enc(profileArn)}/converse`, converse);
    assert.equal(invoked.status, 403, invoked.text);
    assert.match(messageOf(invoked.text), /application-inference-profile\/.* with an explicit deny/);
    const deleted = await call(ownDenied, 'DELETE', `/inference-profiles/${enc(profileArn)}`);
    assert.equal(deleted.status, 403, deleted.text);
    // A foundation model is AWS's: the Deny does not match it.
    const direct = await call(ownDenied, 'POST', `/model/${enc(HAIKU)}/converse`, converse);
    assert.equal(direct.status, 200, direct.text);
    // The key is present there all the same: an Allow on StringEqualsIfExists does not cover it.
    const ownOnly = await userWithStatements(server.url, 'own-account-if-exists', [
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: '*',
        Condition: { StringEqualsIfExists: { 'aws:ResourceAccount': `\${aws:PrincipalAccount}` } },
      },
    ]);
    const notOwn = await call(ownOnly, 'POST', `/model/${enc(HAIKU)}/converse`, converse);
    assert.equal(notOwn.status, 403, notOwn.text);

    // AWS's managed policy for SageMaker Unified Studio's model management role, as AWS publishes it
    // (AmazonDataZoneBedrockModelManagementPolicy, v1).
    const dataZone = await userWithStatements(server.url, 'datazone-model-manager', [
      {
        Effect: 'Allow',
        Action: ['bedrock:CreateInferenceProfile', 'bedrock:TagResource'],
        Resource: ['arn:aws:bedrock:*:*:application-inference-profile/*'],
        Condition: {
          StringEquals: { 'aws:ResourceAccount': `\${aws:PrincipalAccount}` },
          'ForAnyValue:StringEquals': { 'aws:TagKeys': ['AmazonDataZoneProject'] },
          Null: { 'aws:ResourceTag/AmazonDataZoneProject': 'false', 'aws:RequestTag/AmazonDataZoneProject': 'false' },
        },
      },
      {
        Effect: 'Allow',
        Action: ['bedrock:DeleteInferenceProfile'],
        Resource: ['arn:aws:bedrock:*:*:application-inference-profile/*'],
        Condition: {
          StringEquals: { 'aws:ResourceAccount': `\${aws:PrincipalAccount}` },
          Null: { 'aws:ResourceTag/AmazonDataZoneProject': 'false' },
        },
      },
      {
        Effect: 'Allow',
        Action: ['bedrock:CreateInferenceProfile'],
        Resource: ['arn:aws:bedrock:*::foundation-model/*'],
      },
      {
        Effect: 'Allow',
        Action: ['bedrock:CreateInferenceProfile'],
        Resource: ['arn:aws:bedrock:*:*:inference-profile/*'],
        Condition: { StringEquals: { 'aws:ResourceAccount': `\${aws:PrincipalAccount}` } },
      },
    ]);
    const project = [{ key: 'AmazonDataZoneProject', value: 'p1' }];
    const create = (name: string, copyFrom: string, tags?: typeof project) =>
      call(dataZone, 'POST', '/inference-profiles', {
        inferenceProfileName: name,
        modelSource: { copyFrom },
        ...(tags === undefined ? {} : { tags }),
      });
    const fromModel = await create('dz-model', fm(HAIKU), project);
    assert.equal(fromModel.status, 201, fromModel.text);
    const system = `arn:aws:bedrock:us-east-1:${A}:inference-profile/us.${HAIKU}`;
    const fromSystem = await create('dz-system', system, project);
    assert.equal(fromSystem.status, 201, fromSystem.text);
    assert.equal((await create('dz-untagged', fm(HAIKU))).status, 403);
    const dzArn = (JSON.parse(fromModel.text) as { inferenceProfileArn: string }).inferenceProfileArn;
    const retag = await call(dataZone, 'POST', '/tagResource', {
      resourceARN: dzArn,
      tags: [{ key: 'AmazonDataZoneProject', value: 'p2' }],
    });
    assert.equal(retag.status, 200, retag.text);
    // Only profiles of a project: not the untagged one root made.
    assert.equal((await call(dataZone, 'DELETE', `/inference-profiles/${enc(profileArn)}`)).status, 403);
    assert.equal((await call(dataZone, 'DELETE', `/inference-profiles/${enc(dzArn)}`)).status, 200);
  });

  test("GetFoundationModel is authorized on the model in its ARN's Region, and on any other ARN as itself", async () => {
    const noEu = await userWithStatements(server.url, 'no-eu-models', [
      { Effect: 'Allow', Action: 'bedrock:GetFoundationModel', Resource: 'arn:aws:bedrock:*::foundation-model/*' },
      { Effect: 'Deny', Action: 'bedrock:GetFoundationModel', Resource: 'arn:aws:bedrock:eu-west-1::*' },
    ]);
    const get = (id: string) => call(noEu, 'GET', `/foundation-models/${enc(id)}`);
    assert.equal((await get(HAIKU)).status, 200);
    const eu = `arn:aws:bedrock:eu-west-1::foundation-model/${HAIKU}`;
    const denied = await get(eu);
    assert.equal(denied.status, 403, denied.text);
    assert.match(
      messageOf(denied.text),
      new RegExp(`on resource: ${eu.replace(/[.:]/g, '\\$&')} with an explicit deny`),
    );
    const profile = `arn:aws:bedrock:us-east-1:${A}:inference-profile/us.${HAIKU}`;
    const notAModel = await get(profile);
    assert.equal(notAModel.status, 403, notAModel.text);
    assert.match(messageOf(notAModel.text), new RegExp(`on resource: ${profile.replace(/[.:]/g, '\\$&')} because`));
  });

  test('CountTokens takes a foundation model only, and is authorized on it alone', async () => {
    const counter = await userWithStatements(server.url, 'token-counter', [
      { Effect: 'Allow', Action: 'bedrock:CountTokens', Resource: 'arn:aws:bedrock:*::foundation-model/*' },
      {
        Effect: 'Deny',
        Action: 'bedrock:CountTokens',
        Resource: '*',
        Condition: { Null: { 'bedrock:InferenceProfileArn': 'false' } },
      },
    ]);
    const count = (creds: Credentials, id: string) =>
      call(creds, 'POST', `/model/${enc(id)}/count-tokens`, { input: { converse } });
    for (const id of [HAIKU, fm(HAIKU)]) {
      const r = await count(counter, id);
      assert.equal(r.status, 200, `${id}: ${r.text}`);
    }
    // A system profile's ID is a foundation-model ID that names nothing; its ARN is not a model.
    for (const [id, status] of [
      [`us.${HAIKU}`, 400],
      [`arn:aws:bedrock:us-east-1:${A}:inference-profile/us.${HAIKU}`, 403],
    ] as const) {
      const r = await count(counter, id);
      assert.equal(r.status, status, `${id}: ${r.text}`);
      const root = await count(rootCredentials, id);
      assert.equal(root.status, 400, `root ${id}: ${root.text}`);
      assert.equal(messageOf(root.text), 'The provided model identifier is invalid.');
    }
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
