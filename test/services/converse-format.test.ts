/**
 * The Converse shapes: a full request decodes (base64 image bytes to Uint8Array), constraint violations
 * are listed in AWS's framework wording, the conversation rules in Bedrock's sentences, and answers and
 * ConverseStream events have the service model's shapes.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { WireError } from '../../src/protocols/wire-error.js';
import {
  converseStreamEncoder,
  decodeConverseRequest,
  encodeConverseResponse,
} from '../../src/services/bedrock-runtime/converse-format.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const user = (text: string) => ({ role: 'user', content: [{ text }] });
const assistant = (text: string) => ({ role: 'assistant', content: [{ text }] });

function refuses(body: unknown, code: string, message: string | RegExp): void {
  assert.throws(
    () => decodeConverseRequest(body),
    (e: unknown) =>
      e instanceof WireError &&
      e.code === code &&
      (typeof message === 'string' ? e.message === message : message.test(e.message)),
  );
}

test('a full Converse request decodes to the provider request and the runtime members', () => {
  const input = decodeConverseRequest({
    messages: [
      {
        role: 'user',
        content: [
          { text: 'What is in this picture?' },
          { image: { format: 'png', source: { bytes: PNG.toString('base64') } } },
          { cachePoint: { type: 'default' } },
        ],
      },
      {
        role: 'assistant',
        content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'describe', input: { detail: 'high' } } }],
      },
      {
        role: 'user',
        content: [
          {
            toolResult: {
              toolUseId: 'tooluse_1',
              content: [{ json: { kind: 'png' } }, { text: 'ok' }],
              status: 'success',
            },
          },
          { guardContent: { text: { text: 'Screen this.', qualifiers: ['guard_content'] } } },
        ],
      },
    ],
    system: [{ text: 'You describe pictures.' }, { cachePoint: { type: 'default' } }],
    inferenceConfig: { maxTokens: 512, temperature: 0.5, topP: 0.9, stopSequences: ['END'] },
    toolConfig: { tools: [{ toolSpec: { name: 'describe', inputSchema: { json: { type: 'object' } } } }] },
    guardrailConfig: { guardrailIdentifier: 'gr1abc', guardrailVersion: 'DRAFT', trace: 'enabled' },
    additionalModelRequestFields: { top_k: 200 },
    additionalModelResponseFieldPaths: ['/stop_sequence'],
    requestMetadata: { project: 'basalt', 'team:owner': 'ml@example.com' },
    performanceConfig: { latency: 'standard' },
  });
  assert.deepEqual(input, {
    request: {
      system: ['You describe pictures.'],
      messages: [
        {
          role: 'user',
          content: [
            { text: 'What is in this picture?' },
            { image: { format: 'png', source: { bytes: new Uint8Array(PNG) } } },
          ],
        },
        {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'describe', input: { detail: 'high' } } }],
        },
        {
          role: 'user',
          content: [
            {
              toolResult: {
                toolUseId: 'tooluse_1',
                content: [{ json: { kind: 'png' } }, { text: 'ok' }],
                status: 'success',
              },
            },
            { text: 'Screen this.' },
          ],
        },
      ],
      maxTokens: 512,
      temperature: 0.5,
      topP: 0.9,
      stopSequences: ['END'],
    },
    guardrail: { identifier: 'gr1abc', version: 'DRAFT', trace: 'enabled' },
    requestMetadata: { project: 'basalt', 'team:owner': 'ml@example.com' },
    additionalModelResponseFieldPaths: ['/stop_sequence'],
    additionalModelRequestFields: { top_k: 200 },
    performanceConfig: { latency: 'standard' },
  });
  // A Uint8Array, not a Buffer: deepEqual above compares prototypes too.
  const image = input.request.messages[0]?.content[1];
  assert.ok(image !== undefined && 'image' in image);
  assert.equal(Object.getPrototypeOf(image.image?.source.bytes), Uint8Array.prototype);
});

test('constraint violations are listed together, list members numbered from 1', () => {
  refuses(
    {},
    'ValidationException',
    "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null",
  );
  refuses(
    { messages: [user('Hi')], inferenceConfig: { maxTokens: 0, temperature: 2, topP: 0.5 } },
    'ValidationException',
    "2 validation errors detected: Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: " +
      "Member must have value greater than or equal to 1; Value '2.0' at 'inferenceConfig.temperature' failed to " +
      'satisfy constraint: Member must have value less than or equal to 1',
  );
  refuses(
    { messages: [{ role: 'system', content: [{ text: 'x' }] }, { role: 'user' }] },
    'ValidationException',
    "2 validation errors detected: Value 'system' at 'messages.1.member.role' failed to satisfy constraint: Member " +
      "must satisfy enum value set: [user, assistant]; Value null at 'messages.2.member.content' failed to satisfy " +
      'constraint: Member must not be null',
  );
  refuses(
    { messages: [{ role: 'user', content: [{ image: { format: 'bmp', source: { bytes: '' } } }] }] },
    'ValidationException',
    "2 validation errors detected: Value 'bmp' at 'messages.1.member.content.1.member.image.format' failed to " +
      "satisfy constraint: Member must satisfy enum value set: [png, jpeg, gif, webp]; Value '' at " +
      "'messages.1.member.content.1.member.image.source.bytes' failed to satisfy constraint: Member must have length " +
      'greater than or equal to 1',
  );
  refuses(
    { messages: [user('Hi')], guardrailConfig: { guardrailIdentifier: 'gr1', guardrailVersion: '0' } },
    'ValidationException',
    "1 validation error detected: Value '0' at 'guardrailConfig.guardrailVersion' failed to satisfy constraint: " +
      'Member must satisfy regular expression pattern: (([1-9][0-9]{0,7})|(DRAFT))',
  );
  refuses(
    { messages: [user('Hi')], system: [{ text: '' }], inferenceConfig: { stopSequences: [''] } },
    'ValidationException',
    new RegExp(
      "^2 validation errors detected: Value '' at 'system\\.1\\.member\\.text' .*; " +
        "Value '' at 'inferenceConfig\\.stopSequences\\.1\\.member'",
    ),
  );
});

test('requestMetadata: at most 16 entries, keys and values in the allowed characters', () => {
  const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
  refuses(
    { messages: [user('Hi')], requestMetadata: many },
    'ValidationException',
    new RegExp(
      "^1 validation error detected: Value '\\{k0=v, .*\\}' at 'requestMetadata' failed to satisfy constraint: " +
        'Member must have length less than or equal to 16$',
    ),
  );
  refuses(
    { messages: [user('Hi')], requestMetadata: { 'bad|key': 'v' } },
    'ValidationException',
    /at 'requestMetadata' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must satisfy /,
  );
  refuses(
    { messages: [user('Hi')], requestMetadata: { key: 'bad;value' } },
    'ValidationException',
    /Map values must satisfy constraint/,
  );
  const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, `v ${i}`]));
  assert.deepEqual(
    decodeConverseRequest({ messages: [user('Hi')], requestMetadata: sixteen }).requestMetadata,
    sixteen,
  );
});

test('the conversation must start with a user message and alternate roles', () => {
  const start =
    'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  const alternate =
    'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between ' +
    'user and assistant roles and try again.';
  refuses({ messages: [] }, 'ValidationException', start);
  refuses({ messages: [assistant('Hello'), user('Hi')] }, 'ValidationException', start);
  refuses({ messages: [user('Hi'), user('Again')] }, 'ValidationException', alternate);
  refuses({ messages: [user('Hi'), assistant('Yes'), assistant('And')] }, 'ValidationException', alternate);
  refuses(
    { messages: [user('Hi'), assistant('\n\n'), user('what?')] },
    'ValidationException',
    'The text field in the ContentBlock object at messages.1.content.0 is blank. ' +
      'Add text to the text field, and try again.',
  );
  refuses(
    { messages: [{ role: 'user', content: [] }] },
    'ValidationException',
    'The content field in the Message object at messages.0 is empty. ' +
      'Add a ContentBlock object to the content field and try again.',
  );
  // A final assistant turn (a prefill) is allowed.
  assert.equal(decodeConverseRequest({ messages: [user('Count'), assistant('1, 2,')] }).request.messages.length, 2);
});

test('members of the wrong JSON type are a SerializationException', () => {
  refuses({ messages: 'Hi' }, 'SerializationException', 'STRING_VALUE can not be converted to a List');
  refuses({ messages: [user('Hi')], inferenceConfig: { maxTokens: '5' } }, 'SerializationException', /an Integer$/);
  refuses(
    { messages: [{ role: 'user', content: [{ image: { format: 'png', source: { bytes: 'not base64!' } } }] }] },
    'SerializationException',
    /Base64/,
  );
  refuses('[]', 'SerializationException', 'STRING_VALUE can not be converted to a Structure');
});

test('the Converse answer, with and without a guardrail trace', () => {
  const res = { text: 'Paris.', stopReason: 'end_turn' as const, usage: { inputTokens: 9, outputTokens: 3 } };
  assert.deepEqual(encodeConverseResponse(res, 412.7), {
    output: { message: { role: 'assistant', content: [{ text: 'Paris.' }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 },
    metrics: { latencyMs: 413 },
  });
  const trace = { inputAssessment: { gr1abc: { topicPolicy: { topics: [] } } } };
  const guarded = encodeConverseResponse({ ...res, stopReason: 'guardrail_intervened' }, 10, trace) as Record<
    string,
    unknown
  >;
  assert.equal(guarded.stopReason, 'guardrail_intervened');
  assert.deepEqual(guarded.trace, { guardrail: trace });
});

test('ConverseStream events carry the members’ structures', () => {
  const e = converseStreamEncoder();
  const events = [
    ...e.start(),
    ...e.text('Par'),
    ...e.text(''),
    ...e.text('is.'),
    ...e.stop('max_tokens', { inputTokens: 9, outputTokens: 3 }, 250.2),
  ];
  assert.deepEqual(events, [
    ['messageStart', { role: 'assistant' }],
    ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Par' } }],
    ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'is.' } }],
    ['contentBlockStop', { contentBlockIndex: 0 }],
    ['messageStop', { stopReason: 'max_tokens' }],
    ['metadata', { usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 }, metrics: { latencyMs: 250 } }],
  ]);
  // No text: no block to stop; a trace rides on metadata.
  const quiet = converseStreamEncoder();
  assert.deepEqual(quiet.stop('guardrail_intervened', { inputTokens: 1, outputTokens: 0 }, 5, { modelOutput: [] }), [
    ['messageStop', { stopReason: 'guardrail_intervened' }],
    [
      'metadata',
      {
        usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 },
        metrics: { latencyMs: 5 },
        trace: { guardrail: { modelOutput: [] } },
      },
    ],
  ]);
});

test('any JSON body either decodes or is refused with a WireError', () => {
  const keys = ['messages', 'role', 'content', 'text', 'image', 'source', 'bytes', 'format', 'inferenceConfig'];
  const value = fc.letrec((tie) => ({
    json: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 2 }),
      fc.dictionary(fc.constantFrom(...keys, 'maxTokens', 'toolUse', 'system'), tie('json'), { maxKeys: 4 }),
      fc.array(tie('json'), { maxLength: 3 }),
    ),
  })).json;
  fc.assert(
    fc.property(value, (body) => {
      try {
        decodeConverseRequest(body);
      } catch (e) {
        assert.ok(
          e instanceof WireError && ['ValidationException', 'SerializationException'].includes(e.code),
          String(e),
        );
      }
    }),
    { numRuns: 3000 },
  );
});
