/**
 * The provider configuration file: which model backends exist and which Bedrock model IDs go where.
 * YAML or JSON (JSON is YAML, so one parser reads both):
 *
 * ```yaml
 * providers:
 *   local:                           # a name of your choice: letters, digits, _ and -
 *     type: openai-compatible        # echo | openai-compatible | anthropic | bedrock
 *     baseUrl: http://127.0.0.1:8000/v1
 *     apiKeyEnv: VLLM_API_KEY        # the NAME of an environment variable holding the key
 *     timeoutMs: 120000
 *     maxConnections: 64
 *     headers: { X-Team: research }
 *   claude:
 *     type: anthropic
 *     apiKeyEnv: ANTHROPIC_API_KEY
 *   aws:
 *     type: bedrock
 *     region: us-east-1
 * models:
 *   - id: anthropic.claude-3-5-sonnet-20240620-v1:0   # an exact Bedrock model ID
 *     provider: claude
 *     upstreamModel: claude-3-5-sonnet-20240620
 *   - id: meta.*                      # a prefix pattern; `*` alone matches every ID
 *     provider: local
 *     upstreamModel: meta-llama/Llama-3.1-8B-Instruct
 *   - id: amazon.*
 *     provider: aws                   # no upstreamModel: the Bedrock model ID is sent as it is
 * default: echo                       # for IDs no entry matches; `echo` (built in) when absent
 * ```
 *
 * Keys per type — echo: delayMs. openai-compatible: baseUrl (required), apiKey, apiKeyEnv, timeoutMs,
 * maxConnections, headers. anthropic: the same (baseUrl defaults to https://api.anthropic.com) and
 * defaultMaxTokens. bedrock: region, endpoint, profile, timeoutMs, maxAttempts (credentials from the
 * AWS SDK's standard chain).
 *
 * Secrets: `apiKeyEnv` names an environment variable, so the file holds no secret and can be
 * committed. A literal `apiKey` is accepted for quick local experiments but is reported in
 * ProviderRegistry.warnings: anyone who can read the file can use the key, and files get copied,
 * committed and attached to bug reports.
 *
 * Validation is strict: an unknown key, type or provider name, a missing environment variable or a
 * malformed value is a ProviderConfigError naming the file, the path in it, its line, and the fix.
 * A provider named `echo` (the built-in echo model) exists unless the file defines its own.
 */

import { readFileSync } from 'node:fs';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { type AnthropicOptions, AnthropicProvider } from './anthropic.js';
import { type BedrockOptions, BedrockProvider } from './bedrock.js';
import { type EchoOptions, EchoProvider } from './echo.js';
import { isRecord } from './http.js';
import { type OpenAiCompatibleOptions, OpenAiCompatibleProvider } from './openai-compatible.js';
import { echoRegistry, type ModelRoute, ProviderRegistry } from './registry.js';
import type { ModelProvider } from './types.js';

export { type ModelRoute, ProviderRegistry, type ResolvedModel } from './registry.js';

/** A problem in the provider configuration file, worded for the operator. */
export class ProviderConfigError extends Error {
  /** The file. */
  readonly file: string;
  /** Where in the file, e.g. `providers.local.apiKeyEnv` (empty for the file as a whole). */
  readonly path: string;
  constructor(file: string, path: string, message: string) {
    super(message);
    this.name = 'ProviderConfigError';
    this.file = file;
    this.path = path;
  }
}

/** The environment to read `apiKeyEnv` variables from. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the provider file and builds its providers. With no path, everything routes to
 * one built-in echo provider. Throws ProviderConfigError for any problem; no provider (and no
 * connection pool) is created unless the whole file is valid.
 */
