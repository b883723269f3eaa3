/**
 * The one interface every model backend implements. Requests and answers are in the shape of the
 * Bedrock Converse API ("Converse", Amazon Bedrock API Reference): system prompts, messages of
 * content blocks, inference configuration, a stop reason and token usage. Native InvokeModel bodies
 * (Anthropic, Llama, Titan, Nova, Mistral) are translated to and from this shape by the runtime.
 */

import type { CallSignal } from './signal.js';

/** A content block of a message, as Converse writes it. Only `text` is understood by every provider. */
export type ContentBlock =
  | { text: string }
  | { image: { format: string; source: { bytes: Uint8Array } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: Array<{ text: string } | { json: unknown }>; status?: string } };

/** One turn of the conversation. */
export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

/** What a caller asks a model. */
export interface ModelRequest {
  /** The model name the provider knows (the configured upstream name, else the Bedrock model ID). */
  model: string;
  system: string[];
  messages: Message[];
  /** Upper bound on output tokens; the provider's default when absent. */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  /** Aborted when the client disconnects: the provider must abort its upstream call. */
  signal: CallSignal;
  /**
   * Who is calling, for providers that forward it upstream (the bedrock provider sends it as request
   * metadata): the caller's ARN and account.
   */
  caller?: { arn: string; accountId: string };
}

/** Converse stop reasons ("StopReason", Amazon Bedrock API Reference). */
export type StopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered';

/** Token counts of one call. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** A whole answer. */
export interface ModelResponse {
  /** The generated text (providers that return several text blocks join them). */
  text: string;
  stopReason: StopReason;
  usage: Usage;
  /** The stop sequence that ended the answer, when one did (Anthropic's answers name it). */
  stopSequence?: string;
}

/** One event of a streamed answer: text deltas, then exactly one `stop` last. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'stop'; stopReason: StopReason; usage: Usage; stopSequence?: string };

/** A model backend. */
export interface ModelProvider {
  /** The provider's kind, e.g. `echo`, `openai-compatible`. */
  readonly kind: string;
  /** Generates a whole answer. Throws ProviderError. */
  invoke(req: ModelRequest): Promise<ModelResponse>;
  /** Streams an answer. Throws ProviderError (before or during the stream). */
  stream(req: ModelRequest): AsyncIterable<StreamEvent>;
  /** Counts the input tokens the request would use. */
  countTokens(req: Omit<ModelRequest, 'signal'>): Promise<number>;
  /** Releases connection pools. */
  close(): Promise<void>;
}

/**
 * The Bedrock runtime errors a provider failure maps to ("Errors", InvokeModel, Amazon Bedrock API
 * Reference): an upstream timeout is ModelTimeoutException, an upstream error ModelErrorException,
 * upstream overload ThrottlingException or ServiceUnavailableException, a request the upstream
 * refuses as invalid ValidationException.
 */
export type ProviderErrorCode =
  | 'ModelTimeoutException'
  | 'ModelErrorException'
  | 'ThrottlingException'
  | 'ServiceUnavailableException'
  | 'ValidationException'
  | 'ModelNotReadyException';

/** The one error type of src/providers. */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  /** The upstream's HTTP status, when there was one. */
  readonly upstreamStatus?: number;
  constructor(code: ProviderErrorCode, message: string, upstreamStatus?: number) {
    super(message);
    this.name = 'ProviderError';
    this.code = code;
    if (upstreamStatus !== undefined) this.upstreamStatus = upstreamStatus;
  }
}
