/**
 * The ModelProvider contract, run against every provider: echo directly, and the OpenAI-compatible,
 * Anthropic and Bedrock clients each against its local test upstream (test/support/upstreams.ts).
 * After the contract, the things particular to one provider (headers, request metadata, fallbacks)
 * and the shared helpers (token counter, SSE parser).
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AnthropicProvider } from '../../src/providers/anthropic.js';
import { BedrockProvider, CALLER_ACCOUNT_KEY, CALLER_ARN_KEY, metadataValue } from '../../src/providers/bedrock.js';
import { ECHO_PREAMBLE, EchoProvider } from '../../src/providers/echo.js';
import { statusCode } from '../../src/providers/http.js';
import { OpenAiCompatibleProvider } from '../../src/providers/openai-compatible.js';
import { parseSse } from '../../src/providers/sse.js';
import { countTokens, splitTokens } from '../../src/providers/tokens.js';
import {
  type ModelProvider,
  type ModelRequest,
  ProviderError,
  type ProviderErrorCode,
  type StreamEvent,
} from '../../src/providers/types.js';
import {
  type RecordedRequest,
  startAnthropicUpstream,
  startBedrockUpstream,
  startOpenAiUpstream,
  type TestUpstream,
  type UpstreamMode,
} from '../support/upstreams.js';

/** Static credentials for the Bedrock client (the test upstream does not check signatures). */
const AWS_TEST_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test-secret' };
const API_KEY = 'sk-test-0123456789abcdef';
/** How long "promptly" is. */
const PROMPT_MS = 2000;

/** What the contract needs to know about one provider under test. */
interface Subject {
  provider: ModelProvider;
  /** The same provider with a 300 ms upstream timeout (absent for echo). */
  impatient?: ModelProvider;
  /** A provider whose answers take a while, for abort tests (echo: a per-token delay). */
  slow?: ModelProvider;
  /** Its local upstream (absent for echo). */
  upstream?: TestUpstream;
  /** Reads the max-tokens and stop-sequences parameters out of a recorded upstream request. */
  sent?: { maxTokens(r: RecordedRequest): unknown; stopSequences(r: RecordedRequest): unknown };
  close(): Promise<void>;
}

function request(extra: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model: 'test-model',
    system: ['You are terse.'],
    messages: [
      { role: 'user', content: [{ text: 'Hello there' }] },
      { role: 'assistant', content: [{ text: 'Hi.' }] },
      { role: 'user', content: [{ text: 'Say something, please.' }] },
    ],
    signal: new AbortController().signal,
    ...extra,
  };
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

function textOfEvents(events: readonly StreamEvent[]): string {
  return events.map((e) => (e.type === 'text' ? e.text : '')).join('');
}

