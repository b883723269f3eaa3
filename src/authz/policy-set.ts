/**
 * The caller's effective policies, compiled: the user's inline and attached managed policies, those
 * of every group the user is in, and the permissions boundary ("Policy evaluation logic", IAM User
 * Guide). Sets are cached per caller and dropped when the store revision moves, so a policy change
 * applies to the next request, in this process and in every other process sharing the database.
 */

import { type Caller, principalArn, principalType } from '../auth/caller.js';
import { awsManagedDocument, awsManagedPolicy } from '../catalog/managed-policies.js';
import type { PolicyKind } from '../policy/ast.js';
import { type CompiledPolicy, ContextValues, compilePolicy, PolicyError, type PolicySet } from '../policy/index.js';
import { isoSeconds } from '../policy/timestamps.js';
import type { OwnerKind, Store, StoreReader, Tag } from '../store/types.js';

/** A caller's compiled policies and the condition keys that depend only on the caller. */
export interface CallerPolicies {
  set: PolicySet;
  /** aws:username, aws:userid, aws:PrincipalArn, aws:PrincipalTag/…: shared by all the caller's requests. */
  base: ContextValues;
  /**
   * True when the user or role the caller's session belongs to was deleted (or deleted and recreated)
   * since the session was issued: it is allowed nothing, not even by a resource-based policy that
   * names its old unique ID (the principal no longer exists).
   */
  gone: boolean;
}

/** A policy with no statement: as a boundary or session policy, it allows nothing. */
const EMPTY_POLICY = '{"Version":"2012-10-17","Statement":[]}';

