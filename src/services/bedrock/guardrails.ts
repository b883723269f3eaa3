/**
 * Guardrails (CreateGuardrail, GetGuardrail, ListGuardrails, UpdateGuardrail, DeleteGuardrail,
 * CreateGuardrailVersion; Amazon Bedrock API Reference). A guardrail has a working draft and
 * immutable numbered versions. The policies are validated and applied by guardrail-engine.ts; which
 * filters run locally and which are accepted but not enforced is listed there and in
 * docs/bedrock.md.
 */

import { WireError } from '../../protocols/wire-error.js';
import type { Guardrail, GuardrailConfig } from '../../store/types.js';
import { JsonParams } from '../json-params.js';
import type { AuthTarget, CallContext } from '../operation.js';
import { type AnyRestOperation, jsonBody, restOperation } from '../rest-operation.js';
import { requestTagValues, resourceTagValues } from '../tag-context.js';
import {
  assertNameFree,
  bedrockArn,
  findResource,
  insertNamed,
  newBedrockId,
  nowIso,
  pageBody,
  regionalKey,
  storedTags,
  wireTime,
} from './common.js';
import { describeGuardrailPolicies, type GuardrailPolicies, validateGuardrailPolicies } from './guardrail-engine.js';

const IDENTIFIER = {
  required: true,
  min: 0,
  max: 2048,
  pattern: '(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))',
} as const;
const NAME = { required: true, min: 1, max: 50, pattern: '[0-9a-zA-Z-_]+' } as const;
const DESCRIPTION = { min: 1, max: 200 } as const;
const KMS_KEY = { min: 1, max: 2048 } as const;

/** At most 20 numbered versions per guardrail ("Amazon Bedrock endpoints and quotas"). */
const MAX_VERSIONS = 20;

function missing(identifier: string): WireError {
  return new WireError('ResourceNotFoundException', `The guardrail ${identifier} does not exist.`);
}

async function mustFind(ctx: CallContext, identifier: string): Promise<Guardrail> {
  const row = await findResource(ctx.deps.store, 'guardrail', ctx, identifier);
  if (row === undefined) throw missing(identifier);
  return row.body;
}

/**
 * The authorization target of the guardrail an identifier names: its ARN (no version) with its tags
 * as aws:ResourceTag, or, when `found` is undefined, the ARN it would have.
 */
export function guardrailTargetFor(ctx: CallContext, identifier: string, found: Guardrail | undefined): AuthTarget {
  if (found !== undefined) return { resource: found.arn, values: resourceTagValues(found.tags) };
  const resource = identifier.startsWith('arn:')
    ? identifier
    : bedrockArn(ctx.env.region, ctx.caller.accountId, 'guardrail', identifier);
  return { resource };
}

/** The guardrail's authorization target, read from the store. */
async function guardrailTarget(ctx: CallContext, identifier: string): Promise<AuthTarget> {
  const row = await findResource(ctx.deps.store, 'guardrail', ctx, identifier);
  return guardrailTargetFor(ctx, identifier, row?.body);
}

/** Reads the configuration members Create and Update share. */
function readConfig(ctx: CallContext, p: JsonParams, body: unknown): GuardrailConfig {
  const name = p.str('name', NAME);
  const description = p.str('description', DESCRIPTION);
  // A customer managed key needs kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey and
  // kms:CreateGrant on it ("Create a customer managed key for your guardrail"). basalt has no KMS to
  // check them against, so it refuses the key rather than accept it unchecked.
  if (p.str('kmsKeyId', KMS_KEY) !== undefined) {
    throw new WireError(
      'ValidationException',
      'kmsKeyId is not supported: basalt has no AWS KMS to check the key and its permissions against. Leave it out.',
    );
  }
  p.done();
  const { blockedInputMessaging, blockedOutputsMessaging, ...policies } = validateGuardrailPolicies(body);
  const at = nowIso(ctx);
  return {
    name,
    ...(description === undefined ? {} : { description }),
    policies: policies as Record<string, unknown>,
    blockedInputMessaging,
    blockedOutputsMessaging,
    createdAt: at,
    updatedAt: at,
  };
}

function detailView(g: Guardrail, version: string, c: GuardrailConfig) {
  return {
    name: c.name,
    ...(c.description === undefined ? {} : { description: c.description }),
    guardrailId: g.id,
    guardrailArn: g.arn,
    version,
    status: 'READY',
    ...describeGuardrailPolicies(c.policies as GuardrailPolicies),
    createdAt: wireTime(c.createdAt),
    updatedAt: wireTime(c.updatedAt),
    blockedInputMessaging: c.blockedInputMessaging,
    blockedOutputsMessaging: c.blockedOutputsMessaging,
  };
}

function summaryView(g: Guardrail, version: string, c: GuardrailConfig) {
  return {
    id: g.id,
    arn: g.arn,
    status: 'READY',
    name: c.name,
    ...(c.description === undefined ? {} : { description: c.description }),
    version,
    createdAt: wireTime(c.createdAt),
    updatedAt: wireTime(c.updatedAt),
  };
}

