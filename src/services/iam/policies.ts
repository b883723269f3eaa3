/**
 * Managed policies and their versions: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
 * CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
 * SetDefaultPolicyVersion, ListEntitiesForPolicy (IAM API Reference; "Versioning IAM policies").
 */

import { ID_PREFIX, newUniqueId } from '../../auth/ids.js';
import { awsManagedPolicies } from '../../catalog/managed-policies.js';
import { WireError } from '../../protocols/wire-error.js';
import type { ManagedPolicy, Row, StoreWriter } from '../../store/types.js';
import { type AuthTarget, type CallContext, operation } from '../operation.js';
import { RULES } from '../params.js';
import {
  checkDistinctTagKeys,
  checkPolicyArn,
  createTargets,
  customerView,
  findPolicy,
  iamArn,
  now,
  type PolicyView,
  pageList,
  policyXml,
  readPage,
  versionXml,
} from './common.js';
import { checkManagedDocument } from './documents.js';
import { policyTarget } from './tagging.js';
import { alreadyExists } from './users.js';

/** At most 5 versions per managed policy ("Versioning IAM policies"). */
const MAX_VERSIONS = 5;

/** Authorization target of a policy ARN; AWS managed policies count as the caller's account. */
async function target(ctx: CallContext, arn: string): Promise<AuthTarget> {
  const t = await policyTarget(ctx, arn);
  return arn.startsWith('arn:aws:iam::aws:') ? { ...t, resourceAccount: ctx.caller.accountId } : t;
}

/** A managed policy by ARN, or NoSuchEntity "Policy ARN was not found." */
async function mustFindPolicy(ctx: CallContext, arn: string): Promise<PolicyView> {
  checkPolicyArn(arn);
  const found = await findPolicy(ctx.deps.store, ctx.caller.accountId, arn);
  if (found === undefined) throw new WireError('NoSuchEntity', `Policy ${arn} was not found.`);
  return found;
}

/** The stored customer managed policy, inside a transaction; AWS managed ones cannot be changed. */
async function mustGetCustomer(tx: StoreWriter, ctx: CallContext, arn: string): Promise<Row<'policy'>> {
  checkPolicyArn(arn);
  if (arn.startsWith('arn:aws:iam::aws:')) {
    throw new WireError('InvalidInput', `Policy ${arn} is an AWS managed policy and cannot be changed.`);
  }
  const name = arn.slice(arn.lastIndexOf('/') + 1).toLowerCase();
  const row = await tx.get('policy', ctx.caller.accountId, name);
  if (row === undefined || row.body.arn !== arn) throw new WireError('NoSuchEntity', `Policy ${arn} was not found.`);
  return row;
}

const createPolicy = operation({
  name: 'CreatePolicy',
  action: 'iam:CreatePolicy',
  parse: (p) => ({
    policyName: p.str('PolicyName', RULES.policyName),
    path: p.str('Path', RULES.path) ?? '/',
    document: p.str('PolicyDocument', RULES.policyDocument),
    description: p.str('Description', RULES.description),
    tags: p.tags(),
  }),
  targets: async (i, ctx) =>
    createTargets(iamArn(ctx.caller.accountId, 'policy', i.path, i.policyName), i.tags, 'iam:TagPolicy'),
  async run(i, ctx) {
    checkDistinctTagKeys(i.tags);
    checkManagedDocument(i.document);
    const at = now(ctx);
    const policy: ManagedPolicy = {
      name: i.policyName,
      path: i.path,
      id: newUniqueId(ID_PREFIX.policy),
      arn: iamArn(ctx.caller.accountId, 'policy', i.path, i.policyName),
      createdAt: at,
      updatedAt: at,
      defaultVersionId: 'v1',
      nextVersion: 2,
      versions: [{ versionId: 'v1', document: i.document, createdAt: at }],
      tags: i.tags,
      ...(i.description === undefined ? {} : { description: i.description }),
    };
    await ctx.deps.store
      .write((tx) =>
        tx.insert({
          kind: 'policy',
          accountId: ctx.caller.accountId,
          key: i.policyName.toLowerCase(),
          id: policy.id,
          path: i.path,
          body: policy,
        }),
      )
      .catch((e) =>
        alreadyExists(e, `A policy called ${i.policyName} already exists. Duplicate names are not allowed.`),
      );
    return { Policy: await policyXml(ctx.deps.store, ctx.caller.accountId, customerView(policy), false) };
  },
});

