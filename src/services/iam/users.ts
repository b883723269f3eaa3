/**
 * IAM users: CreateUser, GetUser, UpdateUser, DeleteUser, ListUsers, the user tag operations and the
 * user permissions boundary (IAM API Reference).
 */

import { ID_PREFIX, newUniqueId } from '../../auth/ids.js';
import { WireError } from '../../protocols/wire-error.js';
import { StoreError, type StoreReader, type StoreWriter, SYSTEM_ACCOUNT, type User } from '../../store/types.js';
import { type AuthTarget, type CallContext, operation } from '../operation.js';
import { RULES } from '../params.js';
import {
  checkDistinctTagKeys,
  checkPolicyArn,
  createTargets,
  deleteConflict,
  entityArn,
  entityTagValues,
  findPolicy,
  iamArn,
  mustGet,
  now,
  ownerKey,
  pathListing,
  userXml,
} from './common.js';

/** Authorization target for an operation on a named user (its ARN and tags). */
export async function userTarget(
  ctx: CallContext,
  name: string,
  extra: AuthTarget['values'] = {},
): Promise<AuthTarget> {
  const e = await entityArn(ctx, 'user', name);
  return {
    resource: e.arn,
    values: {
      ...entityTagValues(e.tags),
      ...(e.boundary === undefined ? {} : { 'iam:PermissionsBoundary': e.boundary }),
      ...extra,
    },
  };
}

/**
 * The user a call names, or the caller itself when the name is omitted (IAM's rule for self-service
 * operations): the calling user, or undefined for the root user, whose own keys and devices these
 * are. Any other caller (a role session, a federated user) must name the user: AWS answers
 * ValidationError "Must specify userName when calling with non-User credentials". Without this a role
 * session allowed iam:CreateAccessKey would create an access key of the account root.
 */
export function userNameOrSelf(ctx: CallContext, name: string | undefined): string | undefined {
  if (name !== undefined) return name;
  if (ctx.caller.type === 'user') return ctx.caller.userName;
  if (ctx.caller.type === 'root') return undefined;
  throw new WireError('ValidationError', 'Must specify userName when calling with non-User credentials');
}

/**
 * Checks a boundary policy exists and is a managed policy (NoSuchEntity / InvalidInput as IAM).
 * Called inside the write transaction that sets the boundary: DeletePolicy refuses a policy in use
 * as a boundary in its own transaction, so checking outside would let the two race and leave a
 * boundary that names a deleted policy.
 */
