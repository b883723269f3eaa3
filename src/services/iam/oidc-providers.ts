/**
 * IAM OpenID Connect identity providers (IAM API Reference): CreateOpenIDConnectProvider,
 * GetOpenIDConnectProvider, ListOpenIDConnectProviders, DeleteOpenIDConnectProvider,
 * UpdateOpenIDConnectProviderThumbprint, AddClientIDToOpenIDConnectProvider,
 * RemoveClientIDFromOpenIDConnectProvider, and their tags (TagOpenIDConnectProvider,
 * UntagOpenIDConnectProvider, ListOpenIDConnectProviderTags; "Tagging OpenID Connect (OIDC) identity
 * providers", IAM User Guide). A provider is keyed by its URL without the scheme, which is also the
 * resource part of its ARN: `arn:aws:iam::ACCOUNT:oidc-provider/HOST[:PORT]/PATH`.
 */

import { oidcProviderKey } from '../../auth/oidc.js';
import type { ContextValue } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import { type OidcProvider, type Row, StoreError, type StoreReader } from '../../store/types.js';
import { type AnyOperation, type AuthTarget, type CallContext, operation } from '../operation.js';
import { type Params, RULES, type StringRule } from '../params.js';
import { resourceTagValues } from '../tag-context.js';
import { checkDistinctTagKeys, now, requestTagValues } from './common.js';
import { tagOperations } from './tagging.js';

/** "You cannot register more than 100 client IDs with a single IAM OIDC provider" (CreateOpenIDConnectProvider). */
const MAX_CLIENT_IDS = 100;
/** "IAM lets you have up to five thumbprints for an OIDC provider" (CreateOpenIDConnectProvider). */
const MAX_THUMBPRINTS = 5;
/** "OpenID Connect providers per account: 100" ("IAM and AWS STS quotas", IAM User Guide). */
const MAX_PROVIDERS = 100;

const URL_RULE = { required: true, min: 1, max: 255 } satisfies StringRule;
const CLIENT_ID_RULE = { min: 1, max: 255 } satisfies StringRule;
/** thumbprintType: "It is always a 40-character string" (CreateOpenIDConnectProvider). */
const THUMBPRINT_RULE = { min: 40, max: 40 } satisfies StringRule;
const ARN_RULE = RULES.arn;

const PROVIDER_ARN = /^arn:aws:iam::(\d{12}):oidc-provider\/(.+)$/;

