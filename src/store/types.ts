/**
 * The identity store's domain types and the one `Store` interface that SQLite and PostgreSQL
 * implement. The store keeps typed entities in one generic table: every entity has a kind, the
 * account it belongs to, a key unique within (account, kind), and up to three indexed secondary
 * columns (`id`, `owner`, `target`, `path`). The IAM rules (quotas, name rules, ARNs) live in
 * src/services; the store guarantees atomic, serialised writes, uniqueness of keys and a revision
 * that every write bumps. See docs/store.md.
 */

/** A tag as IAM spells it. */
export interface Tag {
  Key: string;
  Value: string;
}

/**
 * The pseudo account that holds the registry of accounts: each account is a row of kind `account`
 * under SYSTEM_ACCOUNT, keyed (and id'd) by its 12-digit ID.
 */
export const SYSTEM_ACCOUNT = '';

/** An AWS account: every other entity belongs to exactly one. Stored under SYSTEM_ACCOUNT. */
export interface Account {
  id: string;
  createdAt: string;
  /** The root user's unique ID as `aws:userid` shows it for root (the account ID itself). */
  name: string;
}

/** An IAM user. Key: the lowercased name (IAM names are unique regardless of case). */
export interface User {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: string;
  tags: Tag[];
  permissionsBoundary?: string;
  passwordLastUsed?: string;
}

/** An IAM group. Key: the lowercased name. */
export interface Group {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: string;
}

/** An IAM role. Key: the lowercased name. */
export interface Role {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: string;
  /** The trust policy as the caller wrote it (JSON text). */
  trustPolicy: string;
  /**
   * The unique ID of each IAM user and role ARN the trust policy named when it was saved (IAM
   * converts them; see services/iam/trust-principals.ts). Absent on rows written before it was kept:
   * their user and role principals then match nobody (fail closed) until the policy is saved again.
   */
  trustPrincipals?: Record<string, string>;
  description?: string;
  maxSessionDuration: number;
  tags: Tag[];
  permissionsBoundary?: string;
  lastUsed?: { date: string; region: string };
}

/** One version of a customer managed policy. */
export interface PolicyVersion {
  versionId: string;
  document: string;
  createdAt: string;
}

/** A customer managed policy with its versions. Key: the lowercased name. */
export interface ManagedPolicy {
  name: string;
  path: string;
  id: string;
  arn: string;
  createdAt: string;
  updatedAt: string;
  description?: string;
  defaultVersionId: string;
  /** The number the next version gets (IAM never reuses version IDs). */
  nextVersion: number;
  versions: PolicyVersion[];
  tags: Tag[];
}

/** The kinds of principal that own inline policies and attachments. */
export type OwnerKind = 'user' | 'group' | 'role';

/** An inline policy. Key: `ownerKey/name`; owner: the owner's key. */
export interface InlinePolicy {
  ownerKind: OwnerKind;
  ownerName: string;
  name: string;
  document: string;
}

/** A managed policy attached to a user, group or role. Key: `ownerKind:ownerKey|policyArn`; owner: `ownerKind:ownerKey`; target: the policy ARN. */
export interface Attachment {
  ownerKind: OwnerKind;
  ownerName: string;
  policyArn: string;
  /**
   * The unique ID of the policy when it was attached (absent on rows written before it was kept): a
   * policy deleted and recreated under the same ARN is another policy, and the attachment grants
   * nothing of it.
   */
  policyId?: string;
}

/** Membership of a user in a group. Key: `groupKey/userKey`; owner: the user key; target: the group key. */
export interface Membership {
  userName: string;
  groupName: string;
}

/** An access key. Key and id: the access key ID; owner: the user key, or '' for the root user. */
export interface AccessKey {
  accessKeyId: string;
  /** The user's name, or undefined for the account's root user. */
  userName?: string;
  /** The secret access key encrypted under the master key (see src/auth/secret-box.ts). */
  secretCiphertext: string;
  status: 'Active' | 'Inactive';
  createdAt: string;
  lastUsed?: { date: string; service: string; region: string };
}

/** A console password. Key: the user key. */
export interface LoginProfile {
  userName: string;
  passwordHash: string;
  createdAt: string;
  passwordResetRequired: boolean;
}

/** A virtual MFA device. Key: the serial number (an ARN); owner: the user key once enabled. */
export interface MfaDevice {
  serialNumber: string;
  path: string;
  name: string;
  seedCiphertext: string;
  createdAt: string;
  userName?: string;
  enabledAt?: string;
  /** The last accepted TOTP time step; a code is never accepted twice. */
  lastStep?: number;
  tags: Tag[];
}

/** The account password policy. Key: ''. */
export interface PasswordPolicy {
  MinimumPasswordLength: number;
  RequireSymbols: boolean;
  RequireNumbers: boolean;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  AllowUsersToChangePassword: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}

/** An IAM OIDC identity provider. Key: the provider URL without scheme, lowercased host (its ARN's resource part after `oidc-provider/`). */
export interface OidcProvider {
  arn: string;
  /** The issuer URL as registered (https://…). */
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createdAt: string;
  tags: Tag[];
}

/** An IAM SAML provider. Key: the provider name (lowercased). */
export interface SamlProvider {
  arn: string;
  name: string;
  /** The IdP's SAML metadata document (XML). */
  metadata: string;
  createdAt: string;
  validUntil?: string;
  tags: Tag[];
}

/**
 * A Bedrock application inference profile ("Create an application inference profile", Amazon
 * Bedrock User Guide). Key: `region/id`; Bedrock resources are regional.
 */
