/**
 * Model providers behind one interface (types.ts): the built-in echo model, OpenAI-compatible
 * servers, the Anthropic Messages API and upstream Amazon Bedrock, and the configuration file that
 * names them and routes Bedrock model IDs to them.
 */

export { ANTHROPIC_VERSION, type AnthropicOptions, AnthropicProvider } from './anthropic.js';
export {
  type BedrockOptions,
  BedrockProvider,
  CALLER_ACCOUNT_KEY,
  CALLER_ARN_KEY,
  metadataValue,
} from './bedrock.js';
export { type Environment, loadProviderConfig, ProviderConfigError, parseProviderConfig } from './config.js';
export { ECHO_PREAMBLE, type EchoOptions, EchoProvider, echoAnswer } from './echo.js';
export { type OpenAiCompatibleOptions, OpenAiCompatibleProvider } from './openai-compatible.js';
export { echoRegistry, type ModelRoute, ProviderRegistry, type ResolvedModel } from './registry.js';
export { countRequestTokens, countTokens, splitTokens } from './tokens.js';
export * from './types.js';
