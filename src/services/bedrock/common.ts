/**
 * What the Bedrock control-plane operations share: resource IDs and ARNs, lookups by ID or ARN,
 * Bedrock's tag shape, timestamps and pagination tokens (Amazon Bedrock API Reference).
 */

import { randomBytes } from 'node:crypto';
import { type FoundationModel, findFoundationModel, foundationModelArn } from '../../catalog/bedrock-models.js';
import { WireError } from '../../protocols/wire-error.js';
import type { Bodies, Kind, Row, StoreReader, StoreWriter, Tag } from '../../store/types.js';
import { JsonParams, type JsonTag } from '../json-params.js';
import type { CallContext } from '../operation.js';
import type { StringRule } from '../params.js';
import type { RestRequest } from '../rest-operation.js';

/** The regional Bedrock resources basalt stores. */
export type BedrockKind = Extract<Kind, 'inference-profile' | 'guardrail' | 'provisioned-model'>;

/** The ARN resource type of each stored kind ("Resource types defined by Amazon Bedrock"). */
export const ARN_TYPE: Record<BedrockKind, string> = {
  'inference-profile': 'application-inference-profile',
  guardrail: 'guardrail',
  'provisioned-model': 'provisioned-model',
};

/** A new 12-character lowercase alphanumeric ID, the form Bedrock gives guardrails and provisioned models. */
export function newBedrockId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(12);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** `arn:aws:bedrock:REGION:ACCOUNT:TYPE/ID`. */
export function bedrockArn(region: string, accountId: string, type: string, id: string): string {
  return `arn:aws:bedrock:${region}:${accountId}:${type}/${id}`;
}

/** The store key of a regional resource. */
export function regionalKey(region: string, id: string): string {
  return `${region}/${id}`;
}

/** A parsed Bedrock ARN. */
export interface BedrockArn {
  region: string;
  accountId: string;
  type: string;
  id: string;
}

/** Parses `arn:aws:bedrock:REGION:ACCOUNT:TYPE/ID`; undefined for anything else. */
export function parseBedrockArn(arn: string): BedrockArn | undefined {
  const m = /^arn:aws:bedrock:([a-z0-9-]*):(\d{12})?:([a-z-]+)\/(.+)$/.exec(arn);
  if (m === null) return undefined;
  return { region: m[1] ?? '', accountId: m[2] ?? '', type: m[3] ?? '', id: m[4] ?? '' };
}

/**
 * Finds a stored resource of the caller's account in the request's region by its ID or its ARN.
 * An ARN of another account or region, or of another type, finds nothing.
 */
export async function findResource<K extends BedrockKind>(
  store: StoreReader,
  kind: K,
  ctx: CallContext,
  identifier: string,
): Promise<Row<K> | undefined> {
  let id = identifier;
  if (identifier.startsWith('arn:')) {
    const arn = parseBedrockArn(identifier);
    if (
      arn === undefined ||
      arn.type !== ARN_TYPE[kind] ||
      arn.accountId !== ctx.caller.accountId ||
      arn.region !== ctx.env.region
    ) {
      return undefined;
    }
    id = arn.id;
  }
  return store.get(kind, ctx.caller.accountId, regionalKey(ctx.env.region, id));
}

/**
 * The ARN to authorize for a model identifier: a foundation model's ID or ARN in its canonical form
 * (`arn:aws:bedrock:REGION::foundation-model/ID`, no account: "Actions, resources, and condition keys
 * for Amazon Bedrock"), whatever the caller wrote; any other ARN as written. INVARIANT: a Deny on a
 * model's ARN cannot be passed by writing an account into it.
 */
export function modelAuthArn(modelId: string, region: string): string {
  if (!modelId.startsWith('arn:')) return foundationModelArn(region, modelId);
  const arn = parseBedrockArn(modelId);
  return arn?.type === 'foundation-model' ? foundationModelArn(arn.region, arn.id) : modelId;
}

/**
 * The catalog model a foundation-model ID or ARN names in `region`; undefined for anything else,
 * an ARN with an account (foundation-model ARNs have none) or of another region among them.
 */
export function namedFoundationModel(modelId: string, region: string): FoundationModel | undefined {
  if (!modelId.startsWith('arn:')) return findFoundationModel(modelId);
  const arn = parseBedrockArn(modelId);
  if (arn?.type !== 'foundation-model' || arn.region !== region || arn.accountId !== '') return undefined;
  return findFoundationModel(arn.id);
}

/** Bedrock's tags from the stored (IAM-shaped) ones. */
export function wireTags(tags: readonly Tag[]): JsonTag[] {
  return tags.map((t) => ({ key: t.Key, value: t.Value }));
}

/**
 * Two tag keys that differ only in case. Tag keys are case-sensitive, but the condition keys made
 * from them (`aws:RequestTag/env`, `aws:ResourceTag/env`) are not, so such a pair would give one
 * condition key two values; basalt refuses it rather than let one value hide the other from a policy.
 */
