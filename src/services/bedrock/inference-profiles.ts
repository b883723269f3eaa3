/**
 * Inference profiles ("Inference profiles", Amazon Bedrock User Guide): the system-defined
 * cross-Region ones of the catalog (`us.`, `eu.`, `apac.`, `global.`) and the application profiles
 * an account creates by copying a foundation model or a system profile (CreateInferenceProfile,
 * GetInferenceProfile, ListInferenceProfiles, DeleteInferenceProfile).
 */

import {
  findSystemInferenceProfile,
  foundationModelArn,
  inferenceProfileArn,
  inferenceProfileSummary,
  profileModelArns,
  systemInferenceProfiles,
} from '../../catalog/bedrock-models.js';
import { WireError } from '../../protocols/wire-error.js';
import type { InferenceProfile, Tag } from '../../store/types.js';
import { JsonParams } from '../json-params.js';
import type { AuthTarget, CallContext } from '../operation.js';
import { type AnyRestOperation, jsonBody, restOperation } from '../rest-operation.js';
import { requestTagValues, resourceTagValues } from '../tag-context.js';
import {
  bedrockArn,
  findResource,
  identifierFromPath,
  insertNamed,
  modelAuthArn,
  namedFoundationModel,
  newBedrockId,
  nowIso,
  pageBody,
  parseBedrockArn,
  storedTags,
  wireTime,
} from './common.js';

/** A profile a request names, resolved: what it is, where it routes, what must be authorized. */
export interface ResolvedProfile {
  type: 'SYSTEM_DEFINED' | 'APPLICATION';
  arn: string;
  /** The foundation model it serves. */
  modelId: string;
  /** Each foundation model ARN it may route to, with the region it runs in ('' for the unqualified ARN). */
  destinations: ReadonlyArray<{ region: string; arn: string }>;
  tags: readonly Tag[];
  stored?: InferenceProfile;
}

const APP_TYPE = 'application-inference-profile';

/**
 * Resolves an inference profile ID or ARN in the caller's account and region; undefined when the
 * identifier names none. A system profile is found only from a source region of its geography.
 */
export async function resolveProfile(ctx: CallContext, identifier: string): Promise<ResolvedProfile | undefined> {
  const region = ctx.env.region;
  const arn = identifier.startsWith('arn:') ? parseBedrockArn(identifier) : undefined;
  if (identifier.startsWith('arn:') && (arn === undefined || arn.region !== region)) return undefined;
  if (arn === undefined || arn.type === 'inference-profile') {
    if (arn !== undefined && arn.accountId !== ctx.caller.accountId) return undefined;
    const system = findSystemInferenceProfile(arn?.id ?? identifier, region);
    if (system !== undefined) {
      return {
        type: 'SYSTEM_DEFINED',
        arn: inferenceProfileArn(region, ctx.caller.accountId, system.inferenceProfileId),
        modelId: system.modelId,
        destinations: profileModelArns(system, region),
        tags: [],
      };
    }
    if (arn !== undefined) return undefined;
  } else if (arn.type !== APP_TYPE) {
    return undefined;
  }
  const row = await findResource(ctx.deps.store, 'inference-profile', ctx, identifier);
  if (row === undefined) return undefined;
  const p = row.body;
  return {
    type: 'APPLICATION',
    arn: p.arn,
    modelId: parseBedrockArn(p.modelArns[0] ?? '')?.id ?? '',
    destinations: p.modelArns.map((a) => ({ region: parseBedrockArn(a)?.region ?? '', arn: a })),
    tags: p.tags,
    stored: p,
  };
}

/** The ARN a request's identifier would have, for authorizing a profile that may not exist. */
function profileArnOf(ctx: CallContext, identifier: string): string {
  if (identifier.startsWith('arn:')) return identifier;
  if (/^[a-z0-9]{12}$/.test(identifier)) return bedrockArn(ctx.env.region, ctx.caller.accountId, APP_TYPE, identifier);
  return inferenceProfileArn(ctx.env.region, ctx.caller.accountId, identifier);
}

/** The authorization target of a profile: its ARN, with its tags as aws:ResourceTag. */
async function profileTarget(ctx: CallContext, identifier: string): Promise<AuthTarget> {
  const profile = await resolveProfile(ctx, identifier);
  if (profile === undefined) return { resource: profileArnOf(ctx, identifier) };
  return { resource: profile.arn, values: resourceTagValues(profile.tags) };
}

