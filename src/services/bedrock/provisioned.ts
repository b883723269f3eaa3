/**
 * Provisioned Throughput (Create/Get/List/Update/DeleteProvisionedModelThroughput, Amazon Bedrock
 * API Reference). basalt has no capacity to reserve: a provisioned model is InService at once and
 * routes to the same provider as its foundation model; its `provisioned-model` ARN is accepted as a
 * model ID by the runtime and authorized as itself.
 */

import { foundationModelArn } from '../../catalog/bedrock-models.js';
import { WireError } from '../../protocols/wire-error.js';
import type { ProvisionedModel } from '../../store/types.js';
import { JsonParams } from '../json-params.js';
import type { AuthTarget, CallContext } from '../operation.js';
import { type AnyRestOperation, jsonBody, restOperation } from '../rest-operation.js';
import { requestTagValues, resourceTagValues } from '../tag-context.js';
import {
  assertNameFree,
  bedrockArn,
  findResource,
  identifierFromPath,
  insertNamed,
  modelAuthArn,
  namedFoundationModel,
  newBedrockId,
  nowIso,
  pageBody,
  regionalKey,
  storedTags,
  wireTime,
} from './common.js';

const NAME = { min: 1, max: 63, pattern: '([0-9a-zA-Z][_-]?)+' } as const;
const ID = {
  required: true,
  pattern:
    '((([0-9a-zA-Z][_-]?)+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:provisioned-model/[a-z0-9]{12}))',
} as const;
const MODEL_ID = { min: 1, max: 2048 } as const;

/** The foundation model ARN a Create/Update names (an ID or a foundation-model ARN of the region). */
function foundationModelOf(modelId: string, region: string): string {
  const model = namedFoundationModel(modelId, region);
  if (model === undefined) {
    throw new WireError('ValidationException', `The provided model identifier ${modelId} is invalid.`);
  }
  return foundationModelArn(region, model.modelId);
}

/**
 * Finds a provisioned model by ID, ARN or name (the API accepts "the ARN or name of the provisioned
 * model") in the caller's account and region.
 */
export async function findProvisioned(ctx: CallContext, identifier: string): Promise<ProvisionedModel | undefined> {
  const byId = await findResource(ctx.deps.store, 'provisioned-model', ctx, identifier);
  if (byId !== undefined) return byId.body;
  if (identifier.startsWith('arn:')) return undefined;
  const rows = await ctx.deps.store.list('provisioned-model', ctx.caller.accountId, {
    keyPrefix: `${ctx.env.region}/`,
  });
  return rows.find((r) => r.body.name === identifier)?.body;
}

async function provisionedTarget(ctx: CallContext, identifier: string): Promise<AuthTarget> {
  return targetOf(ctx, identifier, await findProvisioned(ctx, identifier));
}

/** The target of a provisioned model found (with its tags) or not (its ARN as named). */
function targetOf(ctx: CallContext, identifier: string, found: ProvisionedModel | undefined): AuthTarget {
  if (found !== undefined) return { resource: found.arn, values: resourceTagValues(found.tags) };
  const resource = identifier.startsWith('arn:')
    ? identifier
    : bedrockArn(ctx.env.region, ctx.caller.accountId, 'provisioned-model', identifier);
  return { resource };
}

function view(m: ProvisionedModel) {
  return {
    modelUnits: m.modelUnits,
    desiredModelUnits: m.modelUnits,
    provisionedModelName: m.name,
    provisionedModelArn: m.arn,
    modelArn: m.modelArn,
    desiredModelArn: m.modelArn,
    foundationModelArn: m.modelArn,
    status: 'InService',
    creationTime: wireTime(m.createdAt),
    lastModifiedTime: wireTime(m.lastModifiedAt),
    ...(m.commitmentDuration === undefined ? {} : { commitmentDuration: m.commitmentDuration }),
    ...(m.commitmentExpirationTime === undefined
      ? {}
      : { commitmentExpirationTime: wireTime(m.commitmentExpirationTime) }),
  };
}