const createOp = restOperation({
  name: 'CreateGuardrail',
  action: 'bedrock:CreateGuardrail',
  method: 'POST',
  path: '/guardrails',
  parse(req, ctx) {
    const body = jsonBody(req);
    const p = new JsonParams(body);
    const tags = storedTags(p.tags());
    p.str('clientRequestToken', { min: 1, max: 256 });
    return { config: readConfig(ctx, p, body), tags };
  },
  // CreateGuardrail has no guardrail resource type: it is authorized on "*" (Service Authorization
  // Reference). "If you pass tags when creating a guardrail …, you must also include the
  // bedrock:TagResource permission in your policy" ("Set up permissions to use Amazon Bedrock
  // Guardrails"): with tags, bedrock:TagResource on the region's guardrails is authorized too.
  targets: async (i, ctx) => {
    if (i.tags.length === 0) return [{ resource: '*' }];
    const values = requestTagValues(i.tags);
    return [
      { resource: '*', values },
      {
        action: 'bedrock:TagResource',
        resource: bedrockArn(ctx.env.region, ctx.caller.accountId, 'guardrail', '*'),
        values,
      },
    ];
  },
  async run(i, ctx) {
    const region = ctx.env.region;
    const id = newBedrockId();
    const guardrail: Guardrail = {
      id,
      arn: bedrockArn(region, ctx.caller.accountId, 'guardrail', id),
      region,
      draft: i.config,
      versions: {},
      nextVersion: 1,
      tags: i.tags,
    };
    await ctx.deps.store.write((tx) =>
      insertNamed(tx, 'guardrail', ctx.caller.accountId, guardrail, (b) => b.draft.name, 'guardrail'),
    );
    return {
      kind: 'json',
      status: 202,
      body: {
        guardrailId: id,
        guardrailArn: guardrail.arn,
        version: 'DRAFT',
        createdAt: wireTime(guardrail.draft.createdAt),
      },
    };
  },
});

const getOp = restOperation({
  name: 'GetGuardrail',
  action: 'bedrock:GetGuardrail',
  method: 'GET',
  path: '/guardrails/{guardrailIdentifier}',
  parse(req) {
    const p = new JsonParams({});
    const identifier = p.bound('guardrailIdentifier', req.pathParams.guardrailIdentifier, IDENTIFIER);
    const version = p.bound('guardrailVersion', req.query.get('guardrailVersion') ?? undefined, {
      pattern: '(([1-9][0-9]{0,7})|(DRAFT))',
    });
    p.done();
    return { identifier, version: version ?? 'DRAFT' };
  },
  targets: async (i, ctx) => [await guardrailTarget(ctx, i.identifier)],
  async run(i, ctx) {
    const g = await mustFind(ctx, i.identifier);
    const config = i.version === 'DRAFT' ? g.draft : g.versions[i.version];
    if (config === undefined)
      throw new WireError('ResourceNotFoundException', `The guardrail ${i.identifier} has no version ${i.version}.`);
    return { kind: 'json', body: detailView(g, i.version, config) };
  },
});

const listOp = restOperation({
  name: 'ListGuardrails',
  action: 'bedrock:ListGuardrails',
  method: 'GET',
  path: '/guardrails',
  parse(req) {
    const p = new JsonParams({});
    const q = req.query;
    const input = {
      identifier: p.bound('guardrailIdentifier', q.get('guardrailIdentifier') ?? undefined, {
        ...IDENTIFIER,
        required: false,
      }),
      maxResults: p.int('maxResults', 1, 1000, false, q.get('maxResults') ?? undefined),
      nextToken: p.bound('nextToken', q.get('nextToken') ?? undefined, { min: 1, max: 2048 }),
    };
    p.done();
    return input;
  },
  // Without an identifier the list is authorized on "*"; with one, on that guardrail.
  targets: async (i, ctx) => [
    i.identifier === undefined ? { resource: '*' } : await guardrailTarget(ctx, i.identifier),
  ],
  async run(i, ctx) {
    let summaries: unknown[];
    if (i.identifier === undefined) {
      const rows = await ctx.deps.store.list('guardrail', ctx.caller.accountId, { keyPrefix: `${ctx.env.region}/` });
      summaries = rows.map((r) => summaryView(r.body, 'DRAFT', r.body.draft));
    } else {
      const g = await mustFind(ctx, i.identifier);
      summaries = [
        summaryView(g, 'DRAFT', g.draft),
        ...Object.entries(g.versions)
          .sort((a, b) => Number(a[0]) - Number(b[0]))
          .map(([v, c]) => summaryView(g, v, c)),
      ];
    }
    return { kind: 'json', body: pageBody('guardrails', summaries, i.nextToken, i.maxResults) };
  },
});

