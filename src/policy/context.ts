/**
 * The request context a decision is made on: the principal, action, resource and the condition keys.
 * Keys are held lowercased: condition key names are case-insensitive (IAM User Guide, "IAM JSON policy
 * elements: Condition", "Condition keys are not case-sensitive").
 */

/** A context value: a single string, or a multivalued key's strings. */
export type ContextValue = string | readonly string[];

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
}

/** The request as the policy engine evaluates it. Build with makeRequest. */
export interface RequestContext {
  principal: RequestPrincipal;
  /** The action as given, e.g. bedrock:InvokeModel. */
  action: string;
  /** The action lowercased (matching is case-insensitive). */
  actionLower: string;
  /** The resource ARN or `*`. */
  resource: string;
  /** The resource split into its six ARN components; undefined when it is not an ARN. */
  resourceParts: ArnParts | undefined;
  /** The account that owns the resource. */
  resourceAccount: string;
  /** Condition keys, lowercased, to their values. */
  values: ReadonlyMap<string, ContextValue>;
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
 * principal (`bedrock.amazonaws.com`), or empty for an anonymous caller.
 */
export function describePrincipal(principal: string | undefined, roleArnHint?: string): RequestPrincipal {
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
      return { kind: 'assumedRole', arn: principal, account, roleName, roleArn };
    }
    if (resource.startsWith('federated-user/')) return { kind: 'federatedUser', arn: principal, account };
  }
  return { kind: 'user', arn: principal, account };
}

/**
 * Builds a request context. `values` keys may be in any case; they are lowercased here.
 * The resource's account is `resourceAccount` when given, else the ARN's account field, else the principal's.
 */
export function makeRequest(input: {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  values?: ReadonlyMap<string, ContextValue> | Record<string, ContextValue>;
  resourceAccount?: string;
}): RequestContext {
  const resourceParts = splitArn(input.resource);
  const values = new Map<string, ContextValue>();
  if (input.values instanceof Map) {
    for (const [k, v] of input.values) values.set(k.toLowerCase(), v);
  } else if (input.values !== undefined) {
    for (const k of Object.keys(input.values)) {
      const v = (input.values as Record<string, ContextValue>)[k];
      if (v !== undefined) values.set(k.toLowerCase(), v);
    }
  }
  const resourceAccount =
    input.resourceAccount ??
    (resourceParts !== undefined && resourceParts[4] !== '' ? resourceParts[4] : input.principal.account);
  return {
    principal: input.principal,
    action: input.action,
    actionLower: input.action.toLowerCase(),
    resource: input.resource,
    resourceParts,
    resourceAccount,
    values,
  };
}
