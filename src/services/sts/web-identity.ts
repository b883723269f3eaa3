/**
 * AssumeRoleWithWebIdentity (STS API Reference): temporary credentials for the holder of an OpenID
 * Connect token from an IAM OIDC provider registered in the role's account. The request carries no
 * AWS credentials: the token authenticates it (src/auth/oidc.ts), and the caller it yields — the
 * provider, as a federated principal — must be allowed by the role's trust policy, evaluated as a
 * resource policy with the token's claims as condition keys ("Available keys for AWS OIDC
 * federation", IAM User Guide).
 */

import type { Caller } from '../../auth/caller.js';
import { OidcError, OidcVerifier, type WebIdentity } from '../../auth/oidc.js';
import { type ContextValue, describePrincipal } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import { requestTagValues } from '../iam/common.js';
import { type AnyOperation, operation } from '../operation.js';
import { RULES } from '../params.js';
import { findRole, issue, ROLE_ARN, readPolicyArns, sessionPolicies, trustTargets } from './common.js';

/** One verifier (and so one discovery and key-set cache) per process. */
const verifier = new OidcVerifier();

const ACTION = 'sts:AssumeRoleWithWebIdentity';

interface WebIdentityInput {
  roleArn: string;
  sessionName: string;
  token: string;
  duration: number | undefined;
  policy: string | undefined;
  policyArns: string[];
}

/**
 * The identity each request's token proved, set by authenticateInput and read by targets and run.
 * INVARIANT: keyed by the request's own input object, so it never outlives or crosses a request.
 */
const verified = new WeakMap<WebIdentityInput, WebIdentity>();

function identityOf(i: WebIdentityInput): WebIdentity {
  const id = verified.get(i);
  if (id === undefined) throw new Error('AssumeRoleWithWebIdentity: the token was not authenticated');
  return id;
}

/** STS's status for each token error: IDPRejectedClaim is 403, the others 400 (STS API Reference, "Errors"). */
function wireError(e: OidcError): WireError {
  return new WireError(e.code, e.message, e.code === 'IDPRejectedClaim' ? 403 : 400);
}

/** AWS's AccessDenied for federated callers names no ARN: "Not authorized to perform sts:AssumeRoleWithWebIdentity". */
function notAuthorized(action: string): WireError {
  return new WireError('AccessDenied', `Not authorized to perform ${action}`);
}

/** The trust-policy condition keys of a web identity. */
function identityValues(id: WebIdentity, sessionName: string): Record<string, ContextValue> {
  const k = id.providerKey;
  return {
    'sts:RoleSessionName': sessionName,
    [`${k}:sub`]: id.subject,
    [`${k}:aud`]: id.audience,
    [`${k}:oaud`]: id.audiences.length === 1 ? (id.audiences[0] as string) : id.audiences,
    ...(id.authMethods === undefined ? {} : { [`${k}:amr`]: id.authMethods }),
    ...(id.email === undefined ? {} : { [`${k}:email`]: id.email }),
    'aws:FederatedProvider': id.providerArn,
    ...(id.sessionTags.length > 0 ? requestTagValues(id.sessionTags) : {}),
    ...(id.transitiveTagKeys.length > 0 ? { 'sts:TransitiveTagKeys': id.transitiveTagKeys } : {}),
    ...(id.sourceIdentity === undefined ? {} : { 'sts:SourceIdentity': id.sourceIdentity }),
  };
}