/** Everything, as an identity policy: the root user's permissions for a session it federated. */
const ALLOW_ALL = (): CompiledPolicy =>
  compileStored('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'identity');

const compiledByText = new Map<string, CompiledPolicy>();
const COMPILED_LIMIT = 10_000;

/**
 * What a stored policy that no longer compiles stands for: a Deny of everything, written as a policy
 * of its kind must be (resource, trust and RCP statements name a Principal; trust statements name no
 * Resource).
 */
export function denyAllOf(kind: PolicyKind): CompiledPolicy {
  const principal = kind === 'resource' || kind === 'trust' || kind === 'rcp' ? { Principal: '*' } : {};
  const resource = kind === 'trust' ? {} : { Resource: '*' };
  const denyAll = compilePolicy(
    { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', ...principal, ...resource }] },
    kind,
  );
  if (denyAll instanceof PolicyError) throw denyAll;
  return denyAll;
}

/**
 * Compiles a stored policy document once per distinct text and kind (and principal binding). A stored
 * document that no longer parses (it was validated when written) compiles to a deny-everything
 * placeholder, never to an allow: a wrong Allow is the worst outcome. `principalIds` binds a
 * resource-based policy's user and role principals to the unique IDs recorded when it was saved.
 */
export function compileStored(
  text: string,
  kind: PolicyKind,
  principalIds?: Readonly<Record<string, string>>,
): CompiledPolicy {
  const key =
    principalIds === undefined ? `${kind}\u0000${text}` : `${kind}\u0000${text}\u0000${JSON.stringify(principalIds)}`;
  let compiled = compiledByText.get(key);
  if (compiled === undefined) {
    const result = compilePolicy(
      text,
      kind,
      principalIds === undefined ? undefined : new Map(Object.entries(principalIds)),
    );
    if (result instanceof PolicyError) {
      compiled = denyAllOf(kind);
    } else {
      compiled = result;
    }
    if (compiledByText.size >= COMPILED_LIMIT) compiledByText.clear();
    compiledByText.set(key, compiled);
  }
  return compiled;
}

/** A managed policy (customer or AWS) as it stands: its unique ID and its default version's document. */
export interface ManagedPolicyNow {
  id: string;
  document: string;
}

/** A managed policy by ARN as it stands now, or undefined when it does not exist. */
export async function managedPolicyNow(store: StoreReader, arn: string): Promise<ManagedPolicyNow | undefined> {
  const aws = awsManagedPolicy(arn);
  if (aws !== undefined) return { id: aws.id, document: awsManagedDocument(aws) };
  const m = /^arn:aws:iam::(\d{12}):policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (m === null) return undefined;
  const row = await store.get('policy', m[1] as string, (m[2] as string).toLowerCase());
  if (row === undefined || row.body.arn !== arn) return undefined;
  const document = row.body.versions.find((v) => v.versionId === row.body.defaultVersionId)?.document;
  return document === undefined ? undefined : { id: row.body.id, document };
}

/** The default version's document of a managed policy (customer or AWS), or undefined when it does not exist. */
export async function managedPolicyDocument(store: StoreReader, arn: string): Promise<string | undefined> {
  return (await managedPolicyNow(store, arn))?.document;
}

async function ownerPolicies(
  store: StoreReader,
  accountId: string,
  kind: OwnerKind,
  key: string,
  out: CompiledPolicy[],
) {
  const owner = `${kind}:${key}`;
  for (const row of await store.list('inline-policy', accountId, { owner })) {
    out.push(compileStored(row.body.document, 'identity'));
  }
  for (const row of await store.list('attachment', accountId, { owner })) {
    const now = await managedPolicyNow(store, row.body.policyArn);
    if (now === undefined || (row.body.policyId !== undefined && row.body.policyId !== now.id)) continue;
    out.push(compileStored(now.document, 'identity'));
  }
}

function baseValues(caller: Caller, tags: readonly Tag[]): ContextValues {
  const base = new ContextValues();
  base.set('aws:userid', caller.userId);
  base.set('aws:PrincipalArn', principalArn(caller));
  base.set('aws:PrincipalAccount', caller.accountId);
  base.set('aws:PrincipalType', principalType(caller));
  base.set('aws:PrincipalIsAWSService', 'false');
  base.set('aws:ViaAWSService', 'false');
  if (caller.userName !== undefined) base.set('aws:username', caller.userName);
  for (const tag of tags) base.set(`aws:PrincipalTag/${tag.Key}`, tag.Value);
  const session = caller.session;
  if (session !== undefined) {
    // Present only for temporary credentials ("AWS global condition context keys").
    base.set('aws:TokenIssueTime', isoSeconds(new Date(session.issuedAt * 1000)));
    // Absent for federated identities (SessionClaims.federatedIdentity).
    if (session.federatedIdentity !== true) base.set('aws:MultiFactorAuthPresent', session.mfa ? 'true' : 'false');
    if (session.sourceIdentity !== undefined) base.set('aws:SourceIdentity', session.sourceIdentity);
    for (const [k, v] of Object.entries(session.providerKeys ?? {})) base.set(k, v);
  }
  return base;
}

/** Session tags override the role's tags of the same key (keys compared case-insensitively). */
function mergeSessionTags(roleTags: readonly Tag[], sessionTags: readonly Tag[]): Tag[] {
  const keys = new Set(sessionTags.map((t) => t.Key.toLowerCase()));
  return [...roleTags.filter((t) => !keys.has(t.Key.toLowerCase())), ...sessionTags];
}

/** A permissions boundary by ARN; a boundary whose policy vanished allows nothing. */
async function boundaryOf(store: StoreReader, arn: string | undefined): Promise<CompiledPolicy | undefined> {
  if (arn === undefined) return undefined;
  const doc = await managedPolicyDocument(store, arn);
  return compileStored(doc ?? EMPTY_POLICY, 'boundary');
}

/**
 * An IAM user's identity policies (its own and its groups', added to `identity`), its boundary and
 * its tags; undefined when the user with this unique ID no longer exists.
 */
async function userPolicies(
  store: StoreReader,
  accountId: string,
  userName: string,
  userId: string,
  identity: CompiledPolicy[],
): Promise<{ boundary: CompiledPolicy | undefined; tags: readonly Tag[] } | undefined> {
  const userKey = userName.toLowerCase();
  const user = await store.get('user', accountId, userKey);
  if (user === undefined || user.body.id !== userId) return undefined;
  await ownerPolicies(store, accountId, 'user', userKey, identity);
  for (const m of await store.list('membership', accountId, { owner: userKey })) {
    await ownerPolicies(store, accountId, 'group', m.body.groupName.toLowerCase(), identity);
  }
  return { boundary: await boundaryOf(store, user.body.permissionsBoundary), tags: user.body.tags };
}

/** Reads and compiles a caller's policies from the store (no cache). */
export async function loadCallerPolicies(store: StoreReader, caller: Caller): Promise<CallerPolicies> {
  const identity: CompiledPolicy[] = [];
  let boundary: CompiledPolicy | undefined;
  let tags: readonly Tag[] = caller.tags;
  let gone = false;
  if (caller.type === 'user' && caller.userName !== undefined) {
    // A user deleted since its session was issued keeps no permissions.
    const user = await userPolicies(store, caller.accountId, caller.userName, caller.userId, identity);
    if (user === undefined) gone = true;
    else ({ boundary, tags } = user);
  }
  if (caller.type === 'federatedUser' && caller.session !== undefined) {
    const from = caller.session.federatedFrom;
    if (from === undefined) {
      // Federated by the root user: the root user's permissions (all of the account's), limited by
      // the session policies below.
      identity.push(ALLOW_ALL());
    } else {
      // "the session permissions are the intersection of the IAM user policies and the session
      // policies" (GetFederationToken, STS API Reference): the user's policies as they stand now,
      // and nothing once the user is deleted.
      const user = await userPolicies(store, caller.accountId, from.userName, from.userId, identity);
      if (user === undefined) gone = true;
      else {
        boundary = user.boundary;
        // "session tags override a user tag with the same key" (GetFederationToken, Tags).
        tags = mergeSessionTags(user.tags, caller.session.tags);
      }
    }
  }
  let session: CompiledPolicy[] | undefined;
  if (caller.type === 'assumedRole' && caller.session?.roleName !== undefined) {
    const roleKey = caller.session.roleName.toLowerCase();
    const role = await store.get('role', caller.accountId, roleKey);
    // A role deleted (or deleted and recreated) since the session began grants nothing.
    if (
      role !== undefined &&
      role.body.arn === caller.session.roleArn &&
      caller.userId.startsWith(`${role.body.id}:`)
    ) {
      await ownerPolicies(store, caller.accountId, 'role', roleKey, identity);
      boundary = await boundaryOf(store, role.body.permissionsBoundary);
      tags = mergeSessionTags(role.body.tags, caller.session.tags);
    } else {
      gone = true;
    }
  }
  const managed = caller.session?.managedPolicies ?? [];
  if (caller.session !== undefined && caller.session.policies.length + managed.length > 0) {
    session = caller.session.policies.map((doc) => compileStored(doc, 'session'));
    for (const { arn, id } of managed) {
      // A managed session policy deleted (or deleted and recreated) since the session began allows
      // nothing (fail closed): dropping it would lift its limit, and with no other session policy the
      // session would hold all of the role's permissions.
      const now = await managedPolicyNow(store, arn);
      session.push(compileStored(now?.id === id ? now.document : EMPTY_POLICY, 'session'));
    }
  }
  if (caller.type === 'federatedUser' && session === undefined) {
    // "if you do not pass any session policies, then the resulting federated user session has no
    // permissions" (GetFederationToken, STS API Reference).
    session = [compileStored(EMPTY_POLICY, 'session')];
  }
  return { set: { identity, boundary, session }, base: baseValues(caller, tags), gone };
}

/** How many times a caller's policies are read outside a transaction before reading them inside one. */
const STABLE_LOAD_ATTEMPTS = 3;

/** A caller's key in the cache: sessions differ by their policies and tags, so each is cached on its own. */
function cacheKey(caller: Caller): string {
  return `${caller.accountId}\u0000${caller.arn}\u0000${caller.userId}\u0000${caller.session === undefined ? '' : caller.accessKeyId}`;
}

/**
 * Caches each caller's policies for one store revision. `get` reads the current revision (one query),
 * and reloads the caller's policies when it moved.
 */
export class PolicyCache {
  private revision = -1;
  private readonly entries = new Map<string, CallerPolicies>();

  /** A cache over this store. */
  constructor(
    private readonly store: Store,
    private readonly limit = 10_000,
  ) {}

  /** The caller's policies as of `revision` when they are cached, without a promise; else undefined. */
  cached(caller: Caller, revision: number): CallerPolicies | undefined {
    return revision === this.revision ? this.entries.get(cacheKey(caller)) : undefined;
  }

  /**
   * The caller's policies as of `revision` (read now when not given). They are read in several
   * queries, so they are used only when the revision was the same before the first and after the
   * last: a write between them (a group renamed between reading the memberships and the group's
   * policies) would otherwise give a mix of two states that may lack a Deny both of them have. A
   * load that keeps being overtaken is made inside a write transaction, which no other write
   * interleaves.
   */
  async get(caller: Caller, current?: number): Promise<CallerPolicies> {
    let revision = current ?? (await this.store.revision());
    const key = cacheKey(caller);
    for (let attempt = 1; ; attempt++) {
      if (revision !== this.revision) {
        this.entries.clear();
        this.revision = revision;
      }
      const found = this.entries.get(key);
      if (found !== undefined) return found;
      const loaded = await loadCallerPolicies(this.store, caller);
      // Fresh: SQLite reads are synchronous, so the load may have run within the turn whose revision
      // the store shares, while another process committed.
      const after = await this.store.revision(true);
      if (after === revision) {
        // INVARIANT: only cache what was read at the revision the cache holds (another request
        // may have moved it on while this one loaded).
        if (this.revision === revision) {
          if (this.entries.size >= this.limit) this.entries.clear();
          this.entries.set(key, loaded);
        }
        return loaded;
      }
      if (attempt >= STABLE_LOAD_ATTEMPTS) return this.store.write((tx) => loadCallerPolicies(tx, caller));
      revision = after;
    }
  }
}
