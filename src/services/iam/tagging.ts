/**
 * Tags and permissions boundaries of users, roles and customer managed policies, declared once for
 * each kind of entity: Tag*, Untag*, List*Tags, Put*PermissionsBoundary and
 * Delete*PermissionsBoundary (IAM API Reference; "Tagging IAM resources").
 */

import type { ContextValue } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import type { ManagedPolicy, Role, StoreReader, StoreWriter, Tag, User } from '../../store/types.js';
import { type AnyOperation, type AuthTarget, type CallContext, operation } from '../operation.js';
import { RULES, type StringRule } from '../params.js';
import { resourceTagValues } from '../tag-context.js';
import {
  checkDistinctTagKeys,
  checkPolicyArn,
  mergeTags,
  mustGet,
  pageList,
  readPage,
  requestTagValues,
} from './common.js';
import { changeRole, roleTarget } from './roles.js';
import { checkBoundary, userRow, userTarget } from './users.js';

/** How one kind of taggable entity is found, authorized and changed. */
export interface Taggable<T extends { tags: Tag[] }> {
  /** The noun in the operation names: Tag<noun>, Untag<noun>, List<noun>Tags. */
  noun: string;
  /** The parameter that names the entity (UserName, PolicyArn, …). */
  param: string;
  rule: StringRule & { required: true };
  target(ctx: CallContext, id: string, extra: Record<string, ContextValue>): Promise<AuthTarget>;
  read(ctx: CallContext, id: string): Promise<T>;
  change(ctx: CallContext, id: string, fn: (entity: T) => T): Promise<void>;
}

/** A taggable entity that a change may check against other rows, in the change's own transaction. */
interface Bounded<T extends { tags: Tag[] }> extends Taggable<T> {
  change(ctx: CallContext, id: string, fn: (entity: T, tx: StoreWriter) => T | Promise<T>): Promise<void>;
}

const USERS: Bounded<User> = {
  noun: 'User',
  param: 'UserName',
  rule: RULES.userName,
  target: (ctx, id, extra) => userTarget(ctx, id, extra),
  read: async (ctx, id) => (await mustGet(ctx.deps.store, 'user', ctx.caller.accountId, id)).body,
  async change(ctx, id, fn) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx) => {
      const row = await mustGet(tx, 'user', accountId, id);
      await tx.update(userRow(accountId, await fn(row.body, tx)));
    });
  },
};

const ROLES: Bounded<Role> = {
  noun: 'Role',
  param: 'RoleName',
  rule: RULES.roleName,
  target: (ctx, id, extra) => roleTarget(ctx, id, extra),
  read: async (ctx, id) => (await mustGet(ctx.deps.store, 'role', ctx.caller.accountId, id)).body,
  change: changeRole,
};

/** The stored customer managed policy an ARN names in the caller's account; NoSuchEntity otherwise. */
async function policyRow(ctx: CallContext, arn: string, store: StoreReader = ctx.deps.store) {
  checkPolicyArn(arn);
  const name = arn.slice(arn.lastIndexOf('/') + 1).toLowerCase();
  const row = arn.startsWith(`arn:aws:iam::${ctx.caller.accountId}:`)
    ? await store.get('policy', ctx.caller.accountId, name)
    : undefined;
  if (row === undefined || row.body.arn !== arn) throw new WireError('NoSuchEntity', `Policy ${arn} was not found.`);
  return row;
}

/** Authorization target of a customer managed policy (its tags as aws:ResourceTag). */
export async function policyTarget(
  ctx: CallContext,
  arn: string,
  extra: Record<string, ContextValue> = {},
): Promise<AuthTarget> {
  const name = arn.slice(arn.lastIndexOf('/') + 1).toLowerCase();
  const row = arn.startsWith(`arn:aws:iam::${ctx.caller.accountId}:policy/`)
    ? await ctx.deps.store.get('policy', ctx.caller.accountId, name)
    : undefined;
  const tags = row !== undefined && row.body.arn === arn ? row.body.tags : [];
  return { resource: arn, values: { ...resourceTagValues(tags), ...extra } };
}

