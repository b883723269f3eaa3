/**
 * TagResource, UntagResource and ListTagsForResource for the Bedrock resources basalt stores:
 * application inference profiles, guardrails and provisioned models ("Tagging Amazon Bedrock
 * resources", Amazon Bedrock User Guide). Tagging needs aws:RequestTag/aws:TagKeys; the resource's
 * current tags are its aws:ResourceTag values.
 */

import type { ContextValue } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import type { Tag } from '../../store/types.js';
import { JsonParams } from '../json-params.js';
import type { AuthTarget, CallContext } from '../operation.js';
import { type AnyRestOperation, jsonBody, restOperation } from '../rest-operation.js';
import { requestTagValues, resourceTagValues } from '../tag-context.js';
import { type BedrockKind, findResource, mergeBedrockTags, parseBedrockArn, storedTags, wireTags } from './common.js';

const KIND_OF_TYPE: Record<string, BedrockKind> = {
  'application-inference-profile': 'inference-profile',
  guardrail: 'guardrail',
  'provisioned-model': 'provisioned-model',
};

const ARN_RULE = { required: true, min: 20, max: 1011 } as const;

/** The stored kind a taggable ARN names; ValidationException for other ARNs. */
function kindOf(arn: string): BedrockKind {
  const parsed = parseBedrockArn(arn);
  const kind = parsed === undefined ? undefined : KIND_OF_TYPE[parsed.type];
  if (kind === undefined)
    throw new WireError('ValidationException', `The resource ARN ${arn} is not a taggable Bedrock resource.`);
  return kind;
}

async function currentTags(ctx: CallContext, arn: string): Promise<readonly Tag[] | undefined> {
  const kind = kindOf(arn);
  const row = await findResource(ctx.deps.store, kind, ctx, arn);
  return row?.body.tags;
}

async function changeTags(ctx: CallContext, arn: string, fn: (tags: Tag[]) => Tag[]): Promise<void> {
  const kind = kindOf(arn);
  await ctx.deps.store.write(async (tx) => {
    const row = await findResource(tx, kind, ctx, arn);
    if (row === undefined) throw new WireError('ResourceNotFoundException', `The resource ${arn} does not exist.`);
    await tx.update({ ...row, body: { ...row.body, tags: fn(row.body.tags) } });
  });
}

/** The one target of a tagging call: the resource, its tags as aws:ResourceTag, and the request's keys. */
async function taggedTarget(
  ctx: CallContext,
  arn: string,
  requestValues: Record<string, ContextValue>,
): Promise<AuthTarget[]> {
  const tags = (await currentTags(ctx, arn)) ?? [];
  return [{ resource: arn, values: { ...resourceTagValues(tags), ...requestValues } }];
}

const tagOp = restOperation({
  name: 'TagResource',
  action: 'bedrock:TagResource',
  method: 'POST',
  path: '/tagResource',
  parse(req) {
    const p = new JsonParams(jsonBody(req));
    const arn = p.str('resourceARN', ARN_RULE);
    const tags = storedTags(p.tags('tags', true));
    p.done();
    return { arn, tags };
  },
  targets: (i, ctx) => taggedTarget(ctx, i.arn, requestTagValues(i.tags)),
  async run(i, ctx) {
    await changeTags(ctx, i.arn, (tags) => mergeBedrockTags(tags, i.tags, i.arn));
    return { kind: 'json', body: {} };
  },
});

const untagOp = restOperation({
  name: 'UntagResource',
  action: 'bedrock:UntagResource',
  method: 'POST',
  path: '/untagResource',
  parse(req) {
    const p = new JsonParams(jsonBody(req));
    const arn = p.str('resourceARN', ARN_RULE);
    const keys = p.strings('tagKeys', { min: 1, max: 128 }, 200, true) ?? [];
    p.done();
    return { arn, keys };
  },
  targets: (i, ctx) => taggedTarget(ctx, i.arn, { 'aws:TagKeys': i.keys }),
  async run(i, ctx) {
    await changeTags(ctx, i.arn, (tags) => tags.filter((t) => !i.keys.includes(t.Key)));
    return { kind: 'json', body: {} };
  },
});

const listOp = restOperation({
  name: 'ListTagsForResource',
  action: 'bedrock:ListTagsForResource',
  method: 'POST',
  path: '/listTagsForResource',
  parse(req) {
    const p = new JsonParams(jsonBody(req));
    const arn = p.str('resourceARN', ARN_RULE);
    p.done();
    return { arn };
  },
  targets: (i, ctx) => taggedTarget(ctx, i.arn, {}),
  async run(i, ctx) {
    const tags = await currentTags(ctx, i.arn);
    if (tags === undefined) throw new WireError('ResourceNotFoundException', `The resource ${i.arn} does not exist.`);
    return { kind: 'json', body: { tags: wireTags(tags) } };
  },
});

/** The tagging operations. */
export const TAGGING_OPERATIONS: readonly AnyRestOperation[] = [tagOp, untagOp, listOp];
