/**
 * What the IAM operations share: ARNs, errors in IAM's words, entity lookups, tags, pagination and
 * the XML shapes of users, groups, roles and policies (IAM API Reference, "Data Types").
 */

import { awsManagedPolicy } from '../../catalog/managed-policies.js';
import type { ContextValue } from '../../policy/index.js';
import { isoSeconds } from '../../policy/timestamps.js';
import type { XmlValue } from '../../protocols/aws-query.js';
import { WireError } from '../../protocols/wire-error.js';
import type {
  Bodies,
  Group,
  Kind,
  ListFilter,
  ManagedPolicy,
  PolicyVersion,
  Role,
  Row,
  StoreReader,
  Tag,
  User,
} from '../../store/types.js';
import { type AnyOperation, type CallContext, operation } from '../operation.js';
import { type Params, RULES } from '../params.js';
import { requestTagValues, resourceTagValues as sharedResourceTagValues } from '../tag-context.js';

/** The IAM XML namespace. */
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** `arn:aws:iam::ACCOUNT:KIND PATH NAME` (the path starts and ends with `/`). */
export function iamArn(
  accountId: string,
  kind: 'user' | 'group' | 'role' | 'policy',
  path: string,
  name: string,
): string {
  return `arn:aws:iam::${accountId}:${kind}${path}${name}`;
}

/** NoSuchEntity in IAM's words. */
export function noSuchEntity(message: string): WireError {
  return new WireError('NoSuchEntity', message);
}

/** IAM's canonical ISO 8601 timestamp with seconds (`2024-01-02T03:04:05Z`). */
export function now(ctx: CallContext): string {
  return isoSeconds(ctx.env.now);
}

const WORD: Record<'user' | 'group' | 'role', string> = { user: 'user', group: 'group', role: 'role' };

/** Reads a user, group or role by name, or throws NoSuchEntity as IAM words it. */
export async function mustGet<K extends 'user' | 'group' | 'role'>(
  store: StoreReader,
  kind: K,
  accountId: string,
  name: string,
): Promise<Row<K>> {
  const row = await store.get(kind, accountId, name.toLowerCase());
  if (row === undefined) throw noSuchEntity(`The ${WORD[kind]} with name ${name} cannot be found.`);
  return row;
}

/**
 * The ARN of a named user, group or role for authorization: the stored entity's ARN (its path
 * included), or the path-less ARN when it does not exist (IAM authorizes before it looks).
 */
export async function entityArn(
  ctx: CallContext,
  kind: 'user' | 'group' | 'role',
  name: string,
): Promise<{ arn: string; tags: readonly Tag[]; boundary?: string | undefined }> {
  const row = await ctx.deps.store.get(kind, ctx.caller.accountId, name.toLowerCase());
  if (row === undefined) return { arn: iamArn(ctx.caller.accountId, kind, '/', name), tags: [] };
  const body = row.body as User | Group | Role;
  return {
    arn: body.arn,
    tags: 'tags' in body ? body.tags : [],
    boundary: 'permissionsBoundary' in body ? body.permissionsBoundary : undefined,
  };
}

export { requestTagValues };

/**
 * `aws:ResourceTag/…` and the older `iam:ResourceTag/…` of a user's or a role's tags: the Service
 * Authorization Reference gives iam:ResourceTag to those two resource types only (an OIDC or SAML
 * provider, a policy or an MFA device has aws:ResourceTag alone: tag-context.ts).
 */
export function entityTagValues(tags: readonly Tag[]): Record<string, ContextValue> {
  return sharedResourceTagValues(tags, true);
}

/** At most 50 tags on one entity ("IAM and AWS STS quotas"). */
export const MAX_TAGS = 50;

