/**
 * Policies owned by users, groups and roles, declared once for the three kinds: managed policy
 * attachments (Attach*Policy, Detach*Policy, ListAttached*Policies) and inline policies
 * (Put*Policy, Get*Policy, Delete*Policy, List*Policies) (IAM API Reference; "Managed policies and
 * inline policies"; quotas from "IAM and AWS STS quotas").
 */

import type { ContextValue } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import type { OwnerKind } from '../../store/types.js';
import { type AnyOperation, type AuthTarget, type CallContext, operation } from '../operation.js';
import { RULES, type StringRule } from '../params.js';
import { checkPolicyArn, encodeDocument, findPolicy, mustGet, ownerKey, pageList, pageOf, readPage } from './common.js';
import { checkDocument, INLINE_POLICY_SIZE, policySize } from './documents.js';
import { groupTarget } from './groups.js';
import { roleTarget } from './roles.js';
import { userTarget } from './users.js';

/** At most 10 managed policies attached to one user, group or role (the default quota). */
const ATTACHED_PER_OWNER = 10;

interface Owner {
  kind: OwnerKind;
  noun: 'User' | 'Group' | 'Role';
  param: 'UserName' | 'GroupName' | 'RoleName';
  rule: StringRule & { required: true };
  target(ctx: CallContext, name: string, extra: Record<string, ContextValue>): Promise<AuthTarget>;
}

const OWNERS: Owner[] = [
  { kind: 'user', noun: 'User', param: 'UserName', rule: RULES.userName, target: userTarget },
  {
    kind: 'group',
    noun: 'Group',
    param: 'GroupName',
    rule: RULES.groupName,
    target: async (ctx, name, extra) => ({ ...(await groupTarget(ctx, name)), values: extra }),
  },
  { kind: 'role', noun: 'Role', param: 'RoleName', rule: RULES.roleName, target: roleTarget },
];

