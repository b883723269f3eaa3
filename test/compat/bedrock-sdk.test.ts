/**
 * The Bedrock API against the real server with @aws-sdk/client-bedrock and
 * @aws-sdk/client-bedrock-runtime, over HTTP/1.1 and HTTP/2: models, inference profiles,
 * guardrails, provisioned throughput and tags; InvokeModel, Converse and their streams; and
 * authorization exactly as Bedrock does it — users and roles whose policies allow and deny, the
 * AWS managed policies, cross-Region inference profiles, required guardrails and ABAC.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as bedrock from '@aws-sdk/client-bedrock';
import * as runtime from '@aws-sdk/client-bedrock-runtime';
import * as iam from '@aws-sdk/client-iam';
import * as sts from '@aws-sdk/client-sts';
import { credsOf, rejectsWith } from '../support/assertions.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { bedrockClient, type Credentials, iamClient, runtimeClient, stsClient } from '../support/clients.js';
import { type UserOptions, userWithStatements } from '../support/users.js';

const A = ROOT.accountId;
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
// Claude 3.5 Sonnet v1: on demand by its own ID, and in the us. cross-Region profile.
const US_SONNET = 'us.anthropic.claude-3-5-sonnet-20240620-v1:0';
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const fm = (region: string, id: string) => `arn:aws:bedrock:${region}::foundation-model/${id}`;
const hello = [{ role: 'user' as const, content: [{ text: 'hello' }] }];

describe('Bedrock over the AWS SDK', { concurrency: false }, () => {
  let server: TestServer;
  let root: iam.IAMClient;

  /** A user with these inline statements (and managed policies, and tags); its access key. */
  const user = (name: string, statements: object[], options: UserOptions = {}): Promise<Credentials> =>
    userWithStatements(server.url, name, statements, options);

  before(async () => {
    server = await startBasalt();
    root = iamClient(server.url);
  });
  after(async () => server.destroy());

  for (const http2 of [false, true]) {
    describe(http2 ? 'HTTP/2' : 'HTTP/1.1', () => {
      test('lists and gets foundation models with the filters', async () => {
        const b = bedrockClient(server.url, undefined, http2);
        const all = await b.send(new bedrock.ListFoundationModelsCommand({}));
        assert.ok((all.modelSummaries?.length ?? 0) >= 25);
        const anthropic = await b.send(new bedrock.ListFoundationModelsCommand({ byProvider: 'Anthropic' }));
        assert.ok(anthropic.modelSummaries?.every((m) => m.providerName === 'Anthropic'));
        const embeddings = await b.send(new bedrock.ListFoundationModelsCommand({ byOutputModality: 'EMBEDDING' }));
        assert.ok(embeddings.modelSummaries?.every((m) => m.outputModalities?.includes('EMBEDDING')));
        assert.ok((embeddings.modelSummaries?.length ?? 0) > 0);
        const tunable = await b.send(new bedrock.ListFoundationModelsCommand({ byCustomizationType: 'FINE_TUNING' }));
        assert.ok(tunable.modelSummaries?.every((m) => m.customizationsSupported?.includes('FINE_TUNING')));
        const provisioned = await b.send(new bedrock.ListFoundationModelsCommand({ byInferenceType: 'PROVISIONED' }));
        assert.ok(provisioned.modelSummaries?.every((m) => m.inferenceTypesSupported?.includes('PROVISIONED')));
        const got = await b.send(new bedrock.GetFoundationModelCommand({ modelIdentifier: HAIKU }));
        assert.equal(got.modelDetails?.modelArn, fm('us-east-1', HAIKU));
        assert.equal(got.modelDetails?.providerName, 'Anthropic');
        const byArn = await b.send(new bedrock.GetFoundationModelCommand({ modelIdentifier: fm('us-east-1', HAIKU) }));
        assert.equal(byArn.modelDetails?.modelId, HAIKU);
        await rejectsWith(
          b.send(new bedrock.GetFoundationModelCommand({ modelIdentifier: 'nobody.no-such-model-v1:0' })),
          'ResourceNotFoundException',
        );
      });

      test('invokes a model with its native body, streamed and not, with token counts', async () => {
        const r = runtimeClient(server.url, undefined, http2);
        const body = JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'ping' }],
        });
        const out = await r.send(
          new runtime.InvokeModelCommand({ modelId: HAIKU, contentType: 'application/json', body }),
        );
        const answer = JSON.parse(Buffer.from(out.body).toString('utf8')) as {
          content: Array<{ text: string }>;
          usage: { input_tokens: number; output_tokens: number };
          stop_reason: string;
        };
        assert.match(answer.content[0]?.text ?? '', /built-in echo model.*ping/);
        assert.equal(answer.stop_reason, 'end_turn');
        const headers = out.$metadata as unknown as Record<string, unknown>;
        void headers;
        const stream = await r.send(new runtime.InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body }));
        let text = '';
        let metrics: { outputTokenCount?: number } | undefined;
        for await (const event of stream.body ?? []) {
          const chunk = JSON.parse(Buffer.from(event.chunk?.bytes ?? new Uint8Array()).toString('utf8')) as {
            type: string;
            delta?: { text?: string };
            'amazon-bedrock-invocationMetrics'?: { outputTokenCount: number };
          };
          if (chunk.type === 'content_block_delta') text += chunk.delta?.text ?? '';
          metrics ??= chunk['amazon-bedrock-invocationMetrics'];
        }
        assert.equal(text, answer.content[0]?.text);
        assert.equal(metrics?.outputTokenCount, answer.usage.output_tokens);
      });

      test('converses, streamed and not, through a cross-Region inference profile', async () => {
        const r = runtimeClient(server.url, undefined, http2);
        const out = await r.send(
          new runtime.ConverseCommand({ modelId: US_SONNET, messages: hello, inferenceConfig: { maxTokens: 5 } }),
        );
        assert.equal(out.stopReason, 'max_tokens');
        assert.equal(out.usage?.outputTokens, 5);
        const stream = await r.send(new runtime.ConverseStreamCommand({ modelId: US_SONNET, messages: hello }));
        const seen: string[] = [];
        let text = '';
        for await (const e of stream.stream ?? []) {
          seen.push(Object.keys(e).find((k) => k !== '$unknown') ?? '');
          text += e.contentBlockDelta?.delta?.text ?? '';
        }
        assert.equal(seen[0], 'messageStart');
        assert.deepEqual(seen.slice(-2), ['messageStop', 'metadata']);
        assert.match(text, /You said: hello/);
      });
    });
  }

  test('the response headers carry the token counts', async () => {
    const r = runtimeClient(server.url);
    let headers: Record<string, string> = {};
    r.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        headers = (result.response as { headers: Record<string, string> }).headers;
        return result;
      },
      { step: 'deserialize', name: 'captureHeaders' },
    );
    await r.send(
      new runtime.InvokeModelCommand({
        modelId: 'meta.llama3-8b-instruct-v1:0',
        body: JSON.stringify({ prompt: 'one two three', max_gen_len: 4 }),
      }),
    );
    assert.equal(headers['x-amzn-bedrock-output-token-count'], '4');
    assert.ok(Number(headers['x-amzn-bedrock-input-token-count']) > 0);
  });

  test('AccessDeniedException in Bedrock words, for identity-policy denials and explicit denies', async () => {
    const creds = await user('denied', [
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: fm('us-east-1', SONNET) },
      { Effect: 'Deny', Action: 'bedrock:InvokeModel', Resource: fm('us-east-1', 'meta.*') },
    ]);
    const r = runtimeClient(server.url, creds);
    await r.send(new runtime.ConverseCommand({ modelId: SONNET, messages: hello }));
    await rejectsWith(
      r.send(new runtime.ConverseCommand({ modelId: HAIKU, messages: hello })),
      'AccessDeniedException',
      new RegExp(
        `^User: arn:aws:iam::${A}:user/denied is not authorized to perform: bedrock:InvokeModel on resource: ` +
          `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU.replace(/[.]/g, '\\.')} because no identity-based policy allows the bedrock:InvokeModel action$`,
      ),
    );
    await rejectsWith(
      r.send(new runtime.ConverseCommand({ modelId: 'meta.llama3-1-8b-instruct-v1:0', messages: hello })),
      'AccessDeniedException',
      /with an explicit deny in an identity-based policy$/,
    );
    // ConverseStream is bedrock:InvokeModelWithResponseStream, which this user lacks.
    await rejectsWith(
      r.send(new runtime.ConverseStreamCommand({ modelId: SONNET, messages: hello })),
      'AccessDeniedException',
      /bedrock:InvokeModelWithResponseStream/,
    );
  });

  test('AmazonBedrockReadOnly lists but cannot invoke; AmazonBedrockFullAccess can', async () => {
    const reader = await user('reader', [], { managed: ['arn:aws:iam::aws:policy/AmazonBedrockReadOnly'] });
    const list = await bedrockClient(server.url, reader).send(new bedrock.ListFoundationModelsCommand({}));
    assert.ok((list.modelSummaries?.length ?? 0) > 0);
    await bedrockClient(server.url, reader).send(new bedrock.ListInferenceProfilesCommand({}));
    await rejectsWith(
      runtimeClient(server.url, reader).send(new runtime.ConverseCommand({ modelId: HAIKU, messages: hello })),
      'AccessDeniedException',
      /bedrock:InvokeModel/,
    );
    const full = await user('full', [], { managed: ['arn:aws:iam::aws:policy/AmazonBedrockFullAccess'] });
    const out = await runtimeClient(server.url, full).send(
      new runtime.ConverseCommand({ modelId: HAIKU, messages: hello }),
    );
    assert.equal(out.stopReason, 'end_turn');
  });

  test('an inference profile needs the profile and the model in every destination Region', async () => {
    const profileArn = `arn:aws:bedrock:us-east-1:${A}:inference-profile/${US_SONNET}`;
    const onlyHere = await user('only-here', [
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: [profileArn, fm('us-east-1', SONNET)] },
    ]);
    await rejectsWith(
      runtimeClient(server.url, onlyHere).send(new runtime.ConverseCommand({ modelId: US_SONNET, messages: hello })),
      'AccessDeniedException',
      /on resource: arn:aws:bedrock:us-(east-2|west-2)::foundation-model\//,
    );
    const everywhere = await user('everywhere', [
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: [profileArn, `arn:aws:bedrock:*::foundation-model/${SONNET}`],
      },
    ]);
    const r = runtimeClient(server.url, everywhere);
    await r.send(new runtime.ConverseCommand({ modelId: US_SONNET, messages: hello }));
    await r.send(new runtime.ConverseCommand({ modelId: profileArn, messages: hello }));
    const noProfile = await user('no-profile', [
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: `arn:aws:bedrock:*::foundation-model/${SONNET}` },
    ]);
    await rejectsWith(
      runtimeClient(server.url, noProfile).send(new runtime.ConverseCommand({ modelId: US_SONNET, messages: hello })),
      'AccessDeniedException',
      new RegExp(`on resource: ${profileArn.replace(/[.]/g, '\\.')} because`),
    );
  });

  test('a Region-restricting condition blocks cross-Region inference but not the Regional model', async () => {
    const creds = await user('us-east-1-only', [
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'bedrock:*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
      },
    ]);
    const r = runtimeClient(server.url, creds);
    await r.send(new runtime.ConverseCommand({ modelId: SONNET, messages: hello }));
    await rejectsWith(
      r.send(new runtime.ConverseCommand({ modelId: US_SONNET, messages: hello })),
      'AccessDeniedException',
      /explicit deny in an identity-based policy/,
    );
    // Signed for another Region, even the Regional model is denied.
    await rejectsWith(
      runtimeClient(server.url, creds, false, 'us-west-2').send(
        new runtime.ConverseCommand({ modelId: SONNET, messages: hello }),
      ),
      'AccessDeniedException',
    );
  });

  test('bedrock:InferenceProfileArn lets a model be used only through a profile', async () => {
    const profileArn = `arn:aws:bedrock:us-east-1:${A}:inference-profile/${US_SONNET}`;
    const creds = await user('via-profile', [
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: profileArn },
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: `arn:aws:bedrock:*::foundation-model/${SONNET}`,
        Condition: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
      },
    ]);
    const r = runtimeClient(server.url, creds);
    await r.send(new runtime.ConverseCommand({ modelId: US_SONNET, messages: hello }));
    await rejectsWith(
      r.send(new runtime.ConverseCommand({ modelId: SONNET, messages: hello })),
      'AccessDeniedException',
    );
  });

  test('bedrock:ServiceTier is the tier a call asks for', async () => {
    const creds = await user('no-priority', [
      { Effect: 'Allow', Action: 'bedrock:InvokeModel*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'bedrock:InvokeModel*',
        Resource: '*',
        Condition: { StringEquals: { 'bedrock:ServiceTier': 'priority' } },
      },
    ]);
    const r = runtimeClient(server.url, creds);
    const body = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'hello' }],
    });
    await rejectsWith(
      r.send(new runtime.ConverseCommand({ modelId: HAIKU, messages: hello, serviceTier: { type: 'priority' } })),
      'AccessDeniedException',
      /with an explicit deny/,
    );
    await rejectsWith(
      r.send(new runtime.InvokeModelCommand({ modelId: HAIKU, body, serviceTier: 'priority' })),
      'AccessDeniedException',
      /with an explicit deny/,
    );
    const flex = await r.send(
      new runtime.ConverseCommand({ modelId: HAIKU, messages: hello, serviceTier: { type: 'flex' } }),
    );
    assert.deepEqual(flex.serviceTier, { type: 'flex' });
    const invoked = await r.send(new runtime.InvokeModelCommand({ modelId: HAIKU, body, serviceTier: 'default' }));
    assert.equal(invoked.serviceTier, 'default');
    const untiered = await r.send(new runtime.ConverseCommand({ modelId: HAIKU, messages: hello }));
    assert.equal(untiered.serviceTier, undefined);
    await rejectsWith(
      r.send(new runtime.InvokeModelCommand({ modelId: HAIKU, body, serviceTier: 'fastest' as 'flex' })),
      'ValidationException',
      /Member must satisfy enum value set: \[default, flex, priority, reserved\]/,
    );
  });

  test('application inference profiles: create, get, list, tag, invoke with ABAC, delete', async () => {
    const b = bedrockClient(server.url);
    const created = await b.send(
      new bedrock.CreateInferenceProfileCommand({
        inferenceProfileName: 'team-a-sonnet',
        modelSource: { copyFrom: `arn:aws:bedrock:us-east-1:${A}:inference-profile/${US_SONNET}` },
        tags: [{ key: 'team', value: 'a' }],
      }),
    );
    const arn = created.inferenceProfileArn ?? '';
    assert.match(arn, new RegExp(`^arn:aws:bedrock:us-east-1:${A}:application-inference-profile/[a-z0-9]{12}$`));
    const got = await b.send(new bedrock.GetInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
    assert.equal(got.type, 'APPLICATION');
    // It routes where the system profile it copies routes.
    const system = await b.send(new bedrock.GetInferenceProfileCommand({ inferenceProfileIdentifier: US_SONNET }));
    assert.ok((system.models?.length ?? 0) >= 2);
    assert.deepEqual(got.models, system.models);
    const listed = await b.send(new bedrock.ListInferenceProfilesCommand({ typeEquals: 'APPLICATION' }));
    assert.deepEqual(
      listed.inferenceProfileSummaries?.map((p) => p.inferenceProfileArn),
      [arn],
    );
    await rejectsWith(
      b.send(
        new bedrock.CreateInferenceProfileCommand({
          inferenceProfileName: 'team-a-sonnet',
          modelSource: { copyFrom: fm('us-east-1', HAIKU) },
        }),
      ),
      'ConflictException',
    );
    const abac = [
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: `arn:aws:bedrock:us-east-1:${A}:application-inference-profile/*`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
        Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
      },
      { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: `arn:aws:bedrock:*::foundation-model/${SONNET}` },
    ];
    const teamA = await user('alice-a', abac, { tags: [{ Key: 'team', Value: 'a' }] });
    const teamB = await user('bob-b', abac, { tags: [{ Key: 'team', Value: 'b' }] });
    await runtimeClient(server.url, teamA).send(new runtime.ConverseCommand({ modelId: arn, messages: hello }));
    await rejectsWith(
      runtimeClient(server.url, teamB).send(new runtime.ConverseCommand({ modelId: arn, messages: hello })),
      'AccessDeniedException',
      new RegExp(`on resource: ${arn}`),
    );
    await b.send(new bedrock.TagResourceCommand({ resourceARN: arn, tags: [{ key: 'team', value: 'b' }] }));
    await runtimeClient(server.url, teamB).send(new runtime.ConverseCommand({ modelId: arn, messages: hello }));
    const tags = await b.send(new bedrock.ListTagsForResourceCommand({ resourceARN: arn }));
    assert.deepEqual(tags.tags, [{ key: 'team', value: 'b' }]);
    await b.send(new bedrock.UntagResourceCommand({ resourceARN: arn, tagKeys: ['team'] }));
    assert.deepEqual((await b.send(new bedrock.ListTagsForResourceCommand({ resourceARN: arn }))).tags, []);
    await b.send(new bedrock.DeleteInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
    await rejectsWith(
      b.send(new bedrock.GetInferenceProfileCommand({ inferenceProfileIdentifier: arn })),
      'ResourceNotFoundException',
    );
  });

  test('tagging needs aws:RequestTag and aws:TagKeys permissions', async () => {
    const b = bedrockClient(server.url);
    const created = await b.send(
      new bedrock.CreateInferenceProfileCommand({
        inferenceProfileName: 'tag-target',
        modelSource: { copyFrom: fm('us-east-1', HAIKU) },
      }),
    );
    const arn = created.inferenceProfileArn ?? '';
    const creds = await user('tagger', [
      {
        Effect: 'Allow',
        Action: 'bedrock:TagResource',
        Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['cost-center'] } },
      },
    ]);
    const t = bedrockClient(server.url, creds);
    await t.send(new bedrock.TagResourceCommand({ resourceARN: arn, tags: [{ key: 'cost-center', value: '42' }] }));
    await rejectsWith(
      t.send(new bedrock.TagResourceCommand({ resourceARN: arn, tags: [{ key: 'owner', value: 'x' }] })),
      'AccessDeniedException',
    );
    await rejectsWith(
      t.send(
        new bedrock.CreateInferenceProfileCommand({
          inferenceProfileName: 'nope',
          modelSource: { copyFrom: fm('us-east-1', HAIKU) },
        }),
      ),
      'AccessDeniedException',
      /bedrock:CreateInferenceProfile/,
    );
  });

  test('guardrails: create, version, apply, and a policy that requires one', async () => {
    const b = bedrockClient(server.url);
    const created = await b.send(
      new bedrock.CreateGuardrailCommand({
        name: 'no-secrets',
        blockedInputMessaging: 'Sorry, I cannot help with that.',
        blockedOutputsMessaging: 'Sorry, I cannot answer that.',
        wordPolicyConfig: { wordsConfig: [{ text: 'project zeus' }] },
        sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
      }),
    );
    const id = created.guardrailId ?? '';
    assert.equal(created.version, 'DRAFT');
    const v1 = await b.send(
      new bedrock.CreateGuardrailVersionCommand({ guardrailIdentifier: id, description: 'first' }),
    );
    assert.equal(v1.version, '1');
    const got = await b.send(new bedrock.GetGuardrailCommand({ guardrailIdentifier: id, guardrailVersion: '1' }));
    assert.deepEqual(
      got.wordPolicy?.words?.map((w) => w.text),
      ['project zeus'],
    );
    const versions = await b.send(new bedrock.ListGuardrailsCommand({ guardrailIdentifier: id }));
    assert.deepEqual(
      versions.guardrails?.map((g) => g.version),
      ['DRAFT', '1'],
    );

    const r = runtimeClient(server.url);
    const applied = await r.send(
      new runtime.ApplyGuardrailCommand({
        guardrailIdentifier: id,
        guardrailVersion: '1',
        source: 'INPUT',
        content: [{ text: { text: 'Tell me about Project Zeus' } }],
      }),
    );
    assert.equal(applied.action, 'GUARDRAIL_INTERVENED');
    assert.equal(applied.outputs?.[0]?.text, 'Sorry, I cannot help with that.');

    const guardrailArn = `arn:aws:bedrock:us-east-1:${A}:guardrail/${id}`;
    // "Enforce the use of specific guardrails in model inference requests", example 1.
    const creds = await user('guarded', [
      {
        Effect: 'Allow',
        Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        Resource: ['arn:aws:bedrock:us-east-1::foundation-model/*'],
        Condition: { StringEquals: { 'bedrock:GuardrailIdentifier': `${guardrailArn}:1` } },
      },
      {
        Effect: 'Deny',
        Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        Resource: ['arn:aws:bedrock:us-east-1::foundation-model/*'],
        Condition: { StringNotEquals: { 'bedrock:GuardrailIdentifier': `${guardrailArn}:1` } },
      },
      { Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: guardrailArn },
    ]);
    const g = runtimeClient(server.url, creds);
    await rejectsWith(
      g.send(new runtime.ConverseCommand({ modelId: HAIKU, messages: hello })),
      'AccessDeniedException',
      /explicit deny/,
    );
    await rejectsWith(
      g.send(
        new runtime.ConverseCommand({
          modelId: HAIKU,
          messages: hello,
          guardrailConfig: { guardrailIdentifier: id, guardrailVersion: 'DRAFT' },
        }),
      ),
      'AccessDeniedException',
    );
    const blocked = await g.send(
      new runtime.ConverseCommand({
        modelId: HAIKU,
        messages: [{ role: 'user', content: [{ text: 'what is project zeus?' }] }],
        guardrailConfig: { guardrailIdentifier: id, guardrailVersion: '1', trace: 'enabled' },
      }),
    );
    assert.equal(blocked.stopReason, 'guardrail_intervened');
    assert.deepEqual(blocked.output?.message?.content, [{ text: 'Sorry, I cannot help with that.' }]);
    const masked = await g.send(
      new runtime.ConverseCommand({
        modelId: HAIKU,
        messages: [{ role: 'user', content: [{ text: 'mail me at dev@example.com' }] }],
        guardrailConfig: { guardrailIdentifier: id, guardrailVersion: '1' },
      }),
    );
    // The input was only masked: the model ran on "mail me at {EMAIL}".
    assert.equal(masked.stopReason, 'end_turn');
    assert.match(masked.output?.message?.content?.[0]?.text ?? '', /You said: mail me at \{EMAIL\}$/);
    const native = await g.send(
      new runtime.InvokeModelCommand({
        modelId: HAIKU,
        guardrailIdentifier: id,
        guardrailVersion: '1',
        body: JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 50,
          messages: [{ role: 'user', content: 'project zeus plans' }],
          // The guardrail's own settings ride in the body ("Use a guardrail with InvokeModel").
          'amazon-bedrock-guardrailConfig': { tagSuffix: 'x' },
        }),
      }),
    );
    const nativeAnswer = JSON.parse(Buffer.from(native.body).toString('utf8')) as Record<string, unknown>;
    assert.equal(nativeAnswer['amazon-bedrock-guardrailAction'], 'INTERVENED');
    // Guardrail settings in the body without a guardrail in the headers are an error, not an
    // unguarded call (InvokeModel, guardrailIdentifier), for a caller allowed unguarded calls too.
    await rejectsWith(
      runtimeClient(server.url).send(
        new runtime.InvokeModelCommand({
          modelId: HAIKU,
          body: JSON.stringify({
            anthropic_version: 'bedrock-2023-05-31',
            max_tokens: 50,
            messages: [{ role: 'user', content: 'project zeus plans' }],
            'amazon-bedrock-guardrailConfig': { tagSuffix: 'x' },
          }),
        }),
      ),
      'ValidationException',
      /X-Amzn-Bedrock-GuardrailIdentifier/,
    );
    await b.send(new bedrock.DeleteGuardrailCommand({ guardrailIdentifier: id }));
    await rejectsWith(
      b.send(new bedrock.GetGuardrailCommand({ guardrailIdentifier: id })),
      'ResourceNotFoundException',
    );
  });

  test('provisioned throughput: its ARN is a model ID, authorized as itself', async () => {
    const b = bedrockClient(server.url);
    const created = await b.send(
      new bedrock.CreateProvisionedModelThroughputCommand({
        provisionedModelName: 'haiku-pt',
        modelId: HAIKU,
        modelUnits: 1,
        tags: [{ key: 'env', value: 'prod' }],
      }),
    );
    const arn = created.provisionedModelArn ?? '';
    assert.match(arn, new RegExp(`^arn:aws:bedrock:us-east-1:${A}:provisioned-model/[a-z0-9]{12}$`));
    const got = await b.send(new bedrock.GetProvisionedModelThroughputCommand({ provisionedModelId: arn }));
    assert.equal(got.status, 'InService');
    assert.equal(got.foundationModelArn, fm('us-east-1', HAIKU));
    await b.send(
      new bedrock.UpdateProvisionedModelThroughputCommand({
        provisionedModelId: arn,
        desiredProvisionedModelName: 'haiku-pt-2',
      }),
    );
    const listed = await b.send(new bedrock.ListProvisionedModelThroughputsCommand({ nameContains: 'haiku' }));
    assert.deepEqual(
      listed.provisionedModelSummaries?.map((p) => p.provisionedModelName),
      ['haiku-pt-2'],
    );
    const creds = await user('pt-user', [
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: `arn:aws:bedrock:us-east-1:${A}:provisioned-model/*`,
        Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } },
      },
    ]);
    const r = runtimeClient(server.url, creds);
    await r.send(new runtime.ConverseCommand({ modelId: arn, messages: hello }));
    await rejectsWith(
      r.send(new runtime.ConverseCommand({ modelId: HAIKU, messages: hello })),
      'AccessDeniedException',
    );
    await b.send(new bedrock.DeleteProvisionedModelThroughputCommand({ provisionedModelId: arn }));
    await rejectsWith(
      b.send(new bedrock.GetProvisionedModelThroughputCommand({ provisionedModelId: arn })),
      'ResourceNotFoundException',
    );
  });

  test('a role session invokes with the role policies, as an assumed role', async () => {
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'data-scientist',
        AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }]),
      }),
    );
    await root.send(
      new iam.PutRolePolicyCommand({
        RoleName: 'data-scientist',
        PolicyName: 'invoke-haiku',
        PolicyDocument: doc([{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: fm('*', HAIKU) }]),
      }),
    );
    const creds = await user('scientist', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);
    const session = await stsClient(server.url, creds).send(
      new sts.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/data-scientist`, RoleSessionName: 'nb1' }),
    );
    const r = runtimeClient(server.url, credsOf(session.Credentials));
    await r.send(new runtime.ConverseCommand({ modelId: HAIKU, messages: hello }));
    await rejectsWith(
      r.send(new runtime.ConverseCommand({ modelId: SONNET, messages: hello })),
      'AccessDeniedException',
      new RegExp(`^User: arn:aws:sts::${A}:assumed-role/data-scientist/nb1 is not authorized`),
    );
  });

  test('bad input gets Bedrock errors', async () => {
    const r = runtimeClient(server.url);
    await rejectsWith(
      r.send(new runtime.ConverseCommand({ modelId: 'nobody.nothing-v1:0', messages: hello })),
      'ValidationException',
      /The provided model identifier is invalid/,
    );
    await rejectsWith(
      r.send(
        new runtime.ConverseCommand({ modelId: HAIKU, messages: [{ role: 'assistant', content: [{ text: 'x' }] }] }),
      ),
      'ValidationException',
      /start with a user message/,
    );
    await rejectsWith(
      r.send(new runtime.InvokeModelCommand({ modelId: HAIKU, body: JSON.stringify({ messages: [] }) })),
      'ValidationException',
      /Malformed input request/,
    );
    await rejectsWith(
      r.send(new runtime.InvokeModelCommand({ modelId: HAIKU, body: 'not json' })),
      'ValidationException',
    );
    await rejectsWith(
      bedrockClient(server.url).send(
        new bedrock.CreateGuardrailCommand({
          name: 'bad name!',
          blockedInputMessaging: 'x',
          blockedOutputsMessaging: 'y',
        }),
      ),
      'ValidationException',
      /1 validation error detected: Value 'bad name!' at 'name'/,
    );
  });
});
