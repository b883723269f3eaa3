// The Bedrock model catalog: well-formed, unique data; profiles that serve catalog models and are offered
// only where their route tables say; ARNs and wire shapes as the Bedrock API returns them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findFoundationModel,
  findSystemInferenceProfile,
  foundationModelArn,
  foundationModelSummary,
  GLOBAL_DESTINATION,
  inferenceProfileArn,
  inferenceProfileSummary,
  listFoundationModels,
  profileModelArns,
  systemInferenceProfiles,
} from '../../src/catalog/bedrock-models.ts';
import { AWS_REGIONS, BEDROCK_REGIONS } from '../../src/catalog/regions.ts';

const ACCOUNT = '111122223333';
const MODEL_ID = /^[a-z0-9]+\.[a-z0-9][a-z0-9.-]*[a-z0-9](?::\d+)?(?::\d+k)?$/;
const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/;
const PROVIDER_PREFIX: Record<string, string> = {
  Anthropic: 'anthropic',
  Meta: 'meta',
  Amazon: 'amazon',
  'Mistral AI': 'mistral',
  Cohere: 'cohere',
};

/** Every Region a profile in the catalog could be offered in: those Bedrock is offered in. */
const REGIONS = [...BEDROCK_REGIONS];

/** Every profile in the catalog, found through the Regions that offer it. */
function allProfiles() {
  const seen = new Map<string, ReturnType<typeof systemInferenceProfiles>[number]>();
  for (const region of REGIONS) for (const p of systemInferenceProfiles(region)) seen.set(p.inferenceProfileId, p);
  return [...seen.values()];
}

test('every Region of a profile route table is one Bedrock is offered in, and every such Region is an AWS Region', () => {
  for (const region of BEDROCK_REGIONS) assert.ok(AWS_REGIONS.has(region), region);
  for (const region of AWS_REGIONS) assert.match(region, REGION);
  for (const p of allProfiles()) {
    for (const [source, destinations] of Object.entries(p.routes)) {
      assert.ok(BEDROCK_REGIONS.has(source), `${p.inferenceProfileId}: ${source}`);
      for (const d of destinations) {
        if (d !== GLOBAL_DESTINATION) assert.ok(BEDROCK_REGIONS.has(d), `${p.inferenceProfileId}: ${source} -> ${d}`);
      }
    }
  }
});

test('model IDs are unique, well formed, and prefixed by their provider', () => {
  const models = listFoundationModels();
  assert.ok(models.length >= 25 && models.length <= 35, `${models.length} models`);
  const ids = models.map((m) => m.modelId);
  assert.equal(new Set(ids).size, ids.length, 'duplicate model IDs');
  for (const m of models) {
    assert.match(m.modelId, MODEL_ID);
    assert.equal(m.modelId.split('.')[0], PROVIDER_PREFIX[m.providerName], m.modelId);
    assert.ok(m.modelName.length > 0);
    assert.ok(m.inputModalities.length > 0 && m.outputModalities.length > 0, m.modelId);
    assert.ok(m.inferenceTypesSupported.length > 0, m.modelId);
    assert.equal(new Set(m.customizationsSupported).size, m.customizationsSupported.length);
    assert.equal(m.outputModalities.includes('EMBEDDING'), m.family === 'embedding', m.modelId);
    if (m.family === 'embedding') assert.equal(m.responseStreamingSupported, false, m.modelId);
  }
  for (const id of [
    'anthropic.claude-3-5-sonnet-20241022-v2:0',
    'anthropic.claude-3-haiku-20240307-v1:0',
    'anthropic.claude-3-7-sonnet-20250219-v1:0',
    'anthropic.claude-sonnet-4-20250514-v1:0',
    'meta.llama3-1-8b-instruct-v1:0',
    'meta.llama3-1-70b-instruct-v1:0',
    'meta.llama3-2-1b-instruct-v1:0',
    'meta.llama3-3-70b-instruct-v1:0',
    'amazon.titan-text-express-v1',
    'amazon.titan-text-lite-v1',
    'amazon.titan-embed-text-v2:0',
    'amazon.nova-micro-v1:0',
    'amazon.nova-lite-v1:0',
    'amazon.nova-pro-v1:0',
    'mistral.mistral-7b-instruct-v0:2',
    'mistral.mixtral-8x7b-instruct-v0:1',
    'mistral.mistral-large-2402-v1:0',
    'cohere.command-r-v1:0',
    'cohere.command-r-plus-v1:0',
    'cohere.embed-english-v3',
  ]) {
    assert.ok(findFoundationModel(id), id);
  }
});