function applicationView(p: InferenceProfile) {
  return {
    inferenceProfileName: p.name,
    ...(p.description === undefined ? {} : { description: p.description }),
    createdAt: wireTime(p.createdAt),
    updatedAt: wireTime(p.updatedAt),
    inferenceProfileArn: p.arn,
    models: p.modelArns.map((modelArn) => ({ modelArn })),
    inferenceProfileId: p.id,
    status: 'ACTIVE',
    type: 'APPLICATION',
  };
}

/** The system profile's wire view, with restJson1 timestamps. */
function systemView(summary: ReturnType<typeof inferenceProfileSummary>) {
  return { ...summary, createdAt: wireTime(summary.createdAt), updatedAt: wireTime(summary.updatedAt) };
}

const IDENTIFIER = {
  required: true,
  min: 1,
  max: 2048,
  pattern:
    '(arn:aws(|-us-gov|-cn|-iso|-iso-b):bedrock:(|[0-9a-z-]{0,20}):(|[0-9]{12}):(inference-profile|application-inference-profile)/)?[a-zA-Z0-9-:.]+',
} as const;

const createOp = restOperation({
  name: 'CreateInferenceProfile',
  action: 'bedrock:CreateInferenceProfile',
  method: 'POST',
  path: '/inference-profiles',
  parse(req) {
    const p = new JsonParams(jsonBody(req));
    const name = p.str('inferenceProfileName', { required: true, min: 1, max: 64, pattern: '([0-9a-zA-Z][ _-]?)+' });
    const description = p.str('description', { min: 1, max: 200, pattern: '([0-9a-zA-Z:.][ _-]?)+' });
    p.str('clientRequestToken', { min: 1, max: 256, pattern: '[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?' });
    const source = p.obj('modelSource', true);
    const copyFrom =
      source === undefined
        ? ''
        : new JsonParams(source).str('copyFrom', {
            required: true,
            min: 1,
            max: 2048,
            pattern:
              'arn:aws(|-us-gov|-cn|-iso|-iso-b):bedrock:(|[0-9a-z-]{0,20}):(|[0-9]{12}):(inference-profile|foundation-model)/[a-zA-Z0-9-:.]+',
          });
    if (source !== undefined && typeof source.copyFrom !== 'string') {
      p.violation(`Value null at 'modelSource.copyFrom' failed to satisfy constraint: Member must not be null`);
    }
    const tags = storedTags(p.tags());
    p.done();
    return { name, description, copyFrom, tags };
  },
  async targets(i, ctx) {
    // The new profile's ID is not known yet: the profile target is every application profile of
    // the region; the source model or profile must be allowed too. The request's tags are on both:
    // the Service Authorization Reference lists aws:RequestTag/${TagKey} and aws:TagKeys on each of
    // CreateInferenceProfile's resource types (application-inference-profile, foundation-model,
    // inference-profile).
    // The new profile's tags are also its aws:ResourceTag values, which "is included in the request
    // context … in requests that create a resource with an attached tag" ("AWS global condition
    // context keys", IAM User Guide): AWS's AmazonDataZoneBedrockModelManagementPolicy allows
    // CreateInferenceProfile only when aws:ResourceTag/AmazonDataZoneProject is not null.
    const values = i.tags.length > 0 ? requestTagValues(i.tags) : {};
    const created = i.tags.length > 0 ? { ...resourceTagValues(i.tags), ...values } : values;
    return [
      { resource: bedrockArn(ctx.env.region, ctx.caller.accountId, APP_TYPE, '*'), values: created },
      { resource: modelAuthArn(i.copyFrom, ctx.env.region), values },
    ];
  },
  async run(i, ctx) {
    const region = ctx.env.region;
    const source = parseBedrockArn(i.copyFrom);
    let modelArns: string[];
    const model = source?.type === 'foundation-model' ? namedFoundationModel(i.copyFrom, region) : undefined;
    if (model !== undefined) {
      modelArns = [foundationModelArn(region, model.modelId)];
    } else if (source?.type === 'inference-profile' && source.region === region) {
      const system =
        source.accountId === ctx.caller.accountId ? findSystemInferenceProfile(source.id, region) : undefined;
      if (system === undefined)
        throw new WireError('ValidationException', `The provided model source ${i.copyFrom} is invalid.`);
      // Every model the system profile routes to, the Region-less one of a global profile included:
      // the application profile "will route requests to the Regions defined in the cross Region
      // (system-defined) inference profile" ("Create an application inference profile", Amazon
      // Bedrock User Guide), so a call through it needs what a call through the system profile
      // needs, the global model ARN with aws:RequestedRegion "unspecified" among them.
      modelArns = profileModelArns(system, region).map((d) => d.arn);
    } else {
      throw new WireError('ValidationException', `The provided model source ${i.copyFrom} is invalid.`);
    }
    const id = newBedrockId();
    const at = nowIso(ctx);
    const profile: InferenceProfile = {
      id,
      name: i.name,
      arn: bedrockArn(region, ctx.caller.accountId, APP_TYPE, id),
      region,
      ...(i.description === undefined ? {} : { description: i.description }),
      modelArns,
      createdAt: at,
      updatedAt: at,
      tags: i.tags,
    };
    await ctx.deps.store.write((tx) =>
      insertNamed(tx, 'inference-profile', ctx.caller.accountId, profile, (b) => b.name, 'inference profile'),
    );
    return { kind: 'json', status: 201, body: { inferenceProfileArn: profile.arn, status: 'ACTIVE' } };
  },
});

