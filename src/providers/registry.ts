/**
 * Routing Bedrock model IDs to providers: an exact ID first, then the longest matching prefix pattern
 * (`meta.*`; `*` alone is the empty prefix and matches everything), then the default provider.
 */

import { EchoProvider } from './echo.js';
import type { ModelProvider } from './types.js';

/** One `models` entry: a Bedrock model ID or `prefix*` pattern, the provider name, the upstream name. */
export interface ModelRoute {
  pattern: string;
  provider: string;
  /** The model name sent upstream; the Bedrock model ID itself when absent. */
  upstreamModel?: string;
}

/** Where a model ID goes. */
export interface ResolvedModel {
  provider: ModelProvider;
  /** The configured name of the provider (for logs and audit). */
  providerName: string;
  /** The model name to put in ModelRequest.model. */
  upstreamModel: string;
}

/**
 * The configured providers and the model routing table. Built by loadProviderConfig (config.ts), or
 * directly by code and tests that bring their own providers. close() closes every provider once.
 */
export class ProviderRegistry {
  /** Things the operator should know about the configuration (e.g. a literal API key in the file). */
  readonly warnings: readonly string[];
  readonly #providers: ReadonlyMap<string, ModelProvider>;
  readonly #exact = new Map<string, ModelRoute>();
  /** Prefix routes, longest prefix first. */
  readonly #prefixes: Array<{ prefix: string; route: ModelRoute }> = [];
  readonly #default: string;
  /** resolve's answers by model ID: the routes never change, and the IDs are the catalog's (a bounded set). */
  readonly #resolved = new Map<string, ResolvedModel>();
  #closed: Promise<void> | undefined;

  /** Throws when a route or the default names a provider that is not in `providers`. */
  constructor(
    providers: ReadonlyMap<string, ModelProvider>,
    routes: readonly ModelRoute[] = [],
    defaultProvider = 'echo',
    warnings: readonly string[] = [],
  ) {
    this.#providers = providers;
    this.#default = defaultProvider;
    this.warnings = warnings;
    for (const name of [defaultProvider, ...routes.map((r) => r.provider)]) {
      if (!providers.has(name)) throw new Error(`No provider named ${name}`);
    }
    for (const route of routes) {
      if (route.pattern.endsWith('*')) this.#prefixes.push({ prefix: route.pattern.slice(0, -1), route });
      else this.#exact.set(route.pattern, route);
    }
    this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The provider and upstream model name for a Bedrock model ID. */
  resolve(modelId: string): ResolvedModel {
    const known = this.#resolved.get(modelId);
    if (known !== undefined) return known;
    const route = this.#exact.get(modelId) ?? this.#prefixes.find((p) => modelId.startsWith(p.prefix))?.route;
    const providerName = route?.provider ?? this.#default;
    const provider = this.#providers.get(providerName);
    // The constructor checked every name, so this cannot happen.
    if (provider === undefined) throw new Error(`No provider named ${providerName}`);
    const resolved = { provider, providerName, upstreamModel: route?.upstreamModel ?? modelId };
    if (this.#resolved.size < 10_000) this.#resolved.set(modelId, resolved);
    return resolved;
  }

  /** The configured provider names. */
  names(): string[] {
    return [...this.#providers.keys()];
  }

  /** Closes every provider (idempotent). */
  close(): Promise<void> {
    this.#closed ??= Promise.all([...this.#providers.values()].map((p) => p.close())).then(() => undefined);
    return this.#closed;
  }
}

/** A registry where everything goes to one built-in echo provider: basalt with no provider file. */
export function echoRegistry(): ProviderRegistry {
  return new ProviderRegistry(new Map([['echo', new EchoProvider()]]));
}
