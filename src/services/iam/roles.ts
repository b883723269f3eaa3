/**
 * IAM roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription, DeleteRole,
 * UpdateAssumeRolePolicy (IAM API Reference).
 */

import { ID_PREFIX, newUniqueId } from '../../auth/ids.js';
import type { Role, StoreWriter } from '../../store/types.js';
import { type AuthTarget, type CallContext, operation } from '../operation.js';
import { RULES } from '../params.js';
import {
  checkDistinctTagKeys,
  checkPolicyArn,
  createTargets,
  deleteConflict,
  entityArn,
  entityTagValues,
  iamArn,
  mustGet,
  now,
  ownerKey,
  pathListing,
  roleXml,
} from './common.js';
import { checkTrustDocument } from './documents.js';
import { bindTrustPrincipals, roleAsShown } from './trust-principals.js';
import { alreadyExists, checkBoundary } from './users.js';

/** Authorization target for an operation on a named role (its ARN, tags and boundary). */
export async function roleTarget(
  ctx: CallContext,
  name: string,
  extra: AuthTarget['values'] = {},
): Promise<AuthTarget> {
  const e = await entityArn(ctx, 'role', name);
  return {
    resource: e.arn,
    values: {
      ...entityTagValues(e.tags),
      ...(e.boundary === undefined ? {} : { 'iam:PermissionsBoundary': e.boundary }),
      ...extra,
    },
  };
}

/** The stored row of a role (the boundary ARN indexed as target). */
export function roleRow(accountId: string, r: Role) {
  return {
    kind: 'role' as const,
    accountId,
    key: r.name.toLowerCase(),
    id: r.id,
    path: r.path,
    ...(r.permissionsBoundary === undefined ? {} : { target: r.permissionsBoundary }),
    body: r,
  };
}

/** Updates one role in a transaction. */
export async function changeRole(
  ctx: CallContext,
  name: string,
  change: (r: Role, tx: StoreWriter) => Role | Promise<Role>,
): Promise<void> {
  const accountId = ctx.caller.accountId;
  await ctx.deps.store.write(async (tx) => {
    const row = await mustGet(tx, 'role', accountId, name);
    await tx.update(roleRow(accountId, await change(row.body, tx)));
  });
}

const createRole = operation({
  name: 'CreateRole',
  action: 'iam:CreateRole',
  parse: (p) => ({
    roleName: p.str('RoleName', RULES.roleName),
    path: p.str('Path', RULES.path) ?? '/',
    trust: p.str('AssumeRolePolicyDocument', RULES.policyDocument),
    description: p.str('Description', RULES.description),
    maxSessionDuration: p.int('MaxSessionDuration', 3600, 43200) ?? 3600,
    boundary: p.str('PermissionsBoundary', { ...RULES.arn, required: false }),
    tags: p.tags(),
  }),
  // "Tagging IAM roles": creating a role with tags also needs iam:TagRole.
  targets: async (i, ctx) =>
    createTargets(iamArn(ctx.caller.accountId, 'role', i.path, i.roleName), i.tags, 'iam:TagRole', i.boundary),
  async run(i, ctx) {
    checkDistinctTagKeys(i.tags);
    checkTrustDocument(i.trust);
    const trustPrincipals = await bindTrustPrincipals(ctx.deps.store, i.trust);
    if (i.boundary !== undefined) checkPolicyArn(i.boundary);
    const role: Role = {
      name: i.roleName,
      path: i.path,
      id: newUniqueId(ID_PREFIX.role),
      arn: iamArn(ctx.caller.accountId, 'role', i.path, i.roleName),
      createdAt: now(ctx),
      trustPolicy: i.trust,
      trustPrincipals,
      maxSessionDuration: i.maxSessionDuration,
      tags: i.tags,
      ...(i.description === undefined ? {} : { description: i.description }),
      ...(i.boundary === undefined ? {} : { permissionsBoundary: i.boundary }),
    };
    await ctx.deps.store
      .write(async (tx) => {
        if (i.boundary !== undefined) await checkBoundary(tx, ctx.caller.accountId, i.boundary);
        await tx.insert(roleRow(ctx.caller.accountId, role));
      })
      .catch((e) => alreadyExists(e, `Role with name ${i.roleName} already exists.`));
    return { Role: roleXml(role, false) };
  },
});

