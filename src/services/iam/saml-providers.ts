/**
 * IAM SAML identity providers: CreateSAMLProvider, GetSAMLProvider, ListSAMLProviders,
 * UpdateSAMLProvider, DeleteSAMLProvider, TagSAMLProvider, UntagSAMLProvider and
 * ListSAMLProviderTags (IAM API Reference; "Create a SAML identity provider in IAM", IAM User Guide).
 * A provider is its name, its IdP's metadata document (checked to be IdP metadata with a signing
 * certificate, see src/auth/saml.ts) and its tags; AssumeRoleWithSAML (src/services/sts/saml.ts)
 * trusts the certificates of that metadata.
 */

import { parseSamlMetadata, SamlError, type SamlMetadata } from '../../auth/saml.js';
import type { ContextValue } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import type { Row, SamlProvider, StoreReader } from '../../store/types.js';
import { type AnyOperation, type AuthTarget, type CallContext, operation } from '../operation.js';
import { RULES, type StringRule } from '../params.js';
import { resourceTagValues } from '../tag-context.js';
import { checkDistinctTagKeys, now, requestTagValues } from './common.js';
import { tagOperations } from './tagging.js';
import { alreadyExists } from './users.js';

/** CreateSAMLProvider's Name: "Length Constraints: Minimum length of 1. Maximum length of 128. Pattern: [\w._-]+". */
const NAME_RULE = { required: true, min: 1, max: 128, pattern: '[\\w._-]+' } satisfies StringRule;
/** SAMLMetadataDocument: "Minimum length of 1000. Maximum length of 10000000." */
const METADATA_RULE = { min: 1000, max: 10_000_000 } satisfies StringRule;
/** "SAML providers in an AWS account: 100" ("IAM and AWS STS quotas"). */
const MAX_PROVIDERS = 100;

/** `arn:aws:iam::ACCOUNT:saml-provider/NAME`: account and name. */
export const SAML_PROVIDER_ARN = /^arn:aws:iam::(\d{12}):saml-provider\/([\w._-]{1,128})$/;

