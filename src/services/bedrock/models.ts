/**
 * ListFoundationModels and GetFoundationModel over the model catalog (src/catalog/bedrock-models.ts).
 * A foundation model's ARN has no account: `arn:aws:bedrock:REGION::foundation-model/ID`
 * ("Resource types defined by Amazon Bedrock", Service Authorization Reference).
 */

import {
  type FoundationModel,
  findFoundationModel,
  foundationModelSummary,
  listFoundationModels,
} from '../../catalog/bedrock-models.js';
import { WireError } from '../../protocols/wire-error.js';
import { JsonParams } from '../json-params.js';
import { type AnyRestOperation, restOperation } from '../rest-operation.js';
import { modelAuthArn, parseBedrockArn } from './common.js';

const MODALITIES = ['TEXT', 'IMAGE', 'EMBEDDING'] as const;
const CUSTOMIZATIONS = ['FINE_TUNING', 'CONTINUED_PRE_TRAINING', 'DISTILLATION'] as const;
const INFERENCE_TYPES = ['ON_DEMAND', 'PROVISIONED'] as const;

/**
 * The catalog model a GetFoundationModel identifier names: a model ID, or a foundation-model ARN of
 * the request's region. ResourceNotFoundException otherwise, as Bedrock answers.
 */
export function foundationModelByIdentifier(identifier: string, region: string): FoundationModel {
  let id = identifier;
  if (identifier.startsWith('arn:')) {
    const arn = parseBedrockArn(identifier);
    if (arn === undefined || arn.type !== 'foundation-model' || arn.accountId !== '' || arn.region !== region) {
      throw new WireError('ValidationException', `The provided model identifier is invalid.`);
    }
    id = arn.id;
  }
  const model = findFoundationModel(id);
  if (model === undefined)
    throw new WireError(
      'ResourceNotFoundException',
      `Could not resolve the foundation model from the provided model identifier.`,
    );
  return model;
}

const listFoundationModelsOp = restOperation({
  name: 'ListFoundationModels',
  action: 'bedrock:ListFoundationModels',
  method: 'GET',
  path: '/foundation-models',
  parse(req) {
    const p = new JsonParams({});
    const q = req.query;
    const input = {
      byProvider: p.bound('byProvider', q.get('byProvider') ?? undefined, { pattern: '[A-Za-z0-9- ]{1,63}' }),
      byCustomizationType: p.oneOf(
        'byCustomizationType',
        CUSTOMIZATIONS,
        false,
        q.get('byCustomizationType') ?? undefined,
      ),
      byOutputModality: p.oneOf('byOutputModality', MODALITIES, false, q.get('byOutputModality') ?? undefined),
      byInferenceType: p.oneOf('byInferenceType', INFERENCE_TYPES, false, q.get('byInferenceType') ?? undefined),
    };
    p.done();
    return input;
  },
  // The action has no resource type: it is authorized on "*" (Service Authorization Reference).
  targets: async () => [{ resource: '*' }],
  async run(i, ctx) {
    const provider = i.byProvider?.toLowerCase();
    const models = listFoundationModels().filter(
      (m) =>
        (provider === undefined || m.providerName.toLowerCase() === provider) &&
        (i.byCustomizationType === undefined || m.customizationsSupported.includes(i.byCustomizationType)) &&
        (i.byOutputModality === undefined || m.outputModalities.includes(i.byOutputModality)) &&
        (i.byInferenceType === undefined || m.inferenceTypesSupported.includes(i.byInferenceType)),
    );
    return { kind: 'json', body: { modelSummaries: models.map((m) => foundationModelSummary(m, ctx.env.region)) } };
  },
});

const getFoundationModelOp = restOperation({
  name: 'GetFoundationModel',
  action: 'bedrock:GetFoundationModel',
  method: 'GET',
  path: '/foundation-models/{modelIdentifier}',
  parse(req) {
    const p = new JsonParams({});
    const identifier = p.bound('modelIdentifier', req.pathParams.modelIdentifier, {
      required: true,
      min: 1,
      max: 2048,
    });
    p.done();
    return { identifier };
  },
  async targets(i, ctx) {
    // Authorized on the model the identifier names, even when the catalog does not have it, in the
    // Region its ARN names (as a runtime call is); an ARN of anything else is authorized as itself.
    return [{ resource: modelAuthArn(i.identifier, ctx.env.region) }];
  },
  async run(i, ctx) {
    const model = foundationModelByIdentifier(i.identifier, ctx.env.region);
    return { kind: 'json', body: { modelDetails: foundationModelSummary(model, ctx.env.region) } };
  },
});

/** The foundation model operations. */
export const MODEL_OPERATIONS: readonly AnyRestOperation[] = [listFoundationModelsOp, getFoundationModelOp];
