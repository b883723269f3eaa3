/**
 * CountTokens (Amazon Bedrock API Reference): how many input tokens a model would count for an
 * InvokeModel body or a Converse request, without running it. Authorized as bedrock:CountTokens on
 * the foundation model, the only model it takes (resolveCountedModel).
 */

import { WireError } from '../../protocols/wire-error.js';
import { JsonParams } from '../json-params.js';
import { jsonBody, restOperation } from '../rest-operation.js';
import { decodeConverseRequest } from './converse-format.js';
import { textFamily } from './invoke.js';
import { bedrockError, modelRequest } from './model-call.js';
import { decodeNativeRequest, type NativeRequest } from './native-formats.js';
import { countedModelOf, type ResolvedModel, resolveCountedModel } from './resolve-model.js';

interface CountInput {
  modelId: string;
  input: Record<string, unknown>;
  resolved?: ResolvedModel;
}

const countTokensOp = restOperation<CountInput>({
  name: 'CountTokens',
  action: 'bedrock:CountTokens',
  method: 'POST',
  path: '/model/{modelId}/count-tokens',
  parse(req) {
    const p = new JsonParams(jsonBody(req));
    const modelId = p.bound('modelId', req.pathParams.modelId, {
      required: true,
      min: 1,
      max: 256,
      pattern: '[a-zA-Z_\\.\\-/0-9:]+',
    });
    const input = p.obj('input', true) ?? {};
    p.done();
    return { modelId, input };
  },
  async targets(i, ctx) {
    const resolved = resolveCountedModel(ctx, i.modelId);
    i.resolved = resolved;
    return resolved.targets;
  },
  async run(i, ctx) {
    const model = countedModelOf(i);
    const family = textFamily(model);
    let request: NativeRequest;
    const invoke = i.input.invokeModel;
    const converse = i.input.converse;
    if (invoke !== undefined && converse === undefined) {
      const body = (invoke as { body?: unknown } | null)?.body;
      if (typeof body !== 'string') {
        throw new WireError(
          'ValidationException',
          "Value null at 'input.invokeModel.body' failed to satisfy constraint: Member must not be null",
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
      } catch {
        throw new WireError(
          'ValidationException',
          'Malformed input request, please reformat your input and try again.',
        );
      }
      request = decodeNativeRequest(family, json);
    } else if (converse !== undefined && invoke === undefined) {
      request = decodeConverseRequest(converse).request;
    } else {
      throw new WireError('ValidationException', 'Exactly one of input.invokeModel and input.converse must be given.');
    }
    const { signal: _signal, ...countable } = modelRequest(ctx, model, request);
    try {
      const inputTokens = await ctx.deps.models.resolve(model.modelId).provider.countTokens(countable);
      return { kind: 'json', body: { inputTokens } };
    } catch (e) {
      throw bedrockError(e);
    }
  },
});

/** CountTokens. */
export const COUNT_TOKENS_OPERATIONS = [countTokensOp];