const assumeRoleWithWebIdentity = operation<WebIdentityInput>({
  name: 'AssumeRoleWithWebIdentity',
  action: ACTION,
  parse: (p) => {
    const input: WebIdentityInput = {
      roleArn: p.str('RoleArn', RULES.arn),
      sessionName: p.str('RoleSessionName', { required: true, min: 2, max: 64, pattern: '[\\w+=,.@-]*' }),
      token: p.str('WebIdentityToken', { required: true, min: 4, max: 20000, sensitive: true }),
      duration: p.int('DurationSeconds', 900, 43200),
      policy: p.str('Policy', { min: 1, max: 2048, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' }),
      policyArns: readPolicyArns(p),
    };
    // ProviderId names OAuth 2.0 providers (www.amazon.com, graph.facebook.com); an OpenID Connect
    // token's issuer says where it is from, so it is checked for form only and otherwise ignored.
    p.str('ProviderId', { min: 4, max: 2048 });
    return input;
  },
  async authenticateInput(i, ctx): Promise<Caller> {
    // The role ARN names the account whose providers are trusted ("No OpenIDConnect provider found in
    // your account for https://…").
    const account = ROLE_ARN.exec(i.roleArn)?.[1];
    let id: WebIdentity;
    try {
      id = await verifier.verify(
        i.token,
        async (key) => {
          if (account === undefined) return undefined;
          const row = await ctx.deps.store.get('oidc-provider', account, key);
          return row === undefined
            ? undefined
            : { arn: row.body.arn, url: row.body.url, clientIds: row.body.clientIds };
        },
        ctx.env.now,
      );
    } catch (e) {
      if (e instanceof OidcError) throw wireError(e);
      throw e;
    }
    if (account === undefined) throw new Error('a provider was found without an account');
    verified.set(i, id);
    return {
      type: 'federated',
      accountId: account,
      arn: id.providerArn,
      userId: id.subject,
      tags: [],
      accessKeyId: '',
      principal: describePrincipal(id.providerArn),
      principalTypeName: 'WebIdentityUser',
    };
  },
  async targets(i, ctx) {
    const id = identityOf(i);
    // A federated principal has no identity policies: the trust policy alone decides.
    return trustTargets(ctx, i.roleArn, identityValues(id, i.sessionName), {
      tags: id.sessionTags.length > 0,
      sourceIdentity: id.sourceIdentity !== undefined,
    });
  },
  deniedMessage: (action) => `Not authorized to perform ${action}`,
  async run(i, ctx) {
    const id = identityOf(i);
    const role = await findRole(ctx, i.roleArn);
    if (role === undefined) throw notAuthorized(ACTION);
    const r = role.body;
    // "You can provide a value from 900 seconds (15 minutes) up to the maximum session duration
    // setting for the role" (AssumeRoleWithWebIdentity); one hour by default.
    const duration = i.duration ?? 3600;
    if (duration > r.maxSessionDuration) {
      throw new WireError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const { session, packedPercent } = await sessionPolicies(
      ctx,
      role.accountId,
      i.policy,
      i.policyArns,
      id.sessionTags,
    );
    const now = Math.floor(ctx.env.now.getTime() / 1000);
    const account = role.accountId;
    const arn = `arn:aws:sts::${account}:assumed-role/${r.name}/${i.sessionName}`;
    const credentials = issue(ctx, {
      accountId: account,
      type: 'assumedRole',
      arn,
      userId: `${r.id}:${i.sessionName}`,
      roleName: r.name,
      roleArn: r.arn,
      sessionName: i.sessionName,
      ...(id.sourceIdentity === undefined ? {} : { sourceIdentity: id.sourceIdentity }),
      tags: id.sessionTags,
      transitiveTagKeys: id.transitiveTagKeys,
      ...session,
      mfa: false,
      federatedIdentity: true,
      issuedAt: now,
      expiresAt: now + duration,
      chained: false,
      // The provider's keys reach the role's permission policies too (policy variables such as
      // `${cognito-identity.amazonaws.com:sub}`, "IAM policy elements: Variables and tags").
      providerKeys: {
        [`${id.providerKey}:sub`]: id.subject,
        [`${id.providerKey}:aud`]: id.audience,
        ...(id.authMethods === undefined ? {} : { [`${id.providerKey}:amr`]: id.authMethods }),
        'aws:FederatedProvider': id.providerArn,
      },
    });
    return {
      Credentials: credentials,
      SubjectFromWebIdentityToken: id.subject,
      AssumedRoleUser: { AssumedRoleId: `${r.id}:${i.sessionName}`, Arn: arn },
      PackedPolicySize: packedPercent,
      // STS answers with the IAM provider's ARN here for IAM OIDC providers (observed responses for
      // EKS and other IAM OIDC providers), though the API Reference describes it as the iss value.
      Provider: id.providerArn,
      Audience: id.audience,
      SourceIdentity: id.sourceIdentity,
    };
  },
});

/** The web identity operations. */
export const WEB_IDENTITY_OPERATIONS: AnyOperation[] = [assumeRoleWithWebIdentity];