/** The ARN of a provider key in an account. */
function providerArn(accountId: string, key: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${key}`;
}

/** The provider URL IAM shows: without `https://` (GetOpenIDConnectProvider returns it so). */
function shownUrl(p: OidcProvider): string {
  return p.url.startsWith('https://') ? p.url.slice('https://'.length) : p.url;
}

/** NoSuchEntity as IAM words it for OIDC providers. */
function notFound(arn: string): WireError {
  return new WireError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`);
}

/**
 * The stored provider an ARN names in the caller's account, or undefined. Another account's providers
 * are not visible, as in IAM. The ARN must match the stored one exactly.
 */
async function findProvider(
  store: StoreReader,
  accountId: string,
  arn: string,
): Promise<Row<'oidc-provider'> | undefined> {
  const m = PROVIDER_ARN.exec(arn);
  if (m === null || m[1] !== accountId) return undefined;
  const key = oidcProviderKey(`https://${m[2] as string}`);
  if (key === undefined) return undefined;
  const row = await store.get('oidc-provider', accountId, key);
  return row !== undefined && row.body.arn === arn ? row : undefined;
}

/** Checks the ARN's form: InvalidInput "ARN … is not valid." as IAM words it for malformed ARNs. */
function checkProviderArn(arn: string): void {
  if (!PROVIDER_ARN.test(arn)) throw new WireError('InvalidInput', `ARN ${arn} is not valid.`);
}

/** The provider an ARN names, or NoSuchEntity. */
async function mustFind(store: StoreReader, ctx: CallContext, arn: string): Promise<Row<'oidc-provider'>> {
  checkProviderArn(arn);
  const row = await findProvider(store, ctx.caller.accountId, arn);
  if (row === undefined) throw notFound(arn);
  return row;
}

/** Authorization target of an operation on a provider: its ARN and its tags as aws:ResourceTag. */
async function providerTarget(
  ctx: CallContext,
  arn: string,
  extra: Record<string, ContextValue> = {},
): Promise<AuthTarget> {
  const row = await findProvider(ctx.deps.store, ctx.caller.accountId, arn);
  return { resource: arn, values: { ...resourceTagValues(row?.body.tags ?? []), ...extra } };
}

/** Replaces a provider's body in one write; NoSuchEntity when it is gone. */
async function changeProvider(ctx: CallContext, arn: string, fn: (p: OidcProvider) => OidcProvider): Promise<void> {
  await ctx.deps.store.write(async (tx) => {
    const row = await mustFind(tx, ctx, arn);
    await tx.update({ ...row, body: fn(row.body) });
  });
}

/** Reads a thumbprint list; `required` makes an absent list a ValidationError. */
function readThumbprints(p: Params, required: boolean): string[] {
  const present = p.raw.has('ThumbprintList') || p.raw.has('ThumbprintList.member.1');
  if (required && !present) {
    p.violation("Value null at 'thumbprintList' failed to satisfy constraint: Member must not be null");
  }
  return p.list('ThumbprintList', THUMBPRINT_RULE, MAX_THUMBPRINTS);
}

/** Thumbprints are hex-encoded SHA-1 digests ("the hex-encoded SHA-1 hash value of the X.509 certificate"). */
function checkThumbprints(list: readonly string[]): void {
  for (const t of list) {
    if (!/^[0-9A-Fa-f]{40}$/.test(t)) {
      throw new WireError('InvalidInput', `Thumbprint ${t} is not a hex-encoded SHA-1 digest of 40 characters.`);
    }
  }
}

/** Client IDs without repeats, in the order given. */
function distinct(list: readonly string[]): string[] {
  return [...new Set(list)];
}

function tooManyClientIds(): WireError {
  return new WireError('LimitExceeded', `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
}

/** Tags sorted by key ("The returned list of tags is sorted by tag key", GetOpenIDConnectProvider). */
function tagsXml(p: OidcProvider) {
  return [...p.tags]
    .sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0))
    .map((t) => ({ Key: t.Key, Value: t.Value }));
}

const createProvider = operation({
  name: 'CreateOpenIDConnectProvider',
  action: 'iam:CreateOpenIDConnectProvider',
  parse: (p) => ({
    url: p.str('Url', URL_RULE),
    clientIds: p.list('ClientIDList', CLIENT_ID_RULE),
    thumbprints: readThumbprints(p, false),
    tags: p.tags(),
  }),
  async targets(i, ctx) {
    // IAM authorizes before it validates the URL: the target is the ARN the URL would have.
    const key = oidcProviderKey(i.url) ?? i.url.replace(/^[a-zA-Z]+:\/\//, '');
    const arn = providerArn(ctx.caller.accountId, key);
    const values = i.tags.length > 0 ? requestTagValues(i.tags) : {};
    const targets: AuthTarget[] = [{ resource: arn, values }];
    // Service Authorization Reference (IAM): creating with tags also needs iam:TagOpenIDConnectProvider.
    if (i.tags.length > 0) targets.push({ action: 'iam:TagOpenIDConnectProvider', resource: arn, values });
    return targets;
  },
  async run(i, ctx) {
    const key = oidcProviderKey(i.url);
    if (key === undefined) {
      throw new WireError(
        'InvalidInput',
        `Invalid Open ID Connect Provider URL ${i.url}: it must begin with https:// and have no query or fragment.`,
      );
    }
    checkThumbprints(i.thumbprints);
    checkDistinctTagKeys(i.tags);
    const clientIds = distinct(i.clientIds);
    if (clientIds.length > MAX_CLIENT_IDS) throw tooManyClientIds();
    const accountId = ctx.caller.accountId;
    const provider: OidcProvider = {
      arn: providerArn(accountId, key),
      url: i.url,
      clientIds,
      thumbprints: i.thumbprints,
      createdAt: now(ctx),
      tags: i.tags,
    };
    await ctx.deps.store
      .write(async (tx) => {
        if ((await tx.count('oidc-provider', accountId)) >= MAX_PROVIDERS) {
          throw new WireError(
            'LimitExceeded',
            `Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${MAX_PROVIDERS}`,
          );
        }
        await tx.insert({ kind: 'oidc-provider', accountId, key, body: provider });
      })
      .catch((e: unknown) => {
        // "Within your AWS account, each IAM OIDC identity provider must use a unique URL."
        if (e instanceof StoreError && e.code === 'Conflict') {
          throw new WireError('EntityAlreadyExists', `Provider with url ${i.url} already exists.`);
        }
        throw e;
      });
    return {
      OpenIDConnectProviderArn: provider.arn,
      Tags: provider.tags.length > 0 ? tagsXml(provider) : undefined,
    };
  },
});

const getProvider = operation({
  name: 'GetOpenIDConnectProvider',
  action: 'iam:GetOpenIDConnectProvider',
  parse: (p) => ({ arn: p.str('OpenIDConnectProviderArn', ARN_RULE) }),
  targets: async (i, ctx) => [await providerTarget(ctx, i.arn)],
  async run(i, ctx) {
    const p = (await mustFind(ctx.deps.store, ctx, i.arn)).body;
    return {
      Url: shownUrl(p),
      ClientIDList: p.clientIds,
      ThumbprintList: p.thumbprints,
      CreateDate: p.createdAt,
      Tags: p.tags.length > 0 ? tagsXml(p) : undefined,
    };
  },
});

