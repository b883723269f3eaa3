/**
 * Access keys: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys,
 * GetAccessKeyLastUsed (IAM API Reference; "Managing access keys for IAM users"). The secret is shown
 * once, at creation, and stored only sealed under the master key.
 */

import { newAccessKeyId, newSecretAccessKey } from '../../auth/ids.js';
import { WireError } from '../../protocols/wire-error.js';
import type { AccessKey, Row, StoreReader } from '../../store/types.js';
import { type AuthTarget, type CallContext, operation } from '../operation.js';
import { RULES } from '../params.js';
import { mustGet, now, pageList, readPage } from './common.js';
import { userNameOrSelf, userTarget } from './users.js';

/** At most 2 access keys per user ("IAM and AWS STS quotas"). */
const KEYS_PER_USER = 2;

/** The owner column of access keys: the user key, or '' for the root user. */
function keyOwner(userName: string | undefined): string {
  return userName === undefined ? '' : userName.toLowerCase();
}

/** Target of a key operation: the named user, the caller itself, or the root user. */
async function ownerTarget(ctx: CallContext, userName: string | undefined): Promise<AuthTarget> {
  const name = userNameOrSelf(ctx, userName);
  return name === undefined ? { resource: ctx.caller.arn } : userTarget(ctx, name);
}

/** The access key with this ID owned by this user (or root) in the caller's account; NoSuchEntity otherwise. */
async function ownedKey(
  store: StoreReader,
  ctx: CallContext,
  keyId: string,
  userName: string | undefined,
): Promise<Row<'access-key'>> {
  const row = await store.getById('access-key', keyId);
  if (row === undefined || row.accountId !== ctx.caller.accountId || row.owner !== keyOwner(userName)) {
    throw new WireError('NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`);
  }
  return row;
}

function metadata(k: AccessKey): Record<string, string | undefined> {
  return { UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createdAt };
}

const createAccessKey = operation({
  name: 'CreateAccessKey',
  action: 'iam:CreateAccessKey',
  parse: (p) => ({ userName: p.str('UserName', { ...RULES.userName, required: false }) }),
  targets: async (i, ctx) => [await ownerTarget(ctx, i.userName)],
  async run(i, ctx) {
    const accountId = ctx.caller.accountId;
    const userName = userNameOrSelf(ctx, i.userName);
    const accessKeyId = newAccessKeyId('AKIA', accountId);
    const secret = newSecretAccessKey();
    const key: AccessKey = {
      accessKeyId,
      secretCiphertext: ctx.deps.secrets.seal(secret, accessKeyId),
      status: 'Active',
      createdAt: now(ctx),
      ...(userName === undefined ? {} : { userName }),
    };
    await ctx.deps.store.write(async (tx) => {
      if (userName !== undefined) {
        const user = await mustGet(tx, 'user', accountId, userName);
        key.userName = user.body.name;
      }
      const owner = keyOwner(key.userName);
      if ((await tx.count('access-key', accountId, { owner })) >= KEYS_PER_USER) {
        throw new WireError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
      }
      await tx.insert({ kind: 'access-key', accountId, key: accessKeyId, id: accessKeyId, owner, body: key });
    });
    return { AccessKey: { ...metadata(key), SecretAccessKey: secret } };
  },
});

const updateAccessKey = operation({
  name: 'UpdateAccessKey',
  action: 'iam:UpdateAccessKey',
  parse: (p) => ({
    userName: p.str('UserName', { ...RULES.userName, required: false }),
    keyId: p.str('AccessKeyId', RULES.accessKeyId),
    status: p.oneOf('Status', ['Active', 'Inactive'] as const, true) ?? 'Active',
  }),
  targets: async (i, ctx) => [await ownerTarget(ctx, i.userName)],
  async run(i, ctx) {
    const userName = userNameOrSelf(ctx, i.userName);
    await ctx.deps.store.write(async (tx) => {
      const row = await ownedKey(tx, ctx, i.keyId, userName);
      await tx.update({ ...row, body: { ...row.body, status: i.status } });
    });
    return undefined;
  },
});

const deleteAccessKey = operation({
  name: 'DeleteAccessKey',
  action: 'iam:DeleteAccessKey',
  parse: (p) => ({
    userName: p.str('UserName', { ...RULES.userName, required: false }),
    keyId: p.str('AccessKeyId', RULES.accessKeyId),
  }),
  targets: async (i, ctx) => [await ownerTarget(ctx, i.userName)],
  async run(i, ctx) {
    const userName = userNameOrSelf(ctx, i.userName);
    await ctx.deps.store.write(async (tx) => {
      const row = await ownedKey(tx, ctx, i.keyId, userName);
      await tx.delete('access-key', row.accountId, row.key);
    });
    return undefined;
  },
});

const listAccessKeys = operation({
  name: 'ListAccessKeys',
  action: 'iam:ListAccessKeys',
  parse: (p) => ({ userName: p.str('UserName', { ...RULES.userName, required: false }), page: readPage(p) }),
  targets: async (i, ctx) => [await ownerTarget(ctx, i.userName)],
  async run(i, ctx) {
    const store = ctx.deps.store;
    const userName = userNameOrSelf(ctx, i.userName);
    if (userName !== undefined) await mustGet(store, 'user', ctx.caller.accountId, userName);
    const keys = await store.list('access-key', ctx.caller.accountId, { owner: keyOwner(userName) });
    const { rows, more } = pageList(keys, i.page, (r) => r.key);
    return { AccessKeyMetadata: rows.map((r) => metadata(r.body)), ...more };
  },
});

const getAccessKeyLastUsed = operation({
  name: 'GetAccessKeyLastUsed',
  action: 'iam:GetAccessKeyLastUsed',
  parse: (p) => ({ keyId: p.str('AccessKeyId', RULES.accessKeyId) }),
  async targets(i, ctx) {
    const row = await ctx.deps.store.getById('access-key', i.keyId);
    if (row === undefined || row.accountId !== ctx.caller.accountId)
      return [{ resource: `arn:aws:iam::${ctx.caller.accountId}:user/*` }];
    return [
      row.body.userName === undefined
        ? { resource: `arn:aws:iam::${ctx.caller.accountId}:root` }
        : await userTarget(ctx, row.body.userName),
    ];
  },
  async run(i, ctx) {
    const row = await ctx.deps.store.getById('access-key', i.keyId);
    if (row === undefined || row.accountId !== ctx.caller.accountId) {
      throw new WireError('NoSuchEntity', `The Access Key with id ${i.keyId} cannot be found.`);
    }
    const used = row.body.lastUsed;
    return {
      UserName: row.body.userName,
      AccessKeyLastUsed:
        used === undefined
          ? { ServiceName: 'N/A', Region: 'N/A' }
          : { LastUsedDate: used.date, ServiceName: used.service, Region: used.region },
    };
  },
});

/** The access key operations. */
export const ACCESS_KEY_OPERATIONS = [
  createAccessKey,
  updateAccessKey,
  deleteAccessKey,
  listAccessKeys,
  getAccessKeyLastUsed,
];