const getPolicy = operation({
  name: 'GetPolicy',
  action: 'iam:GetPolicy',
  parse: (p) => ({ arn: p.str('PolicyArn', RULES.arn) }),
  targets: async (i, ctx) => [await target(ctx, i.arn)],
  async run(i, ctx) {
    const policy = await mustFindPolicy(ctx, i.arn);
    return { Policy: await policyXml(ctx.deps.store, ctx.caller.accountId, policy, true) };
  },
});

const listPolicies = operation({
  name: 'ListPolicies',
  action: 'iam:ListPolicies',
  parse: (p) => ({
    scope: p.oneOf('Scope', ['All', 'AWS', 'Local'] as const) ?? 'All',
    onlyAttached: p.bool('OnlyAttached') ?? false,
    pathPrefix: p.str('PathPrefix', { ...RULES.pathPrefix, pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/' }),
    usage: p.oneOf('PolicyUsageFilter', ['PermissionsPolicy', 'PermissionsBoundary'] as const),
    page: readPage(p),
  }),
  // IAM names the resource of a policy listing "policy path /" (not an ARN, so only "*" matches it).
  targets: async (i) => [{ resource: `policy path ${i.pathPrefix ?? '/'}` }],
  async run(i, ctx) {
    const store = ctx.deps.store;
    const accountId = ctx.caller.accountId;
    const items: { sortKey: string; view: PolicyView }[] = [];
    if (i.scope !== 'AWS') {
      for (const row of await store.list(
        'policy',
        accountId,
        i.pathPrefix === undefined ? {} : { pathPrefix: i.pathPrefix },
      )) {
        items.push({ sortKey: `0${row.key}`, view: customerView(row.body) });
      }
    }
    if (i.scope !== 'Local') {
      for (const p of awsManagedPolicies()) {
        if (i.pathPrefix === undefined || p.path.startsWith(i.pathPrefix)) {
          items.push({ sortKey: `1${p.name}`, view: { ...p, tags: [], awsManaged: true } });
        }
      }
    }
    let candidates = items;
    if (i.onlyAttached || i.usage !== undefined) {
      const attached = new Set((await store.list('attachment', accountId)).map((r) => r.body.policyArn));
      const boundaries = new Set<string>();
      for (const kind of ['user', 'role'] as const) {
        for (const r of await store.list(kind, accountId)) if (r.target !== undefined) boundaries.add(r.target);
      }
      candidates = items.filter((it) => {
        const asPolicy = attached.has(it.view.arn);
        const asBoundary = boundaries.has(it.view.arn);
        if (i.usage === 'PermissionsPolicy') return asPolicy;
        if (i.usage === 'PermissionsBoundary') return asBoundary;
        return asPolicy || asBoundary;
      });
    }
    const { rows, more } = pageList(candidates, i.page, (it) => it.sortKey);
    const out = [];
    for (const r of rows) out.push(await policyXml(store, accountId, r.view, false));
    return { Policies: out, ...more };
  },
});

const deletePolicy = operation({
  name: 'DeletePolicy',
  action: 'iam:DeletePolicy',
  parse: (p) => ({ arn: p.str('PolicyArn', RULES.arn) }),
  targets: async (i, ctx) => [await target(ctx, i.arn)],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    await ctx.deps.store.write(async (tx) => {
      const row = await mustGetCustomer(tx, ctx, i.arn);
      if ((await tx.count('attachment', accountId, { target: i.arn })) > 0) {
        throw new WireError('DeleteConflict', 'Cannot delete a policy attached to entities.');
      }
      if (
        (await tx.count('user', accountId, { target: i.arn })) +
          (await tx.count('role', accountId, { target: i.arn })) >
        0
      ) {
        throw new WireError('DeleteConflict', 'Cannot delete a policy used as a permissions boundary.');
      }
      if (row.body.versions.length > 1) {
        throw new WireError(
          'DeleteConflict',
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        );
      }
      await tx.delete('policy', accountId, row.key);
    });
    return undefined;
  },
});

const createPolicyVersion = operation({
  name: 'CreatePolicyVersion',
  action: 'iam:CreatePolicyVersion',
  parse: (p) => ({
    arn: p.str('PolicyArn', RULES.arn),
    document: p.str('PolicyDocument', RULES.policyDocument),
    setAsDefault: p.bool('SetAsDefault') ?? false,
  }),
  targets: async (i, ctx) => [await target(ctx, i.arn)],
  async run(i, ctx) {
    checkManagedDocument(i.document);
    const at = now(ctx);
    const versionId = await ctx.deps.store.write(async (tx) => {
      const row = await mustGetCustomer(tx, ctx, i.arn);
      const p = row.body;
      if (p.versions.length >= MAX_VERSIONS) {
        throw new WireError(
          'LimitExceeded',
          `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
        );
      }
      const id = `v${p.nextVersion}`;
      await tx.update({
        ...row,
        body: {
          ...p,
          nextVersion: p.nextVersion + 1,
          updatedAt: i.setAsDefault ? at : p.updatedAt,
          defaultVersionId: i.setAsDefault ? id : p.defaultVersionId,
          versions: [{ versionId: id, document: i.document, createdAt: at }, ...p.versions],
        },
      });
      return id;
    });
    return { PolicyVersion: { VersionId: versionId, IsDefaultVersion: i.setAsDefault, CreateDate: at } };
  },
});

function findVersion(p: PolicyView, versionId: string) {
  const v = p.versions.find((x) => x.versionId === versionId);
  if (v === undefined) {
    throw new WireError('NoSuchEntity', `Policy ${p.arn} version ${versionId} does not exist or is not attachable.`);
  }
  return v;
}

const getPolicyVersion = operation({
  name: 'GetPolicyVersion',
  action: 'iam:GetPolicyVersion',
  parse: (p) => ({ arn: p.str('PolicyArn', RULES.arn), versionId: p.str('VersionId', RULES.versionId) }),
  targets: async (i, ctx) => [await target(ctx, i.arn)],
  async run(i, ctx) {
    const p = await mustFindPolicy(ctx, i.arn);
    return { PolicyVersion: versionXml(p, findVersion(p, i.versionId), true) };
  },
});

const listPolicyVersions = operation({
  name: 'ListPolicyVersions',
  action: 'iam:ListPolicyVersions',
  parse: (p) => ({ arn: p.str('PolicyArn', RULES.arn), page: readPage(p) }),
  targets: async (i, ctx) => [await target(ctx, i.arn)],
  async run(i, ctx) {
    const p = await mustFindPolicy(ctx, i.arn);
    const ordered = [...p.versions].sort((a, b) => Number(b.versionId.slice(1)) - Number(a.versionId.slice(1)));
    const { rows, more } = pageList(
      ordered.map((v, n) => ({ v, key: String(n).padStart(6, '0') })),
      i.page,
      (x) => x.key,
    );
    return { Versions: rows.map((x) => versionXml(p, x.v, false)), ...more };
  },
});

const deletePolicyVersion = operation({
  name: 'DeletePolicyVersion',
  action: 'iam:DeletePolicyVersion',
  parse: (p) => ({ arn: p.str('PolicyArn', RULES.arn), versionId: p.str('VersionId', RULES.versionId) }),
  targets: async (i, ctx) => [await target(ctx, i.arn)],
  async run(i, ctx) {
    await ctx.deps.store.write(async (tx) => {
      const row = await mustGetCustomer(tx, ctx, i.arn);
      findVersion(customerView(row.body), i.versionId);
      if (row.body.defaultVersionId === i.versionId) {
        throw new WireError('DeleteConflict', 'Cannot delete the default version of a policy.');
      }
      await tx.update({
        ...row,
        body: { ...row.body, versions: row.body.versions.filter((v) => v.versionId !== i.versionId) },
      });
    });
    return undefined;
  },
});

const setDefaultPolicyVersion = operation({
  name: 'SetDefaultPolicyVersion',
  action: 'iam:SetDefaultPolicyVersion',
  parse: (p) => ({ arn: p.str('PolicyArn', RULES.arn), versionId: p.str('VersionId', RULES.versionId) }),
  targets: async (i, ctx) => [await target(ctx, i.arn)],
  async run(i, ctx) {
    const at = now(ctx);
    await ctx.deps.store.write(async (tx) => {
      const row = await mustGetCustomer(tx, ctx, i.arn);
      findVersion(customerView(row.body), i.versionId);
      await tx.update({ ...row, body: { ...row.body, defaultVersionId: i.versionId, updatedAt: at } });
    });
    return undefined;
  },
});

const listEntitiesForPolicy = operation({
  name: 'ListEntitiesForPolicy',
  action: 'iam:ListEntitiesForPolicy',
  parse: (p) => ({
    arn: p.str('PolicyArn', RULES.arn),
    filter: p.oneOf('EntityFilter', ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const),
    pathPrefix: p.str('PathPrefix', RULES.pathPrefix),
    usage: p.oneOf('PolicyUsageFilter', ['PermissionsPolicy', 'PermissionsBoundary'] as const),
    page: readPage(p),
  }),
  targets: async (i, ctx) => [await target(ctx, i.arn)],
  async run(i, ctx) {
    const store = ctx.deps.store;
    const accountId = ctx.caller.accountId;
    await mustFindPolicy(ctx, i.arn);
    const entities: { key: string; kind: 'user' | 'group' | 'role'; name: string; id: string; path: string }[] = [];
    const want = (kind: 'user' | 'group' | 'role') =>
      i.filter === undefined ||
      i.filter.toLowerCase() === kind ||
      i.filter === 'LocalManagedPolicy' ||
      i.filter === 'AWSManagedPolicy';
    if (i.usage !== 'PermissionsBoundary') {
      for (const a of await store.list('attachment', accountId, { target: i.arn })) {
        const kind = a.body.ownerKind;
        if (!want(kind)) continue;
        const row = await store.get(kind, accountId, a.body.ownerName.toLowerCase());
        if (row !== undefined)
          entities.push({ key: `${kind}:${row.key}`, kind, name: row.body.name, id: row.body.id, path: row.body.path });
      }
    }
    if (i.usage !== 'PermissionsPolicy') {
      for (const kind of ['user', 'role'] as const) {
        if (!want(kind)) continue;
        for (const row of await store.list(kind, accountId, { target: i.arn })) {
          entities.push({
            key: `${kind}:${row.key}:b`,
            kind,
            name: row.body.name,
            id: row.body.id,
            path: row.body.path,
          });
        }
      }
    }
    const filtered = entities
      .filter((e) => i.pathPrefix === undefined || e.path.startsWith(i.pathPrefix))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const { rows, more } = pageList(filtered, i.page, (e) => e.key);
    return {
      PolicyGroups: rows.filter((e) => e.kind === 'group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
      PolicyUsers: rows.filter((e) => e.kind === 'user').map((e) => ({ UserName: e.name, UserId: e.id })),
      PolicyRoles: rows.filter((e) => e.kind === 'role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
      ...more,
    };
  },
});

/** The managed policy and version operations. */
export const POLICY_OPERATIONS = [
  createPolicy,
  getPolicy,
  listPolicies,
  deletePolicy,
  createPolicyVersion,
  getPolicyVersion,
  listPolicyVersions,
  deletePolicyVersion,
  setDefaultPolicyVersion,
  listEntitiesForPolicy,
];