const getRole = operation({
  name: 'GetRole',
  action: 'iam:GetRole',
  parse: (p) => ({ roleName: p.str('RoleName', RULES.roleName) }),
  targets: async (i, ctx) => [await roleTarget(ctx, i.roleName)],
  async run(i, ctx) {
    const row = await mustGet(ctx.deps.store, 'role', ctx.caller.accountId, i.roleName);
    return { Role: roleXml(await roleAsShown(ctx.deps.store, row.body), true) };
  },
});

const updateRole = operation({
  name: 'UpdateRole',
  action: 'iam:UpdateRole',
  parse: (p) => ({
    roleName: p.str('RoleName', RULES.roleName),
    description: p.str('Description', RULES.description),
    maxSessionDuration: p.int('MaxSessionDuration', 3600, 43200),
  }),
  targets: async (i, ctx) => [await roleTarget(ctx, i.roleName)],
  async run(i, ctx) {
    await changeRole(ctx, i.roleName, (r) => ({
      ...r,
      ...(i.description === undefined ? {} : { description: i.description }),
      ...(i.maxSessionDuration === undefined ? {} : { maxSessionDuration: i.maxSessionDuration }),
    }));
    return {};
  },
});

const updateRoleDescription = operation({
  name: 'UpdateRoleDescription',
  action: 'iam:UpdateRoleDescription',
  parse: (p) => ({
    roleName: p.str('RoleName', RULES.roleName),
    description: p.str('Description', { ...RULES.description, required: true }),
  }),
  targets: async (i, ctx) => [await roleTarget(ctx, i.roleName)],
  async run(i, ctx) {
    await changeRole(ctx, i.roleName, (r) => ({ ...r, description: i.description }));
    const row = await mustGet(ctx.deps.store, 'role', ctx.caller.accountId, i.roleName);
    return { Role: roleXml(await roleAsShown(ctx.deps.store, row.body), true) };
  },
});

async function checkRoleEmpty(tx: StoreWriter, accountId: string, name: string): Promise<void> {
  const owner = ownerKey('role', name);
  if ((await tx.count('inline-policy', accountId, { owner })) > 0) throw deleteConflict('delete policies');
  if ((await tx.count('attachment', accountId, { owner })) > 0) throw deleteConflict('detach all policies');
}

const deleteRole = operation({
  name: 'DeleteRole',
  action: 'iam:DeleteRole',
  parse: (p) => ({ roleName: p.str('RoleName', RULES.roleName) }),
  targets: async (i, ctx) => [await roleTarget(ctx, i.roleName)],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx) => {
      const row = await mustGet(tx, 'role', accountId, i.roleName);
      await checkRoleEmpty(tx, accountId, row.body.name);
      await tx.delete('role', accountId, row.key);
    });
    return undefined;
  },
});

const updateAssumeRolePolicy = operation({
  name: 'UpdateAssumeRolePolicy',
  action: 'iam:UpdateAssumeRolePolicy',
  parse: (p) => ({
    roleName: p.str('RoleName', RULES.roleName),
    document: p.str('PolicyDocument', RULES.policyDocument),
  }),
  targets: async (i, ctx) => [await roleTarget(ctx, i.roleName)],
  async run(i, ctx) {
    checkTrustDocument(i.document);
    const trustPrincipals = await bindTrustPrincipals(ctx.deps.store, i.document);
    await changeRole(ctx, i.roleName, (r) => ({ ...r, trustPolicy: i.document, trustPrincipals }));
    return undefined;
  },
});

/** The role operations. */
export const ROLE_OPERATIONS = [
  createRole,
  getRole,
  pathListing('role', 'Roles', async (r, store) => roleXml(await roleAsShown(store, r), false)),
  updateRole,
  updateRoleDescription,
  deleteRole,
  updateAssumeRolePolicy,
];