/** Tags after adding `add` to `existing` (a key is replaced, keys compared case-insensitively as IAM does). */
export function mergeTags(existing: readonly Tag[], add: readonly Tag[]): Tag[] {
  const out = existing.filter((t) => !add.some((a) => a.Key.toLowerCase() === t.Key.toLowerCase()));
  out.push(...add);
  if (out.length > MAX_TAGS) {
    throw new WireError('LimitExceeded', `The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
  }
  return out;
}

/** Refuses a request that names one tag key twice (InvalidInput, as IAM). */
export function checkDistinctTagKeys(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const k = t.Key.toLowerCase();
    if (seen.has(k))
      throw new WireError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  if (tags.length > MAX_TAGS) {
    throw new WireError('LimitExceeded', `The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
  }
}

/** The pagination parameters: `Marker` and `MaxItems` (1..1000, default 100). */
export interface Page {
  marker?: string | undefined;
  maxItems: number;
}

/** Reads Marker and MaxItems. */
export function readPage(p: Params): Page {
  return { marker: p.str('Marker', RULES.marker), maxItems: p.int('MaxItems', 1, 1000) ?? 100 };
}

/** The key a marker points after; InvalidInput when the marker was not made by us. */
function markerKey(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (!text.startsWith('m1:')) throw new WireError('InvalidInput', 'Invalid Marker.');
  return text.slice(3);
}

/**
 * One page of rows of a kind, in key order: the rows, `IsTruncated`, and a `Marker` when there is
 * more. The marker is opaque to callers.
 */
export async function pageOf<K extends Kind>(
  store: StoreReader,
  kind: K,
  accountId: string,
  page: Page,
  filter: ListFilter = {},
): Promise<{ rows: Row<K>[]; more: Record<string, XmlValue> }> {
  const after = markerKey(page.marker);
  const rows = await store.list(kind, accountId, {
    ...filter,
    ...(after === undefined ? {} : { after }),
    limit: page.maxItems + 1,
  });
  return paged(rows, page.maxItems, (r) => r.key);
}

/** Cuts an ordered list to one page; `keyOf` gives the marker of the last row shown. */
export function paged<T>(
  items: T[],
  maxItems: number,
  keyOf: (item: T) => string,
): { rows: T[]; more: Record<string, XmlValue> } {
  if (items.length <= maxItems) return { rows: items, more: { IsTruncated: false } };
  const rows = items.slice(0, maxItems);
  const last = rows[rows.length - 1];
  const marker = last === undefined ? '' : Buffer.from(`m1:${keyOf(last)}`, 'utf8').toString('base64url');
  return { rows, more: { IsTruncated: true, Marker: marker } };
}

/** Pages an in-memory list ordered by `keyOf` (AWS managed policies, merged lists). */
export function pageList<T>(
  items: T[],
  page: Page,
  keyOf: (item: T) => string,
): { rows: T[]; more: Record<string, XmlValue> } {
  const after = markerKey(page.marker);
  const rest = after === undefined ? items : items.filter((i) => keyOf(i) > after);
  return paged(rest.slice(0, page.maxItems + 1), page.maxItems, keyOf);
}

/** Policy documents travel URL-encoded in IAM responses (RFC 3986). */
export function encodeDocument(document: string): string {
  return encodeURIComponent(document);
}

function boundaryXml(arn: string | undefined): XmlValue {
  return arn === undefined
    ? undefined
    : { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn };
}

/** The `User` data type. */
export function userXml(u: User, withTags: boolean): Record<string, XmlValue> {
  return {
    Path: u.path,
    UserName: u.name,
    UserId: u.id,
    Arn: u.arn,
    CreateDate: u.createdAt,
    PasswordLastUsed: u.passwordLastUsed,
    PermissionsBoundary: boundaryXml(u.permissionsBoundary),
    Tags: withTags && u.tags.length > 0 ? u.tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined,
  };
}

/** The `Group` data type. */
export function groupXml(g: Group): Record<string, XmlValue> {
  return { Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: g.createdAt };
}

/** The `Role` data type. */
export function roleXml(r: Role, withDetail: boolean): Record<string, XmlValue> {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: r.arn,
    CreateDate: r.createdAt,
    AssumeRolePolicyDocument: encodeDocument(r.trustPolicy),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
    PermissionsBoundary: boundaryXml(r.permissionsBoundary),
    Tags: withDetail && r.tags.length > 0 ? r.tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined,
    RoleLastUsed: withDetail
      ? r.lastUsed === undefined
        ? {}
        : { LastUsedDate: r.lastUsed.date, Region: r.lastUsed.region }
      : undefined,
  };
}

/** A managed policy as the operations see it: customer managed (stored) or AWS managed (catalog). */
export interface PolicyView {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: string;
  updatedAt: string;
  description?: string | undefined;
  defaultVersionId: string;
  versions: readonly PolicyVersion[];
  tags: readonly Tag[];
  awsManaged: boolean;
}

/** A customer managed policy's view. */
export function customerView(p: ManagedPolicy): PolicyView {
  return { ...p, awsManaged: false };
}

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy((?:\/[\u0021-\u007E]+)?\/)([\w+=,.@-]+)$/;

/**
 * Finds a managed policy by ARN: customer managed in `accountId` (another account's policies are
 * not visible, as in IAM), or AWS managed; undefined when none.
 */