/** A SAML provider's ARN. */
export function samlProviderArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:saml-provider/${name}`;
}

/**
 * The stored provider an ARN names, in whichever account the ARN says (AssumeRoleWithSAML reads the
 * provider of the role's account); undefined when the ARN is malformed or names no provider. The ARN
 * must match exactly: names are unique regardless of case, but an ARN is compared as written.
 */
export async function findSamlProvider(store: StoreReader, arn: string): Promise<Row<'saml-provider'> | undefined> {
  const m = SAML_PROVIDER_ARN.exec(arn);
  if (m === null) return undefined;
  const row = await store.get('saml-provider', m[1] as string, (m[2] as string).toLowerCase());
  return row !== undefined && row.body.arn === arn ? row : undefined;
}

/** The provider the caller names in its own account, or NoSuchEntity / InvalidInput in IAM's words. */
async function mustGetProvider(ctx: CallContext, arn: string, store: StoreReader = ctx.deps.store) {
  if (!SAML_PROVIDER_ARN.test(arn)) throw new WireError('InvalidInput', `ARN ${arn} is not valid.`);
  const row = arn.startsWith(`arn:aws:iam::${ctx.caller.accountId}:`) ? await findSamlProvider(store, arn) : undefined;
  if (row === undefined) throw new WireError('NoSuchEntity', `Manifest not found for arn ${arn}`);
  return row;
}

/** Reads metadata or refuses it with IAM's InvalidInput "Could not parse metadata.". */
function readMetadata(document: string): SamlMetadata {
  try {
    return parseSamlMetadata(document);
  } catch (e) {
    if (e instanceof SamlError) throw new WireError('InvalidInput', e.message);
    throw e;
  }
}

/**
 * Encrypted assertions (AssertionEncryptionMode Required, AddPrivateKey) are not supported: refused
 * rather than stored and silently ignored.
 */
function refuseEncryption(mode: string | undefined, addKey: string | undefined, removeKey?: string): void {
  if (mode === 'Required' || addKey !== undefined || removeKey !== undefined) {
    throw new WireError(
      'InvalidInput',
      'Encrypted SAML assertions are not supported by this basalt version: leave out AddPrivateKey and RemovePrivateKey, and set AssertionEncryptionMode to Allowed or leave it out.',
    );
  }
}

/** Authorization target of a provider: its ARN and, when it exists in the caller's account, its tags. */
async function providerTarget(
  ctx: CallContext,
  arn: string,
  extra: Record<string, ContextValue> = {},
): Promise<AuthTarget> {
  const row = arn.startsWith(`arn:aws:iam::${ctx.caller.accountId}:`)
    ? await findSamlProvider(ctx.deps.store, arn)
    : undefined;
  return { resource: arn, values: { ...resourceTagValues(row?.body.tags ?? []), ...extra } };
}

function providerRow(accountId: string, p: SamlProvider): Row<'saml-provider'> {
  return { kind: 'saml-provider', accountId, key: p.name.toLowerCase(), body: p };
}

/** Tags sorted by key, as IAM lists a SAML provider's tags ("The returned list of tags is sorted by tag key"). */
function tagsXml(p: SamlProvider) {
  return [...p.tags]
    .sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0))
    .map((t) => ({ Key: t.Key, Value: t.Value }));
}

/** Applies a change to a provider in one write; NoSuchEntity when it is gone. */
async function changeProvider(ctx: CallContext, arn: string, fn: (p: SamlProvider) => SamlProvider): Promise<void> {
  await ctx.deps.store.write(async (tx) => {
    const row = await mustGetProvider(ctx, arn, tx);
    await tx.update(providerRow(row.accountId, fn(row.body)));
  });
}

const createSamlProvider = operation({
  name: 'CreateSAMLProvider',
  action: 'iam:CreateSAMLProvider',
  parse: (p) => ({
    name: p.str('Name', NAME_RULE),
    metadata: p.str('SAMLMetadataDocument', { ...METADATA_RULE, required: true }),
    tags: p.tags(),
    mode: p.oneOf('AssertionEncryptionMode', ['Required', 'Allowed'] as const),
    addKey: p.str('AddPrivateKey', { min: 1, max: 16384, sensitive: true }),
  }),
  async targets(i, ctx) {
    const arn = samlProviderArn(ctx.caller.accountId, i.name);
    const values = i.tags.length > 0 ? requestTagValues(i.tags) : {};
    const targets: AuthTarget[] = [{ resource: arn, values }];
    // "Tagging IAM resources": creating a resource with tags also needs its Tag action.
    if (i.tags.length > 0) targets.push({ action: 'iam:TagSAMLProvider', resource: arn, values });
    return targets;
  },
  async run(i, ctx) {
    checkDistinctTagKeys(i.tags);
    refuseEncryption(i.mode, i.addKey);
    const parsed = readMetadata(i.metadata);
    const accountId = ctx.caller.accountId;
    const provider: SamlProvider = {
      arn: samlProviderArn(accountId, i.name),
      name: i.name,
      metadata: i.metadata,
      createdAt: now(ctx),
      ...(parsed.validUntil === undefined ? {} : { validUntil: parsed.validUntil }),
      tags: i.tags,
    };
    await ctx.deps.store
      .write(async (tx) => {
        if ((await tx.count('saml-provider', accountId)) >= MAX_PROVIDERS) {
          throw new WireError('LimitExceeded', `Cannot exceed quota for SamlProvidersPerAccount: ${MAX_PROVIDERS}`);
        }
        await tx.insert(providerRow(accountId, provider));
      })
      .catch((e) => alreadyExists(e, `Provider with name ${i.name} already exists.`));
    return { SAMLProviderArn: provider.arn, Tags: provider.tags.length > 0 ? tagsXml(provider) : undefined };
  },
});

const getSamlProvider = operation({
  name: 'GetSAMLProvider',
  action: 'iam:GetSAMLProvider',
  parse: (p) => ({ arn: p.str('SAMLProviderArn', RULES.arn) }),
  targets: async (i, ctx) => [await providerTarget(ctx, i.arn)],
  async run(i, ctx) {
    const p = (await mustGetProvider(ctx, i.arn)).body;
    return {
      SAMLMetadataDocument: p.metadata,
      CreateDate: p.createdAt,
      ValidUntil: p.validUntil,
      Tags: p.tags.length > 0 ? tagsXml(p) : undefined,
    };
  },
});

const listSamlProviders = operation({
  name: 'ListSAMLProviders',
  action: 'iam:ListSAMLProviders',
  parse: () => ({}),
  // The Service Authorization Reference lists no resource type for iam:ListSAMLProviders.
  targets: async () => [{ resource: '*' }],
  async run(_i, ctx) {
    const rows = await ctx.deps.store.list('saml-provider', ctx.caller.accountId);
    return {
      SAMLProviderList: rows.map((r) => ({
        Arn: r.body.arn,
        ValidUntil: r.body.validUntil,
        CreateDate: r.body.createdAt,
      })),
    };
  },
});

const updateSamlProvider = operation({
  name: 'UpdateSAMLProvider',
  action: 'iam:UpdateSAMLProvider',
  parse: (p) => ({
    arn: p.str('SAMLProviderArn', RULES.arn),
    metadata: p.str('SAMLMetadataDocument', METADATA_RULE),
    mode: p.oneOf('AssertionEncryptionMode', ['Required', 'Allowed'] as const),
    addKey: p.str('AddPrivateKey', { min: 1, max: 16384, sensitive: true }),
    removeKey: p.str('RemovePrivateKey', { min: 1 }),
  }),
  targets: async (i, ctx) => [await providerTarget(ctx, i.arn)],
  async run(i, ctx) {
    refuseEncryption(i.mode, i.addKey, i.removeKey);
    const document = i.metadata;
    const parsed = document === undefined ? undefined : readMetadata(document);
    await changeProvider(ctx, i.arn, (p) => {
      if (document === undefined || parsed === undefined) return p;
      const { validUntil: _, ...rest } = p;
      return {
        ...rest,
        metadata: document,
        ...(parsed.validUntil === undefined ? {} : { validUntil: parsed.validUntil }),
      };
    });
    return { SAMLProviderArn: i.arn };
  },
});

const deleteSamlProvider = operation({
  name: 'DeleteSAMLProvider',
  action: 'iam:DeleteSAMLProvider',
  parse: (p) => ({ arn: p.str('SAMLProviderArn', RULES.arn) }),
  targets: async (i, ctx) => [await providerTarget(ctx, i.arn)],
  async run(i, ctx) {
    await ctx.deps.store.write(async (tx) => {
      const row = await mustGetProvider(ctx, i.arn, tx);
      await tx.delete('saml-provider', row.accountId, row.key);
    });
    return undefined;
  },
});

/** The SAML provider operations. */
export const SAML_PROVIDER_OPERATIONS: AnyOperation[] = [
  createSamlProvider,
  getSamlProvider,
  listSamlProviders,
  updateSamlProvider,
  deleteSamlProvider,
  ...tagOperations<SamlProvider>({
    noun: 'SAMLProvider',
    param: 'SAMLProviderArn',
    rule: RULES.arn,
    target: providerTarget,
    read: async (ctx, arn) => (await mustGetProvider(ctx, arn)).body,
    change: changeProvider,
  }),
];