export interface InferenceProfile {
  id: string;
  name: string;
  arn: string;
  region: string;
  description?: string;
  /** The foundation model ARNs it routes to (one per region; one for a copied model). */
  modelArns: string[];
  createdAt: string;
  updatedAt: string;
  tags: Tag[];
}

/** One version (or the draft) of a guardrail's configuration. */
export interface GuardrailConfig {
  name: string;
  description?: string;
  /** The policies as validated by the guardrail engine (JSON; see src/services/bedrock/guardrail-engine.ts). */
  policies: Record<string, unknown>;
  blockedInputMessaging: string;
  blockedOutputsMessaging: string;
  createdAt: string;
  updatedAt: string;
  /** For numbered versions: the description given to CreateGuardrailVersion. */
  versionDescription?: string;
}

/** A Bedrock guardrail with its draft and numbered versions. Key: `region/id`. */
export interface Guardrail {
  id: string;
  arn: string;
  region: string;
  draft: GuardrailConfig;
  /** Numbered versions by their number ("1", "2", …): immutable once made. */
  versions: Record<string, GuardrailConfig>;
  nextVersion: number;
  tags: Tag[];
}

/** A Bedrock provisioned throughput. Key: `region/id`. */
export interface ProvisionedModel {
  id: string;
  name: string;
  arn: string;
  region: string;
  /** The foundation model it runs (basalt has no custom models, so it is also GetProvisionedModelThroughput's foundationModelArn). */
  modelArn: string;
  modelUnits: number;
  commitmentDuration?: 'OneMonth' | 'SixMonths';
  commitmentExpirationTime?: string;
  createdAt: string;
  lastModifiedAt: string;
  tags: Tag[];
}

/** Maps each entity kind to its body type. */
export interface Bodies {
  account: Account;
  user: User;
  group: Group;
  role: Role;
  policy: ManagedPolicy;
  'inline-policy': InlinePolicy;
  attachment: Attachment;
  membership: Membership;
  'access-key': AccessKey;
  'login-profile': LoginProfile;
  'mfa-device': MfaDevice;
  'password-policy': PasswordPolicy;
  'oidc-provider': OidcProvider;
  'saml-provider': SamlProvider;
  'inference-profile': InferenceProfile;
  guardrail: Guardrail;
  'provisioned-model': ProvisionedModel;
}

/** Every entity kind. */
export type Kind = keyof Bodies;

/** One stored entity with its indexed columns. */
export interface Row<K extends Kind = Kind> {
  kind: K;
  accountId: string;
  key: string;
  id?: string;
  owner?: string;
  target?: string;
  path?: string;
  body: Bodies[K];
}

/** Which rows of one kind and account to list; every field narrows the result. */
export interface ListFilter {
  owner?: string;
  target?: string;
  /** Only rows whose path starts with this text. */
  pathPrefix?: string;
  /** Only rows whose key starts with this text. */
  keyPrefix?: string;
  /** Only rows whose key sorts after this one (pagination marker). */
  after?: string;
  /** At most this many rows. */
  limit?: number;
}

/** Error codes of the store. */
export type StoreErrorCode = 'Conflict' | 'NotFound' | 'Unavailable';

/** The store's one error type. `Conflict`: the key exists; `NotFound`: an update of a missing row. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** Reads; the whole store and an open write transaction both offer them. */
export interface StoreReader {
  /** The row with this key, or undefined. */
  get<K extends Kind>(kind: K, accountId: string, key: string): Promise<Row<K> | undefined>;
  /** The row of this kind with this id (ids are unique per kind across accounts), or undefined. */
  getById<K extends Kind>(kind: K, id: string): Promise<Row<K> | undefined>;
  /** Rows of one kind in one account, ordered by key. */
  list<K extends Kind>(kind: K, accountId: string, filter?: ListFilter): Promise<Row<K>[]>;
  /** The number of rows that `list` would return without a limit. */
  count(kind: Kind, accountId: string, filter?: ListFilter): Promise<number>;
}

/** A write transaction: reads see its own writes. */
export interface StoreWriter extends StoreReader {
  /** Inserts a new row; StoreError('Conflict') when the key (or the id of that kind) exists. */
  insert<K extends Kind>(row: Row<K>): Promise<void>;
  /** Replaces an existing row; StoreError('NotFound') when it does not exist. */
  update<K extends Kind>(row: Row<K>): Promise<void>;
  /** Deletes one row; true when it existed. */
  delete(kind: Kind, accountId: string, key: string): Promise<boolean>;
  /** Deletes every row of the kind and account that matches owner and/or target; the number deleted. */
  deleteWhere(kind: Kind, accountId: string, filter: { owner?: string; target?: string }): Promise<number>;
  /** The revision this transaction commits. */
  readonly revision: number;
}

/**
 * The identity store. Writes run one at a time (serialised across processes sharing a database)
 * and each bumps the revision by one; when `write` resolves, the write is durable.
 */
export interface Store extends StoreReader {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs fn in one transaction: all of its writes land, or none. */
  write<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T>;
  /**
   * The current revision: every committed write increases it. Calls in one event-loop turn share
   * one read; a write of this process is seen by every call after it commits, another process's
   * from the next turn. `fresh` reads it now, not shared with the turn's earlier calls: for a check
   * that no commit of any process landed between two points of one turn.
   */
  revision(fresh?: boolean): Promise<number>;
  /** Closes connections; pending writes finish first. */
  close(): Promise<void>;
}
