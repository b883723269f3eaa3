/**
 * IAM groups and membership: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
 * AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser (IAM API Reference).
 */

import { ID_PREFIX, newUniqueId } from '../../auth/ids.js';
import { WireError } from '../../protocols/wire-error.js';
import type { Group, StoreReader } from '../../store/types.js';
import { type AuthTarget, type CallContext, operation } from '../operation.js';
import { type Params, RULES } from '../params.js';
import {
  deleteConflict,
  entityArn,
  groupXml,
  iamArn,
  mustGet,
  now,
  ownerKey,
  pageList,
  pageOf,
  pathListing,
  readPage,
  userXml,
} from './common.js';
import { alreadyExists, renameOwner, userTarget } from './users.js';

/** At most 10 groups per user ("IAM and AWS STS quotas"). */
const GROUPS_PER_USER = 10;

/** Authorization target for an operation on a named group. */
export async function groupTarget(ctx: CallContext, name: string): Promise<AuthTarget> {
  return { resource: (await entityArn(ctx, 'group', name)).arn };
}

function groupRow(accountId: string, g: Group) {
  return { kind: 'group' as const, accountId, key: g.name.toLowerCase(), id: g.id, path: g.path, body: g };
}

const createGroup = operation({
  name: 'CreateGroup',
  action: 'iam:CreateGroup',
  parse: (p) => ({ groupName: p.str('GroupName', RULES.groupName), path: p.str('Path', RULES.path) ?? '/' }),
  targets: async (i, ctx) => [{ resource: iamArn(ctx.caller.accountId, 'group', i.path, i.groupName) }],
  async run(i, ctx) {
    const group: Group = {
      name: i.groupName,
      path: i.path,
      id: newUniqueId(ID_PREFIX.group),
      arn: iamArn(ctx.caller.accountId, 'group', i.path, i.groupName),
      createdAt: now(ctx),
    };
    await ctx.deps.store
      .write((tx) => tx.insert(groupRow(ctx.caller.accountId, group)))
      .catch((e) => alreadyExists(e, `Group with name ${i.groupName} already exists.`));
    return { Group: groupXml(group) };
  },
});

const getGroup = operation({
  name: 'GetGroup',
  action: 'iam:GetGroup',
  parse: (p) => ({ groupName: p.str('GroupName', RULES.groupName), page: readPage(p) }),
  targets: async (i, ctx) => [await groupTarget(ctx, i.groupName)],
  async run(i, ctx) {
    const store = ctx.deps.store;
    const group = await mustGet(store, 'group', ctx.caller.accountId, i.groupName);
    const { rows, more } = await pageOf(store, 'membership', ctx.caller.accountId, i.page, { target: group.key });
    const users = [];
    for (const m of rows) {
      const u = await store.get('user', ctx.caller.accountId, m.owner ?? '');
      if (u !== undefined) users.push(userXml(u.body, false));
    }
    return { Group: groupXml(group.body), Users: users, ...more };
  },
});

const updateGroup = operation({
  name: 'UpdateGroup',
  action: 'iam:UpdateGroup',
  parse: (p) => ({
    groupName: p.str('GroupName', RULES.groupName),
    newName: p.str('NewGroupName', { ...RULES.groupName, required: false }),
    newPath: p.str('NewPath', RULES.path),
  }),
  async targets(i, ctx) {
    const targets = [await groupTarget(ctx, i.groupName)];
    if (i.newName !== undefined || i.newPath !== undefined) {
      const current = await ctx.deps.store.get('group', ctx.caller.accountId, i.groupName.toLowerCase());
      const path = i.newPath ?? current?.body.path ?? '/';
      targets.push({ resource: iamArn(ctx.caller.accountId, 'group', path, i.newName ?? i.groupName) });
    }
    return targets;
  },
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store
      .write(async (tx) => {
        const row = await mustGet(tx, 'group', accountId, i.groupName);
        const name = i.newName ?? row.body.name;
        const path = i.newPath ?? row.body.path;
        const group: Group = { ...row.body, name, path, arn: iamArn(accountId, 'group', path, name) };
        if (name.toLowerCase() !== row.key) {
          // INVARIANT: the old row goes first: the new one keeps its unique ID.
          await tx.delete('group', accountId, row.key);
          await tx.insert(groupRow(accountId, group));
          await renameOwner(tx, accountId, 'group', row.body.name, name);
        } else {
          await tx.update(groupRow(accountId, group));
        }
      })
      .catch((e) => alreadyExists(e, `Group with name ${i.newName ?? i.groupName} already exists.`));
    return undefined;
  },
});

