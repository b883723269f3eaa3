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
import { parseBedrockArn } from '../bedrock/common.js';
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
    return { model: undefined, targets: [{ resource: modelId, values: extra }] };

  // A foundation model, by ID or ARN. Its ARN has no account.
  if (arn?.type === 'foundation-model' || (arn === undefined && findFoundationModel(modelId) !== undefined)) {
    const id = arn?.id ?? modelId;
    const sameRegion = arn === undefined || arn.region === region;
    return {
      model: sameRegion ? findFoundationModel(id) : undefined,
      targets: [{ resource: arn === undefined ? foundationModelArn(region, id) : modelId, values: extra }],
    };
  }

  // A provisioned model: authorized as itself (with its tags), runs its foundation model.
  if (arn?.type === 'provisioned-model') {
    const found = await findProvisioned(ctx, modelId);
    const values = { ...extra, ...(found === undefined ? {} : resourceTagValues(found.tags)) };
    const fm = found === undefined ? undefined : parseBedrockArn(found.modelArn);
    return {
      model: fm === undefined ? undefined : findFoundationModel(fm.id),
      targets: [{ resource: modelId, values }],
    };
  }

  // An inference profile, system-defined or application.
  const profile = await resolveProfile(ctx, modelId);
  if (profile === undefined) {
    return {
      model: undefined,
      targets: [{ resource: arn === undefined ? foundationModelArn(region, modelId) : modelId, values: extra }],
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
  return { model: findFoundationModel(profile.modelId), targets };
}

/**
 * The model `targets` resolved for this call. INVARIANT: the dispatcher runs `targets` before
 * `run`, so a call is resolved once, for authorization, and runs what was authorized.
 */
export function modelOf(i: { resolved?: ResolvedModel }): FoundationModel {
  if (i.resolved === undefined) throw new Error('the model of a runtime call was not resolved before run');
  return mustHaveModel(i.resolved);
}

/** The model, or the ValidationException Bedrock answers for an unknown model ID. */
export function mustHaveModel(resolved: ResolvedModel): FoundationModel {
  if (resolved.model === undefined) throw new WireError('ValidationException', INVALID_MODEL);
  return resolved.model;
}