function missing(identifier: string): WireError {
  return new WireError('ResourceNotFoundException', `Provisioned model ${identifier} does not exist.`);
}

const createOp = restOperation({
  name: 'CreateProvisionedModelThroughput',
  action: 'bedrock:CreateProvisionedModelThroughput',
  method: 'POST',
  path: '/provisioned-model-throughput',
  parse(req) {
    const p = new JsonParams(jsonBody(req));
    const input = {
      modelUnits: p.int('modelUnits', 1, 2 ** 31 - 1, true) ?? 1,
      name: p.str('provisionedModelName', { ...NAME, required: true }),
      modelId: p.str('modelId', { ...MODEL_ID, required: true }),
      commitmentDuration: p.oneOf('commitmentDuration', ['OneMonth', 'SixMonths'] as const),
      tags: storedTags(p.tags()),
    };
    p.str('clientRequestToken', { min: 1, max: 256 });
    p.done();
    return input;
  },
  targets: async (i, ctx) => [
    { resource: modelAuthArn(i.modelId, ctx.env.region), values: i.tags.length > 0 ? requestTagValues(i.tags) : {} },
  ],
  async run(i, ctx) {
    const region = ctx.env.region;
    const fm = foundationModelOf(i.modelId, region);
    const id = newBedrockId();
    const at = nowIso(ctx);
    const months = i.commitmentDuration === 'OneMonth' ? 1 : i.commitmentDuration === 'SixMonths' ? 6 : 0;
    const expires = new Date(ctx.env.now);
    expires.setUTCMonth(expires.getUTCMonth() + months);
    const model: ProvisionedModel = {
      id,
      name: i.name,
      arn: bedrockArn(region, ctx.caller.accountId, 'provisioned-model', id),
      region,
      modelArn: fm,
      modelUnits: i.modelUnits,
      ...(i.commitmentDuration === undefined
        ? {}
        : { commitmentDuration: i.commitmentDuration, commitmentExpirationTime: expires.toISOString() }),
      createdAt: at,
      lastModifiedAt: at,
      tags: i.tags,
    };
    await ctx.deps.store.write((tx) =>
      insertNamed(tx, 'provisioned-model', ctx.caller.accountId, model, (b) => b.name, 'provisioned model'),
    );
    return { kind: 'json', status: 201, body: { provisionedModelArn: model.arn } };
  },
});

const idParse = identifierFromPath('provisionedModelId', ID);

const getOp = restOperation({
  name: 'GetProvisionedModelThroughput',
  action: 'bedrock:GetProvisionedModelThroughput',
  method: 'GET',
  path: '/provisioned-model-throughput/{provisionedModelId}',
  parse: idParse,
  targets: async (i, ctx) => [await provisionedTarget(ctx, i.identifier)],
  async run(i, ctx) {
    const found = await findProvisioned(ctx, i.identifier);
    if (found === undefined) throw missing(i.identifier);
    return { kind: 'json', body: view(found) };
  },
});

const listOp = restOperation({
  name: 'ListProvisionedModelThroughputs',
  action: 'bedrock:ListProvisionedModelThroughputs',
  method: 'GET',
  path: '/provisioned-model-throughputs',
  parse(req) {
    const p = new JsonParams({});
    const q = req.query;
    const input = {
      status: p.oneOf(
        'statusEquals',
        ['Creating', 'InService', 'Updating', 'Failed'] as const,
        false,
        q.get('statusEquals') ?? undefined,
      ),
      modelArn: q.get('modelArnEquals') ?? undefined,
      nameContains: p.bound('nameContains', q.get('nameContains') ?? undefined, NAME),
      maxResults: p.int('maxResults', 1, 1000, false, q.get('maxResults') ?? undefined),
      nextToken: p.bound('nextToken', q.get('nextToken') ?? undefined, { min: 1, max: 2048 }),
      descending:
        p.oneOf('sortOrder', ['Ascending', 'Descending'] as const, false, q.get('sortOrder') ?? undefined) ===
        'Descending',
    };
    p.oneOf('sortBy', ['CreationTime'] as const, false, q.get('sortBy') ?? undefined);
    p.done();
    return input;
  },
  targets: async () => [{ resource: '*' }],
  async run(i, ctx) {
    const rows = await ctx.deps.store.list('provisioned-model', ctx.caller.accountId, {
      keyPrefix: `${ctx.env.region}/`,
    });
    const models = rows
      .map((r) => r.body)
      .filter(
        (m) =>
          (i.status === undefined || i.status === 'InService') &&
          (i.modelArn === undefined || m.modelArn === i.modelArn) &&
          (i.nameContains === undefined || m.name.includes(i.nameContains)),
      )
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0) * (i.descending ? -1 : 1));
    return { kind: 'json', body: pageBody('provisionedModelSummaries', models.map(view), i.nextToken, i.maxResults) };
  },
});