export function loadProviderConfig(path: string | undefined, env: Environment = process.env): ProviderRegistry {
  if (path === undefined) return echoRegistry();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = isRecord(err) && typeof err.code === 'string' ? err.code : 'unknown error';
    const why = code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code})`;
    throw new ProviderConfigError(path, '', `${path}: ${why}; check the path of the provider configuration file`);
  }
  return parseProviderConfig(text, path, env);
}

/** Validates the text of a provider file (`file` names it in messages) and builds its registry. */
export function parseProviderConfig(text: string, file: string, env: Environment = process.env): ProviderRegistry {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const c = new Checker(file, doc, lines);
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const pos = syntax.linePos?.[0];
    const where = pos === undefined ? '' : ` line ${pos.line}, column ${pos.col}:`;
    // yaml's message ends with its own "at line L, column C:" and then an excerpt: keep the sentence only.
    const what = firstLine(syntax.message).replace(/ at line \d+, column \d+:?$/, '');
    throw new ProviderConfigError(file, '', `${file}:${where} not valid YAML or JSON (${what}); fix the syntax`);
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ProviderConfigError(
      file,
      '',
      `${file}: cannot be read as data (${String(err)}); remove YAML aliases and tags`,
    );
  }
  return build(c, root ?? {}, env);
}

type Path = ReadonlyArray<string | number>;

/** The provider types and the keys each accepts. */
const TYPES = {
  echo: ['type', 'delayMs'],
  'openai-compatible': ['type', 'baseUrl', 'apiKey', 'apiKeyEnv', 'timeoutMs', 'maxConnections', 'headers'],
  anthropic: ['type', 'baseUrl', 'apiKey', 'apiKeyEnv', 'timeoutMs', 'maxConnections', 'headers', 'defaultMaxTokens'],
  bedrock: ['type', 'region', 'endpoint', 'profile', 'timeoutMs', 'maxAttempts'],
} as const;
type ProviderType = keyof typeof TYPES;

/** A validated provider, not yet created. */
type ProviderSpec =
  | { type: 'echo'; options: EchoOptions }
  | { type: 'openai-compatible'; options: OpenAiCompatibleOptions }
  | { type: 'anthropic'; options: AnthropicOptions }
  | { type: 'bedrock'; options: BedrockOptions };

/** The largest timer Node.js accepts (ms). */
const MAX_TIMEOUT = 2_147_483_647;
const NAME = /^[A-Za-z0-9_-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function build(c: Checker, root: unknown, env: Environment): ProviderRegistry {
  const top = c.record(root, []);
  c.keys(top, [], ['providers', 'models', 'default'], 'the top level');
  const warnings: string[] = [];
  const specs = new Map<string, ProviderSpec>();
  // `providers:` or `models:` with nothing after it is null in YAML: the same as leaving it out.
  if (top.providers !== undefined && top.providers !== null) {
    const providers = c.record(top.providers, ['providers']);
    for (const [name, value] of Object.entries(providers)) {
      const path = ['providers', name];
      if (!NAME.test(name)) {
        c.fail(path, `provider name "${name}" may contain only letters, digits, _ and -; rename it`);
      }
      specs.set(name, providerSpec(c, path, value, env, warnings));
    }
  }
  if (!specs.has('echo')) specs.set('echo', { type: 'echo', options: {} });
  const known = (): string => [...specs.keys()].join(', ');

  const routes: ModelRoute[] = [];
  if (top.models !== undefined && top.models !== null) {
    if (!Array.isArray(top.models)) {
      c.fail(['models'], 'must be a list of entries (- id: …, provider: …); write each model as a list item');
    }
    const models: readonly unknown[] = top.models;
    const seen = new Map<string, number>();
    models.forEach((value, i) => {
      const path = ['models', i];
      const entry = c.record(value, path);
      c.keys(entry, path, ['id', 'provider', 'upstreamModel'], 'a models entry');
      const id = c.string(entry, 'id', path, true);
      const provider = c.string(entry, 'provider', path, true);
      const upstreamModel = c.string(entry, 'upstreamModel', path, false);
      if (id.indexOf('*') >= 0 && id.indexOf('*') !== id.length - 1) {
        c.fail([...path, 'id'], `"${id}" has a * that is not at the end; patterns are prefixes like meta.* or *`);
      }
      const first = seen.get(id);
      if (first !== undefined) c.fail([...path, 'id'], `"${id}" is already listed at models[${first}]; keep one entry`);
      seen.set(id, i);
      if (!specs.has(provider)) {
        c.fail(
          [...path, 'provider'],
          `no provider named "${provider}"; define it under providers, or use one of: ${known()}`,
        );
      }
      routes.push({ pattern: id, provider, ...(upstreamModel === undefined ? {} : { upstreamModel }) });
    });
  }

  let defaultProvider = 'echo';
  if (top.default !== undefined) {
    defaultProvider = c.string(top, 'default', [], true);
    if (!specs.has(defaultProvider)) {
      c.fail(['default'], `no provider named "${defaultProvider}"; use one of: ${known()}`);
    }
  }

  const used = new Set([defaultProvider, ...routes.map((r) => r.provider)]);
  for (const name of specs.keys()) {
    if (!used.has(name) && name !== 'echo') {
      warnings.push(`${c.file}: provider "${name}" is defined but no model routes to it and it is not the default`);
    }
  }
  const providers = new Map<string, ModelProvider>();
  for (const [name, spec] of specs) providers.set(name, createProvider(spec));
  return new ProviderRegistry(providers, routes, defaultProvider, warnings);
}

function providerSpec(c: Checker, path: Path, value: unknown, env: Environment, warnings: string[]): ProviderSpec {
  const o = c.record(value, path);
  const typeName = c.string(o, 'type', path, true);
  if (!isProviderType(typeName)) {
    c.fail([...path, 'type'], `unknown provider type "${typeName}"; use one of: ${Object.keys(TYPES).join(', ')}`);
  }
  c.keys(o, path, TYPES[typeName], `a provider of type ${typeName}`);
  const timeoutMs = c.integer(o, 'timeoutMs', path, 1, MAX_TIMEOUT);
  const timeout = timeoutMs === undefined ? {} : { timeoutMs };
  switch (typeName) {
    case 'echo': {
      const delayMs = c.integer(o, 'delayMs', path, 0, MAX_TIMEOUT);
      return { type: 'echo', options: delayMs === undefined ? {} : { delayMs } };
    }
    case 'openai-compatible':
    case 'anthropic': {
      const baseUrl = c.url(o, 'baseUrl', path, typeName === 'openai-compatible');
      const apiKey = readApiKey(c, o, path, env, warnings);
      const maxConnections = c.integer(o, 'maxConnections', path, 1, 10_000);
      const headers = c.headers(o, path);
      const common = {
        ...(apiKey === undefined ? {} : { apiKey }),
        ...timeout,
        ...(maxConnections === undefined ? {} : { maxConnections }),
        ...(headers === undefined ? {} : { headers }),
      };
      if (typeName === 'anthropic') {
        const defaultMaxTokens = c.integer(o, 'defaultMaxTokens', path, 1, 10_000_000);
        return {
          type: 'anthropic',
          options: {
            ...common,
            ...(baseUrl === undefined ? {} : { baseUrl }),
            ...(defaultMaxTokens === undefined ? {} : { defaultMaxTokens }),
          },
        };
      }
      if (baseUrl === undefined) throw new Error('unreachable: baseUrl is required');
      return { type: 'openai-compatible', options: { ...common, baseUrl } };
    }
    case 'bedrock': {
      const region = c.string(o, 'region', path, false);
      if (region !== undefined && !/^[a-z0-9-]+$/.test(region)) {
        c.fail([...path, 'region'], `"${region}" is not an AWS region name; write it like us-east-1`);
      }
      const endpoint = c.url(o, 'endpoint', path, false);
      const profile = c.string(o, 'profile', path, false);
      const maxAttempts = c.integer(o, 'maxAttempts', path, 1, 10);
      return {
        type: 'bedrock',
        options: {
          ...timeout,
          ...(region === undefined ? {} : { region }),
          ...(endpoint === undefined ? {} : { endpoint }),
          ...(profile === undefined ? {} : { profile }),
          ...(maxAttempts === undefined ? {} : { maxAttempts }),
        },
      };
    }
  }
}

/** The API key: from the environment variable `apiKeyEnv` names, or a literal `apiKey` (with a warning). */
function readApiKey(
  c: Checker,
  o: Record<string, unknown>,
  path: Path,
  env: Environment,
  warnings: string[],
): string | undefined {
  const literal = c.string(o, 'apiKey', path, false);
  const varName = c.string(o, 'apiKeyEnv', path, false);
  if (literal !== undefined && varName !== undefined) {
    c.fail(path, 'has both apiKey and apiKeyEnv; keep apiKeyEnv and delete apiKey');
  }
  if (literal !== undefined) {
    warnings.push(
      `${c.file}: ${pathText([...path, 'apiKey'])} is a literal API key in the file; ` +
        'move it to an environment variable and name that variable in apiKeyEnv',
    );
    return literal;
  }
  if (varName === undefined) return undefined;
  // The value is quoted back only when it looks like a conventional variable name: a key pasted here
  // by mistake must not end up in an error message or a log.
  if (!ENV_NAME.test(varName)) {
    c.fail(
      [...path, 'apiKeyEnv'],
      'is not an environment variable name; apiKeyEnv takes the NAME of the variable that holds the key ' +
        '(e.g. OPENAI_API_KEY), not the key itself',
    );
  }
  const value = env[varName];
  if (value === undefined || value === '') {
    const shown = /^[A-Z_][A-Z0-9_]{0,63}$/.test(varName) ? `environment variable ${varName}` : 'the variable it names';
    c.fail(
      [...path, 'apiKeyEnv'],
      `${shown} is not set or is empty; export it before starting basalt, ` +
        'or remove apiKeyEnv if the upstream needs no key',
    );
  }
  return value;
}

function createProvider(spec: ProviderSpec): ModelProvider {
  switch (spec.type) {
    case 'echo':
      return new EchoProvider(spec.options);
    case 'openai-compatible':
      return new OpenAiCompatibleProvider(spec.options);
    case 'anthropic':
      return new AnthropicProvider(spec.options);
    case 'bedrock':
      return new BedrockProvider(spec.options);
  }
}

function isProviderType(name: string): name is ProviderType {
  return Object.hasOwn(TYPES, name);
}

/** `providers.local.apiKeyEnv`, `models[2].id`. */
function pathText(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** Validation helpers that throw ProviderConfigError with the file, the path and its line. */
class Checker {
  readonly file: string;
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(file: string, doc: Document, lines: LineCounter) {
    this.file = file;
    this.#doc = doc;
    this.#lines = lines;
  }

  fail(path: Path, problem: string): never {
    const text = pathText(path);
    const line = this.#line(path);
    const where = `${text === '' ? 'top level' : text}${line === undefined ? '' : ` (line ${line})`}`;
    throw new ProviderConfigError(this.file, text, `${this.file}: ${where}: ${problem}`);
  }

  record(value: unknown, path: Path): Record<string, unknown> {
    if (!isRecord(value)) this.fail(path, `must be a mapping of keys to values, not ${describe(value)}`);
    return value;
  }

  keys(o: Record<string, unknown>, path: Path, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(o)) {
      if (allowed.includes(key)) continue;
      const near = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
      const hint = near === undefined ? '' : ` (did you mean ${near}?)`;
      this.fail([...path, key], `unknown key "${key}"${hint}; the keys of ${what} are ${allowed.join(', ')}`);
    }
  }

  string(o: Record<string, unknown>, key: string, path: Path, required: true): string;
  string(o: Record<string, unknown>, key: string, path: Path, required: false): string | undefined;
  string(o: Record<string, unknown>, key: string, path: Path, required: boolean): string | undefined {
    const value = o[key];
    if (value === undefined || value === null) {
      if (required) this.fail(path, `is missing "${key}"; add it`);
      return undefined;
    }
    if (typeof value !== 'string' || value === '') {
      this.fail([...path, key], `must be a non-empty string, not ${describe(value)}; quote it if needed`);
    }
    return value;
  }

  integer(o: Record<string, unknown>, key: string, path: Path, min: number, max: number): number | undefined {
    const value = o[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail([...path, key], `must be a whole number from ${min} to ${max}, not ${describe(value)}`);
    }
    return value;
  }

  /** An http(s) URL without credentials, query or fragment. */
  url(o: Record<string, unknown>, key: string, path: Path, required: boolean): string | undefined {
    const text = required ? this.string(o, key, path, true) : this.string(o, key, path, false);
    if (text === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      this.fail([...path, key], `"${text}" is not a URL; write it like http://127.0.0.1:8000/v1`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.fail([...path, key], `must be an http:// or https:// URL, not ${url.protocol}`);
    }
    if (url.username !== '' || url.password !== '') {
      this.fail(
        [...path, key],
        'must not contain credentials; put the key in an environment variable named by apiKeyEnv',
      );
    }
    if (url.search !== '' || url.hash !== '') this.fail([...path, key], 'must not have a query string or fragment');
    return text;
  }

  headers(o: Record<string, unknown>, path: Path): Record<string, string> | undefined {
    if (o.headers === undefined || o.headers === null) return undefined;
    const headers = this.record(o.headers, [...path, 'headers']);
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      const at = [...path, 'headers', name];
      if (!HEADER_NAME.test(name)) this.fail(at, `"${name}" is not a valid HTTP header name`);
      if (typeof value !== 'string') this.fail(at, `must be a string, not ${describe(value)}; quote it`);
      if (/[\r\n\0]/.test(value)) this.fail(at, 'must not contain line breaks');
      out[name] = value;
    }
    return out;
  }

  /** The line of the nearest node on the path that the document locates. */
  #line(path: Path): number | undefined {
    for (let n = path.length; n >= 0; n -= 1) {
      const node: unknown = n === 0 ? this.#doc.contents : this.#doc.getIn(path.slice(0, n), true);
      if (isRecord(node) && Array.isArray(node.range) && typeof node.range[0] === 'number') {
        return this.#lines.linePos(node.range[0]).line;
      }
    }
    return undefined;
  }
}

/** A value's kind for messages (never the value of a string: it may be a secret put in the wrong key). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return `${typeof value} ${String(value)}`;
}
