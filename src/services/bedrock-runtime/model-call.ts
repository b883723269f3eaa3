/**
 * Running a model for the runtime operations: the provider that configuration routes the model to,
 * the caller's identity handed along, and provider failures turned into Bedrock's errors
 * ("Errors", InvokeModel, Amazon Bedrock API Reference).
 */

import type { FoundationModel } from '../../catalog/bedrock-models.js';
import { encodeExceptionEvent } from '../../protocols/event-stream.js';
import { WireError } from '../../protocols/wire-error.js';
import { type ModelRequest, type ModelResponse, ProviderError, type StreamEvent } from '../../providers/types.js';
import type { CallContext } from '../operation.js';
import type { NativeRequest } from './native-formats.js';

/** The provider request for a decoded native or Converse request. */
export function modelRequest(ctx: CallContext, model: FoundationModel, req: NativeRequest): ModelRequest {
  return {
    ...req,
    model: ctx.deps.models.resolve(model.modelId).upstreamModel,
    signal: ctx.signal,
    caller: { arn: ctx.caller.arn, accountId: ctx.caller.accountId },
  };
}

/** A provider failure as the Bedrock error the caller sees; anything else passes through. */
export function bedrockError(e: unknown): unknown {
  if (e instanceof ProviderError) return new WireError(e.code, e.message);
  return e;
}

/** Generates a whole answer on the model's provider. */
export async function invokeModel(ctx: CallContext, model: FoundationModel, req: ModelRequest): Promise<ModelResponse> {
  try {
    return await ctx.deps.models.resolve(model.modelId).provider.invoke(req);
  } catch (e) {
    throw bedrockError(e);
  }
}

/**
 * Starts a stream on the model's provider and waits for its first event, so that a failure before
 * any output is answered as an HTTP error rather than inside a stream that has already said 200.
 */
export async function startStream(
  ctx: CallContext,
  model: FoundationModel,
  req: ModelRequest,
): Promise<{ first: StreamEvent; rest: AsyncIterator<StreamEvent> }> {
  const it = ctx.deps.models.resolve(model.modelId).provider.stream(req)[Symbol.asyncIterator]();
  try {
    const first = await it.next();
    if (first.done === true) throw new WireError('ModelErrorException', 'The model returned an empty stream.');
    return { first: first.value, rest: it };
  } catch (e) {
    throw bedrockError(e);
  }
}

/** The last event of a provider stream. */
export type StopEvent = Extract<StreamEvent, { type: 'stop' }>;

/**
 * Relays a started provider stream as encoded events: each text delta and the final stop through
 * `encode`, and a failure mid-stream as the stream's exception event. The provider's iterator is
 * closed however the relay ends (a client that goes away stops it early).
 */
export async function* relayStream(
  first: StreamEvent,
  rest: AsyncIterator<StreamEvent>,
  encode: { text(delta: string): Buffer[]; stop(event: StopEvent): Buffer[] },
  hasTimeoutMember: boolean,
): AsyncGenerator<Buffer> {
  let event = first;
  try {
    for (;;) {
      if (event.type === 'stop') {
        yield* encode.stop(event);
        return;
      }
      yield* encode.text(event.text);
      const next = await rest.next();
      if (next.done === true) return;
      event = next.value;
    }
  } catch (e) {
    const { type, message } = streamExceptionOf(e, hasTimeoutMember);
    yield encodeExceptionEvent(type, message);
  } finally {
    await rest.return?.();
  }
}

/** Events already encoded, as a stream (a guarded answer is screened whole, then sent). */
export async function* fromEncoded(events: readonly Buffer[]): AsyncGenerator<Buffer> {
  yield* events;
}

/** The event-stream exception member of a failure mid-stream (InvokeModelWithResponseStream, ConverseStream). */
export function streamExceptionOf(e: unknown, hasTimeoutMember: boolean): { type: string; message: string } {
  const error = bedrockError(e);
  if (!(error instanceof WireError)) return { type: 'internalServerException', message: 'An internal error occurred.' };
  switch (error.code) {
    case 'ThrottlingException':
      return { type: 'throttlingException', message: error.message };
    case 'ValidationException':
      return { type: 'validationException', message: error.message };
    case 'ServiceUnavailableException':
      return { type: 'serviceUnavailableException', message: error.message };
    case 'ModelTimeoutException':
      return hasTimeoutMember
        ? { type: 'modelTimeoutException', message: error.message }
        : { type: 'modelStreamErrorException', message: error.message };
    case 'ModelErrorException':
      return { type: 'modelStreamErrorException', message: error.message };
    default:
      return { type: 'internalServerException', message: 'An internal error occurred.' };
  }
}

/** The token-count and latency headers of an InvokeModel answer. */
export function usageHeaders(inputTokens: number, outputTokens: number, latencyMs: number): Record<string, string> {
  return {
    'x-amzn-bedrock-input-token-count': String(inputTokens),
    'x-amzn-bedrock-output-token-count': String(outputTokens),
    'x-amzn-bedrock-invocation-latency': String(Math.round(latencyMs)),
  };
}