test('model lookups are exact', () => {
  assert.equal(findFoundationModel('anthropic.claude-3-haiku-20240307-v1:0')?.modelName, 'Claude 3 Haiku');
  assert.equal(findFoundationModel('anthropic.claude-3-haiku-20240307-v1'), undefined, 'no version suffix');
  assert.equal(findFoundationModel('ANTHROPIC.claude-3-haiku-20240307-v1:0'), undefined, 'case matters');
  assert.equal(findFoundationModel('us.anthropic.claude-3-haiku-20240307-v1:0'), undefined, 'a profile ID');
  const variant = findFoundationModel('anthropic.claude-3-haiku-20240307-v1:0:200k');
  assert.deepEqual(variant?.inferenceTypesSupported, ['PROVISIONED'], 'a context-length variant is its own model');
  assert.equal(findFoundationModel('toString'), undefined);
});

test('the data is frozen', () => {
  const models = listFoundationModels();
  assert.ok(Object.isFrozen(models));
  const m = models[0];
  assert.ok(m !== undefined && Object.isFrozen(m) && Object.isFrozen(m.inputModalities));
  assert.ok(Object.isFrozen(m.modelLifecycle));
  const p = systemInferenceProfiles('us-east-1')[0];
  assert.ok(p !== undefined && Object.isFrozen(p) && Object.isFrozen(p.routes));
  assert.throws(() => {
    (m.inputModalities as string[]).push('IMAGE');
  }, TypeError);
});

test('every profile serves a catalog model and routes only to well-formed Regions', () => {
  const profiles = allProfiles();
  assert.ok(profiles.length >= 30, `${profiles.length} profiles`);
  const prefixes = new Set(profiles.map((p) => p.geography));
  assert.deepEqual([...prefixes].sort(), ['apac', 'eu', 'global', 'us']);
  for (const p of profiles) {
    assert.equal(p.inferenceProfileId, `${p.geography}.${p.modelId}`);
    const model = findFoundationModel(p.modelId);
    assert.ok(model, `${p.inferenceProfileId} serves an unknown model`);
    assert.match(p.inferenceProfileName, /^(US|EU|APAC|Global) /);
    assert.ok(p.description.startsWith('Routes requests to '), p.inferenceProfileId);
    assert.ok(!Number.isNaN(Date.parse(p.createdAt)) && p.createdAt <= p.updatedAt, p.inferenceProfileId);
    const sources = Object.keys(p.routes);
    assert.ok(sources.length > 0);
    for (const source of sources) assert.ok(REGIONS.includes(source), `${p.inferenceProfileId}: ${source}`);
    for (const [source, destinations] of Object.entries(p.routes)) {
      assert.match(source, REGION);
      assert.equal(new Set(destinations).size, destinations.length);
      if (p.geography === 'global') {
        assert.deepEqual(destinations, [GLOBAL_DESTINATION, source], `${p.inferenceProfileId} from ${source}`);
        continue;
      }
      assert.ok(destinations.length >= 2, `${p.inferenceProfileId} from ${source}`);
      for (const d of destinations) {
        assert.match(d, REGION);
        assert.ok(p.description.includes(d), `${p.inferenceProfileId}: description lacks ${d}`);
      }
      // A geographic profile keeps to its geography, save the source itself (ca-central-1 for some
      // US profiles, il-central-1 for EU, me-central-1 for APAC, as the docs' tables give them).
      const home = { us: 'us-', eu: 'eu-', apac: 'ap-' }[p.geography];
      for (const d of destinations) assert.ok(d.startsWith(home) || d === source, `${p.inferenceProfileId}: ${d}`);
      assert.ok(destinations.some((d) => d.startsWith(home)));
    }
  }
});

