/**
 * The native InvokeModel bodies of each model family: realistic request bodies (the Bedrock User Guide's
 * examples) decode to the provider request, answers and streams encode to the family's exact shapes with
 * its stop reasons, and bodies the model would refuse are refused in Bedrock's words.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { WireError } from '../../src/protocols/wire-error.js';
import type { ModelResponse, StopReason } from '../../src/providers/types.js';
import {
  decodeNativeRequest,
  encodeNativeResponse,
  isNativeChat,
  type NativeFamily,
  nativeStreamEncoder,
  splitPrompt,
} from '../../src/services/bedrock-runtime/native-formats.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const usage = { inputTokens: 12, outputTokens: 34 };
const metrics = { firstByteLatencyMs: 120.4, latencyMs: 987.6 };
const invocationMetrics = { inputTokenCount: 12, outputTokenCount: 34, invocationLatency: 988, firstByteLatency: 120 };

function answer(stopReason: StopReason, text = 'Hello there.'): ModelResponse {
  return { text, stopReason, usage };
}

/** Asserts a body is refused with exactly this ValidationException message. */
function refuses(family: NativeFamily, body: unknown, message: string): void {
  assert.throws(
    () => decodeNativeRequest(family, body),
    (e: unknown) => e instanceof WireError && e.code === 'ValidationException' && e.message === message,
  );
}

const malformed = (...problems: string[]) =>
  `Malformed input request: ${problems.join(', ')}, please reformat your input and try again.`;

/** A whole stream: start, two deltas, stop. */
function stream(family: NativeFamily, reason: StopReason, options = {}, stopSequence?: string): unknown[] {
  const e = nativeStreamEncoder(family, 'us.anthropic.claude-3-5-sonnet-20240620-v1:0', options);
  return [
    ...e.start(12),
    ...e.text('Hello'),
    ...e.text(''),
    ...e.text(' there.'),
    ...e.stop(reason, usage, metrics, stopSequence),
  ];
}

test('anthropic: a Messages API body with an image decodes to system, blocks and parameters', () => {
  const req = decodeNativeRequest('anthropic', {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 1024,
    system: 'You are a helpful assistant.',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') } },
          { type: 'text', text: "What's in this image?" },
        ],
      },
      { role: 'assistant', content: 'A PNG signature.' },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'sunny', is_error: false }] },
    ],
    temperature: 0.5,
    top_p: 0.9,
    top_k: 250,
    stop_sequences: ['\n\nHuman:'],
  });
  assert.deepEqual(req, {
    system: ['You are a helpful assistant.'],
    messages: [
      {
        role: 'user',
        content: [
          { image: { format: 'png', source: { bytes: new Uint8Array(PNG) } } },
          { text: "What's in this image?" },
        ],
      },
      { role: 'assistant', content: [{ text: 'A PNG signature.' }] },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 'toolu_01', content: [{ text: 'sunny' }], status: 'success' } }],
      },
    ],
    maxTokens: 1024,
    temperature: 0.5,
    topP: 0.9,
    stopSequences: ['\n\nHuman:'],
  });
  const blocks = decodeNativeRequest('anthropic', {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 10,
    system: [{ type: 'text', text: 'Be brief.' }],
    messages: [{ role: 'user', content: 'Hi' }],
  });
  assert.deepEqual(blocks.system, ['Be brief.']);
});

test('anthropic: schema violations are listed in everit wording', () => {
  const messages = [{ role: 'user', content: 'Hello' }];
  refuses(
    'anthropic',
    { max_tokens: 10, messages },
    'Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.',
  );
  refuses(
    'anthropic',
    { anthropic_version: 'bedrock-2023-05-31', messages, stream: true },
    malformed('#: required key [max_tokens] not found', '#: extraneous key [stream] is not permitted'),
  );
  refuses(
    'anthropic',
    { anthropic_version: 'bedrock-2023-05-31', max_tokens: '10', temperature: 1.5, messages },
    malformed('#/max_tokens: expected type: Integer, found: String', '#/temperature: 1.5 is not less or equal to 1'),
  );
  refuses(
    'anthropic',
    { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [] },
    malformed('#/messages: expected minimum item count: 1, found: 0'),
  );
  refuses(
    'anthropic',
    { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [{ role: 'bot', content: [{ type: 'x' }] }] },
    malformed(
      '#/messages/0/role: bot is not a valid enum value',
      '#/messages/0/content/0/type: x is not a valid enum value',
    ),
  );
  refuses('anthropic', [], malformed('#: expected type: JSONObject, found: JSONArray'));
});