export async function findPolicy(store: StoreReader, accountId: string, arn: string): Promise<PolicyView | undefined> {
  const m = POLICY_ARN.exec(arn);
  if (m === null || (m[1] !== 'aws' && m[1] !== accountId)) return undefined;
  if (m[1] === 'aws') {
    const aws = awsManagedPolicy(arn);
    return aws === undefined ? undefined : { ...aws, tags: [], awsManaged: true };
  }
  const row = await store.get('policy', m[1] as string, (m[3] as string).toLowerCase());
  if (row === undefined || row.body.arn !== arn) return undefined;
  return customerView(row.body);
}

/** Checks that a policy ARN is well-formed (InvalidInput in IAM's words otherwise). */
export function checkPolicyArn(arn: string): void {
  if (!POLICY_ARN.test(arn)) throw new WireError('InvalidInput', `ARN ${arn} is not valid.`);
}

/** The `Policy` data type. */
export async function policyXml(
  store: StoreReader,
  accountId: string,
  p: PolicyView,
  withDetail: boolean,
): Promise<Record<string, XmlValue>> {
  const attachments = await store.count('attachment', accountId, { target: p.arn });
  const boundaryUses =
    (await store.count('user', accountId, { target: p.arn })) +
    (await store.count('role', accountId, { target: p.arn }));
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: attachments,
    PermissionsBoundaryUsageCount: boundaryUses,
    IsAttachable: true,
    Description: withDetail ? p.description : undefined,
    CreateDate: p.createdAt,
    UpdateDate: p.updatedAt,
    Tags: withDetail && p.tags.length > 0 ? p.tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined,
  };
}

/** The `PolicyVersion` data type. */
export function versionXml(p: PolicyView, v: PolicyVersion, withDocument: boolean): Record<string, XmlValue> {
  return {
    Document: withDocument ? encodeDocument(v.document) : undefined,
    VersionId: v.versionId,
    IsDefaultVersion: v.versionId === p.defaultVersionId,
    CreateDate: v.createdAt,
  };
}

/** The owner column of a user's, group's or role's inline policies and attachments. */
export function ownerKey(kind: 'user' | 'group' | 'role', name: string): string {
  return `${kind}:${name.toLowerCase()}`;
}

/**
 * What creating a taggable entity must be allowed: the create action on its ARN with the request's
 * tags (and boundary) as condition keys, plus the tag action when tags are set ("Tagging IAM
 * resources": "you must have permissions to … create and tag").
 */
export function createTargets(
  arn: string,
  tags: readonly Tag[],
  tagAction: string,
  boundary?: string,
): { resource: string; action?: string; values: Record<string, ContextValue> }[] {
  const values = {
    ...(tags.length > 0 ? requestTagValues(tags) : {}),
    ...(boundary === undefined ? {} : { 'iam:PermissionsBoundary': boundary }),
  };
  const targets: { resource: string; action?: string; values: Record<string, ContextValue> }[] = [
    { resource: arn, values },
  ];
  if (tags.length > 0) targets.push({ action: tagAction, resource: arn, values });
  return targets;
}

/**
 * ListUsers, ListGroups or ListRoles: the entities of one kind under a path prefix, paginated.
 * IAM authorizes a listing on the path it lists ("… iam:ListUsers on resource:
 * arn:aws:iam::ACCOUNT:user/", as its AccessDenied messages name it).
 */
export function pathListing<K extends 'user' | 'group' | 'role'>(
  kind: K,
  noun: 'Users' | 'Groups' | 'Roles',
  toXml: (entity: Bodies[K], store: StoreReader) => Record<string, XmlValue> | Promise<Record<string, XmlValue>>,
): AnyOperation {
  return operation({
    name: `List${noun}`,
    action: `iam:List${noun}`,
    parse: (p) => ({ pathPrefix: p.str('PathPrefix', RULES.pathPrefix), page: readPage(p) }),
    targets: async (i, ctx) => [{ resource: `arn:aws:iam::${ctx.caller.accountId}:${kind}${i.pathPrefix ?? '/'}` }],
    async run(i, ctx) {
      const { rows, more } = await pageOf(ctx.deps.store, kind, ctx.caller.accountId, i.page, {
        ...(i.pathPrefix === undefined ? {} : { pathPrefix: i.pathPrefix }),
      });
      const items = [];
      for (const r of rows) items.push(await toXml(r.body, ctx.deps.store));
      return { [noun]: items, ...more };
    },
  });
}

/** DeleteConflict in IAM's words: "Cannot delete entity, must WHAT first." */
export function deleteConflict(what: string): WireError {
  return new WireError('DeleteConflict', `Cannot delete entity, must ${what} first.`);
}