const POLICIES: Taggable<ManagedPolicy> = {
  noun: 'Policy',
  param: 'PolicyArn',
  rule: RULES.arn,
  target: policyTarget,
  read: async (ctx, id) => (await policyRow(ctx, id)).body,
  async change(ctx, id, fn) {
    await ctx.deps.store.write(async (tx) => {
      const row = await policyRow(ctx, id, tx);
      await tx.update({ ...row, body: fn(row.body) });
    });
  },
};

/**
 * Tag<noun>, Untag<noun> and List<noun>Tags for one kind of entity ("Tagging IAM resources"):
 * tags set need aws:RequestTag/aws:TagKeys, keys are unique regardless of case, at most 50, and
 * listings come sorted by key.
 */
export function tagOperations<T extends { tags: Tag[] }>(t: Taggable<T>): AnyOperation[] {
  const tag = operation({
    name: `Tag${t.noun}`,
    action: `iam:Tag${t.noun}`,
    parse: (p) => ({ id: p.str(t.param, t.rule), tags: p.tags() }),
    targets: async (i, ctx) => [await t.target(ctx, i.id, requestTagValues(i.tags))],
    async run(i, ctx) {
      checkDistinctTagKeys(i.tags);
      await t.change(ctx, i.id, (e) => ({ ...e, tags: mergeTags(e.tags, i.tags) }));
      return undefined;
    },
  });
  const untag = operation({
    name: `Untag${t.noun}`,
    action: `iam:Untag${t.noun}`,
    parse: (p) => ({ id: p.str(t.param, t.rule), keys: p.list('TagKeys', RULES.tagKey, 50) }),
    targets: async (i, ctx) => [await t.target(ctx, i.id, { 'aws:TagKeys': i.keys })],
    async run(i, ctx) {
      const drop = new Set(i.keys.map((k) => k.toLowerCase()));
      await t.change(ctx, i.id, (e) => ({ ...e, tags: e.tags.filter((x) => !drop.has(x.Key.toLowerCase())) }));
      return undefined;
    },
  });
  const list = operation({
    name: `List${t.noun}Tags`,
    action: `iam:List${t.noun}Tags`,
    parse: (p) => ({ id: p.str(t.param, t.rule), page: readPage(p) }),
    targets: async (i, ctx) => [await t.target(ctx, i.id, {})],
    async run(i, ctx) {
      const tags = [...(await t.read(ctx, i.id)).tags].sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
      const { rows, more } = pageList(tags, i.page, (x) => x.Key);
      return { Tags: rows.map((x) => ({ Key: x.Key, Value: x.Value })), ...more };
    },
  });
  return [tag, untag, list];
}

function boundaryOperations<T extends { tags: Tag[]; permissionsBoundary?: string }>(t: Bounded<T>): AnyOperation[] {
  const put = operation({
    name: `Put${t.noun}PermissionsBoundary`,
    action: `iam:Put${t.noun}PermissionsBoundary`,
    parse: (p) => ({ id: p.str(t.param, t.rule), boundary: p.str('PermissionsBoundary', RULES.arn) }),
    // iam:PermissionsBoundary is the boundary being set (Service Authorization Reference, IAM).
    targets: async (i, ctx) => [await t.target(ctx, i.id, { 'iam:PermissionsBoundary': i.boundary })],
    async run(i, ctx) {
      checkPolicyArn(i.boundary);
      await t.change(ctx, i.id, async (e, tx) => {
        await checkBoundary(tx, ctx.caller.accountId, i.boundary);
        return { ...e, permissionsBoundary: i.boundary };
      });
      return undefined;
    },
  });
  const del = operation({
    name: `Delete${t.noun}PermissionsBoundary`,
    action: `iam:Delete${t.noun}PermissionsBoundary`,
    parse: (p) => ({ id: p.str(t.param, t.rule) }),
    targets: async (i, ctx) => [await t.target(ctx, i.id, {})],
    async run(i, ctx) {
      await t.change(ctx, i.id, (e) => {
        const { permissionsBoundary: _, ...rest } = e;
        return rest as T;
      });
      return undefined;
    },
  });
  return [put, del];
}

/** Tag and boundary operations of users, roles and policies. */
export const TAGGING_OPERATIONS: AnyOperation[] = [
  ...tagOperations<User>(USERS),
  ...tagOperations<Role>(ROLES),
  ...tagOperations(POLICIES),
  ...boundaryOperations(USERS),
  ...boundaryOperations(ROLES),
];