const listProviders = operation({
  name: 'ListOpenIDConnectProviders',
  action: 'iam:ListOpenIDConnectProviders',
  parse: () => ({}),
  // The Service Authorization Reference lists no resource type for ListOpenIDConnectProviders.
  targets: async () => [{ resource: '*' }],
  async run(_i, ctx) {
    const rows = await ctx.deps.store.list('oidc-provider', ctx.caller.accountId);
    return { OpenIDConnectProviderList: rows.map((r) => ({ Arn: r.body.arn })) };
  },
});

const deleteProvider = operation({
  name: 'DeleteOpenIDConnectProvider',
  action: 'iam:DeleteOpenIDConnectProvider',
  parse: (p) => ({ arn: p.str('OpenIDConnectProviderArn', ARN_RULE) }),
  targets: async (i, ctx) => [await providerTarget(ctx, i.arn)],
  async run(i, ctx) {
    checkProviderArn(i.arn);
    // "This operation is idempotent; it does not fail or return an error if you call the operation
    // for a provider that does not exist" (DeleteOpenIDConnectProvider). Roles that trust it are not
    // changed: assuming them with its tokens fails from now on.
    await ctx.deps.store.write(async (tx) => {
      const row = await findProvider(tx, ctx.caller.accountId, i.arn);
      if (row !== undefined) await tx.delete('oidc-provider', row.accountId, row.key);
    });
    return undefined;
  },
});

const updateThumbprint = operation({
  name: 'UpdateOpenIDConnectProviderThumbprint',
  action: 'iam:UpdateOpenIDConnectProviderThumbprint',
  parse: (p) => ({ arn: p.str('OpenIDConnectProviderArn', ARN_RULE), thumbprints: readThumbprints(p, true) }),
  targets: async (i, ctx) => [await providerTarget(ctx, i.arn)],
  async run(i, ctx) {
    checkThumbprints(i.thumbprints);
    // "replaces the existing list of server certificate thumbprints with the new list".
    await changeProvider(ctx, i.arn, (p) => ({ ...p, thumbprints: i.thumbprints }));
    return undefined;
  },
});

const addClientId = operation({
  name: 'AddClientIDToOpenIDConnectProvider',
  action: 'iam:AddClientIDToOpenIDConnectProvider',
  parse: (p) => ({
    arn: p.str('OpenIDConnectProviderArn', ARN_RULE),
    clientId: p.str('ClientID', { ...CLIENT_ID_RULE, required: true }),
  }),
  targets: async (i, ctx) => [await providerTarget(ctx, i.arn)],
  async run(i, ctx) {
    // "This operation is idempotent; it does not fail or return an error if you add an existing
    // client ID to the provider" (AddClientIDToOpenIDConnectProvider).
    await changeProvider(ctx, i.arn, (p) => {
      if (p.clientIds.includes(i.clientId)) return p;
      if (p.clientIds.length >= MAX_CLIENT_IDS) throw tooManyClientIds();
      return { ...p, clientIds: [...p.clientIds, i.clientId] };
    });
    return undefined;
  },
});

const removeClientId = operation({
  name: 'RemoveClientIDFromOpenIDConnectProvider',
  action: 'iam:RemoveClientIDFromOpenIDConnectProvider',
  parse: (p) => ({
    arn: p.str('OpenIDConnectProviderArn', ARN_RULE),
    clientId: p.str('ClientID', { ...CLIENT_ID_RULE, required: true }),
  }),
  targets: async (i, ctx) => [await providerTarget(ctx, i.arn)],
  async run(i, ctx) {
    // "This operation is idempotent; it does not fail or return an error if you try to remove a
    // client ID that does not exist" (RemoveClientIDFromOpenIDConnectProvider).
    await changeProvider(ctx, i.arn, (p) => ({ ...p, clientIds: p.clientIds.filter((c) => c !== i.clientId) }));
    return undefined;
  },
});

/** The OIDC provider operations. */
export const OIDC_PROVIDER_OPERATIONS: AnyOperation[] = [
  createProvider,
  getProvider,
  listProviders,
  deleteProvider,
  updateThumbprint,
  addClientId,
  removeClientId,
  ...tagOperations<OidcProvider>({
    noun: 'OpenIDConnectProvider',
    param: 'OpenIDConnectProviderArn',
    rule: ARN_RULE,
    target: providerTarget,
    read: async (ctx, arn) => (await mustFind(ctx.deps.store, ctx, arn)).body,
    change: changeProvider,
  }),
];