const getOp = restOperation({
  name: 'GetInferenceProfile',
  action: 'bedrock:GetInferenceProfile',
  method: 'GET',
  path: '/inference-profiles/{inferenceProfileIdentifier}',
  parse: identifierFromPath('inferenceProfileIdentifier', IDENTIFIER),
  targets: async (i, ctx) => [await profileTarget(ctx, i.identifier)],
  async run(i, ctx) {
    const profile = await resolveProfile(ctx, i.identifier);
    if (profile === undefined) {
      throw new WireError('ResourceNotFoundException', `Inference profile ${i.identifier} does not exist.`);
    }
    if (profile.stored !== undefined) return { kind: 'json', body: applicationView(profile.stored) };
    const system = findSystemInferenceProfile(parseBedrockArn(profile.arn)?.id ?? '', ctx.env.region);
    if (system === undefined)
      throw new WireError('ResourceNotFoundException', `Inference profile ${i.identifier} does not exist.`);
    return { kind: 'json', body: systemView(inferenceProfileSummary(system, ctx.env.region, ctx.caller.accountId)) };
  },
});

const listOp = restOperation({
  name: 'ListInferenceProfiles',
  action: 'bedrock:ListInferenceProfiles',
  method: 'GET',
  path: '/inference-profiles',
  parse(req) {
    const p = new JsonParams({});
    const q = req.query;
    const input = {
      maxResults: p.int('maxResults', 1, 1000, false, q.get('maxResults') ?? undefined),
      nextToken: p.bound('nextToken', q.get('nextToken') ?? undefined, { min: 1, max: 2048 }),
      type: p.oneOf('typeEquals', ['SYSTEM_DEFINED', 'APPLICATION'] as const, false, q.get('type') ?? undefined),
    };
    p.done();
    return input;
  },
  targets: async () => [{ resource: '*' }],
  async run(i, ctx) {
    let summaries: unknown[];
    if ((i.type ?? 'SYSTEM_DEFINED') === 'SYSTEM_DEFINED') {
      summaries = systemInferenceProfiles(ctx.env.region).map((s) =>
        systemView(inferenceProfileSummary(s, ctx.env.region, ctx.caller.accountId)),
      );
    } else {
      const rows = await ctx.deps.store.list('inference-profile', ctx.caller.accountId, {
        keyPrefix: `${ctx.env.region}/`,
      });
      summaries = rows.map((r) => applicationView(r.body));
    }
    return { kind: 'json', body: pageBody('inferenceProfileSummaries', summaries, i.nextToken, i.maxResults) };
  },
});

const deleteOp = restOperation({
  name: 'DeleteInferenceProfile',
  action: 'bedrock:DeleteInferenceProfile',
  method: 'DELETE',
  path: '/inference-profiles/{inferenceProfileIdentifier}',
  parse: identifierFromPath('inferenceProfileIdentifier', IDENTIFIER),
  targets: async (i, ctx) => [await profileTarget(ctx, i.identifier)],
  async run(i, ctx) {
    const row = await findResource(ctx.deps.store, 'inference-profile', ctx, i.identifier);
    const missing = () =>
      new WireError('ResourceNotFoundException', `Application inference profile ${i.identifier} does not exist.`);
    if (row === undefined) throw missing();
    await ctx.deps.store.write(async (tx) => {
      // A concurrent delete that won leaves this one nothing to delete: it fails as if it came later.
      if (!(await tx.delete('inference-profile', row.accountId, row.key))) throw missing();
    });
    return { kind: 'json', body: {} };
  },
});

/** The inference profile operations. */
export const INFERENCE_PROFILE_OPERATIONS: readonly AnyRestOperation[] = [createOp, getOp, listOp, deleteOp];