function operationsFor(o: Owner): AnyOperation[] {
  const attach = operation({
    name: `Attach${o.noun}Policy`,
    action: `iam:Attach${o.noun}Policy`,
    parse: (p) => ({ name: p.str(o.param, o.rule), arn: p.str('PolicyArn', RULES.arn) }),
    targets: async (i, ctx) => [await o.target(ctx, i.name, { 'iam:PolicyARN': i.arn })],
    async run(i, ctx) {
      checkPolicyArn(i.arn);
      const accountId = ctx.caller.accountId;
      await ctx.deps.store.write(async (tx) => {
        // Inside the transaction: DeletePolicy refuses an attached policy in its own transaction, so
        // a check made before this one could race it and attach a deleted policy.
        const policy = await findPolicy(tx, accountId, i.arn);
        if (policy === undefined) {
          throw new WireError('NoSuchEntity', `Policy ${i.arn} does not exist or is not attachable.`);
        }
        const owner = await mustGet(tx, o.kind, accountId, i.name);
        const ownerCol = ownerKey(o.kind, owner.body.name);
        const key = `${ownerCol}|${i.arn}`;
        if ((await tx.get('attachment', accountId, key)) !== undefined) return;
        if ((await tx.count('attachment', accountId, { owner: ownerCol })) >= ATTACHED_PER_OWNER) {
          throw new WireError('LimitExceeded', `Cannot exceed quota for PoliciesPer${o.noun}: ${ATTACHED_PER_OWNER}`);
        }
        await tx.insert({
          kind: 'attachment',
          accountId,
          key,
          owner: ownerCol,
          target: i.arn,
          body: { ownerKind: o.kind, ownerName: owner.body.name, policyArn: i.arn, policyId: policy.id },
        });
      });
      return undefined;
    },
  });

  const detach = operation({
    name: `Detach${o.noun}Policy`,
    action: `iam:Detach${o.noun}Policy`,
    parse: (p) => ({ name: p.str(o.param, o.rule), arn: p.str('PolicyArn', RULES.arn) }),
    targets: async (i, ctx) => [await o.target(ctx, i.name, { 'iam:PolicyARN': i.arn })],
    async run(i, ctx) {
      checkPolicyArn(i.arn);
      const accountId = ctx.caller.accountId;
      await ctx.deps.store.write(async (tx) => {
        const owner = await mustGet(tx, o.kind, accountId, i.name);
        if (!(await tx.delete('attachment', accountId, `${ownerKey(o.kind, owner.body.name)}|${i.arn}`))) {
          throw new WireError('NoSuchEntity', `Policy ${i.arn} was not found.`);
        }
      });
      return undefined;
    },
  });

  const listAttached = operation({
    name: `ListAttached${o.noun}Policies`,
    action: `iam:ListAttached${o.noun}Policies`,
    parse: (p) => ({
      name: p.str(o.param, o.rule),
      pathPrefix: p.str('PathPrefix', RULES.pathPrefix),
      page: readPage(p),
    }),
    targets: async (i, ctx) => [await o.target(ctx, i.name, {})],
    async run(i, ctx) {
      const store = ctx.deps.store;
      const owner = await mustGet(store, o.kind, ctx.caller.accountId, i.name);
      const attached = [];
      for (const a of await store.list('attachment', ctx.caller.accountId, {
        owner: ownerKey(o.kind, owner.body.name),
      })) {
        const arn = a.body.policyArn;
        const resource = arn.slice(arn.indexOf(':policy') + ':policy'.length);
        if (i.pathPrefix !== undefined && !resource.startsWith(i.pathPrefix)) continue;
        attached.push({ PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn });
      }
      const { rows, more } = pageList(attached, i.page, (x) => x.PolicyArn);
      return { AttachedPolicies: rows, ...more };
    },
  });

  const put = operation({
    name: `Put${o.noun}Policy`,
    action: `iam:Put${o.noun}Policy`,
    parse: (p) => ({
      name: p.str(o.param, o.rule),
      policyName: p.str('PolicyName', RULES.policyName),
      document: p.str('PolicyDocument', RULES.policyDocument),
    }),
    targets: async (i, ctx) => [await o.target(ctx, i.name, {})],
    async run(i, ctx) {
      checkDocument(i.document, 'identity');
      const accountId = ctx.caller.accountId;
      await ctx.deps.store.write(async (tx) => {
        const owner = await mustGet(tx, o.kind, accountId, i.name);
        const ownerCol = ownerKey(o.kind, owner.body.name);
        const key = `${ownerCol}/${i.policyName}`;
        let total = policySize(i.document);
        for (const row of await tx.list('inline-policy', accountId, { owner: ownerCol })) {
          if (row.key !== key) total += policySize(row.body.document);
        }
        const limit = INLINE_POLICY_SIZE[o.kind];
        if (total > limit) {
          throw new WireError(
            'LimitExceeded',
            `Maximum policy size of ${limit} bytes exceeded for ${o.kind} ${owner.body.name}`,
          );
        }
        const row = {
          kind: 'inline-policy' as const,
          accountId,
          key,
          owner: ownerCol,
          body: { ownerKind: o.kind, ownerName: owner.body.name, name: i.policyName, document: i.document },
        };
        if ((await tx.get('inline-policy', accountId, key)) === undefined) await tx.insert(row);
        else await tx.update(row);
      });
      return undefined;
    },
  });

  const get = operation({
    name: `Get${o.noun}Policy`,
    action: `iam:Get${o.noun}Policy`,
    parse: (p) => ({ name: p.str(o.param, o.rule), policyName: p.str('PolicyName', RULES.policyName) }),
    targets: async (i, ctx) => [await o.target(ctx, i.name, {})],
    async run(i, ctx) {
      const store = ctx.deps.store;
      const owner = await mustGet(store, o.kind, ctx.caller.accountId, i.name);
      const row = await store.get(
        'inline-policy',
        ctx.caller.accountId,
        `${ownerKey(o.kind, owner.body.name)}/${i.policyName}`,
      );
      if (row === undefined) {
        throw new WireError('NoSuchEntity', `The ${o.kind} policy with name ${i.policyName} cannot be found.`);
      }
      return {
        [o.param]: owner.body.name,
        PolicyName: row.body.name,
        PolicyDocument: encodeDocument(row.body.document),
      };
    },
  });

  const del = operation({
    name: `Delete${o.noun}Policy`,
    action: `iam:Delete${o.noun}Policy`,
    parse: (p) => ({ name: p.str(o.param, o.rule), policyName: p.str('PolicyName', RULES.policyName) }),
    targets: async (i, ctx) => [await o.target(ctx, i.name, {})],
    async run(i, ctx) {
      const accountId = ctx.caller.accountId;
      await ctx.deps.store.write(async (tx) => {
        const owner = await mustGet(tx, o.kind, accountId, i.name);
        if (!(await tx.delete('inline-policy', accountId, `${ownerKey(o.kind, owner.body.name)}/${i.policyName}`))) {
          throw new WireError('NoSuchEntity', `The ${o.kind} policy with name ${i.policyName} cannot be found.`);
        }
      });
      return undefined;
    },
  });

  const list = operation({
    name: `List${o.noun}Policies`,
    action: `iam:List${o.noun}Policies`,
    parse: (p) => ({ name: p.str(o.param, o.rule), page: readPage(p) }),
    targets: async (i, ctx) => [await o.target(ctx, i.name, {})],
    async run(i, ctx) {
      const store = ctx.deps.store;
      const owner = await mustGet(store, o.kind, ctx.caller.accountId, i.name);
      const { rows, more } = await pageOf(store, 'inline-policy', ctx.caller.accountId, i.page, {
        owner: ownerKey(o.kind, owner.body.name),
      });
      return { PolicyNames: rows.map((r) => r.body.name), ...more };
    },
  });

  return [attach, detach, listAttached, put, get, del, list];
}

/** Attachment and inline policy operations of users, groups and roles. */
export const OWNED_POLICY_OPERATIONS: AnyOperation[] = OWNERS.flatMap(operationsFor);