test('anthropic: the conversation rules are Anthropic’s, passed through', () => {
  const body = (messages: unknown[]) => ({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages });
  refuses(
    'anthropic',
    body([{ role: 'assistant', content: 'Hi' }]),
    'messages: first message must use the "user" role',
  );
  refuses(
    'anthropic',
    body([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]),
    'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
  );
  refuses('anthropic', body([{ role: 'user', content: '' }]), 'messages: text content blocks must be non-empty');
  // A final assistant turn is a prefill: allowed.
  const prefill = decodeNativeRequest(
    'anthropic',
    body([
      { role: 'user', content: 'Count' },
      { role: 'assistant', content: '1,' },
    ]),
  );
  assert.equal(prefill.messages.length, 2);
});

test('anthropic: the answer names the model, the stop reason and the matched stop sequence', () => {
  const res = encodeNativeResponse('anthropic', answer('stop_sequence'), 'req-1', {
    model: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
    stopSequence: '\n\nHuman:',
  }) as Record<string, unknown>;
  assert.match(String(res.id), /^msg_bdrk_01[A-Za-z0-9]{22}$/);
  assert.deepEqual(
    { ...res, id: 'x' },
    {
      id: 'x',
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-sonnet-20240620',
      content: [{ type: 'text', text: 'Hello there.' }],
      stop_reason: 'stop_sequence',
      stop_sequence: '\n\nHuman:',
      usage: { input_tokens: 12, output_tokens: 34 },
    },
  );
  const stops: Array<[StopReason, string]> = [
    ['end_turn', 'end_turn'],
    ['max_tokens', 'max_tokens'],
    ['tool_use', 'tool_use'],
  ];
  for (const [ours, theirs] of stops) {
    const r = encodeNativeResponse('anthropic', answer(ours)) as Record<string, unknown>;
    assert.equal(r.stop_reason, theirs);
    assert.equal(r.stop_sequence, null);
  }
});

test('anthropic: the stream is message_start … message_stop, the metrics on the last chunk', () => {
  const chunks = stream('anthropic', 'stop_sequence', {}, '###') as Array<Record<string, unknown>>;
  const start = chunks[0] as { message: Record<string, unknown> };
  assert.match(String(start.message.id), /^msg_bdrk_01/);
  assert.deepEqual(
    chunks.map((c) => c.type),
    [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ],
  );
  assert.deepEqual(
    { ...start.message, id: 'x' },
    {
      id: 'x',
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-sonnet-20240620',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 1 },
    },
  );
  assert.deepEqual(chunks.slice(1), [
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there.' } },
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'stop_sequence', stop_sequence: '###' },
      usage: { output_tokens: 34 },
    },
    { type: 'message_stop', 'amazon-bedrock-invocationMetrics': invocationMetrics },
  ]);
});

test('meta: a Llama 3 chat template splits into turns; a bare prompt is one user turn', () => {
  const prompt =
    '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>' +
    '<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>' +
    '<|start_header_id|>assistant<|end_header_id|>\n\nParis.<|eot_id|>' +
    '<|start_header_id|>user<|end_header_id|>\n\nAnd of Spain?<|eot_id|>' +
    '<|start_header_id|>assistant<|end_header_id|>\n\n';
  assert.deepEqual(decodeNativeRequest('meta', { prompt, max_gen_len: 512, temperature: 0.5, top_p: 0.9 }), {
    system: ['You are a helpful assistant.'],
    messages: [
      { role: 'user', content: [{ text: 'What is the capital of France?' }] },
      { role: 'assistant', content: [{ text: 'Paris.' }] },
      { role: 'user', content: [{ text: 'And of Spain?' }] },
    ],
    maxTokens: 512,
    temperature: 0.5,
    topP: 0.9,
  });
  assert.deepEqual(decodeNativeRequest('meta', { prompt: 'Hello, how are you?' }), {
    system: [],
    messages: [{ role: 'user', content: [{ text: 'Hello, how are you?' }] }],
  });
  // Llama 2's template, with its system block.
  assert.deepEqual(
    splitPrompt('<s>[INST] <<SYS>>\nBe terse.\n<</SYS>>\n\nHi [/INST] Hello </s><s>[INST] Bye [/INST]'),
    {
      system: ['Be terse.'],
      messages: [
        { role: 'user', content: [{ text: 'Hi' }] },
        { role: 'assistant', content: [{ text: 'Hello' }] },
        { role: 'user', content: [{ text: 'Bye' }] },
      ],
    },
  );
  refuses('meta', { prompt: 'x', max_gen_len: 0 }, malformed('#/max_gen_len: 0 is not greater or equal to 1'));
  refuses('meta', { max_gen_len: 10 }, malformed('#: required key [prompt] not found'));
});

