/**
 * The request context a decision is made on: the principal, action, resource and the condition keys.
 * Keys are held lowercased: condition key names are case-insensitive (IAM User Guide, "IAM JSON policy
 * elements: Condition", "Condition keys are not case-sensitive").
 */

/** A context value: a single string, or a multivalued key's strings. */
export type ContextValue = string | readonly string[];

/** Read access to a request's condition keys, by lowercased name. */
export interface ContextLookup {
  get(keyLower: string): ContextValue | undefined;
}

/**
 * A request's condition keys and values, keys lowercased, in one array of key, value pairs with a
 * linear search: a request carries a dozen keys, and building a Map costs more than all of its
 * lookups; one array rather than two halves what each request allocates (bench/).
 */
export class ContextValues implements ContextLookup {
  /** key0, value0, key1, value1, … (keys lowercased and canonical). */
  private readonly entries: (string | ContextValue)[] = [];

  /**
   * `base` holds keys shared by many requests — the principal's (aws:username, aws:PrincipalTag/…),
   * built once with the principal — and is read after this request's own keys, which override it.
   */
  constructor(private readonly base?: ContextLookup) {}

  /** Sets a key (any case); a later value for the same key overrides an earlier one. */
  set(key: string, value: ContextValue): this {
    this.entries.push(lowerKey(key), value);
    return this;
  }

  /** The value of a key, given lowercased; undefined when the request does not carry it. */
  get(keyLower: string): ContextValue | undefined {
    const entries = this.entries;
    // INVARIANT: searching from the end makes the last value set for a key the one that counts.
    for (let i = entries.length - 2; i >= 0; i -= 2) {
      if (entries[i] === keyLower) return entries[i + 1] as ContextValue;
    }
    return this.base === undefined ? undefined : this.base.get(keyLower);
  }
}

/**
 * An ARN (or any resource string) prepared for matching against ARN patterns: the positions of the
 * five colons that separate its components, found once; nothing is sliced.
 */
export interface ArnTarget {
  text: string;
  /** False when the text is not an ARN (no `arn:` prefix or fewer than six components). */
  isArn: boolean;
  /** Index of the colon after `arn`, partition, service, region and account (-1 when not an ARN). */
  c0: number;
  c1: number;
  c2: number;
  c3: number;
  c4: number;
}

/** Prepares a string for ARN matching. */
export function arnTarget(text: string): ArnTarget {
  if (text.startsWith('arn:')) {
    const c1 = text.indexOf(':', 4);
    const c2 = c1 < 0 ? -1 : text.indexOf(':', c1 + 1);
    const c3 = c2 < 0 ? -1 : text.indexOf(':', c2 + 1);
    const c4 = c3 < 0 ? -1 : text.indexOf(':', c3 + 1);
    if (c4 >= 0) return { text, isArn: true, c0: 3, c1, c2, c3, c4 };
  }
  return { text, isArn: false, c0: -1, c1: -1, c2: -1, c3: -1, c4: -1 };
}

/** The account component of a prepared ARN; '' when it is empty or the text is not an ARN. */
export function targetAccount(target: ArnTarget): string {
  return target.isArn ? accountBetween(target.text, target.c3, target.c4) : '';
}

/** The text between two colons of an ARN (its account component). */
function accountBetween(text: string, c3: number, c4: number): string {
  const start = c3 + 1;
  // Requests name a few accounts over and over: the last one is reused rather than sliced anew.
  if (c4 - start === lastAccount.length && text.startsWith(lastAccount, start)) return lastAccount;
  lastAccount = text.slice(start, c4);
  return lastAccount;
}

let lastAccount = '';

/** How the principal appears to resource-based policies. */
export type PrincipalKind =
  | 'root'
  | 'user'
  | 'role'
  | 'assumedRole'
  | 'federatedUser'
  | 'service'
  | 'federated'
  | 'canonicalUser'
  | 'anonymous';

/** The caller, as far as policies see it. */
export interface RequestPrincipal {
  kind: PrincipalKind;
  /** The principal's ARN (or service name for service principals); empty for anonymous. */
  arn: string;
  /** 12-digit account ID; empty when the principal has none (service, anonymous). */
  account: string;
  /** For an assumed-role session: the name of the role it came from. */
  roleName?: string;
  /** For an assumed-role session: the role's ARN as resource policies name it (arn:aws:iam::A:role/NAME, path included when known). */
  roleArn?: string;
  /** For an assumed-role session: `account/roleName`, as compiled Principal sets index roles. */
  roleKey?: string;
  /**
   * The unique ID bound resource-based policies name the caller by: the user's AIDA… ID, or for a role
   * (or a session of one) the role's AROA… ID. Unset when unknown (simulation by ARN).
   */
  uniqueId?: string;
}