test('profiles are offered only in their source Regions', () => {
  const id = 'us.anthropic.claude-3-5-sonnet-20241022-v2:0';
  assert.equal(findSystemInferenceProfile(id, 'us-east-1')?.inferenceProfileName, 'US Anthropic Claude 3.5 Sonnet v2');
  assert.ok(findSystemInferenceProfile(id, 'us-west-2'));
  assert.equal(findSystemInferenceProfile(id, 'eu-west-1'), undefined);
  assert.equal(findSystemInferenceProfile(id, 'ap-northeast-1'), undefined);
  assert.equal(findSystemInferenceProfile('anthropic.claude-3-5-sonnet-20241022-v2:0', 'us-east-1'), undefined);

  assert.ok(findSystemInferenceProfile('eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 'eu-north-1'));
  assert.equal(findSystemInferenceProfile('eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 'us-east-1'), undefined);
  assert.ok(findSystemInferenceProfile('apac.anthropic.claude-3-haiku-20240307-v1:0', 'ap-southeast-2'));
  assert.equal(findSystemInferenceProfile('apac.anthropic.claude-3-haiku-20240307-v1:0', 'eu-west-1'), undefined);

  // The docs list the first global profile's sources: Oregon, N. Virginia, Ohio, Ireland and Tokyo.
  const global = 'global.anthropic.claude-sonnet-4-20250514-v1:0';
  for (const r of ['us-west-2', 'us-east-1', 'us-east-2', 'eu-west-1', 'ap-northeast-1']) {
    assert.ok(findSystemInferenceProfile(global, r), r);
  }
  assert.equal(findSystemInferenceProfile(global, 'eu-central-1'), undefined);

  const fromUs = systemInferenceProfiles('us-east-1').map((p) => p.inferenceProfileId);
  assert.ok(fromUs.includes(global));
  assert.ok(
    fromUs.every((p) => p.startsWith('us.') || p.startsWith('global.')),
    fromUs.join(),
  );
  const fromEu = systemInferenceProfiles('eu-west-1').map((p) => p.inferenceProfileId);
  assert.ok(fromEu.length > 0 && fromEu.every((p) => p.startsWith('eu.') || p.startsWith('global.')));
  assert.deepEqual(systemInferenceProfiles('xx-nowhere-1'), []);
  assert.deepEqual(systemInferenceProfiles('constructor'), []);
});

test('destinations depend on the source Region', () => {
  // "if you call us.anthropic.claude-3-haiku-20240307-v1:0 from US East (Ohio), it can route requests to
  // us-east-1, us-east-2, or us-west-2, but if you call it from US West (Oregon) … only us-east-1 and us-west-2"
  const haiku = findSystemInferenceProfile('us.anthropic.claude-3-haiku-20240307-v1:0', 'us-east-2');
  assert.ok(haiku);
  assert.deepEqual(
    profileModelArns(haiku, 'us-east-2').map((a) => a.region),
    ['us-east-1', 'us-east-2', 'us-west-2'],
  );
  assert.deepEqual(
    profileModelArns(haiku, 'us-west-2').map((a) => a.region),
    ['us-east-1', 'us-west-2'],
  );
  assert.equal(haiku.description, 'Routes requests to Anthropic Claude 3 Haiku in us-east-1, us-west-2 and us-east-2.');
  assert.deepEqual(profileModelArns(haiku, 'eu-west-1'), [], 'not offered there');
});

test('ARN formats', () => {
  assert.equal(
    foundationModelArn('us-east-1', 'anthropic.claude-3-haiku-20240307-v1:0'),
    'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
  );
  assert.equal(
    foundationModelArn('', 'anthropic.claude-sonnet-4-20250514-v1:0'),
    'arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0',
  );
  assert.equal(
    inferenceProfileArn('eu-west-1', ACCOUNT, 'eu.amazon.nova-pro-v1:0'),
    'arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.amazon.nova-pro-v1:0',
  );
});

test('a geographic profile needs the model in each destination Region', () => {
  const p = findSystemInferenceProfile('eu.anthropic.claude-sonnet-4-20250514-v1:0', 'il-central-1');
  assert.ok(p);
  const arns = profileModelArns(p, 'il-central-1');
  assert.deepEqual(
    arns.map((a) => a.region),
    ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3', 'il-central-1'],
  );
  for (const a of arns) assert.equal(a.arn, foundationModelArn(a.region, 'anthropic.claude-sonnet-4-20250514-v1:0'));
  assert.ok(Object.isFrozen(arns));
});

test('a global profile needs the source Region’s model and the Region-agnostic one', () => {
  const p = findSystemInferenceProfile('global.anthropic.claude-sonnet-4-20250514-v1:0', 'us-east-1');
  assert.ok(p);
  assert.deepEqual(profileModelArns(p, 'us-east-1'), [
    { region: 'us-east-1', arn: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0' },
    { region: '', arn: 'arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0' },
  ]);
  assert.deepEqual(
    profileModelArns(p, 'eu-west-1').map((a) => a.region),
    ['eu-west-1', ''],
  );
  assert.deepEqual(profileModelArns(p, 'ca-central-1'), []);
  assert.equal(p.description, 'Routes requests to Claude Sonnet 4 globally across all supported AWS Regions.');
});

test('foundationModelSummary has exactly the wire fields', () => {
  const model = findFoundationModel('amazon.nova-pro-v1:0');
  assert.ok(model);
  const summary = foundationModelSummary(model, 'us-west-2');
  assert.deepEqual(Object.keys(summary).sort(), [
    'customizationsSupported',
    'inferenceTypesSupported',
    'inputModalities',
    'modelArn',
    'modelId',
    'modelLifecycle',
    'modelName',
    'outputModalities',
    'providerName',
    'responseStreamingSupported',
  ]);
  assert.deepEqual(summary, {
    modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0',
    modelId: 'amazon.nova-pro-v1:0',
    modelName: 'Nova Pro',
    providerName: 'Amazon',
    inputModalities: ['TEXT', 'IMAGE', 'VIDEO'],
    outputModalities: ['TEXT'],
    responseStreamingSupported: true,
    customizationsSupported: [],
    inferenceTypesSupported: ['ON_DEMAND', 'INFERENCE_PROFILE'],
    modelLifecycle: { status: 'ACTIVE' },
  });
  assert.ok(!('family' in summary));
  summary.inputModalities.push('EMBEDDING');
  assert.deepEqual(model.inputModalities, ['TEXT', 'IMAGE', 'VIDEO'], 'the summary is a copy');
  assert.ok(JSON.parse(JSON.stringify(summary)));
});

test('inferenceProfileSummary has exactly the wire fields', () => {
  const p = findSystemInferenceProfile('us.meta.llama3-2-1b-instruct-v1:0', 'us-east-2');
  assert.ok(p);
  const summary = inferenceProfileSummary(p, 'us-east-2', ACCOUNT);
  assert.deepEqual(Object.keys(summary).sort(), [
    'createdAt',
    'description',
    'inferenceProfileArn',
    'inferenceProfileId',
    'inferenceProfileName',
    'models',
    'status',
    'type',
    'updatedAt',
  ]);
  assert.deepEqual(summary, {
    inferenceProfileName: 'US Meta Llama 3.2 1B Instruct',
    description: 'Routes requests to Meta Llama 3.2 1B Instruct in us-east-1, us-west-2 and us-east-2.',
    createdAt: '2024-11-01T00:00:00.000Z',
    updatedAt: '2024-11-04T17:49:37.317Z',
    inferenceProfileArn: 'arn:aws:bedrock:us-east-2:111122223333:inference-profile/us.meta.llama3-2-1b-instruct-v1:0',
    models: [
      { modelArn: 'arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-2-1b-instruct-v1:0' },
      { modelArn: 'arn:aws:bedrock:us-east-2::foundation-model/meta.llama3-2-1b-instruct-v1:0' },
      { modelArn: 'arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-2-1b-instruct-v1:0' },
    ],
    inferenceProfileId: 'us.meta.llama3-2-1b-instruct-v1:0',
    status: 'ACTIVE',
    type: 'SYSTEM_DEFINED',
  });
  assert.equal(inferenceProfileSummary(p, 'us-east-1', ACCOUNT).models.length, 2, 'fewer destinations from there');
  assert.throws(() => inferenceProfileSummary(p, 'eu-west-1', ACCOUNT), RangeError);

  const global = findSystemInferenceProfile('global.anthropic.claude-haiku-4-5-20251001-v1:0', 'ap-southeast-2');
  assert.ok(global);
  assert.deepEqual(inferenceProfileSummary(global, 'ap-southeast-2', ACCOUNT).models, [
    { modelArn: 'arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0' },
    { modelArn: 'arn:aws:bedrock:ap-southeast-2::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0' },
  ]);
});
