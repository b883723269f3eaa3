/**
 * The runtime in front of real provider protocols, end to end: basalt started with a provider file
 * that routes models to a local OpenAI-compatible upstream and a local Anthropic upstream; the AWS
 * SDK calls Converse, ConverseStream and InvokeModel. Upstream failures arrive as Bedrock's errors
 * (before the stream as HTTP errors, during it as exception events), and a client that goes away
 * aborts the upstream call. A bad provider file stops the start with a clear message.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as runtime from '@aws-sdk/client-bedrock-runtime';
import { rejectsWith } from '../support/assertions.js';
import { startBasalt, type TestServer } from '../support/basalt.js';
import { rootCredentials, runtimeClient } from '../support/clients.js';
import {
  startAnthropicUpstream,
  startOpenAiUpstream,
  type TestUpstream,
  UPSTREAM_ANSWER,
} from '../support/upstreams.js';

const LLAMA = 'meta.llama3-8b-instruct-v1:0';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const hello = [{ role: 'user' as const, content: [{ text: 'hello' }] }];

describe('Bedrock runtime over configured providers', { concurrency: false }, () => {
  let openai: TestUpstream;
  let anthropic: TestUpstream;
  let server: TestServer;
  let dir: string;
  before(async () => {
    openai = await startOpenAiUpstream();
    anthropic = await startAnthropicUpstream();
    dir = mkdtempSync(join(tmpdir(), 'basalt-providers-'));
    const config = join(dir, 'providers.yaml');
    writeFileSync(
      config,
      [
        'providers:',
        '  local:',
        '    type: openai-compatible',
        `    baseUrl: ${openai.url}/v1`,
        '    timeoutMs: 2000',
        '  claude:',
        '    type: anthropic',
        `    baseUrl: ${anthropic.url}`,
        '    apiKeyEnv: TEST_ANTHROPIC_KEY',
        'models:',
        '  - id: meta.*',
        '    provider: local',
        '    upstreamModel: llama3.1:8b',
        `  - id: ${HAIKU}`,
        '    provider: claude',
        '    upstreamModel: claude-3-haiku-20240307',
        '',
      ].join('\n'),
    );
    server = await startBasalt({ env: { BASALT_CONFIG: config, TEST_ANTHROPIC_KEY: 'test-key-not-secret' } });
  });
  after(async () => {
    await server?.destroy();
    await openai?.close();
    await anthropic?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('models route to their providers, under their upstream names', async () => {
    const r = runtimeClient(server.url);
    openai.setMode('normal');
    const out = await r.send(
      new runtime.ConverseCommand({ modelId: LLAMA, messages: hello, inferenceConfig: { maxTokens: 50 } }),
    );
    assert.equal(out.output?.message?.content?.[0]?.text, UPSTREAM_ANSWER);
    const sent = openai.requests.at(-1)?.body as { model: string; max_tokens: number };
    assert.equal(sent.model, 'llama3.1:8b');
    assert.equal(sent.max_tokens, 50);
    const claude = await r.send(new runtime.ConverseCommand({ modelId: HAIKU, messages: hello }));
    assert.equal(claude.output?.message?.content?.[0]?.text, UPSTREAM_ANSWER);
    assert.equal((anthropic.requests.at(-1)?.body as { model?: string } | undefined)?.model, 'claude-3-haiku-20240307');
    // Models the file does not route run on echo.
    const echo = await r.send(new runtime.ConverseCommand({ modelId: 'amazon.nova-micro-v1:0', messages: hello }));
    assert.match(echo.output?.message?.content?.[0]?.text ?? '', /built-in echo model/);
  });

  test('a streamed answer arrives in order; the native Llama stream too', async () => {
    const r = runtimeClient(server.url, undefined, true);
    openai.setMode('normal');
    const s = await r.send(new runtime.ConverseStreamCommand({ modelId: LLAMA, messages: hello }));
    let text = '';
    for await (const e of s.stream ?? []) text += e.contentBlockDelta?.delta?.text ?? '';
    assert.equal(text, UPSTREAM_ANSWER);
    const native = await r.send(
      new runtime.InvokeModelWithResponseStreamCommand({ modelId: LLAMA, body: JSON.stringify({ prompt: 'hi' }) }),
    );
    let generation = '';
    for await (const e of native.body ?? []) {
      generation += (JSON.parse(Buffer.from(e.chunk?.bytes ?? []).toString('utf8')) as { generation: string })
        .generation;
    }
    assert.equal(generation, UPSTREAM_ANSWER);
  });

  test('upstream failures are Bedrock errors', async () => {
    const r = runtimeClient(server.url);
    try {
      openai.setMode({ status: 429, message: 'slow down' });
      await rejectsWith(
        r.send(new runtime.ConverseCommand({ modelId: LLAMA, messages: hello })),
        'ThrottlingException',
      );
      openai.setMode({ status: 503 });
      await rejectsWith(
        r.send(new runtime.ConverseCommand({ modelId: LLAMA, messages: hello })),
        'ServiceUnavailableException',
      );
      openai.setMode({ status: 500 });
      await rejectsWith(
        r.send(new runtime.ConverseCommand({ modelId: LLAMA, messages: hello })),
        'ModelErrorException',
      );
      openai.setMode('slow');
      await rejectsWith(
        r.send(new runtime.ConverseCommand({ modelId: LLAMA, messages: hello })),
        'ModelTimeoutException',
      );
      // Before any output, a streamed call fails as an HTTP error too.
      openai.setMode({ status: 429 });
      await rejectsWith(
        r.send(new runtime.ConverseStreamCommand({ modelId: LLAMA, messages: hello })),
        'ThrottlingException',
      );
    } finally {
      openai.setMode('normal');
    }
  });

  test('an upstream that stops mid-stream ends the stream with an exception event', async () => {
    const r = runtimeClient(server.url);
    openai.setMode('hang-mid-stream');
    try {
      const s = await r.send(new runtime.ConverseStreamCommand({ modelId: LLAMA, messages: hello }));
      let text = '';
      await assert.rejects(
        (async () => {
          for await (const e of s.stream ?? []) text += e.contentBlockDelta?.delta?.text ?? '';
        })(),
        (e: Error) => e.name === 'ModelStreamErrorException',
      );
      assert.ok(text.length > 0, 'the first part of the answer arrived before the failure');
    } finally {
      openai.setMode('normal');
    }
  });

  test('a client that goes away aborts the upstream call', async () => {
    openai.setMode('hang-mid-stream');
    try {
      const abort = new AbortController();
      const r = runtimeClient(server.url);
      const count = openai.requests.length;
      const s = await r.send(new runtime.ConverseStreamCommand({ modelId: LLAMA, messages: hello }), {
        abortSignal: abort.signal,
      });
      const stream = s.stream;
      assert.ok(stream);
      const it = stream[Symbol.asyncIterator]();
      await it.next();
      abort.abort();
      await it.return?.();
      const request = openai.requests[count];
      assert.ok(request);
      // Well inside the provider's 2 s timeout: the disconnect, not the timeout, stopped it.
      await openai.waitForAbort(1000, request);
    } finally {
      openai.setMode('normal');
    }
  });

  for (const http2 of [false, true]) {
    test(`a client that goes away during a whole answer (Converse, ${http2 ? 'HTTP/2' : 'HTTP/1.1'}) aborts the upstream call`, async () => {
      openai.setMode('hang-mid-stream');
      try {
        const abort = new AbortController();
        const count = openai.requests.length;
        const call = runtimeClient(server.url, rootCredentials, http2).send(
          new runtime.ConverseCommand({ modelId: LLAMA, messages: hello }),
          { abortSignal: abort.signal },
        );
        const deadline = Date.now() + 5000;
        while (openai.requests.length === count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        const request = openai.requests[count];
        assert.ok(request, 'the call reached the upstream');
        abort.abort();
        await assert.rejects(call, { name: 'AbortError' });
        // Well inside the provider's 2 s timeout: the disconnect, not the timeout, stopped it.
        await openai.waitForAbort(1000, request);
      } finally {
        openai.setMode('normal');
      }
    });
  }

  test('a bad provider file stops the start with a message naming the problem', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'providers:\n  local:\n    type: openai-compatible\n    apiKeyEnv: BASALT_TEST_MISSING_KEY\n');
    const r = spawnSync(
      process.execPath,
      [resolve(import.meta.dirname, '..', '..', 'bin', 'basalt'), 'serve', '--config', bad],
      {
        env: { ...process.env, BASALT_DATA_DIR: join(dir, 'data'), BASALT_PORT: '0' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /bad\.yaml/);
    assert.match(r.stderr, /baseUrl|BASALT_TEST_MISSING_KEY/);
  });
});
