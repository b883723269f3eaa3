/**
 * GetAccountAuthorizationDetails: every user, group, role and managed policy of the account with
 * their policies, in one paginated listing (IAM API Reference).
 */

import type { XmlValue } from '../../protocols/aws-query.js';
import type { OwnerKind, StoreReader } from '../../store/types.js';
import { operation } from '../operation.js';
import {
  customerView,
  encodeDocument,
  findPolicy,
  groupXml,
  ownerKey,
  pageList,
  policyXml,
  readPage,
  roleXml,
  userXml,
  versionXml,
} from './common.js';
import { roleAsShown } from './trust-principals.js';

const FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;

async function ownedPolicies(store: StoreReader, accountId: string, kind: OwnerKind, name: string) {
  const owner = ownerKey(kind, name);
  const inline = (await store.list('inline-policy', accountId, { owner })).map((r) => ({
    PolicyName: r.body.name,
    PolicyDocument: encodeDocument(r.body.document),
  }));
  const attached = (await store.list('attachment', accountId, { owner })).map((r) => ({
    PolicyName: r.body.policyArn.slice(r.body.policyArn.lastIndexOf('/') + 1),
    PolicyArn: r.body.policyArn,
  }));
  return { inline, attached };
}

const getAccountAuthorizationDetails = operation({
  name: 'GetAccountAuthorizationDetails',
  action: 'iam:GetAccountAuthorizationDetails',
  parse: (p) => ({ filter: p.list('Filter', { pattern: FILTERS.join('|') }, 5), page: readPage(p) }),
  targets: async () => [{ resource: '*' }],
  async run(i, ctx) {
    const store = ctx.deps.store;
    const accountId = ctx.caller.accountId;
    const want = (f: (typeof FILTERS)[number]) => i.filter.length === 0 || i.filter.includes(f);
    const items: {
      key: string;
      list: 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies';
      value: XmlValue;
    }[] = [];
    if (want('User')) {
      for (const u of await store.list('user', accountId)) {
        const { inline, attached } = await ownedPolicies(store, accountId, 'user', u.body.name);
        const groups = (await store.list('membership', accountId, { owner: u.key })).map((m) => m.body.groupName);
        const base = userXml(u.body, true);
        items.push({
          key: `1${u.key}`,
          list: 'UserDetailList',
          value: { ...base, UserPolicyList: inline, GroupList: groups, AttachedManagedPolicies: attached },
        });
      }
    }
    if (want('Group')) {
      for (const g of await store.list('group', accountId)) {
        const { inline, attached } = await ownedPolicies(store, accountId, 'group', g.body.name);
        items.push({
          key: `2${g.key}`,
          list: 'GroupDetailList',
          value: { ...groupXml(g.body), GroupPolicyList: inline, AttachedManagedPolicies: attached },
        });
      }
    }
    if (want('Role')) {
      for (const r of await store.list('role', accountId)) {
        const { inline, attached } = await ownedPolicies(store, accountId, 'role', r.body.name);
        items.push({
          key: `3${r.key}`,
          list: 'RoleDetailList',
          value: {
            ...roleXml(await roleAsShown(store, r.body), true),
            InstanceProfileList: [],
            RolePolicyList: inline,
            AttachedManagedPolicies: attached,
          },
        });
      }
    }
    const views = [];
    if (want('LocalManagedPolicy')) {
      for (const p of await store.list('policy', accountId))
        views.push({ key: `4${p.key}`, view: customerView(p.body) });
    }
    if (want('AWSManagedPolicy')) {
      // Only the AWS managed policies in use in the account, as IAM lists them.
      const arns = new Set((await store.list('attachment', accountId)).map((a) => a.body.policyArn));
      for (const arn of [...arns].filter((a) => a.startsWith('arn:aws:iam::aws:')).sort()) {
        const view = await findPolicy(store, accountId, arn);
        if (view !== undefined) views.push({ key: `5${arn}`, view });
      }
    }
    for (const { key, view } of views) {
      const base = await policyXml(store, accountId, view, false);
      items.push({
        key,
        list: 'Policies',
        value: {
          ...base,
          Description: view.description,
          PolicyVersionList: view.versions.map((v) => versionXml(view, v, true)),
        },
      });
    }
    const { rows, more } = pageList(items, i.page, (it) => it.key);
    const pick = (list: (typeof items)[number]['list']) => rows.filter((r) => r.list === list).map((r) => r.value);
    return {
      UserDetailList: pick('UserDetailList'),
      GroupDetailList: pick('GroupDetailList'),
      RoleDetailList: pick('RoleDetailList'),
      Policies: pick('Policies'),
      ...more,
    };
  },
});

/** The account-wide operations. */
export const ACCOUNT_OPERATIONS = [getAccountAuthorizationDetails];
