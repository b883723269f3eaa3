/**
 * Every Bedrock and Bedrock Runtime operation is authorized: a principal with no permissions gets
 * AccessDeniedException from each, in Bedrock's words, and nothing changes; the same requests from
 * a principal allowed everything succeed, so each sample is a valid request.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as bedrock from '@aws-sdk/client-bedrock';
import { REST_OPERATIONS } from '../../src/server/rest-endpoint.ts';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { bedrockRequest } from '../support/bedrock-rest.js';
import { bedrockClient, type Credentials, rootCredentials } from '../support/clients.js';
import { userWithStatements } from '../support/users.js';

const A = ROOT.accountId;
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const US_SONNET = 'us.anthropic.claude-3-5-sonnet-20241022-v2:0';
const enc = encodeURIComponent;

interface Sample {
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The fixtures every sample names, created by root before the walk. */
interface Fixtures {
  guardrailId: string;
  profileArn: string;
  provisionedArn: string;
}

function samples(f: Fixtures): Record<string, Sample> {
  const anthropic = {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 10,
    messages: [{ role: 'user', content: 'hi' }],
  };
  const converse = { messages: [{ role: 'user', content: [{ text: 'hi' }] }] };
  return {
    ListFoundationModels: { path: '/foundation-models' },
    GetFoundationModel: { path: `/foundation-models/${enc(HAIKU)}` },
    CreateInferenceProfile: {
      path: '/inference-profiles',
      body: {
        inferenceProfileName: 'walk-new',
        modelSource: { copyFrom: `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}` },
      },
    },
    GetInferenceProfile: { path: `/inference-profiles/${enc(US_SONNET)}` },
    ListInferenceProfiles: { path: '/inference-profiles', query: { type: 'APPLICATION' } },
    DeleteInferenceProfile: { path: `/inference-profiles/${enc(f.profileArn)}` },
    CreateGuardrail: {
      path: '/guardrails',
      body: { name: 'walk-new', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' },
    },
    GetGuardrail: { path: `/guardrails/${f.guardrailId}`, query: { guardrailVersion: '1' } },
    ListGuardrails: { path: '/guardrails' },
    UpdateGuardrail: {
      path: `/guardrails/${f.guardrailId}`,
      body: { name: 'walk-changed', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' },
    },
    DeleteGuardrail: { path: `/guardrails/${f.guardrailId}`, query: { guardrailVersion: '1' } },
    CreateGuardrailVersion: { path: `/guardrails/${f.guardrailId}`, body: { description: 'walk' } },
    CreateProvisionedModelThroughput: {
      path: '/provisioned-model-throughput',
      body: { provisionedModelName: 'walk-new', modelId: HAIKU, modelUnits: 1 },
    },
    GetProvisionedModelThroughput: { path: `/provisioned-model-throughput/${enc(f.provisionedArn)}` },
    ListProvisionedModelThroughputs: { path: '/provisioned-model-throughputs' },
    UpdateProvisionedModelThroughput: {
      path: `/provisioned-model-throughput/${enc(f.provisionedArn)}`,
      body: { desiredProvisionedModelName: 'walk-renamed' },
    },
    DeleteProvisionedModelThroughput: { path: `/provisioned-model-throughput/${enc(f.provisionedArn)}` },
    TagResource: { path: '/tagResource', body: { resourceARN: f.profileArn, tags: [{ key: 'k', value: 'v' }] } },
    UntagResource: { path: '/untagResource', body: { resourceARN: f.profileArn, tagKeys: ['k'] } },
    ListTagsForResource: { path: '/listTagsForResource', body: { resourceARN: f.profileArn } },
    InvokeModel: { path: `/model/${enc(HAIKU)}/invoke`, body: anthropic },
    InvokeModelWithResponseStream: { path: `/model/${enc(US_SONNET)}/invoke-with-response-stream`, body: anthropic },
    Converse: { path: `/model/${enc(f.profileArn)}/converse`, body: converse },
    ConverseStream: { path: `/model/${enc(f.provisionedArn)}/converse-stream`, body: converse },
    CountTokens: { path: `/model/${enc(HAIKU)}/count-tokens`, body: { input: { converse } } },
    ApplyGuardrail: {
      path: `/guardrail/${f.guardrailId}/version/1/apply`,
      body: { source: 'INPUT', content: [{ text: { text: 'hello' } }] },
    },
  };
}

function send(url: string, credentials: Credentials, method: string, s: Sample) {
  return bedrockRequest(url, credentials, method, s.path, s.body, s.query);
}

describe('authorization of every Bedrock operation', { concurrency: false }, () => {
  let server: TestServer;
  let fixtures: Fixtures;
  let nobody: Credentials;
  let admin: Credentials;

  before(async () => {
    server = await startBasalt();
    const b = bedrockClient(server.url, rootCredentials);
    const g = await b.send(
      new bedrock.CreateGuardrailCommand({ name: 'walk', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' }),
    );
    await b.send(new bedrock.CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
    const p = await b.send(
      new bedrock.CreateInferenceProfileCommand({
        inferenceProfileName: 'walk',
        modelSource: { copyFrom: `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}` },
      }),
    );
    const pt = await b.send(
      new bedrock.CreateProvisionedModelThroughputCommand({
        provisionedModelName: 'walk',
        modelId: HAIKU,
        modelUnits: 1,
      }),
    );
    fixtures = {
      guardrailId: g.guardrailId ?? '',
      profileArn: p.inferenceProfileArn ?? '',
      provisionedArn: pt.provisionedModelArn ?? '',
    };
    nobody = await userWithStatements(server.url, 'nobody', []);
    admin = await userWithStatements(server.url, 'admin', [{ Effect: 'Allow', Action: 'bedrock:*', Resource: '*' }]);
  });
  after(async () => server.destroy());

  test('every routed operation has a sample request here', () => {
    const s = samples(fixtures);
    assert.deepEqual(
      REST_OPERATIONS.map((op) => op.name).filter((name) => s[name] === undefined),
      [],
    );
    assert.ok(REST_OPERATIONS.length >= 25);
  });

  test('a principal with no permissions is denied every operation, and nothing changes', async () => {
    const state = async () => {
      const b = bedrockClient(server.url, rootCredentials);
      return JSON.stringify(
        [
          await b.send(new bedrock.ListGuardrailsCommand({ guardrailIdentifier: fixtures.guardrailId })),
          await b.send(new bedrock.GetGuardrailCommand({ guardrailIdentifier: fixtures.guardrailId })),
          await b.send(new bedrock.ListInferenceProfilesCommand({ typeEquals: 'APPLICATION' })),
          await b.send(new bedrock.ListProvisionedModelThroughputsCommand({})),
          await b.send(new bedrock.ListTagsForResourceCommand({ resourceARN: fixtures.profileArn })),
        ].map(({ $metadata: _, ...rest }) => rest),
      );
    };
    const before = await state();
    const s = samples(fixtures);
    for (const op of REST_OPERATIONS) {
      const sample = s[op.name];
      assert.ok(sample);
      const r = await send(server.url, nobody, op.method, sample);
      assert.equal(r.status, 403, `${op.name}: ${r.text}`);
      assert.equal(r.headers['x-amzn-errortype'], 'AccessDeniedException', op.name);
      const message = (JSON.parse(r.text) as { message: string }).message;
      assert.match(
        message,
        new RegExp(
          `^User: arn:aws:iam::${A}:user/nobody is not authorized to perform: ${op.action} (on resource: \\S+ )?because no identity-based policy allows the ${op.action} action$`,
        ),
        op.name,
      );
    }
    assert.equal(await state(), before);
  });

  test('each sample is a valid request: a principal allowed bedrock:* gets a success from each', async () => {
    const s = samples(fixtures);
    // Deletions last, so that the other samples still find their fixtures.
    const ordered = [...REST_OPERATIONS].sort(
      (a, b) => Number(a.name.startsWith('Delete')) - Number(b.name.startsWith('Delete')),
    );
    for (const op of ordered) {
      const sample = s[op.name];
      assert.ok(sample);
      const r = await send(server.url, admin, op.method, sample);
      assert.ok(r.status >= 200 && r.status < 300, `${op.name}: ${r.status} ${r.text}`);
    }
  });
});