const updateOp = restOperation({
  name: 'UpdateProvisionedModelThroughput',
  action: 'bedrock:UpdateProvisionedModelThroughput',
  method: 'PATCH',
  path: '/provisioned-model-throughput/{provisionedModelId}',
  parse(req) {
    const p = new JsonParams(jsonBody(req));
    const identifier = p.bound('provisionedModelId', req.pathParams.provisionedModelId, ID);
    const input = {
      identifier,
      newName: p.str('desiredProvisionedModelName', NAME),
      newModelId: p.str('desiredModelId', MODEL_ID),
    };
    p.done();
    return input;
  },
  async targets(i, ctx) {
    const found = await findProvisioned(ctx, i.identifier);
    const targets = [targetOf(ctx, i.identifier, found)];
    // The Service Authorization Reference gives UpdateProvisionedModelThroughput the model's resource
    // type (foundation-model, custom-model) as required: the model it serves after the update, which
    // is the current one when the update only renames it.
    if (i.newModelId !== undefined) targets.push({ resource: modelAuthArn(i.newModelId, ctx.env.region) });
    else if (found !== undefined) targets.push({ resource: found.modelArn });
    return targets;
  },
  async run(i, ctx) {
    const found = await findProvisioned(ctx, i.identifier);
    if (found === undefined) throw missing(i.identifier);
    const newModelArn = i.newModelId === undefined ? undefined : foundationModelOf(i.newModelId, ctx.env.region);
    await ctx.deps.store.write(async (tx) => {
      const row = await tx.get('provisioned-model', ctx.caller.accountId, regionalKey(found.region, found.id));
      if (row === undefined) throw missing(i.identifier);
      if (i.newName !== undefined) {
        await assertNameFree(
          tx,
          'provisioned-model',
          ctx.caller.accountId,
          found.region,
          i.newName,
          (b) => b.name,
          'provisioned model',
          found.id,
        );
      }
      await tx.update({
        ...row,
        body: {
          ...row.body,
          name: i.newName ?? row.body.name,
          // The row as read in this transaction: a model changed by a concurrent update stays changed.
          modelArn: newModelArn ?? row.body.modelArn,
          lastModifiedAt: nowIso(ctx),
        },
      });
    });
    return { kind: 'json', body: {} };
  },
});

const deleteOp = restOperation({
  name: 'DeleteProvisionedModelThroughput',
  action: 'bedrock:DeleteProvisionedModelThroughput',
  method: 'DELETE',
  path: '/provisioned-model-throughput/{provisionedModelId}',
  parse: idParse,
  targets: async (i, ctx) => [await provisionedTarget(ctx, i.identifier)],
  async run(i, ctx) {
    const found = await findProvisioned(ctx, i.identifier);
    if (found === undefined) throw missing(i.identifier);
    await ctx.deps.store.write(async (tx) => {
      // A concurrent delete that won leaves this one nothing to delete: it fails as if it came later.
      if (!(await tx.delete('provisioned-model', ctx.caller.accountId, regionalKey(found.region, found.id)))) {
        throw missing(i.identifier);
      }
    });
    return { kind: 'json', body: {} };
  },
});

/** The Provisioned Throughput operations. */
export const PROVISIONED_OPERATIONS: readonly AnyRestOperation[] = [createOp, getOp, listOp, updateOp, deleteOp];