test('meta: answer and stream, stop and length', () => {
  assert.deepEqual(encodeNativeResponse('meta', answer('max_tokens')), {
    generation: 'Hello there.',
    prompt_token_count: 12,
    generation_token_count: 34,
    stop_reason: 'length',
  });
  assert.equal((encodeNativeResponse('meta', answer('end_turn')) as { stop_reason: string }).stop_reason, 'stop');
  assert.deepEqual(stream('meta', 'end_turn'), [
    { generation: 'Hello', prompt_token_count: 12, generation_token_count: 1, stop_reason: null },
    { generation: ' there.', prompt_token_count: null, generation_token_count: 2, stop_reason: null },
    {
      generation: '',
      prompt_token_count: null,
      generation_token_count: 34,
      stop_reason: 'stop',
      'amazon-bedrock-invocationMetrics': invocationMetrics,
    },
  ]);
});

test('titan-text: inputText and textGenerationConfig; answer, stream and completion reasons', () => {
  assert.deepEqual(
    decodeNativeRequest('titan-text', {
      inputText: 'Write a haiku about the sea.',
      textGenerationConfig: { maxTokenCount: 512, stopSequences: ['|'], temperature: 0, topP: 0.9 },
    }),
    {
      system: [],
      messages: [{ role: 'user', content: [{ text: 'Write a haiku about the sea.' }] }],
      maxTokens: 512,
      temperature: 0,
      topP: 0.9,
      stopSequences: ['|'],
    },
  );
  refuses(
    'titan-text',
    { inputText: 'x', textGenerationConfig: { topP: 2, max_tokens: 5 } },
    malformed(
      '#/textGenerationConfig/topP: 2 is not less or equal to 1',
      '#/textGenerationConfig: extraneous key [max_tokens] is not permitted',
    ),
  );
  assert.deepEqual(encodeNativeResponse('titan-text', answer('end_turn')), {
    inputTextTokenCount: 12,
    results: [{ tokenCount: 34, outputText: 'Hello there.', completionReason: 'FINISH' }],
  });
  const reasons: Array<[StopReason, string]> = [
    ['max_tokens', 'LENGTH'],
    ['stop_sequence', 'STOP_CRITERIA_MET'],
    ['content_filtered', 'CONTENT_FILTERED'],
  ];
  for (const [ours, theirs] of reasons) {
    const r = encodeNativeResponse('titan-text', answer(ours)) as { results: Array<{ completionReason: string }> };
    assert.equal(r.results[0]?.completionReason, theirs);
  }
  assert.deepEqual(stream('titan-text', 'max_tokens'), [
    { outputText: 'Hello', index: 0, totalOutputTextTokenCount: 1, completionReason: null, inputTextTokenCount: 12 },
    {
      outputText: ' there.',
      index: 0,
      totalOutputTextTokenCount: 2,
      completionReason: null,
      inputTextTokenCount: null,
    },
    {
      outputText: '',
      index: 0,
      totalOutputTextTokenCount: 34,
      completionReason: 'LENGTH',
      inputTextTokenCount: 12,
      'amazon-bedrock-invocationMetrics': invocationMetrics,
    },
  ]);
});