/**
 * The request as the policy engine evaluates it. Build with makeRequest. The request is its own
 * ArnTarget (its `text` is the resource): one object per request rather than two (bench/).
 */
export interface RequestContext extends ArnTarget {
  principal: RequestPrincipal;
  /** The action as given, e.g. bedrock:InvokeModel. */
  action: string;
  /** The action lowercased (matching is case-insensitive). */
  actionLower: string;
  /** A small integer naming actionLower, for per-policy memo arrays (see actionId). */
  actionId: number;
  /** The resource ARN or `*`. */
  resource: string;
  /** The account that owns the resource. */
  resourceAccount: string;
  /** Condition keys, lowercased, to their values. */
  values: ContextLookup;
}

/** The six colon-separated components of an ARN (the last one keeps any further colons). */
export type ArnParts = readonly [string, string, string, string, string, string];

/** Splits an ARN into its six components; undefined when it does not start with `arn:` or has fewer than six. */
export function splitArn(arn: string): ArnParts | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const c1 = arn.indexOf(':', 4);
  if (c1 < 0) return undefined;
  const c2 = arn.indexOf(':', c1 + 1);
  if (c2 < 0) return undefined;
  const c3 = arn.indexOf(':', c2 + 1);
  if (c3 < 0) return undefined;
  const c4 = arn.indexOf(':', c3 + 1);
  if (c4 < 0) return undefined;
  return [
    'arn',
    arn.slice(4, c1),
    arn.slice(c1 + 1, c2),
    arn.slice(c2 + 1, c3),
    arn.slice(c3 + 1, c4),
    arn.slice(c4 + 1),
  ];
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Reads a principal identifier: an IAM or STS ARN, an account ID (the account's root), a service
 * principal (`bedrock.amazonaws.com`), or empty for an anonymous caller. `uniqueId` is the user's or
 * role's unique ID when the caller is known (see RequestPrincipal.uniqueId).
 */
export function describePrincipal(
  principal: string | undefined,
  roleArnHint?: string,
  uniqueId?: string,
): RequestPrincipal {
  const described = principalOf(principal, roleArnHint);
  if (
    uniqueId !== undefined &&
    (described.kind === 'user' || described.kind === 'role' || described.kind === 'assumedRole')
  ) {
    described.uniqueId = uniqueId;
  }
  return described;
}

function principalOf(principal: string | undefined, roleArnHint: string | undefined): RequestPrincipal {
  if (principal === undefined || principal === '' || principal === '*') {
    return { kind: 'anonymous', arn: '', account: '' };
  }
  if (ACCOUNT_ID.test(principal)) {
    return { kind: 'root', arn: `arn:aws:iam::${principal}:root`, account: principal };
  }
  const parts = splitArn(principal);
  if (parts === undefined) {
    if (principal.endsWith('.amazonaws.com') || principal.endsWith('.amazonaws.com.cn')) {
      return { kind: 'service', arn: principal, account: '' };
    }
    return { kind: 'canonicalUser', arn: principal, account: '' };
  }
  const [, partition, service, , account, resource] = parts;
  if (service === 'iam') {
    if (resource === 'root') return { kind: 'root', arn: principal, account };
    if (resource.startsWith('user/')) return { kind: 'user', arn: principal, account };
    if (resource.startsWith('role/')) return { kind: 'role', arn: principal, account };
    if (resource.startsWith('saml-provider/') || resource.startsWith('oidc-provider/')) {
      return { kind: 'federated', arn: principal, account };
    }
  }
  if (service === 'sts') {
    if (resource.startsWith('assumed-role/')) {
      const rest = resource.slice('assumed-role/'.length);
      const slash = rest.indexOf('/');
      const roleName = slash < 0 ? rest : rest.slice(0, slash);
      const roleArn = roleArnHint?.endsWith(`/${roleName}`)
        ? roleArnHint
        : `arn:${partition}:iam::${account}:role/${roleName}`;
      return { kind: 'assumedRole', arn: principal, account, roleName, roleArn, roleKey: `${account}/${roleName}` };
    }
    if (resource.startsWith('federated-user/')) return { kind: 'federatedUser', arn: principal, account };
  }
  return { kind: 'user', arn: principal, account };
}

const actionIds = new Map<string, number>();
/** Action ids at or above this are not memoized by policies (bounds memory on arbitrary input). */
export const ACTION_ID_LIMIT = 8192;

/**
 * A small integer for a lowercased action name, stable for the process: policies memoize their
 * statements per action in an array indexed by it. Past ACTION_ID_LIMIT distinct actions, new ones
 * get ACTION_ID_LIMIT (not memoized).
 */
export function actionId(actionLower: string): number {
  let id = actionIds.get(actionLower);
  if (id === undefined) {
    id = Math.min(actionIds.size, ACTION_ID_LIMIT);
    if (id < ACTION_ID_LIMIT) actionIds.set(actionLower, id);
  }
  return id;
}

const actionsAsWritten = new Map<string, { lower: string; id: number }>();

/** An action's lowercase form and id, memoized by its spelling (requests repeat a few actions). */
function actionOf(action: string): { lower: string; id: number } {
  let found = actionsAsWritten.get(action);
  if (found === undefined) {
    const lower = action.toLowerCase();
    found = { lower, id: actionId(lower) };
    if (actionsAsWritten.size < ACTION_ID_LIMIT) actionsAsWritten.set(action, found);
  }
  return found;
}

const lowerKeys = new Map<string, string>();
const LOWER_KEYS_LIMIT = 4096;

const canonicalKeys = new Map<string, string>();

/**
 * The lowercase form of a condition key, memoized (the same few dozen keys recur on every request),
 * and canonical: every spelling of a key yields the same string object, so compiled conditions and
 * request contexts compare their keys by identity on a hit.
 */
export function lowerKey(key: string): string {
  let lower = lowerKeys.get(key);
  if (lower === undefined) {
    const folded = key.toLowerCase();
    lower = canonicalKeys.get(folded) ?? folded;
    if (lowerKeys.size < LOWER_KEYS_LIMIT) {
      lowerKeys.set(key, lower);
      canonicalKeys.set(folded, lower);
    }
  }
  return lower;
}

/**
 * Builds a request context. `values` keys may be in any case; they are lowercased here (a
 * ContextValues is used as it is).
 * The resource's account is `resourceAccount` when given, else the ARN's account field, else the principal's.
 */
export function makeRequest(input: {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  values?: ContextValues | ReadonlyMap<string, ContextValue> | Readonly<Record<string, ContextValue>>;
  resourceAccount?: string;
}): RequestContext {
  let values: ContextValues;
  if (input.values instanceof ContextValues) {
    values = input.values;
  } else {
    values = new ContextValues();
    if (input.values instanceof Map) {
      for (const [k, v] of input.values) values.set(k, v);
    } else if (input.values !== undefined) {
      const record = input.values as Readonly<Record<string, ContextValue>>;
      const proto: unknown = Object.getPrototypeOf(record);
      if (proto === Object.prototype || proto === null) {
        // for…in with record[k] is the form V8 optimizes (enum cache); Object.hasOwn per key would
        // double the cost of building the context. INVARIANT: a plain object inherits no enumerable
        // keys (unless Object.prototype itself was polluted), so every key seen is the record's own.
        for (const k in record) {
          const v = record[k];
          if (v !== undefined) values.set(k, v);
        }
      } else {
        for (const k of Object.keys(record)) {
          const v = record[k];
          if (v !== undefined) values.set(k, v);
        }
      }
    }
  }
  // The colons of the resource ARN, found here rather than through arnTarget: no object in between.
  const text = input.resource;
  let c1 = -1;
  let c2 = -1;
  let c3 = -1;
  let c4 = -1;
  if (text.startsWith('arn:')) {
    c1 = text.indexOf(':', 4);
    c2 = c1 < 0 ? -1 : text.indexOf(':', c1 + 1);
    c3 = c2 < 0 ? -1 : text.indexOf(':', c2 + 1);
    c4 = c3 < 0 ? -1 : text.indexOf(':', c3 + 1);
  }
  const isArn = c4 >= 0;
  let resourceAccount = input.resourceAccount;
  if (resourceAccount === undefined) {
    const account = isArn ? accountBetween(text, c3, c4) : '';
    resourceAccount = account !== '' ? account : input.principal.account;
  }
  const action = actionOf(input.action);
  return {
    principal: input.principal,
    action: input.action,
    actionLower: action.lower,
    actionId: action.id,
    resource: input.resource,
    resourceAccount,
    values,
    text,
    isArn,
    c0: isArn ? 3 : -1,
    c1: isArn ? c1 : -1,
    c2: isArn ? c2 : -1,
    c3: isArn ? c3 : -1,
    c4,
  };
}