const deleteGroup = operation({
  name: 'DeleteGroup',
  action: 'iam:DeleteGroup',
  parse: (p) => ({ groupName: p.str('GroupName', RULES.groupName) }),
  targets: async (i, ctx) => [await groupTarget(ctx, i.groupName)],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx) => {
      const row = await mustGet(tx, 'group', accountId, i.groupName);
      const owner = ownerKey('group', row.body.name);
      if ((await tx.count('membership', accountId, { target: row.key })) > 0)
        throw deleteConflict('remove users from group');
      if ((await tx.count('inline-policy', accountId, { owner })) > 0) throw deleteConflict('delete policies');
      if ((await tx.count('attachment', accountId, { owner })) > 0) throw deleteConflict('detach all policies');
      await tx.delete('group', accountId, row.key);
    });
    return undefined;
  },
});

/** The parameters of AddUserToGroup and RemoveUserFromGroup. */
function readMembership(p: Params) {
  return { groupName: p.str('GroupName', RULES.groupName), userName: p.str('UserName', RULES.userName) };
}

/** The group and the user a membership operation names, both of which must exist. */
async function groupAndUser(tx: StoreReader, accountId: string, i: { groupName: string; userName: string }) {
  return {
    group: await mustGet(tx, 'group', accountId, i.groupName),
    user: await mustGet(tx, 'user', accountId, i.userName),
  };
}

const addUserToGroup = operation({
  name: 'AddUserToGroup',
  action: 'iam:AddUserToGroup',
  parse: readMembership,
  targets: async (i, ctx) => [await groupTarget(ctx, i.groupName)],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx) => {
      const { group, user } = await groupAndUser(tx, accountId, i);
      const key = `${group.key}/${user.key}`;
      if ((await tx.get('membership', accountId, key)) !== undefined) return;
      if ((await tx.count('membership', accountId, { owner: user.key })) >= GROUPS_PER_USER) {
        throw new WireError('LimitExceeded', `Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER}`);
      }
      await tx.insert({
        kind: 'membership',
        accountId,
        key,
        owner: user.key,
        target: group.key,
        body: { userName: user.body.name, groupName: group.body.name },
      });
    });
    return undefined;
  },
});

const removeUserFromGroup = operation({
  name: 'RemoveUserFromGroup',
  action: 'iam:RemoveUserFromGroup',
  parse: readMembership,
  targets: async (i, ctx) => [await groupTarget(ctx, i.groupName)],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx) => {
      const { group, user } = await groupAndUser(tx, accountId, i);
      if (!(await tx.delete('membership', accountId, `${group.key}/${user.key}`))) {
        throw new WireError(
          'NoSuchEntity',
          `The user with name ${i.userName} cannot be found in group ${i.groupName}.`,
        );
      }
    });
    return undefined;
  },
});

const listGroupsForUser = operation({
  name: 'ListGroupsForUser',
  action: 'iam:ListGroupsForUser',
  parse: (p) => ({ userName: p.str('UserName', RULES.userName), page: readPage(p) }),
  targets: async (i, ctx) => [await userTarget(ctx, i.userName)],
  async run(i, ctx) {
    const store = ctx.deps.store;
    const user = await mustGet(store, 'user', ctx.caller.accountId, i.userName);
    const groups = [];
    for (const m of await store.list('membership', ctx.caller.accountId, { owner: user.key })) {
      const g = await store.get('group', ctx.caller.accountId, m.target ?? '');
      if (g !== undefined) groups.push(g);
    }
    groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const { rows, more } = pageList(groups, i.page, (g) => g.key);
    return { Groups: rows.map((g) => groupXml(g.body)), ...more };
  },
});

/** The group operations. */
export const GROUP_OPERATIONS = [
  createGroup,
  getGroup,
  pathListing('group', 'Groups', groupXml),
  updateGroup,
  deleteGroup,
  addUserToGroup,
  removeUserFromGroup,
  listGroupsForUser,
];