export async function checkBoundary(tx: StoreReader, accountId: string, arn: string): Promise<void> {
  checkPolicyArn(arn);
  if ((await findPolicy(tx, accountId, arn)) === undefined) {
    throw new WireError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`);
  }
}

/** Renames every row that names a user, group or role by its key (keys embed the lowercased name). */
export async function renameOwner(
  tx: StoreWriter,
  accountId: string,
  kind: 'user' | 'group' | 'role',
  oldName: string,
  newName: string,
): Promise<void> {
  const oldOwner = ownerKey(kind, oldName);
  const newOwner = ownerKey(kind, newName);
  for (const row of await tx.list('inline-policy', accountId, { owner: oldOwner })) {
    await tx.delete('inline-policy', accountId, row.key);
    await tx.insert({
      ...row,
      key: `${newOwner}/${row.body.name}`,
      owner: newOwner,
      body: { ...row.body, ownerName: newName },
    });
  }
  for (const row of await tx.list('attachment', accountId, { owner: oldOwner })) {
    await tx.delete('attachment', accountId, row.key);
    await tx.insert({
      ...row,
      key: `${newOwner}|${row.body.policyArn}`,
      owner: newOwner,
      body: { ...row.body, ownerName: newName },
    });
  }
  if (kind === 'user') {
    const oldKey = oldName.toLowerCase();
    const newKey = newName.toLowerCase();
    for (const row of await tx.list('membership', accountId, { owner: oldKey })) {
      await tx.delete('membership', accountId, row.key);
      await tx.insert({
        ...row,
        key: `${row.target}/${newKey}`,
        owner: newKey,
        body: { ...row.body, userName: newName },
      });
    }
    for (const row of await tx.list('access-key', accountId, { owner: oldKey })) {
      await tx.update({ ...row, owner: newKey, body: { ...row.body, userName: newName } });
    }
    const profile = await tx.get('login-profile', accountId, oldKey);
    if (profile !== undefined) {
      await tx.delete('login-profile', accountId, oldKey);
      await tx.insert({ ...profile, key: newKey, body: { ...profile.body, userName: newName } });
    }
    for (const row of await tx.list('mfa-device', accountId, { owner: oldKey })) {
      await tx.update({ ...row, owner: newKey, body: { ...row.body, userName: newName } });
    }
  }
  if (kind === 'group') {
    const oldKey = oldName.toLowerCase();
    const newKey = newName.toLowerCase();
    for (const row of await tx.list('membership', accountId, { target: oldKey })) {
      await tx.delete('membership', accountId, row.key);
      await tx.insert({
        ...row,
        key: `${newKey}/${row.owner}`,
        target: newKey,
        body: { ...row.body, groupName: newName },
      });
    }
  }
}

/** The stored row of a user (the boundary ARN indexed as target). */
export function userRow(accountId: string, u: User) {
  return {
    kind: 'user' as const,
    accountId,
    key: u.name.toLowerCase(),
    id: u.id,
    path: u.path,
    ...(u.permissionsBoundary === undefined ? {} : { target: u.permissionsBoundary }),
    body: u,
  };
}

/** Maps a key conflict to IAM's EntityAlreadyExists. */
export function alreadyExists(err: unknown, message: string): never {
  if (err instanceof StoreError && err.code === 'Conflict') throw new WireError('EntityAlreadyExists', message);
  throw err;
}

const createUser = operation({
  name: 'CreateUser',
  action: 'iam:CreateUser',
  parse: (p) => ({
    userName: p.str('UserName', RULES.userName),
    path: p.str('Path', RULES.path) ?? '/',
    boundary: p.str('PermissionsBoundary', { ...RULES.arn, required: false }),
    tags: p.tags(),
  }),
  // "Tagging IAM users": creating a user with tags also needs iam:TagUser.
  targets: async (i, ctx) =>
    createTargets(iamArn(ctx.caller.accountId, 'user', i.path, i.userName), i.tags, 'iam:TagUser', i.boundary),
  async run(i, ctx) {
    checkDistinctTagKeys(i.tags);
    if (i.boundary !== undefined) checkPolicyArn(i.boundary);
    const user: User = {
      name: i.userName,
      path: i.path,
      id: newUniqueId(ID_PREFIX.user),
      arn: iamArn(ctx.caller.accountId, 'user', i.path, i.userName),
      createdAt: now(ctx),
      tags: i.tags,
      ...(i.boundary === undefined ? {} : { permissionsBoundary: i.boundary }),
    };
    await ctx.deps.store
      .write(async (tx) => {
        if (i.boundary !== undefined) await checkBoundary(tx, ctx.caller.accountId, i.boundary);
        await tx.insert(userRow(ctx.caller.accountId, user));
      })
      .catch((e) => alreadyExists(e, `User with name ${i.userName} already exists.`));
    return { User: userXml(user, true) };
  },
});

const getUser = operation({
  name: 'GetUser',
  action: 'iam:GetUser',
  parse: (p) => ({ userName: p.str('UserName', { ...RULES.userName, required: false }) }),
  async targets(i, ctx) {
    const name = userNameOrSelf(ctx, i.userName);
    return [name === undefined ? { resource: ctx.caller.arn } : await userTarget(ctx, name)];
  },
  async run(i, ctx) {
    const name = userNameOrSelf(ctx, i.userName);
    if (name === undefined) {
      // The root user calling GetUser without a name (IAM API Reference, GetUser).
      const account = await ctx.deps.store.get('account', SYSTEM_ACCOUNT, ctx.caller.accountId);
      return { User: { UserId: ctx.caller.accountId, Arn: ctx.caller.arn, CreateDate: account?.body.createdAt } };
    }
    const row = await mustGet(ctx.deps.store, 'user', ctx.caller.accountId, name);
    return { User: userXml(row.body, true) };
  },
});

const updateUser = operation({
  name: 'UpdateUser',
  action: 'iam:UpdateUser',
  parse: (p) => ({
    userName: p.str('UserName', RULES.userName),
    newName: p.str('NewUserName', { ...RULES.userName, required: false }),
    newPath: p.str('NewPath', RULES.path),
  }),
  async targets(i, ctx) {
    // "UpdateUser": renaming needs permission on both the source and the target ARN.
    const source = await userTarget(ctx, i.userName);
    const targets = [source];
    if (i.newName !== undefined || i.newPath !== undefined) {
      const current = await ctx.deps.store.get('user', ctx.caller.accountId, i.userName.toLowerCase());
      const path = i.newPath ?? current?.body.path ?? '/';
      targets.push({ resource: iamArn(ctx.caller.accountId, 'user', path, i.newName ?? i.userName) });
    }
    return targets;
  },
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store
      .write(async (tx) => {
        const row = await mustGet(tx, 'user', accountId, i.userName);
        const name = i.newName ?? row.body.name;
        const path = i.newPath ?? row.body.path;
        const user: User = { ...row.body, name, path, arn: iamArn(accountId, 'user', path, name) };
        if (name.toLowerCase() !== row.key) {
          // INVARIANT: the old row goes first: the new one keeps its unique ID.
          await tx.delete('user', accountId, row.key);
          await tx.insert(userRow(accountId, user));
          await renameOwner(tx, accountId, 'user', row.body.name, name);
        } else {
          await tx.update(userRow(accountId, user));
        }
      })
      .catch((e) => alreadyExists(e, `User with name ${i.newName ?? i.userName} already exists.`));
    return undefined;
  },
});

/** DeleteConflict in IAM's words when a user still owns something ("Deleting an IAM user"). */
async function checkUserEmpty(tx: StoreWriter, accountId: string, name: string): Promise<void> {
  const key = name.toLowerCase();
  const owner = ownerKey('user', name);
  if ((await tx.get('login-profile', accountId, key)) !== undefined) throw deleteConflict('delete login profile');
  if ((await tx.count('access-key', accountId, { owner: key })) > 0) throw deleteConflict('delete access keys');
  if ((await tx.count('inline-policy', accountId, { owner })) > 0) throw deleteConflict('delete policies');
  if ((await tx.count('attachment', accountId, { owner })) > 0) throw deleteConflict('detach all policies');
  if ((await tx.count('membership', accountId, { owner: key })) > 0) throw deleteConflict('remove users from group');
  if ((await tx.count('mfa-device', accountId, { owner: key })) > 0) throw deleteConflict('delete MFA device');
}

const deleteUser = operation({
  name: 'DeleteUser',
  action: 'iam:DeleteUser',
  parse: (p) => ({ userName: p.str('UserName', RULES.userName) }),
  targets: async (i, ctx) => [await userTarget(ctx, i.userName)],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx) => {
      const row = await mustGet(tx, 'user', accountId, i.userName);
      await checkUserEmpty(tx, accountId, row.body.name);
      await tx.delete('user', accountId, row.key);
    });
    return undefined;
  },
});

/** The user operations. */
export const USER_OPERATIONS = [
  createUser,
  getUser,
  pathListing('user', 'Users', (u) => userXml(u, false)),
  updateUser,
  deleteUser,
];
