/**
 * The provider configuration file: YAML and JSON, routing (exact ID, longest prefix, `*`, default),
 * secrets from the environment, and a clear error for every way the file can be wrong.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadProviderConfig, ProviderConfigError, ProviderRegistry } from '../../src/providers/config.js';
import { EchoProvider } from '../../src/providers/echo.js';
import type { ModelProvider } from '../../src/providers/types.js';
import { startOpenAiUpstream, UPSTREAM_ANSWER } from '../support/upstreams.js';

const dir = mkdtempSync(join(tmpdir(), 'basalt-providers-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;

/** Writes a configuration file and returns its path. */
function file(text: string, ext = 'yaml'): string {
  serial += 1;
  const path = join(dir, `providers-${serial}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const ENV = { OPENAI_API_KEY: 'sk-from-env-0123456789', ANTHROPIC_API_KEY: 'sk-ant-from-env-0123456789' };

const YAML = `# Providers for the tests
providers:
  local:
    type: openai-compatible
    baseUrl: http://127.0.0.1:9/v1
    apiKeyEnv: OPENAI_API_KEY
    timeoutMs: 5000
    maxConnections: 4
    headers:
      X-Team: research
  claude:
    type: anthropic
    apiKeyEnv: ANTHROPIC_API_KEY
    defaultMaxTokens: 1024
  aws:
    type: bedrock
    region: us-west-2
    maxAttempts: 2
  slow-echo:
    type: echo
    delayMs: 5
models:
  - id: anthropic.claude-3-5-sonnet-20240620-v1:0
    provider: claude
    upstreamModel: claude-3-5-sonnet-20240620
  - id: meta.*
    provider: local
    upstreamModel: llama3
  - id: meta.llama3-70b*
    provider: aws
  - id: amazon.*
    provider: aws
default: slow-echo
`;

/** Loads a configuration and closes it after the check. */
async function withRegistry(path: string, check: (r: ProviderRegistry) => void | Promise<void>): Promise<void> {
  const registry = loadProviderConfig(path, ENV);
  try {
    await check(registry);
  } finally {
    await registry.close();
  }
}

/** Asserts that loading fails with a ProviderConfigError whose message matches every pattern. */
function fails(text: string, patterns: RegExp[], env: Record<string, string> = ENV, ext = 'yaml'): ProviderConfigError {
  const path = file(text, ext);
  try {
    const registry = loadProviderConfig(path, env);
    void registry.close();
  } catch (err) {
    assert.ok(err instanceof ProviderConfigError, String(err));
    assert.ok(err.message.startsWith(`${path}:`), `names the file: ${err.message}`);
    for (const p of patterns) assert.match(err.message, p);
    return err;
  }
  assert.fail('expected a ProviderConfigError');
}

describe('routing', () => {
  test('with no file, every model goes to one echo provider', async () => {
    const registry = loadProviderConfig(undefined);
    const a = registry.resolve('anthropic.claude-v2');
    const b = registry.resolve('meta.llama3-8b-instruct-v1:0');
    assert.equal(a.provider.kind, 'echo');
    assert.equal(a.provider, b.provider);
    assert.equal(a.upstreamModel, 'anthropic.claude-v2');
    assert.equal(a.providerName, 'echo');
    await registry.close();
  });

  test('YAML: exact IDs, the longest prefix, then the default', async () => {
    await withRegistry(file(YAML), (r) => {
      const exact = r.resolve('anthropic.claude-3-5-sonnet-20240620-v1:0');
      assert.equal(exact.providerName, 'claude');
      assert.equal(exact.provider.kind, 'anthropic');
      assert.equal(exact.upstreamModel, 'claude-3-5-sonnet-20240620');

      const prefix = r.resolve('meta.llama3-8b-instruct-v1:0');
      assert.equal(prefix.providerName, 'local');
      assert.equal(prefix.provider.kind, 'openai-compatible');
      assert.equal(prefix.upstreamModel, 'llama3');

      const longer = r.resolve('meta.llama3-70b-instruct-v1:0');
      assert.equal(longer.providerName, 'aws');
      assert.equal(longer.provider.kind, 'bedrock');
      assert.equal(longer.upstreamModel, 'meta.llama3-70b-instruct-v1:0');

      const other = r.resolve('anthropic.claude-v2');
      assert.equal(other.providerName, 'slow-echo');
      assert.equal(other.provider.kind, 'echo');
      assert.equal(other.upstreamModel, 'anthropic.claude-v2');

      assert.equal(r.resolve('meta.').providerName, 'local');
      assert.equal(r.resolve('meta').providerName, 'slow-echo');
      assert.deepEqual(r.warnings, []);
      assert.deepEqual(r.names().sort(), ['aws', 'claude', 'echo', 'local', 'slow-echo']);
    });
  });

  test('JSON works the same way', async () => {
    const json = JSON.stringify({
      providers: { local: { type: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1' } },
      models: [
        { id: 'meta.*', provider: 'local' },
        { id: 'amazon.titan-text-express-v1', provider: 'echo' },
      ],
    });
    await withRegistry(file(json, 'json'), (r) => {
      assert.equal(r.resolve('meta.llama3-8b-instruct-v1:0').providerName, 'local');
      assert.equal(r.resolve('amazon.titan-text-express-v1').providerName, 'echo');
      assert.equal(r.resolve('cohere.command-r-v1:0').providerName, 'echo');
    });
  });

  test('`*` matches every ID but loses to exact IDs and longer prefixes', async () => {
    const yaml = `
providers:
  local: { type: openai-compatible, baseUrl: 'http://127.0.0.1:9' }
models:
  - { id: '*', provider: local, upstreamModel: everything }
  - { id: 'amazon.*', provider: echo }
`;
    await withRegistry(file(yaml), (r) => {
      assert.deepEqual(
        { name: r.resolve('x').providerName, model: r.resolve('x').upstreamModel },
        { name: 'local', model: 'everything' },
      );
      assert.equal(r.resolve('amazon.nova-pro-v1:0').providerName, 'echo');
    });
  });

  test('an empty file, or empty sections, is no providers and no routes', async () => {
    for (const text of ['', 'providers:\nmodels:\n']) {
      await withRegistry(file(text), (r) => {
        assert.equal(r.resolve('anything').provider.kind, 'echo');
      });
    }
  });

  test('a configured provider answers through the registry', async () => {
    const upstream = await startOpenAiUpstream();
    try {
      const yaml = `providers:\n  up: { type: openai-compatible, baseUrl: '${upstream.url}/v1' }\ndefault: up\n`;
      await withRegistry(file(yaml), async (r) => {
        const { provider, upstreamModel } = r.resolve('meta.llama3-8b-instruct-v1:0');
        const res = await provider.invoke({
          model: upstreamModel,
          system: [],
          messages: [{ role: 'user', content: [{ text: 'hi' }] }],
          signal: new AbortController().signal,
        });
        assert.equal(res.text, UPSTREAM_ANSWER);
        assert.deepEqual(upstream.requests.at(-1)?.body, {
          model: 'meta.llama3-8b-instruct-v1:0',
          messages: [{ role: 'user', content: 'hi' }],
          stream: false,
        });
      });
    } finally {
      await upstream.close();
    }
  });

  test('close() closes every provider once', async () => {
    let closed = 0;
    const counting: ModelProvider = Object.assign(new EchoProvider(), {
      close: async () => {
        closed += 1;
      },
    });
    const registry = new ProviderRegistry(new Map([['a', counting]]), [{ pattern: 'x.*', provider: 'a' }], 'a');
    await Promise.all([registry.close(), registry.close()]);
    assert.equal(closed, 1);
    assert.throws(() => new ProviderRegistry(new Map([['a', counting]]), [], 'missing'), /No provider named missing/);
  });
});

describe('secrets', () => {
  test('a literal apiKey works but is reported as a warning, without the key', async () => {
    const yaml = 'providers:\n  p: { type: anthropic, apiKey: sk-literal-secret-123 }\ndefault: p\n';
    await withRegistry(file(yaml), (r) => {
      assert.equal(r.warnings.length, 1);
      assert.match(r.warnings[0] ?? '', /providers\.p\.apiKey is a literal API key/);
      assert.match(r.warnings[0] ?? '', /apiKeyEnv/);
      assert.ok(!(r.warnings[0] ?? '').includes('sk-literal-secret-123'));
    });
  });

  test('a missing environment variable is an error naming the variable', () => {
    fails('providers:\n  p:\n    type: openai-compatible\n    baseUrl: http://x\n    apiKeyEnv: MISSING_KEY\n', [
      /providers\.p\.apiKeyEnv \(line 5\)/,
      /environment variable MISSING_KEY is not set/,
      /export it/,
    ]);
    fails('providers:\n  p: { type: anthropic, apiKeyEnv: EMPTY_KEY }\n', [/EMPTY_KEY is not set or is empty/], {
      EMPTY_KEY: '',
    });
  });

  test('a key pasted into apiKeyEnv is refused without repeating it', () => {
    const err = fails('providers:\n  p: { type: anthropic, apiKeyEnv: sk-ant-api03-abcdef }\n', [
      /providers\.p\.apiKeyEnv/,
      /NAME of the variable/,
    ]);
    assert.ok(!err.message.includes('sk-ant-api03-abcdef'));
    const lower = fails('providers:\n  p: { type: anthropic, apiKeyEnv: abcdef0123456789 }\n', [/is not set/]);
    assert.ok(!lower.message.includes('abcdef0123456789'));
  });

  test('apiKey and apiKeyEnv together are an error', () => {
    fails('providers:\n  p: { type: anthropic, apiKey: k, apiKeyEnv: ANTHROPIC_API_KEY }\n', [
      /providers\.p \(line 2\)/,
      /both apiKey and apiKeyEnv/,
    ]);
  });

  test('no message repeats a string value (it may be a secret in the wrong place)', () => {
    const err = fails('providers:\n  p: { type: anthropic, timeoutMs: sk-secret-value }\n', [/timeoutMs/, /a string/]);
    assert.ok(!err.message.includes('sk-secret-value'));
  });
});

describe('errors', () => {
  test('a file that does not exist', () => {
    const path = join(dir, 'absent.yaml');
    assert.throws(
      () => loadProviderConfig(path),
      (err: unknown) =>
        err instanceof ProviderConfigError &&
        err.message === `${path}: the file does not exist; check the path of the provider configuration file`,
    );
  });

  test('YAML and JSON syntax errors name the line', () => {
    const flow = fails('providers:\n  p: {type: echo\n', [
      /: line 3, column 1: not valid YAML or JSON \(/,
      /fix the syntax$/,
    ]);
    assert.ok(!flow.message.includes('\n'), 'one line');
    fails('{"providers": {"p": {"type": "echo"}}', [/line 1/, /not valid YAML or JSON/], ENV, 'json');
    fails('providers:\n  p: { type: echo }\n  p: { type: echo }\n', [
      /line 3, column 3: not valid YAML or JSON \(Map keys must be unique\)/,
    ]);
  });

  test('the top level must be a mapping with known keys', () => {
    fails('- a\n- b\n', [/top level/, /must be a mapping/]);
    fails('providers: {}\nmodel: []\n', [/model \(line 2\)/, /unknown key "model"/, /providers, models, default/]);
    fails('Providers: {}\n', [/did you mean providers\?/]);
  });

  test('providers: names, types and keys', () => {
    fails('providers: [a]\n', [/providers \(line 1\)/, /must be a mapping/]);
    fails('providers:\n  "bad name": { type: echo }\n', [/providers\.bad name/, /may contain only letters/]);
    fails('providers:\n  p: { baseUrl: "http://x" }\n', [/providers\.p \(line 2\)/, /missing "type"/]);
    fails('providers:\n  p:\n    type: openai\n', [
      /providers\.p\.type \(line 3\)/,
      /unknown provider type "openai"/,
      /echo, openai-compatible, anthropic, bedrock/,
    ]);
    fails('providers:\n  p:\n    type: openai-compatible\n    baseUrl: http://x\n    apikey: k\n', [
      /providers\.p\.apikey \(line 5\)/,
      /unknown key "apikey" \(did you mean apiKey\?\)/,
      /the keys of a provider of type openai-compatible are type, baseUrl/,
    ]);
    fails('providers:\n  p: { type: bedrock, baseUrl: "http://x" }\n', [/unknown key "baseUrl"/, /type bedrock/]);
  });

  test('provider values', () => {
    fails('providers:\n  p: { type: openai-compatible }\n', [/providers\.p/, /missing "baseUrl"/]);
    fails('providers:\n  p: { type: openai-compatible, baseUrl: "not a url" }\n', [/baseUrl/, /is not a URL/]);
    fails('providers:\n  p: { type: openai-compatible, baseUrl: "ftp://x" }\n', [/http:\/\/ or https:\/\//]);
    fails('providers:\n  p: { type: openai-compatible, baseUrl: "http://u:pw@x" }\n', [/must not contain credentials/]);
    fails('providers:\n  p: { type: openai-compatible, baseUrl: "http://x?a=1" }\n', [/query string/]);
    fails('providers:\n  p: { type: openai-compatible, baseUrl: "http://x", timeoutMs: 0 }\n', [
      /providers\.p\.timeoutMs/,
      /whole number from 1 to/,
    ]);
    fails('providers:\n  p: { type: openai-compatible, baseUrl: "http://x", maxConnections: 2.5 }\n', [
      /maxConnections/,
    ]);
    fails('providers:\n  p: { type: openai-compatible, baseUrl: "http://x", headers: { X-N: 5 } }\n', [
      /providers\.p\.headers\.X-N/,
      /must be a string/,
    ]);
    fails('providers:\n  p: { type: openai-compatible, baseUrl: "http://x", headers: { "a b": c } }\n', [
      /not a valid HTTP header name/,
    ]);
    fails('providers:\n  p: { type: bedrock, region: "US East" }\n', [/providers\.p\.region/, /us-east-1/]);
    fails('providers:\n  p: { type: echo, delayMs: -1 }\n', [/delayMs/]);
  });

  test('models', () => {
    fails('models: { a: b }\n', [/models \(line 1\)/, /must be a list/]);
    fails('models:\n  - provider: echo\n', [/models\[0\]/, /missing "id"/]);
    fails('models:\n  - { id: a, provider: echo, upstream: x }\n', [/models\[0\]\.upstream/, /unknown key/]);
    fails('models:\n  - id: a\n    provider: nowhere\n', [
      /models\[0\]\.provider \(line 3\)/,
      /no provider named "nowhere"/,
      /use one of: echo/,
    ]);
    fails('models:\n  - { id: "meta.*.v1", provider: echo }\n', [/models\[0\]\.id/, /not at the end/]);
    fails('models:\n  - { id: a, provider: echo }\n  - { id: a, provider: echo }\n', [
      /models\[1\]\.id \(line 3\)/,
      /already listed at models\[0\]/,
    ]);
  });

  test('default', () => {
    fails('default: nowhere\n', [/default \(line 1\)/, /no provider named "nowhere"/]);
    fails('default: 5\n', [/default/, /non-empty string/]);
  });

  test('nothing is created when the file is invalid', () => {
    // The first provider is valid; the error comes later. Creating its pool before failing would leak it.
    fails('providers:\n  ok: { type: openai-compatible, baseUrl: "http://x" }\ndefault: nowhere\n', [/default/]);
  });
});
