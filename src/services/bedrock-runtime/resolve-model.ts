/**
 * Turns the model ID of a runtime call into what to authorize and what to run. Bedrock accepts
 * a foundation model ID or ARN, a system-defined inference profile ID or ARN, an application
 * inference profile ARN, or a provisioned model ARN ("InvokeModel", modelId, Amazon Bedrock API
 * Reference). Authorization follows "Prerequisites for inference profiles" (Amazon Bedrock User
 * Guide): a call through a profile needs Allow on the profile and on the foundation model in every
 * Region the profile can route to, each evaluated with that Region as `aws:RequestedRegion` and the
 * profile's ARN as `bedrock:InferenceProfileArn`.
 */

import { type FoundationModel, findFoundationModel, foundationModelArn } from '../../catalog/bedrock-models.js';
import type { ContextValue } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import { modelAuthArn, namedFoundationModel, parseBedrockArn } from '../bedrock/common.js';
import { resolveProfile } from '../bedrock/inference-profiles.js';
import { findProvisioned } from '../bedrock/provisioned.js';
import type { AuthTarget, CallContext } from '../operation.js';
import { resourceTagValues } from '../tag-context.js';

/** The model a runtime call runs, and the targets to authorize for it. */
export interface ResolvedModel {
  /** The catalog model; undefined when the ID names nothing (answered after authorization). */
  model: FoundationModel | undefined;
  /** The resources to authorize (without the action, which the operation supplies). */
  targets: AuthTarget[];
  /** The call named a foundation model itself (its ID or ARN), not a profile or provisioned model. */
  direct: boolean;
}

/** The message Bedrock answers for a model ID it cannot resolve. */
export const INVALID_MODEL = 'The provided model identifier is invalid.';

/**
 * Resolves a runtime model ID in the caller's account and the request's region. `extra` (e.g.
 * `bedrock:GuardrailIdentifier`) is added to every target's condition keys.
 */
export async function resolveModel(
  ctx: CallContext,
  modelId: string,
  extra: Readonly<Record<string, ContextValue>>,
): Promise<ResolvedModel> {
  const region = ctx.env.region;
  const arn = modelId.startsWith('arn:') ? parseBedrockArn(modelId) : undefined;
  if (modelId.startsWith('arn:') && arn === undefined)
    return { model: undefined, targets: [{ resource: modelId, values: extra }], direct: false };

  const direct = foundationModel(modelId, arn, region, extra);
  if (direct !== undefined) return direct;

  // A provisioned model: authorized as itself (with its tags), runs its foundation model.
  if (arn?.type === 'provisioned-model') {
    const found = await findProvisioned(ctx, modelId);
    const values = { ...extra, ...(found === undefined ? {} : resourceTagValues(found.tags)) };
    const fm = found === undefined ? undefined : parseBedrockArn(found.modelArn);
    return {
      model: fm === undefined ? undefined : findFoundationModel(fm.id),
      targets: [{ resource: modelId, values }],
      direct: false,
    };
  }

  // An inference profile, system-defined or application.
  const profile = await resolveProfile(ctx, modelId);
  if (profile === undefined) {
    return {
      model: undefined,
      targets: [{ resource: arn === undefined ? foundationModelArn(region, modelId) : modelId, values: extra }],
      direct: false,
    };
  }
  const targets: AuthTarget[] = [{ resource: profile.arn, values: { ...extra, ...resourceTagValues(profile.tags) } }];
  for (const d of profile.destinations) {
    targets.push({
      resource: d.arn,
      values: { ...extra, 'bedrock:InferenceProfileArn': profile.arn },
      // INVARIANT: each destination is authorized as a request to its own Region. The Region-less
      // ARN of a global profile is checked with aws:RequestedRegion "unspecified" ("Global
      // cross-Region inference", IAM policy requirements, Amazon Bedrock User Guide).
      ...(d.region === region ? {} : { env: { ...ctx.env, region: d.region === '' ? 'unspecified' : d.region } }),
    });
  }
  return { model: findFoundationModel(profile.modelId), targets, direct: false };
}

/**
 * The model `targets` resolved for this call. INVARIANT: the dispatcher runs `targets` before
 * `run`, so a call is resolved once, for authorization, and runs what was authorized.
 */
function resolvedOf(i: { resolved?: ResolvedModel }): ResolvedModel {
  if (i.resolved === undefined) throw new Error('the model of a runtime call was not resolved before run');
  return i.resolved;
}

/**
 * The model an inference call (InvokeModel, Converse and their streams) runs. A model that serves
 * only through inference profiles (inferenceTypesSupported without ON_DEMAND) refuses to be called
 * by its own ID or ARN, after authorization, with Bedrock's ValidationException.
 */
export function modelOf(i: { resolved?: ResolvedModel }): FoundationModel {
  const resolved = resolvedOf(i);
  const model = mustHaveModel(resolved);
  if (resolved.direct && !model.inferenceTypesSupported.includes('ON_DEMAND')) {
    throw new WireError(
      'ValidationException',
      `Invocation of model ID ${model.modelId} with on-demand throughput isn\u2019t supported. ` +
        'Retry your request with the ID or ARN of an inference profile that contains this model.',
    );
  }
  return model;
}

/**
 * Resolves the model ID of a CountTokens call, which names a foundation model only: the Service
 * Authorization Reference gives bedrock:CountTokens the foundation-model resource type alone, with
 * no condition keys, and the API Reference's modelId is "the unique identifier or ARN of the
 * foundation model". A foundation model is authorized on its canonical ARN (a model served only
 * through profiles included: counting is not inference); any other ID is authorized on the ARN it
 * names (an ARN) or would name (a foundation-model ARN), then refused as an invalid model.
 */
export function resolveCountedModel(ctx: CallContext, modelId: string): ResolvedModel {
  const region = ctx.env.region;
  const arn = modelId.startsWith('arn:') ? parseBedrockArn(modelId) : undefined;
  const direct = foundationModel(modelId, arn, region, {});
  if (direct !== undefined) return direct;
  const resource = modelId.startsWith('arn:') ? modelId : foundationModelArn(region, modelId);
  return { model: undefined, targets: [{ resource }], direct: false };
}

/**
 * A foundation model, by ID or ARN: authorized on its canonical ARN, whatever the spelling; an ARN
 * with an account or of another region names no model (bedrock/common.ts). Undefined when the ID
 * is not a foundation model's.
 */
function foundationModel(
  modelId: string,
  arn: ReturnType<typeof parseBedrockArn>,
  region: string,
  values: Readonly<Record<string, ContextValue>>,
): ResolvedModel | undefined {
  if (arn?.type !== 'foundation-model' && (arn !== undefined || findFoundationModel(modelId) === undefined)) {
    return undefined;
  }
  return {
    model: namedFoundationModel(modelId, region),
    targets: [{ resource: modelAuthArn(modelId, region), values }],
    direct: true,
  };
}

/** The model CountTokens counts for, as resolveCountedModel resolved it (counting is not inference). */
export function countedModelOf(i: { resolved?: ResolvedModel }): FoundationModel {
  return mustHaveModel(resolvedOf(i));
}

/** The model, or the ValidationException Bedrock answers for an unknown model ID. */
export function mustHaveModel(resolved: ResolvedModel): FoundationModel {
  if (resolved.model === undefined) throw new WireError('ValidationException', INVALID_MODEL);
  return resolved.model;
}
