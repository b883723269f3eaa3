/**
 * Converse and ConverseStream (Amazon Bedrock API Reference): one message format for every model.
 * Authorized as bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream ("Converse":
 * "requires permission for the bedrock:InvokeModel action"), on the same resources as InvokeModel.
 */

import { encodeEvent } from '../../protocols/event-stream.js';
import { JsonParams } from '../json-params.js';
import type { CallContext } from '../operation.js';
import { jsonBody, type RestRequest, restOperation } from '../rest-operation.js';
import {
  type ConverseInput,
  converseStreamEncoder,
  decodeConverseRequest,
  encodeConverseResponse,
} from './converse-format.js';
import { guardrailIdOf, guardrailRef } from './guardrail-use.js';
import {
  callGuardrail,
  type GuardedAnswer,
  guardedInvoke,
  invokeTargets,
  MODEL_ID_RULE,
  type ModelCallInput,
  textFamily,
} from './invoke.js';
import { fromEncoded, invokeModel, modelRequest, relayStream, startStream } from './model-call.js';
import { modelOf } from './resolve-model.js';

interface ConverseOpInput extends ModelCallInput {
  converse: ConverseInput;
}

function parseConverse(req: RestRequest): ConverseOpInput {
  const p = new JsonParams({});
  const modelId = p.bound('modelId', req.pathParams.modelId, MODEL_ID_RULE);
  p.done();
  const converse = decodeConverseRequest(jsonBody(req));
  return {
    modelId,
    converse,
    guardrail: guardrailRef(converse.guardrail?.identifier, converse.guardrail?.version),
    ...(converse.serviceTier === undefined ? {} : { serviceTier: converse.serviceTier }),
  };
}

/** The guardrail trace of a Converse answer when the request asked for it ("GuardrailTraceAssessment"). */
function traceOf(i: ConverseOpInput, answer: GuardedAnswer): unknown {
  const trace = i.converse.guardrail?.trace;
  if (i.guardrail === undefined || trace === undefined || trace === 'disabled') return undefined;
  const id = guardrailIdOf(i.guardrail.identifier);
  return {
    guardrail: {
      ...(answer.input === undefined ? {} : { inputAssessment: { [id]: answer.input.assessments[0] ?? {} } }),
      ...(answer.output === undefined ? {} : { outputAssessments: { [id]: answer.output.assessments } }),
    },
  };
}

async function converse(i: ConverseOpInput, ctx: CallContext): Promise<GuardedAnswer> {
  const model = modelOf(i);
  textFamily(model);
  const guardrail = callGuardrail(i);
  const request = i.converse.request;
  return guardedInvoke(guardrail, request, (sent) => invokeModel(ctx, model, modelRequest(ctx, model, sent)));
}

const converseOp = restOperation<ConverseOpInput>({
  name: 'Converse',
  action: 'bedrock:InvokeModel',
  method: 'POST',
  path: '/model/{modelId}/converse',
  parse: parseConverse,
  targets: invokeTargets,
  async run(i, ctx) {
    const started = performance.now();
    const answer = await converse(i, ctx);
    return {
      kind: 'json',
      body: encodeConverseResponse(
        answer.response,
        Math.round(performance.now() - started),
        traceOf(i, answer),
        i.serviceTier,
      ),
    };
  },
});

function events(list: Array<[string, unknown]>): Buffer[] {
  return list.map(([type, payload]) => encodeEvent(type, payload));
}

const converseStreamOp = restOperation<ConverseOpInput>({
  name: 'ConverseStream',
  action: 'bedrock:InvokeModelWithResponseStream',
  method: 'POST',
  path: '/model/{modelId}/converse-stream',
  parse: parseConverse,
  targets: invokeTargets,
  async run(i, ctx) {
    const started = performance.now();
    const encoder = converseStreamEncoder();
    const contentType = 'application/vnd.amazon.eventstream';
    if (i.guardrail !== undefined) {
      // A guarded stream is screened whole before anything is sent (the synchronous mode).
      const answer = await converse(i, ctx);
      const latency = Math.round(performance.now() - started);
      const all = [
        ...encoder.start(),
        ...encoder.text(answer.response.text),
        ...encoder.stop(answer.response.stopReason, answer.response.usage, latency, traceOf(i, answer)),
      ];
      return { kind: 'stream', contentType, events: fromEncoded(events(all)) };
    }
    const model = modelOf(i);
    textFamily(model);
    const { first, rest } = await startStream(ctx, model, modelRequest(ctx, model, i.converse.request));
    async function* stream(): AsyncGenerator<Buffer> {
      yield* events(encoder.start());
      yield* relayStream(
        first,
        rest,
        {
          text: (delta) => events(encoder.text(delta)),
          stop: (e) => events(encoder.stop(e.stopReason, e.usage, Math.round(performance.now() - started))),
        },
        false,
      );
    }
    return { kind: 'stream', contentType, events: stream() };
  },
});

/** Converse and ConverseStream. */
export const CONVERSE_OPERATIONS = [converseOp, converseStreamOp];
