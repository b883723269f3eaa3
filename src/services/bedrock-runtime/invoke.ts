/**
 * InvokeModel and InvokeModelWithResponseStream (Amazon Bedrock API Reference): the model's native
 * body in and out, optionally screened by a guardrail named in the X-Amzn-Bedrock-Guardrail*
 * headers. Token usage is reported in the X-Amzn-Bedrock-Input/Output-Token-Count headers, and in
 * the last stream chunk's `amazon-bedrock-invocationMetrics`.
 */

import type { FoundationModel } from '../../catalog/bedrock-models.js';
import { encodeEvent } from '../../protocols/event-stream.js';
import { WireError } from '../../protocols/wire-error.js';
import { countRequestTokens } from '../../providers/tokens.js';
import type { ModelResponse } from '../../providers/types.js';
import type { Guardrail } from '../../store/types.js';
import { isBlocked } from '../bedrock/guardrail-engine.js';
import { JsonParams } from '../json-params.js';
import type { AuthTarget, CallContext } from '../operation.js';
import { type RestRequest, restOperation } from '../rest-operation.js';
import { SERVICE_TIERS } from './converse-format.js';
import {
  applyGuardrailTarget,
  findGuardrail,
  type GuardrailRef,
  guardrailRef,
  guardrailValues,
  guardrailVersion,
  type LoadedGuardrail,
  type Screening,
  screen,
} from './guardrail-use.js';
import { fromEncoded, invokeModel, modelRequest, relayStream, startStream, usageHeaders } from './model-call.js';
import {
  decodeNativeRequest,
  encodeNativeResponse,
  isNativeChat,
  type NativeFamily,
  type NativeRequest,
  nativeStreamEncoder,
} from './native-formats.js';
import { modelOf, type ResolvedModel, resolveModel } from './resolve-model.js';

/** The parsed input of both invoke operations. */
interface InvokeInput extends ModelCallInput {
  body: Buffer;
}

function header(req: RestRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The model ID rule ("InvokeModelIdentifier", Amazon Bedrock API Reference). */
export const MODEL_ID_RULE = { required: true, min: 1, max: 2048 } as const;

function parseInvoke(req: RestRequest): InvokeInput {
  const p = new JsonParams({});
  const modelId = p.bound('modelId', req.pathParams.modelId, MODEL_ID_RULE);
  const tierHeader = header(req, 'x-amzn-bedrock-service-tier');
  const serviceTier = tierHeader === undefined ? undefined : p.oneOf('serviceTier', SERVICE_TIERS, false, tierHeader);
  p.done();
  // The body is read as JSON whatever Content-Type says: the SDK sends application/octet-stream
  // when the caller gives none, and Bedrock accepts it.
  return {
    modelId,
    body: req.body,
    guardrail: guardrailRef(
      header(req, 'x-amzn-bedrock-guardrailidentifier'),
      header(req, 'x-amzn-bedrock-guardrailversion'),
    ),
    ...(serviceTier === undefined ? {} : { serviceTier }),
  };
}

/** What a call on a model reads before it is authorized, kept on its input for `run`. */
export interface ModelCallInput {
  modelId: string;
  guardrail: GuardrailRef | undefined;
  /** The processing tier asked for (InvokeModel's X-Amzn-Bedrock-Service-Tier, Converse's serviceTier). */
  serviceTier?: string;
  resolved?: ResolvedModel;
  found?: Guardrail;
}

/**
 * The authorization targets of a call on a model, with the guardrail's key and permission. The
 * model and the guardrail are read here, once, and kept on the input for `run`.
 */
export async function invokeTargets(i: ModelCallInput, ctx: CallContext): Promise<AuthTarget[]> {
  // bedrock:ServiceTier: the Service Authorization Reference lists it for InvokeModel and
  // InvokeModelWithResponseStream (Converse and ConverseStream are authorized as those); present
  // when the call asks for a tier.
  const guardrail = guardrailValues(ctx, i.guardrail);
  const extra = i.serviceTier === undefined ? guardrail : { ...guardrail, 'bedrock:ServiceTier': i.serviceTier };
  i.resolved = await resolveModel(ctx, i.modelId, extra);
  if (i.guardrail === undefined) return i.resolved.targets;
  i.found = await findGuardrail(ctx, i.guardrail);
  return [...i.resolved.targets, applyGuardrailTarget(ctx, i.guardrail, i.found)];
}

/** The guardrail version a call screens with, from what `invokeTargets` read; undefined for none. */
export function callGuardrail(i: ModelCallInput): LoadedGuardrail | undefined {
  return i.guardrail === undefined ? undefined : guardrailVersion(i.found, i.guardrail);
}

/** The native family of a model that serves text generation; ValidationException otherwise. */
export function textFamily(model: FoundationModel): NativeFamily {
  if (model.family === 'embedding') {
    throw new WireError(
      'ValidationException',
      `The model ${model.modelId} is an embedding model, which basalt does not serve.`,
    );
  }
  return model.family;
}

function decode(family: NativeFamily, body: Buffer, guarded: boolean): { json: unknown; request: NativeRequest } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WireError('ValidationException', 'Malformed input request, please reformat your input and try again.');
  }
  // "Use a guardrail with InvokeModel": the body may carry amazon-bedrock-guardrailConfig (tag
  // suffix, streaming mode) for the guardrail the headers name; it is not the model's. Without a
  // guardrail named, InvokeModel (guardrailIdentifier) throws an error: the caller meant the call to
  // be guarded.
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && GUARDRAIL_CONFIG in json) {
    if (!guarded) {
      throw new WireError(
        'ValidationException',
        `${GUARDRAIL_CONFIG} is set in the request body, but no guardrail is named in the X-Amzn-Bedrock-GuardrailIdentifier header.`,
      );
    }
    const { [GUARDRAIL_CONFIG]: _, ...rest } = json as Record<string, unknown>;
    json = rest;
  }
  return { json, request: decodeNativeRequest(family, json) };
}