/** Asserts that the promise rejects with a ProviderError of this code. */
async function rejectsWith(promise: Promise<unknown>, code: ProviderErrorCode): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected ProviderError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ProviderError ${code}, but it resolved`);
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Waits until the upstream has recorded more than `count` requests. */
async function nextRequest(upstream: TestUpstream, count: number): Promise<RecordedRequest> {
  const until = Date.now() + PROMPT_MS;
  while (upstream.requests.length <= count) {
    if (Date.now() > until) assert.fail('the upstream received no request');
    await new Promise((r) => setTimeout(r, 5));
  }
  const last = upstream.requests.at(-1);
  assert.ok(last);
  return last;
}

/** The contract: every provider passes these. */
function providerContract(name: string, factory: () => Promise<Subject>): void {
  describe(`ModelProvider contract: ${name}`, () => {
    let s: Subject;
    before(async () => {
      s = await factory();
    });
    after(async () => {
      await s.close();
    });
    const withUpstream = (): { upstream: TestUpstream; impatient: ModelProvider } | undefined =>
      s.upstream !== undefined && s.impatient !== undefined
        ? { upstream: s.upstream, impatient: s.impatient }
        : undefined;

    /** Runs `body` with the upstream in `mode`, then puts it back to normal. */
    async function inMode(mode: UpstreamMode, body: (u: TestUpstream) => Promise<void>): Promise<void> {
      const u = s.upstream;
      if (u === undefined) return;
      u.setMode(mode);
      try {
        await body(u);
      } finally {
        u.setMode('normal');
      }
    }

    test('invoke returns text, usage and a stop reason', async () => {
      const res = await s.provider.invoke(request());
      assert.equal(typeof res.text, 'string');
      assert.ok(res.text.length > 0);
      assert.equal(res.stopReason, 'end_turn');
      assert.ok(res.usage.inputTokens > 0);
      assert.ok(res.usage.outputTokens > 0);
    });

    test('stream yields text events, then exactly one stop event, and matches invoke', async () => {
      const whole = await s.provider.invoke(request());
      const events = await collect(s.provider.stream(request()));
      const stops = events.filter((e) => e.type === 'stop');
      assert.equal(stops.length, 1);
      const last = events.at(-1);
      assert.ok(last !== undefined && last.type === 'stop');
      assert.ok(events.length > 2, 'more than one text event');
      for (const e of events.slice(0, -1)) assert.equal(e.type, 'text');
      assert.equal(textOfEvents(events), whole.text);
      assert.equal(last.stopReason, whole.stopReason);
      assert.deepEqual(last.usage, whole.usage);
    });

    test('maxTokens is respected', async () => {
      const count = s.upstream?.requests.length ?? 0;
      const res = await s.provider.invoke(request({ maxTokens: 3 }));
      assert.equal(res.stopReason, 'max_tokens');
      assert.ok(res.usage.outputTokens <= 3);
      if (s.upstream === undefined) {
        assert.equal(res.usage.outputTokens, 3);
        assert.equal(countTokens(res.text), 3);
        assert.ok(ECHO_PREAMBLE.startsWith(res.text));
      } else {
        const recorded = await nextRequest(s.upstream, count);
        assert.equal(s.sent?.maxTokens(recorded), 3);
      }
      const events = await collect(s.provider.stream(request({ maxTokens: 3 })));
      assert.equal(textOfEvents(events), res.text);
      assert.deepEqual(events.at(-1), { type: 'stop', stopReason: 'max_tokens', usage: res.usage });
    });

    test('stopSequences reach the model and cut the answer', async () => {
      const count = s.upstream?.requests.length ?? 0;
      const full = (await s.provider.invoke(request())).text;
      const words = full.split(' ');
      const stop = ` ${words[2] ?? ''}`;
      const res = await s.provider.invoke(request({ stopSequences: ['never-appears', stop] }));
      assert.equal(res.text, full.slice(0, full.indexOf(stop)));
      if (s.upstream === undefined) {
        assert.equal(res.stopReason, 'stop_sequence');
      } else {
        const recorded = await nextRequest(s.upstream, count + 1);
        assert.deepEqual(s.sent?.stopSequences(recorded), ['never-appears', stop]);
        // OpenAI reports a stop sequence as `stop`, indistinguishable from a natural end.
        assert.ok(res.stopReason === 'stop_sequence' || res.stopReason === 'end_turn', res.stopReason);
      }
    });

    test('an already aborted signal rejects at once, without calling the upstream', async () => {
      const count = s.upstream?.requests.length ?? 0;
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(s.provider.invoke(request({ signal: controller.signal })), isAbort);
      await assert.rejects(collect(s.provider.stream(request({ signal: controller.signal }))), isAbort);
      assert.equal(s.upstream?.requests.length ?? 0, count);
    });

    test('aborting during invoke rejects promptly, with the abort reason, and the upstream sees it', async () => {
      const controller = new AbortController();
      const reason = new DOMException('The client went away', 'AbortError');
      const isReason = (err: unknown): boolean => err === reason;
      const started = Date.now();
      if (s.upstream === undefined) {
        assert.ok(s.slow);
        const call = s.slow.invoke(request({ signal: controller.signal }));
        setTimeout(() => controller.abort(reason), 30);
        await assert.rejects(call, isReason);
      } else {
        await inMode('slow', async (u) => {
          const count = u.requests.length;
          const call = s.provider.invoke(request({ signal: controller.signal }));
          call.catch(() => {});
          const recorded = await nextRequest(u, count);
          controller.abort(reason);
          await assert.rejects(call, isReason);
          await u.waitForAbort(PROMPT_MS, recorded);
        });
      }
      assert.ok(Date.now() - started < PROMPT_MS, 'rejected promptly');
    });

    test('aborting during a stream ends it promptly and the upstream sees the disconnect', async () => {
      const controller = new AbortController();
      const provider = s.upstream === undefined ? s.slow : s.provider;
      assert.ok(provider);
      s.upstream?.setMode('hang-mid-stream');
      try {
        const count = s.upstream?.requests.length ?? 0;
        const iterator = provider.stream(request({ signal: controller.signal }))[Symbol.asyncIterator]();
        const first = await iterator.next();
        assert.equal(first.done, false);
        assert.equal(first.value?.type, 'text');
        const started = Date.now();
        controller.abort();
        const drain = async (): Promise<void> => {
          for (;;) if ((await iterator.next()).done) throw new Error('the stream ended without an error');
        };
        await assert.rejects(drain(), isAbort);
        assert.ok(Date.now() - started < PROMPT_MS, 'ended promptly');
        if (s.upstream !== undefined) await s.upstream.waitForAbort(PROMPT_MS, await nextRequest(s.upstream, count));
      } finally {
        s.upstream?.setMode('normal');
      }
    });

    test('breaking out of a stream early releases the upstream request', async () => {
      const u = s.upstream;
      if (u === undefined) {
        // Echo has nothing to release; breaking must simply work.
        for await (const e of s.provider.stream(request())) if (e.type === 'text') break;
        return;
      }
      await inMode('hang-mid-stream', async () => {
        const count = u.requests.length;
        for await (const e of s.provider.stream(request())) if (e.type === 'text') break;
        await u.waitForAbort(PROMPT_MS, await nextRequest(u, count));
      });
    });

    // Upstream failures: only the providers that have an upstream register these.
    if (name !== 'echo') {
      test('an upstream timeout is ModelTimeoutException', async () => {
        const x = withUpstream();
        assert.ok(x);
        await inMode({ slowMs: 5000 }, async () => {
          const started = Date.now();
          await rejectsWith(x.impatient.invoke(request()), 'ModelTimeoutException');
          assert.ok(Date.now() - started < PROMPT_MS);
        });
        await inMode('hang-mid-stream', async () => {
          await rejectsWith(collect(x.impatient.stream(request())), 'ModelTimeoutException');
          await rejectsWith(x.impatient.invoke(request()), 'ModelTimeoutException');
        });
      });

      const statuses: Array<[number, ProviderErrorCode]> = [
        [429, 'ThrottlingException'],
        [503, 'ServiceUnavailableException'],
        [500, 'ModelErrorException'],
        [400, 'ValidationException'],
      ];
      for (const [status, code] of statuses) {
        test(`upstream ${status} is ${code}`, async () => {
          await inMode({ status, message: `upstream says ${status}` }, async () => {
            const err = await rejectsWith(s.provider.invoke(request()), code);
            if (code === 'ValidationException') assert.match(err.message, /upstream says 400/);
            await rejectsWith(collect(s.provider.stream(request())), code);
          });
        });
      }

      test('a malformed upstream body is ModelErrorException', async () => {
        await inMode('malformed', async () => {
          await rejectsWith(s.provider.invoke(request()), 'ModelErrorException');
          await rejectsWith(collect(s.provider.stream(request())), 'ModelErrorException');
        });
      });
    }

    test('countTokens is positive', async () => {
      const { signal: _, ...rest } = request();
      assert.ok((await s.provider.countTokens(rest)) > 0);
    });
  });
}

providerContract('echo', async () => {
  const provider = new EchoProvider();
  const slow = new EchoProvider({ delayMs: 20 });
  return { provider, slow, close: async () => {} };
});

providerContract('openai-compatible', async () => {
  const upstream = await startOpenAiUpstream();
  const options = { baseUrl: `${upstream.url}/v1`, apiKey: API_KEY };
  const provider = new OpenAiCompatibleProvider(options);
  const impatient = new OpenAiCompatibleProvider({ ...options, timeoutMs: 300 });
  return {
    provider,
    impatient,
    upstream,
    sent: { maxTokens: (r) => field(r.body, 'max_tokens'), stopSequences: (r) => field(r.body, 'stop') },
    close: async () => {
      await Promise.all([provider.close(), impatient.close()]);
      await upstream.close();
    },
  };
});

providerContract('anthropic', async () => {
  const upstream = await startAnthropicUpstream();
  const options = { baseUrl: upstream.url, apiKey: API_KEY };
  const provider = new AnthropicProvider(options);
  const impatient = new AnthropicProvider({ ...options, timeoutMs: 300 });
  return {
    provider,
    impatient,
    upstream,
    sent: { maxTokens: (r) => field(r.body, 'max_tokens'), stopSequences: (r) => field(r.body, 'stop_sequences') },
    close: async () => {
      await Promise.all([provider.close(), impatient.close()]);
      await upstream.close();
    },
  };
});

providerContract('bedrock', async () => {
  const upstream = await startBedrockUpstream();
  const options = { region: 'us-east-1', endpoint: upstream.url, credentials: AWS_TEST_CREDENTIALS };
  const provider = new BedrockProvider(options);
  const impatient = new BedrockProvider({ ...options, timeoutMs: 300 });
  const inference = (r: RecordedRequest): unknown => field(r.body, 'inferenceConfig');
  return {
    provider,
    impatient,
    upstream,
    sent: {
      maxTokens: (r) => field(inference(r), 'maxTokens'),
      stopSequences: (r) => field(inference(r), 'stopSequences'),
    },
    close: async () => {
      await Promise.all([provider.close(), impatient.close()]);
      await upstream.close();
    },
  };
});

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Object.getOwnPropertyDescriptor(value, name)?.value : undefined;
}

// -------------------------------------------------------------------------------------------------
// Particular to one provider.

describe('echo', () => {
  test('says what it is and repeats the last user message', async () => {
    const res = await new EchoProvider().invoke(request());
    assert.equal(res.text, `${ECHO_PREAMBLE}Say something, please.`);
    assert.match(res.text, /built-in echo model, not a language model/);
  });

  test('streams one event per token and stops at the first stop sequence or token limit', async () => {
    const echo = new EchoProvider();
    const events = await collect(echo.stream(request()));
    const answer = `${ECHO_PREAMBLE}Say something, please.`;
    assert.equal(events.length - 1, countTokens(answer));
    const cut = await echo.invoke(request({ stopSequences: ['something'], maxTokens: 100 }));
    assert.equal(cut.text, `${ECHO_PREAMBLE}Say `);
    assert.equal(cut.stopReason, 'stop_sequence');
    const short = await echo.invoke(request({ stopSequences: ['something'], maxTokens: 2 }));
    assert.equal(short.text, 'This is');
    assert.equal(short.stopReason, 'max_tokens');
  });

  test('input tokens count the system prompt and every message', async () => {
    const res = await new EchoProvider().invoke(request());
    const expected = countTokens('You are terse.') + countTokens('Hello there Hi. Say something, please.');
    assert.equal(res.usage.inputTokens, expected);
    assert.equal(res.usage.outputTokens, countTokens(res.text));
  });
});

describe('openai-compatible specifics', () => {
  let upstream: TestUpstream;
  before(async () => {
    upstream = await startOpenAiUpstream();
  });
  after(() => upstream.close());

  test('sends the API key as a bearer token, extra headers, and the request mapping', async () => {
    const p = new OpenAiCompatibleProvider({
      baseUrl: `${upstream.url}/v1`,
      apiKey: API_KEY,
      headers: { 'X-Team': 'a' },
    });
    try {
      await p.invoke(request({ temperature: 0.5, topP: 0.9 }));
      const r = upstream.requests.at(-1);
      assert.ok(r);
      assert.equal(r.path, '/v1/chat/completions');
      assert.equal(r.headers.authorization, `Bearer ${API_KEY}`);
      assert.equal(r.headers['x-team'], 'a');
      assert.deepEqual(r.body, {
        model: 'test-model',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hello there' },
          { role: 'assistant', content: 'Hi.' },
          { role: 'user', content: 'Say something, please.' },
        ],
        stream: false,
        temperature: 0.5,
        top_p: 0.9,
      });
      await collect(p.stream(request()));
      assert.deepEqual(field(upstream.requests.at(-1)?.body, 'stream_options'), { include_usage: true });
    } finally {
      await p.close();
    }
  });

  test('sends no authorization header without a key', async () => {
    const p = new OpenAiCompatibleProvider({ baseUrl: `${upstream.url}/v1` });
    try {
      await p.invoke(request());
      assert.equal(upstream.requests.at(-1)?.headers.authorization, undefined);
    } finally {
      await p.close();
    }
  });

  test('never repeats the API key in an error message', async () => {
    const p = new OpenAiCompatibleProvider({ baseUrl: `${upstream.url}/v1`, apiKey: API_KEY });
    upstream.setMode({ status: 401, message: `Incorrect API key provided: ${API_KEY}` });
    try {
      const err = await rejectsWith(p.invoke(request()), 'ModelErrorException');
      assert.ok(!err.message.includes(API_KEY), err.message);
      assert.match(err.message, /\[redacted\]/);
    } finally {
      upstream.setMode('normal');
      await p.close();
    }
  });

  test('refuses content it cannot send as text', async () => {
    const p = new OpenAiCompatibleProvider({ baseUrl: `${upstream.url}/v1` });
    const count = upstream.requests.length;
    try {
      const image = { image: { format: 'png', source: { bytes: new Uint8Array([1]) } } };
      await rejectsWith(
        p.invoke(request({ messages: [{ role: 'user', content: [{ text: 'look' }, image] }] })),
        'ValidationException',
      );
      assert.equal(upstream.requests.length, count);
    } finally {
      await p.close();
    }
  });

  test("vLLM's stop_reason tells a stop sequence from a natural end", async () => {
    const vllm = await startOpenAiUpstream({ flavor: 'vllm' });
    const p = new OpenAiCompatibleProvider({ baseUrl: `${vllm.url}/v1` });
    try {
      const cut = await p.invoke(request({ stopSequences: [' local'] }));
      assert.deepEqual([cut.text, cut.stopReason], ['Hello from the', 'stop_sequence']);
      const events = await collect(p.stream(request({ stopSequences: [' local'] })));
      const last = events.at(-1);
      assert.equal(last?.type === 'stop' ? last.stopReason : last, 'stop_sequence');
      assert.equal((await p.invoke(request())).stopReason, 'end_turn');
    } finally {
      await p.close();
      await vllm.close();
    }
  });

  test('an unreachable upstream is ServiceUnavailableException', async () => {
    const gone = await startOpenAiUpstream();
    await gone.close();
    const p = new OpenAiCompatibleProvider({ baseUrl: gone.url });
    try {
      await rejectsWith(p.invoke(request()), 'ServiceUnavailableException');
    } finally {
      await p.close();
    }
  });
});

describe('anthropic specifics', () => {
  let upstream: TestUpstream;
  before(async () => {
    upstream = await startAnthropicUpstream();
  });
  after(() => upstream.close());

  test('sends x-api-key, anthropic-version, a default max_tokens and the system prompt', async () => {
    const p = new AnthropicProvider({ baseUrl: upstream.url, apiKey: API_KEY, defaultMaxTokens: 77 });
    try {
      await p.invoke(request());
      const r = upstream.requests.at(-1);
      assert.ok(r);
      assert.equal(r.path, '/v1/messages');
      assert.equal(r.headers['x-api-key'], API_KEY);
      assert.equal(r.headers['anthropic-version'], '2023-06-01');
      assert.equal(field(r.body, 'max_tokens'), 77);
      assert.equal(field(r.body, 'system'), 'You are terse.');
    } finally {
      await p.close();
    }
  });

  test('countTokens asks the upstream, and falls back to the approximation on 404', async () => {
    const p = new AnthropicProvider({ baseUrl: upstream.url, apiKey: API_KEY });
    const { signal: _, ...req } = request();
    try {
      assert.ok((await p.countTokens(req)) > 0);
      assert.equal(upstream.requests.at(-1)?.path, '/v1/messages/count_tokens');
      upstream.setMode({ status: 404 });
      const approx = await p.countTokens(req);
      assert.equal(approx, countTokens('You are terse.') + countTokens('Hello there Hi. Say something, please.'));
      upstream.setMode({ status: 429 });
      await rejectsWith(p.countTokens(req), 'ThrottlingException');
    } finally {
      upstream.setMode('normal');
      await p.close();
    }
  });

  test('529 overloaded_error is ServiceUnavailableException', async () => {
    const p = new AnthropicProvider({ baseUrl: upstream.url, apiKey: API_KEY });
    upstream.setMode({ status: 529 });
    try {
      await rejectsWith(p.invoke(request()), 'ServiceUnavailableException');
    } finally {
      upstream.setMode('normal');
      await p.close();
    }
  });
});

describe('bedrock specifics', () => {
  let upstream: TestUpstream;
  let p: BedrockProvider;
  before(async () => {
    upstream = await startBedrockUpstream();
    p = new BedrockProvider({ region: 'us-east-1', endpoint: upstream.url, credentials: AWS_TEST_CREDENTIALS });
  });
  after(async () => {
    await p.close();
    await upstream.close();
  });

  test('sends the caller as requestMetadata, and the model ID in the path', async () => {
    const caller = { arn: 'arn:aws:iam::123456789012:user/division/alice', accountId: '123456789012' };
    await p.invoke(request({ caller, model: 'anthropic.claude-3-haiku-20240307-v1:0' }));
    const r = upstream.requests.at(-1);
    assert.ok(r);
    assert.equal(decodeURIComponent(r.path), '/model/anthropic.claude-3-haiku-20240307-v1:0/converse');
    assert.deepEqual(field(r.body, 'requestMetadata'), {
      [CALLER_ARN_KEY]: caller.arn,
      [CALLER_ACCOUNT_KEY]: caller.accountId,
    });
    await collect(p.stream(request({ caller })));
    assert.match(upstream.requests.at(-1)?.path ?? '', /\/converse-stream$/);
    assert.ok(field(upstream.requests.at(-1)?.body, 'requestMetadata'));
  });

  test('requestMetadata keys and values fit the Converse constraints', () => {
    const allowed = /^[a-zA-Z0-9\s:_@$#=/+,.-]{1,256}$/;
    assert.match(CALLER_ARN_KEY, allowed);
    assert.match(CALLER_ACCOUNT_KEY, allowed);
    assert.equal(
      metadataValue('arn:aws:sts::123456789012:assumed-role/R/s@x.com'),
      'arn:aws:sts::123456789012:assumed-role/R/s@x.com',
    );
    assert.match(metadataValue(`arn:aws:iam::1:user/${'é'.repeat(300)}`), /^[a-zA-Z0-9 :_@$#=/+,.-]{1,256}$/);
  });

  test('countTokens uses CountTokens', async () => {
    const { signal: _, ...req } = request();
    assert.ok((await p.countTokens(req)) > 0);
    assert.match(upstream.requests.at(-1)?.path ?? '', /\/count-tokens$/);
  });

  test('modeled exceptions map by name', async () => {
    const cases: Array<[UpstreamMode, ProviderErrorCode]> = [
      [{ status: 424, type: 'ModelErrorException' }, 'ModelErrorException'],
      [{ status: 429, type: 'ModelNotReadyException' }, 'ModelNotReadyException'],
      [{ status: 408, type: 'ModelTimeoutException' }, 'ModelTimeoutException'],
      [{ status: 403, type: 'AccessDeniedException' }, 'ModelErrorException'],
      [{ status: 400, type: 'ServiceQuotaExceededException' }, 'ModelErrorException'],
    ];
    try {
      for (const [mode, code] of cases) {
        upstream.setMode(mode);
        await rejectsWith(p.invoke(request()), code);
      }
    } finally {
      upstream.setMode('normal');
    }
  });
});

// -------------------------------------------------------------------------------------------------
// Shared helpers.

describe('tokens', () => {
  test('counts words and punctuation runs, ideographs one by one', () => {
    assert.equal(countTokens(''), 0);
    assert.equal(countTokens('   '), 0);
    assert.equal(countTokens('Hello, world!'), 4);
    assert.equal(countTokens('a...b'), 3);
    assert.equal(countTokens('日本語です'), 5);
    assert.equal(countTokens('naïve café'), 2);
  });

  test('splitTokens gives the text back, one piece per token', () => {
    for (const text of ['', '  ', 'Hello, world!  ', ' leading', 'a\nb\tc', '日本 語 ok?']) {
      const pieces = splitTokens(text);
      assert.equal(pieces.join(''), text);
      if (text.trim() !== '') assert.equal(pieces.length, countTokens(text));
    }
  });
});

describe('statusCode', () => {
  test('maps upstream statuses', () => {
    assert.equal(statusCode(408), 'ModelTimeoutException');
    assert.equal(statusCode(422), 'ValidationException');
    assert.equal(statusCode(502), 'ServiceUnavailableException');
    assert.equal(statusCode(504), 'ServiceUnavailableException');
    assert.equal(statusCode(404), 'ModelErrorException');
  });
});

describe('parseSse', () => {
  async function parse(chunks: string[]): Promise<Array<{ event?: string; data: string }>> {
    async function* source(): AsyncGenerator<Uint8Array> {
      for (const c of chunks) yield Buffer.from(c, 'utf8');
    }
    const out: Array<{ event?: string; data: string }> = [];
    for await (const e of parseSse(source())) out.push(e);
    return out;
  }

  test('handles CRLF, CR and LF, comments, multi-line data and named events', async () => {
    assert.deepEqual(await parse([': hi\r\nevent: a\r\ndata: 1\r\ndata:2\r\n\r\ndata: x\r\rdata: y\n\n']), [
      { event: 'a', data: '1\n2' },
      { data: 'x' },
      { data: 'y' },
    ]);
  });

  test('handles chunks split anywhere, even inside CRLF and inside a character', async () => {
    const text = 'data: héllo\r\n\r\nevent: e\ndata: 日本\n\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 1; i < bytes.length; i += 1) {
      async function* source(): AsyncGenerator<Uint8Array> {
        yield bytes.subarray(0, i);
        yield bytes.subarray(i);
      }
      const out: Array<{ event?: string; data: string }> = [];
      for await (const e of parseSse(source())) out.push(e);
      assert.deepEqual(out, [{ data: 'héllo' }, { event: 'e', data: '日本' }], `split at ${i}`);
    }
  });

  test('drops an event left incomplete at the end', async () => {
    assert.deepEqual(await parse(['data: a\n\ndata: b\n']), [{ data: 'a' }]);
  });
});
