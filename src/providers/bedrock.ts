/**
 * Upstream Amazon Bedrock through the AWS SDK: Converse, ConverseStream and CountTokens ("Converse",
 * "ConverseStream", "CountTokens", Amazon Bedrock API Reference). The request is already in
 * Converse's shape, so content blocks pass through unchanged. Credentials come from the SDK's
 * standard chain (environment, shared config and profile, container and instance roles) unless
 * given; the end user's identity travels as Converse `requestMetadata`, which Bedrock writes to its
 * model invocation logs, so the upstream account can tell basalt's callers apart.
 */

import {
  type ContentBlock as BedrockContentBlock,
  type Message as BedrockMessage,
  BedrockRuntimeClient,
  BedrockRuntimeServiceException,
  type StopReason as BedrockStopReason,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  CountTokensCommand,
  type ImageFormat,
  type ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { asProviderError, DEFAULT_TIMEOUT_MS, statusError } from './http.js';
import type { CallSignal } from './signal.js';
import { countRequestTokens, countTokens } from './tokens.js';
import {
  type ContentBlock,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  ProviderError,
  type ProviderErrorCode,
  type StopReason,
  type StreamEvent,
  type Usage,
} from './types.js';

/** Options of the upstream Bedrock provider. */
export interface BedrockOptions {
  /** The upstream region; the SDK's chain (AWS_REGION, the profile) when absent. */
  region?: string;
  /** An endpoint override, e.g. a VPC endpoint or a local test server. */
  endpoint?: string;
  /** Fixed credentials; the SDK's standard chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A shared config profile for the standard chain. */
  profile?: string;
  /** Time allowed for a whole Converse answer, and for each ConverseStream event (default 300000). */
  timeoutMs?: number;
  /**
   * SDK attempts per call (default 1): basalt's own caller retries throttling and unavailability, and
   * retrying here as well would multiply the attempts and hide the upstream's answer from it.
   */
  maxAttempts?: number;
}

/**
 * requestMetadata keys for the caller. "Converse" (Amazon Bedrock API Reference) allows at most 16
 * entries, keys of 1-256 and values of 0-256 characters matching `[a-zA-Z0-9\s:_@$#=/+,-.]` (`,-.`
 * is a range: comma, hyphen, period), so these keys are valid as they are; values are sanitized.
 */
export const CALLER_ARN_KEY = 'basalt:caller-arn';
/** See CALLER_ARN_KEY. */
export const CALLER_ACCOUNT_KEY = 'basalt:caller-account';

/** A requestMetadata value: characters outside the allowed set become `_`, and at most 256 are kept. */
export function metadataValue(value: string): string {
  return value.replace(/[^a-zA-Z0-9 :_@$#=/+,.-]/g, '_').slice(0, 256);
}

const KIND = 'bedrock';

/**
 * The `bedrock` provider: forwards to Amazon Bedrock with basalt's own AWS credentials. The SDK's
 * exceptions map to the ProviderError of the same name (ThrottlingException, ModelTimeoutException,
 * ServiceUnavailableException, ValidationException, ModelErrorException, ModelNotReadyException); any
 * other modeled exception (access denied to basalt, an unknown model, an internal error) is
 * ModelErrorException, because it is the upstream's failure rather than the caller's.
 */
export class BedrockProvider implements ModelProvider {
  readonly kind = KIND;
  readonly #client: BedrockRuntimeClient;
  readonly #timeoutMs: number;

  constructor(options: BedrockOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#client = new BedrockRuntimeClient({
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      maxAttempts: options.maxAttempts ?? 1,
    });
  }

  async invoke(req: ModelRequest): Promise<ModelResponse> {
    req.signal.throwIfAborted();
    const input = converseInput(req);
    const deadline = new Deadline(req.signal, this.#timeoutMs);
    try {
      const out = await this.#client.send(new ConverseCommand(input), { abortSignal: deadline.signal });
      const content = out.output?.message?.content;
      if (content === undefined)
        throw new ProviderError('ModelErrorException', 'The model upstream returned no message');
      let text = '';
      for (const block of content) if (typeof block.text === 'string') text += block.text;
      return {
        text,
        stopReason: stopReason(out.stopReason),
        usage: usageOf(out.usage?.inputTokens, out.usage?.outputTokens, req, text),
      };
    } catch (err) {
      throw deadline.error(err);
    } finally {
      deadline.dispose();
    }
  }

  async *stream(req: ModelRequest): AsyncGenerator<StreamEvent> {
    req.signal.throwIfAborted();
    const input = converseInput(req);
    const deadline = new Deadline(req.signal, this.#timeoutMs);
    let text = '';
    let reason: StopReason | undefined;
    let input_: number | undefined;
    let output: number | undefined;
    try {
      const out = await this.#client.send(new ConverseStreamCommand(input), { abortSignal: deadline.signal });
      if (out.stream === undefined)
        throw new ProviderError('ModelErrorException', 'The model upstream returned no stream');
      for await (const event of out.stream) {
        deadline.reset();
        const delta = event.contentBlockDelta?.delta?.text;
        if (typeof delta === 'string' && delta !== '') {
          text += delta;
          yield { type: 'text', text: delta };
        }
        if (event.messageStop !== undefined) reason = stopReason(event.messageStop.stopReason);
        if (event.metadata?.usage !== undefined) {
          input_ = event.metadata.usage.inputTokens;
          output = event.metadata.usage.outputTokens;
        }
        const failure = streamException(event);
        if (failure !== undefined) throw failure;
      }
      // An abort or our timeout may end the stream quietly rather than with an error.
      if (deadline.signal.aborted) throw deadline.signal.reason;
    } catch (err) {
      throw deadline.error(err);
    } finally {
      deadline.dispose();
    }
    if (reason === undefined) {
      throw new ProviderError('ModelErrorException', 'The model upstream ended the stream before it finished');
    }
    yield { type: 'stop', stopReason: reason, usage: usageOf(input_, output, req, text) };
  }

  /**
   * Asks CountTokens; a ValidationException there (a model without token counting) falls back to
   * tokens.ts's approximation, any other failure is thrown.
   */
  async countTokens(req: Omit<ModelRequest, 'signal'>): Promise<number> {
    const { messages, system } = converseInput(req);
    const deadline = new Deadline(undefined, this.#timeoutMs);
    try {
      const out = await this.#client.send(
        new CountTokensCommand({
          modelId: req.model,
          input: { converse: { messages, ...(system ? { system } : {}) } },
        }),
        { abortSignal: deadline.signal },
      );
      if (typeof out.inputTokens !== 'number') throw new ProviderError('ModelErrorException', 'No token count');
      return out.inputTokens;
    } catch (err) {
      const mapped = deadline.error(err);
      if (mapped instanceof ProviderError && mapped.code === 'ValidationException') return countRequestTokens(req);
      throw mapped;
    } finally {
      deadline.dispose();
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

/** The Converse input of a request: the same shape, with the caller as requestMetadata. */
function converseInput(req: Omit<ModelRequest, 'signal'>): ConverseCommandInput & { messages: BedrockMessage[] } {
  const input: ConverseCommandInput & { messages: BedrockMessage[] } = {
    modelId: req.model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content.map(bedrockBlock) })),
  };
  if (req.system.length > 0) input.system = req.system.map((text) => ({ text }));
  const inference: NonNullable<ConverseCommandInput['inferenceConfig']> = {};
  if (req.maxTokens !== undefined) inference.maxTokens = req.maxTokens;
  if (req.temperature !== undefined) inference.temperature = req.temperature;
  if (req.topP !== undefined) inference.topP = req.topP;
  if (req.stopSequences !== undefined && req.stopSequences.length > 0) inference.stopSequences = req.stopSequences;
  if (Object.keys(inference).length > 0) input.inferenceConfig = inference;
  if (req.caller !== undefined) {
    input.requestMetadata = {
      [CALLER_ARN_KEY]: metadataValue(req.caller.arn),
      [CALLER_ACCOUNT_KEY]: metadataValue(req.caller.accountId),
    };
  }
  return input;
}

type Document = NonNullable<ToolUseBlock['input']>;
const IMAGE_FORMATS: ReadonlySet<string> = new Set<ImageFormat>(['gif', 'jpeg', 'png', 'webp']);

/** One content block in the SDK's types (the same Converse shape; enums are checked). */
function bedrockBlock(block: ContentBlock): BedrockContentBlock {
  if ('text' in block) return { text: block.text };
  if ('image' in block) {
    const format = block.image.format;
    if (!isImageFormat(format)) {
      throw new ProviderError('ValidationException', `Image format ${format} is not one of gif, jpeg, png, webp`);
    }
    return { image: { format, source: { bytes: block.image.source.bytes } } };
  }
  if ('toolUse' in block) {
    const { toolUseId, name, input } = block.toolUse;
    return { toolUse: { toolUseId, name, input: input as Document } };
  }
  const { toolUseId, content, status } = block.toolResult;
  return {
    toolResult: {
      toolUseId,
      content: content.map((c) => ('text' in c ? { text: c.text } : { json: c.json as Document })),
      ...(status === 'success' || status === 'error' ? { status } : {}),
    },
  };
}

function isImageFormat(format: string): format is ImageFormat {
  return IMAGE_FORMATS.has(format);
}

/**
 * A Converse stop reason as ours: the same words, except the newer `model_context_window_exceeded`
 * (a length stop) and `malformed_model_output` / `malformed_tool_use` (the model ended its turn).
 */
function stopReason(value: BedrockStopReason | undefined): StopReason {
  switch (value) {
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
    case 'guardrail_intervened':
    case 'content_filtered':
      return value;
    case 'model_context_window_exceeded':
      return 'max_tokens';
    default:
      return 'end_turn';
  }
}

/** Usage from the upstream, or tokens.ts's approximation for a count it left out. */
function usageOf(input: number | undefined, output: number | undefined, req: ModelRequest, text: string): Usage {
  return { inputTokens: input ?? countRequestTokens(req), outputTokens: output ?? countTokens(text) };
}

/** The exception members of a ConverseStream event ("ConverseStreamOutput", Amazon Bedrock API Reference). */
function streamException(event: object): ProviderError | undefined {
  const entries: Array<[string, unknown]> = Object.entries(event);
  for (const [member, value] of entries) {
    const code = STREAM_EXCEPTIONS[member];
    if (code === undefined || value === undefined) continue;
    const message = typeof value === 'object' && value !== null && 'message' in value ? String(value.message) : member;
    return new ProviderError(code, code === 'ValidationException' ? message : `The model upstream failed: ${message}`);
  }
  return undefined;
}

const STREAM_EXCEPTIONS: Readonly<Record<string, ProviderErrorCode>> = {
  throttlingException: 'ThrottlingException',
  serviceUnavailableException: 'ServiceUnavailableException',
  validationException: 'ValidationException',
  modelStreamErrorException: 'ModelErrorException',
  internalServerException: 'ModelErrorException',
};

/** SDK exception names that are ProviderError codes as they are. */
const SAME_NAME: ReadonlySet<string> = new Set<ProviderErrorCode>([
  'ThrottlingException',
  'ModelTimeoutException',
  'ServiceUnavailableException',
  'ValidationException',
  'ModelErrorException',
  'ModelNotReadyException',
]);

/**
 * The ProviderError for an SDK error. A modeled exception keeps its name when it is one of ours and is
 * ModelErrorException otherwise; an unmodeled HTTP failure (a proxy between basalt and Bedrock) is
 * mapped by its status like the HTTP providers'; network failures as in http.ts.
 */
function sdkError(err: unknown): unknown {
  if (err instanceof ProviderError) return err;
  if (err instanceof BedrockRuntimeServiceException) {
    const status = err.$metadata.httpStatusCode;
    if (SAME_NAME.has(err.name)) {
      const code = err.name as ProviderErrorCode;
      const message =
        code === 'ValidationException' ? err.message : `The model upstream failed: ${err.name}: ${err.message}`;
      return new ProviderError(code, message, status);
    }
    if (err.$fault === 'client' || err.$fault === 'server') {
      if (isModeled(err.name) || status === undefined) {
        return new ProviderError(
          'ModelErrorException',
          `The model upstream failed: ${err.name}: ${err.message}`,
          status,
        );
      }
      return statusError(status, err.message);
    }
  }
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new ProviderError('ModelTimeoutException', 'The model upstream did not answer in time');
  }
  return asProviderError(err, undefined);
}

/** The Bedrock runtime's other modeled exceptions ("Errors", Converse, Amazon Bedrock API Reference). */
function isModeled(name: string): boolean {
  return [
    'AccessDeniedException',
    'InternalServerException',
    'ResourceNotFoundException',
    'ServiceQuotaExceededException',
    'ConflictException',
    'ModelStreamErrorException',
  ].includes(name);
}

/**
 * The caller's signal combined with our own timeout, which restarts at every stream event: the SDK's
 * own timeouts differ between its HTTP/1.1 and HTTP/2 handlers, and this one behaves the same for both
 * and for a stream that stalls halfway.
 */
class Deadline {
  readonly #controller = new AbortController();
  readonly #parent: CallSignal | undefined;
  readonly #ms: number;
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;
  readonly #onAbort = (): void => this.#controller.abort(this.#parent?.reason);

  constructor(parent: CallSignal | undefined, ms: number) {
    this.#parent = parent;
    this.#ms = ms;
    parent?.addEventListener('abort', this.#onAbort, { once: true });
    this.reset();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Restarts the timeout. */
  reset(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new ProviderError('ModelTimeoutException', 'The model upstream did not answer in time'));
    }, this.#ms);
  }

  /** What to throw for an error: the caller's abort reason, our timeout, or the mapped SDK error. */
  error(err: unknown): unknown {
    if (this.#parent?.aborted) return this.#parent.reason;
    if (this.#timedOut) return new ProviderError('ModelTimeoutException', 'The model upstream did not answer in time');
    return sdkError(err);
  }

  /**
   * Stops the timer and aborts our signal: after a complete call that is a no-op, but a consumer that
   * stopped reading a stream early leaves the SDK's HTTP/2 stream open until it is aborted.
   */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#parent?.removeEventListener('abort', this.#onAbort);
    this.#controller.abort();
  }
}