const GUARDRAIL_CONFIG = 'amazon-bedrock-guardrailConfig';

/** The request with its texts (in requestTexts order) replaced. */
function withTexts(req: NativeRequest, texts: readonly string[]): NativeRequest {
  let at = 0;
  const next = (old: string) => texts[at++] ?? old;
  return {
    ...req,
    system: req.system.map(next),
    messages: req.messages.map((m) => ({
      ...m,
      content: m.content.map((b) => ('text' in b ? { ...b, text: next(b.text) } : b)),
    })),
  };
}

/** Every text of a request, for input screening. */
export function requestTexts(req: NativeRequest): string[] {
  const out = [...req.system];
  for (const m of req.messages) for (const b of m.content) if ('text' in b) out.push(b.text);
  return out;
}

/** The outcome of a guarded call: the answer, and what the guardrail found on each side. */
export interface GuardedAnswer {
  response: ModelResponse;
  intervened: boolean;
  input?: Screening;
  output?: Screening;
}

/**
 * Screens the input, then runs `generate`, then screens the output; a guardrail that blocks answers
 * with its blocked message and the stop reason `guardrail_intervened` ("How Amazon Bedrock
 * Guardrails works": the model is not invoked when the input is blocked).
 */
export async function guardedInvoke(
  guardrail: LoadedGuardrail | undefined,
  req: NativeRequest,
  generate: (req: NativeRequest) => Promise<ModelResponse>,
): Promise<GuardedAnswer> {
  if (guardrail === undefined) return { response: await generate(req), intervened: false };
  const input = screen(guardrail, 'INPUT', requestTexts(req));
  if (input.action === 'GUARDRAIL_INTERVENED' && isBlocked(input)) {
    const text = input.outputs.map((o) => o.text).join('');
    return {
      response: { text, stopReason: 'guardrail_intervened', usage: { inputTokens: 0, outputTokens: 0 } },
      intervened: true,
      input,
    };
  }
  // Only masked: the model sees the input with the sensitive parts replaced.
  const sent =
    input.action === 'GUARDRAIL_INTERVENED'
      ? withTexts(
          req,
          input.outputs.map((o) => o.text),
        )
      : req;
  const response = await generate(sent);
  const output = screen(guardrail, 'OUTPUT', [response.text]);
  if (output.action === 'GUARDRAIL_INTERVENED') {
    return {
      response: { ...response, text: output.outputs.map((o) => o.text).join(''), stopReason: 'guardrail_intervened' },
      intervened: true,
      input,
      output,
    };
  }
  return { response, intervened: false, input, output };
}