function caseCollision(keys: readonly string[]): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const key of keys) {
    const other = seen.get(key.toLowerCase());
    if (other !== undefined && other !== key) return [other, key];
    seen.set(key.toLowerCase(), key);
  }
  return undefined;
}

function refuseCaseCollision(keys: readonly string[]): void {
  const pair = caseCollision(keys);
  if (pair !== undefined) {
    throw new WireError(
      'ValidationException',
      `Tag keys ${pair[0]} and ${pair[1]} differ only in case; basalt refuses them, as policies match tag keys regardless of case.`,
    );
  }
}

/** Stored tags from Bedrock's; a key named twice keeps its last value; keys differing only in case are refused. */
export function storedTags(tags: readonly JsonTag[]): Tag[] {
  const byKey = new Map<string, string>();
  for (const t of tags) byKey.set(t.key, t.value);
  refuseCaseCollision([...byKey.keys()]);
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

/** At most 200 tags on one resource ("TagList", Amazon Bedrock API Reference). */
export const MAX_TAGS = 200;

/** Tags after adding `add` (same key: replaced), refused with TooManyTagsException past the quota. */
export function mergeBedrockTags(existing: readonly Tag[], add: readonly Tag[], arn: string): Tag[] {
  const out = existing.filter((t) => !add.some((a) => a.Key === t.Key));
  out.push(...add);
  refuseCaseCollision(out.map((t) => t.Key));
  if (out.length > MAX_TAGS) {
    throw new WireError('TooManyTagsException', `The number of tags on ${arn} would exceed the limit of ${MAX_TAGS}.`);
  }
  return out;
}

/**
 * A Bedrock timestamp on the wire: ISO 8601 text (the service model gives its Timestamp shape
 * `timestampFormat: iso8601`, not restJson1's default epoch seconds).
 */
export function wireTime(iso: string): string {
  return new Date(iso).toISOString();
}

/** The current time as ISO text. */
export function nowIso(ctx: CallContext): string {
  return ctx.env.now.toISOString();
}

/** The ResourceNotFoundException of a missing resource, in Bedrock's style. */
export function notFound(what: string, identifier: string): WireError {
  return new WireError('ResourceNotFoundException', `The specified ${what} ${identifier} does not exist.`);
}

/**
 * A list answer: one page of `items` under `key`, after the opaque `nextToken` (the offset,
 * base64url) and at most `maxResults`, with the next token when more remain. A token that does not
 * decode is a ValidationException.
 */
export function pageBody(
  key: string,
  items: readonly unknown[],
  nextToken: string | undefined,
  maxResults: number | undefined,
): Record<string, unknown> {
  let start = 0;
  if (nextToken !== undefined) {
    const n = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(n) || n < 0 || n > items.length) {
      throw new WireError('ValidationException', 'The provided pagination token is invalid.');
    }
    start = n;
  }
  const slice = items.slice(start, start + (maxResults ?? 1000));
  const end = start + slice.length;
  return {
    [key]: slice,
    ...(end < items.length ? { nextToken: Buffer.from(String(end), 'utf8').toString('base64url') } : {}),
  };
}

/** The stored body of a regional resource, with what its row is keyed and indexed by. */
type RegionalBody = { id: string; arn: string; region: string };

/**
 * Inserts a regional resource whose name must be unique in its account and region: a
 * ConflictException names the taken name ("A WHAT with the name NAME already exists.").
 */
export async function insertNamed<K extends BedrockKind>(
  tx: StoreWriter,
  kind: K,
  accountId: string,
  body: Bodies[K] & RegionalBody,
  nameOf: (b: Bodies[K]) => string,
  what: string,
): Promise<void> {
  await assertNameFree(tx, kind, accountId, body.region, nameOf(body), nameOf, what);
  await tx.insert({ kind, accountId, key: regionalKey(body.region, body.id), id: body.arn, body });
}

/** Refuses `name` when another resource of the kind (not `exceptId`) in the region has it. */
export async function assertNameFree<K extends BedrockKind>(
  tx: StoreReader,
  kind: K,
  accountId: string,
  region: string,
  name: string,
  nameOf: (b: Bodies[K]) => string,
  what: string,
  exceptId?: string,
): Promise<void> {
  const rows = await tx.list(kind, accountId, { keyPrefix: `${region}/` });
  if (rows.some((r) => (r.body as RegionalBody).id !== exceptId && nameOf(r.body) === name)) {
    throw new WireError('ConflictException', `A ${what} with the name ${name} already exists.`);
  }
}

/** The parse of an operation whose only input is one path label (Get…, Delete…). */
export function identifierFromPath(label: string, rule: StringRule & { required: true }) {
  return (req: RestRequest): { identifier: string } => {
    const p = new JsonParams({});
    const identifier = p.bound(label, req.pathParams[label], rule);
    p.done();
    return { identifier };
  };
}