test('nova: the messages-v1 schema decodes; answer and stream are Converse-shaped', () => {
  assert.deepEqual(
    decodeNativeRequest('nova', {
      schemaVersion: 'messages-v1',
      system: [{ text: 'Act as a creative writing assistant.' }],
      messages: [
        {
          role: 'user',
          content: [
            { image: { format: 'png', source: { bytes: PNG.toString('base64') } } },
            { text: 'A camping trip' },
          ],
        },
      ],
      inferenceConfig: { max_new_tokens: 500, topP: 0.9, topK: 20, temperature: 0.7, stopSequences: ['END'] },
    }),
    {
      system: ['Act as a creative writing assistant.'],
      messages: [
        {
          role: 'user',
          content: [{ image: { format: 'png', source: { bytes: new Uint8Array(PNG) } } }, { text: 'A camping trip' }],
        },
      ],
      maxTokens: 500,
      temperature: 0.7,
      topP: 0.9,
      stopSequences: ['END'],
    },
  );
  refuses(
    'nova',
    { messages: [{ role: 'user', content: [{ text: 'x' }] }], inferenceConfig: { maxTokens: 0 } },
    malformed('#/inferenceConfig/maxTokens: 0 is not greater or equal to 1'),
  );
  assert.deepEqual(encodeNativeResponse('nova', answer('max_tokens')), {
    output: { message: { content: [{ text: 'Hello there.' }], role: 'assistant' } },
    stopReason: 'max_tokens',
    usage: {
      inputTokens: 12,
      outputTokens: 34,
      totalTokens: 46,
      cacheReadInputTokenCount: 0,
      cacheWriteInputTokenCount: 0,
    },
  });
  assert.deepEqual(stream('nova', 'end_turn'), [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { delta: { text: 'Hello' }, contentBlockIndex: 0 } },
    { contentBlockDelta: { delta: { text: ' there.' }, contentBlockIndex: 0 } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { messageStop: { stopReason: 'end_turn' } },
    {
      metadata: { usage: { inputTokens: 12, outputTokens: 34 }, metrics: {}, trace: {} },
      'amazon-bedrock-invocationMetrics': invocationMetrics,
    },
  ]);
});

test('mistral: the text completion prompt and the chat form', () => {
  const text = {
    prompt: '<s>[INST] What is your favourite condiment? [/INST]',
    max_tokens: 400,
    temperature: 0.7,
    top_p: 0.7,
    top_k: 50,
    stop: ['</s>'],
  };
  assert.deepEqual(decodeNativeRequest('mistral', text), {
    system: [],
    messages: [{ role: 'user', content: [{ text: 'What is your favourite condiment?' }] }],
    maxTokens: 400,
    temperature: 0.7,
    topP: 0.7,
    stopSequences: ['</s>'],
  });
  assert.equal(isNativeChat('mistral', text), false);
  const chat = {
    messages: [
      { role: 'system', content: 'You are a DJ.' },
      { role: 'user', content: 'What is the most popular song on WZPZ?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'v6RMMiRlT', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } }],
      },
      { role: 'tool', tool_call_id: 'v6RMMiRlT', content: 'Elemental Hotel' },
    ],
    max_tokens: 100,
  };
  assert.equal(isNativeChat('mistral', chat), true);
  assert.deepEqual(decodeNativeRequest('mistral', chat), {
    system: ['You are a DJ.'],
    messages: [
      { role: 'user', content: [{ text: 'What is the most popular song on WZPZ?' }] },
      {
        role: 'assistant',
        content: [{ toolUse: { toolUseId: 'v6RMMiRlT', name: 'top_song', input: { sign: 'WZPZ' } } }],
      },
      { role: 'user', content: [{ toolResult: { toolUseId: 'v6RMMiRlT', content: [{ text: 'Elemental Hotel' }] } }] },
    ],
    maxTokens: 100,
  });
  refuses('mistral', { prompt: 'x', top_k: 201 }, malformed('#/top_k: 201 is not less or equal to 200'));
  assert.deepEqual(encodeNativeResponse('mistral', answer('max_tokens')), {
    outputs: [{ text: 'Hello there.', stop_reason: 'length' }],
  });
  assert.deepEqual(encodeNativeResponse('mistral', answer('end_turn'), undefined, { chat: true }), {
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.' }, stop_reason: 'stop' }],
  });
  assert.deepEqual(stream('mistral', 'end_turn'), [
    { outputs: [{ text: 'Hello', stop_reason: null }] },
    { outputs: [{ text: ' there.', stop_reason: null }] },
    { outputs: [{ text: '', stop_reason: 'stop' }], 'amazon-bedrock-invocationMetrics': invocationMetrics },
  ]);
});