/** What both invoke operations start from: the model, its family, the decoded body, the guardrail. */
function prepare(i: InvokeInput) {
  const model = modelOf(i);
  const family = textFamily(model);
  const { json, request } = decode(family, i.body, i.guardrail !== undefined);
  const guardrail = callGuardrail(i);
  return { model, family, request, guardrail, chat: isNativeChat(family, json) };
}

const invokeOp = restOperation<InvokeInput>({
  name: 'InvokeModel',
  action: 'bedrock:InvokeModel',
  method: 'POST',
  path: '/model/{modelId}/invoke',
  parse: parseInvoke,
  targets: invokeTargets,
  async run(i, ctx) {
    const started = performance.now();
    const { model, family, request, guardrail, chat } = prepare(i);
    const { response, intervened } = await guardedInvoke(guardrail, request, (sent) =>
      invokeModel(ctx, model, modelRequest(ctx, model, sent)),
    );
    const native = encodeNativeResponse(family, response, ctx.requestId, {
      model: model.modelId,
      chat,
      request,
      ...(response.stopSequence === undefined ? {} : { stopSequence: response.stopSequence }),
    }) as Record<string, unknown>;
    // "Use a guardrail with InvokeModel": the answer says when the guardrail intervened.
    if (intervened) native['amazon-bedrock-guardrailAction'] = 'INTERVENED';
    return {
      kind: 'bytes',
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify(native), 'utf8'),
      headers: {
        ...usageHeaders(response.usage.inputTokens, response.usage.outputTokens, performance.now() - started),
        ...tierHeaders(i),
      },
    };
  },
});

/** The tier that served the call, when it asked for one (basalt serves every tier alike). */
function tierHeaders(i: InvokeInput): Record<string, string> {
  return i.serviceTier === undefined ? {} : { 'x-amzn-bedrock-service-tier': i.serviceTier };
}

/** A `chunk` event: the model's chunk JSON, base64 in `bytes` ("PayloadPart"). */
function chunkEvent(chunk: unknown): Buffer {
  return encodeEvent('chunk', { bytes: Buffer.from(JSON.stringify(chunk), 'utf8').toString('base64') });
}

const invokeStreamOp = restOperation<InvokeInput>({
  name: 'InvokeModelWithResponseStream',
  action: 'bedrock:InvokeModelWithResponseStream',
  method: 'POST',
  path: '/model/{modelId}/invoke-with-response-stream',
  parse: parseInvoke,
  targets: invokeTargets,
  async run(i, ctx) {
    const started = performance.now();
    const { model, family, request, guardrail, chat } = prepare(i);
    const encoder = nativeStreamEncoder(family, model.modelId, { requestId: ctx.requestId, chat, request });
    const chunks = (list: unknown[]) => list.map(chunkEvent);
    const headers = { 'x-amzn-bedrock-content-type': 'application/json', ...tierHeaders(i) };
    const contentType = 'application/vnd.amazon.eventstream';
    if (guardrail !== undefined) {
      // A guarded stream is screened whole before anything is sent (synchronous processing mode).
      const { response } = await guardedInvoke(guardrail, request, (sent) =>
        invokeModel(ctx, model, modelRequest(ctx, model, sent)),
      );
      const latencyMs = performance.now() - started;
      const all = [
        ...encoder.start(response.usage.inputTokens),
        ...encoder.text(response.text),
        ...encoder.stop(response.stopReason, response.usage, { firstByteLatencyMs: latencyMs, latencyMs }),
      ];
      return { kind: 'stream', contentType, headers, events: fromEncoded(chunks(all)) };
    }
    const { first, rest } = await startStream(ctx, model, modelRequest(ctx, model, request));
    const firstByteLatencyMs = performance.now() - started;
    async function* events(): AsyncGenerator<Buffer> {
      yield* chunks(encoder.start(countRequestTokens(request)));
      yield* relayStream(
        first,
        rest,
        {
          text: (delta) => chunks(encoder.text(delta)),
          stop: (e) =>
            chunks(
              encoder.stop(
                e.stopReason,
                e.usage,
                { firstByteLatencyMs, latencyMs: performance.now() - started },
                e.stopSequence,
              ),
            ),
        },
        true,
      );
    }
    return { kind: 'stream', contentType, headers, events: events() };
  },
});

/** InvokeModel and InvokeModelWithResponseStream. */
export const INVOKE_OPERATIONS = [invokeOp, invokeStreamOp];