const updateOp = restOperation({
  name: 'UpdateGuardrail',
  action: 'bedrock:UpdateGuardrail',
  method: 'PUT',
  path: '/guardrails/{guardrailIdentifier}',
  parse(req, ctx) {
    const body = jsonBody(req);
    const p = new JsonParams(body);
    const identifier = p.bound('guardrailIdentifier', req.pathParams.guardrailIdentifier, IDENTIFIER);
    return { identifier, config: readConfig(ctx, p, body) };
  },
  targets: async (i, ctx) => [await guardrailTarget(ctx, i.identifier)],
  async run(i, ctx) {
    const g = await mustFind(ctx, i.identifier);
    const updated = nowIso(ctx);
    await ctx.deps.store.write(async (tx) => {
      const row = await tx.get('guardrail', ctx.caller.accountId, regionalKey(g.region, g.id));
      if (row === undefined) throw missing(i.identifier);
      await assertNameFree(
        tx,
        'guardrail',
        ctx.caller.accountId,
        g.region,
        i.config.name,
        (b) => b.draft.name,
        'guardrail',
        g.id,
      );
      const draft = { ...i.config, createdAt: row.body.draft.createdAt, updatedAt: updated };
      await tx.update({ ...row, body: { ...row.body, draft } });
    });
    return {
      kind: 'json',
      status: 202,
      body: { guardrailId: g.id, guardrailArn: g.arn, version: 'DRAFT', updatedAt: wireTime(updated) },
    };
  },
});

const deleteOp = restOperation({
  name: 'DeleteGuardrail',
  action: 'bedrock:DeleteGuardrail',
  method: 'DELETE',
  path: '/guardrails/{guardrailIdentifier}',
  parse(req) {
    const p = new JsonParams({});
    const identifier = p.bound('guardrailIdentifier', req.pathParams.guardrailIdentifier, IDENTIFIER);
    const version = p.bound('guardrailVersion', req.query.get('guardrailVersion') ?? undefined, {
      pattern: '[1-9][0-9]{0,7}',
    });
    p.done();
    return { identifier, version };
  },
  targets: async (i, ctx) => [await guardrailTarget(ctx, i.identifier)],
  async run(i, ctx) {
    const g = await mustFind(ctx, i.identifier);
    await ctx.deps.store.write(async (tx) => {
      const row = await tx.get('guardrail', ctx.caller.accountId, regionalKey(g.region, g.id));
      if (row === undefined) throw missing(i.identifier);
      if (i.version === undefined) {
        await tx.delete('guardrail', row.accountId, row.key);
        return;
      }
      if (row.body.versions[i.version] === undefined) {
        throw new WireError('ResourceNotFoundException', `The guardrail ${i.identifier} has no version ${i.version}.`);
      }
      const versions = { ...row.body.versions };
      delete versions[i.version];
      await tx.update({ ...row, body: { ...row.body, versions } });
    });
    return { kind: 'json', status: 202, body: {} };
  },
});

const createVersionOp = restOperation({
  name: 'CreateGuardrailVersion',
  action: 'bedrock:CreateGuardrailVersion',
  method: 'POST',
  path: '/guardrails/{guardrailIdentifier}',
  parse(req) {
    const p = new JsonParams(jsonBody(req));
    const identifier = p.bound('guardrailIdentifier', req.pathParams.guardrailIdentifier, IDENTIFIER);
    const description = p.str('description', DESCRIPTION);
    p.str('clientRequestToken', { min: 1, max: 256 });
    p.done();
    return { identifier, description };
  },
  targets: async (i, ctx) => [await guardrailTarget(ctx, i.identifier)],
  async run(i, ctx) {
    const g = await mustFind(ctx, i.identifier);
    const version = await ctx.deps.store.write(async (tx) => {
      const row = await tx.get('guardrail', ctx.caller.accountId, regionalKey(g.region, g.id));
      if (row === undefined) throw missing(i.identifier);
      if (Object.keys(row.body.versions).length >= MAX_VERSIONS) {
        throw new WireError(
          'ServiceQuotaExceededException',
          `The guardrail ${i.identifier} already has ${MAX_VERSIONS} versions.`,
        );
      }
      const number = String(row.body.nextVersion);
      const at = nowIso(ctx);
      const snapshot: GuardrailConfig = {
        ...row.body.draft,
        createdAt: at,
        updatedAt: at,
        ...(i.description === undefined ? {} : { versionDescription: i.description }),
      };
      await tx.update({
        ...row,
        body: {
          ...row.body,
          versions: { ...row.body.versions, [number]: snapshot },
          nextVersion: row.body.nextVersion + 1,
        },
      });
      return number;
    });
    return { kind: 'json', status: 202, body: { guardrailId: g.id, version } };
  },
});

/** The guardrail operations. */
export const GUARDRAIL_OPERATIONS: readonly AnyRestOperation[] = [
  createOp,
  getOp,
  listOp,
  updateOp,
  deleteOp,
  createVersionOp,
];