test('cohere: Command R message, history and preamble; answer and stream events', () => {
  const body = {
    message: 'And in French?',
    chat_history: [
      { role: 'USER', message: 'Say hello.' },
      { role: 'CHATBOT', message: 'Hello!' },
    ],
    preamble: 'You translate.',
    max_tokens: 100,
    temperature: 0.3,
    p: 0.75,
    k: 0,
    stop_sequences: ['\n\n'],
  };
  const req = decodeNativeRequest('cohere', body);
  assert.deepEqual(req, {
    system: ['You translate.'],
    messages: [
      { role: 'user', content: [{ text: 'Say hello.' }] },
      { role: 'assistant', content: [{ text: 'Hello!' }] },
      { role: 'user', content: [{ text: 'And in French?' }] },
    ],
    maxTokens: 100,
    temperature: 0.3,
    topP: 0.75,
    stopSequences: ['\n\n'],
  });
  refuses(
    'cohere',
    { message: 'x', chat_history: [{ role: 'BOT', message: 'y' }] },
    malformed('#/chat_history/0/role: BOT is not a valid enum value'),
  );
  const res = encodeNativeResponse('cohere', answer('max_tokens', 'Bonjour !'), 'req-42', { request: req }) as Record<
    string,
    unknown
  >;
  assert.match(String(res.generation_id), /^[0-9a-f-]{36}$/);
  assert.deepEqual(
    { ...res, generation_id: 'g' },
    {
      response_id: 'req-42',
      text: 'Bonjour !',
      generation_id: 'g',
      chat_history: [
        { role: 'USER', message: 'Say hello.' },
        { role: 'CHATBOT', message: 'Hello!' },
        { role: 'USER', message: 'And in French?' },
        { role: 'CHATBOT', message: 'Bonjour !' },
      ],
      finish_reason: 'MAX_TOKENS',
    },
  );
  assert.equal(
    (encodeNativeResponse('cohere', answer('end_turn')) as { finish_reason: string }).finish_reason,
    'COMPLETE',
  );
  const chunks = stream('cohere', 'end_turn', { requestId: 'req-42' }) as Array<Record<string, unknown>>;
  const generationId = chunks[0]?.generation_id;
  assert.deepEqual(chunks, [
    { is_finished: false, event_type: 'stream-start', generation_id: generationId },
    { is_finished: false, event_type: 'text-generation', text: 'Hello' },
    { is_finished: false, event_type: 'text-generation', text: ' there.' },
    {
      is_finished: true,
      event_type: 'stream-end',
      response: { response_id: 'req-42', text: 'Hello there.', generation_id: generationId, finish_reason: 'COMPLETE' },
      finish_reason: 'COMPLETE',
      'amazon-bedrock-invocationMetrics': invocationMetrics,
    },
  ]);
});

test('every family maps every stop reason and puts the metrics on the last chunk only', () => {
  const families: NativeFamily[] = ['anthropic', 'meta', 'titan-text', 'nova', 'mistral', 'cohere'];
  const reasons: StopReason[] = [
    'end_turn',
    'tool_use',
    'max_tokens',
    'stop_sequence',
    'guardrail_intervened',
    'content_filtered',
  ];
  for (const family of families) {
    for (const reason of reasons) {
      assert.ok(encodeNativeResponse(family, answer(reason)));
      const chunks = stream(family, reason) as Array<Record<string, unknown>>;
      const carrying = chunks.filter((c) => 'amazon-bedrock-invocationMetrics' in c);
      assert.equal(carrying.length, 1, family);
      assert.equal(carrying[0], chunks.at(-1), family);
    }
  }
});

test('any JSON body either decodes or is refused with a ValidationException', () => {
  const families: NativeFamily[] = ['anthropic', 'meta', 'titan-text', 'nova', 'mistral', 'cohere'];
  const keys = ['anthropic_version', 'max_tokens', 'messages', 'prompt', 'inputText', 'message', 'role', 'content'];
  const value = fc.letrec((tie) => ({
    json: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 2 }),
      fc.dictionary(fc.constantFrom(...keys, 'type', 'text'), tie('json'), { maxKeys: 4 }),
      fc.array(tie('json'), { maxLength: 3 }),
    ),
  })).json;
  fc.assert(
    fc.property(fc.constantFrom(...families), value, (family, body) => {
      try {
        decodeNativeRequest(family, body);
      } catch (e) {
        assert.ok(e instanceof WireError && e.code === 'ValidationException', String(e));
      }
    }),
    { numRuns: 3000 },
  );
});
