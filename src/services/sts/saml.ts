/**
 * AssumeRoleWithSAML (STS API Reference): a caller without AWS credentials presents a SAML Response
 * from an IdP registered as an IAM SAML provider, and gets a role session. The request is not signed:
 * the operation authenticates its own input (src/auth/saml.ts verifies the response against the
 * provider's metadata), then the dispatcher authorizes the federated caller against the role's trust
 * policy, with the `saml:` condition keys ("Available keys for SAML-based AWS STS federation") and,
 * for session tags and a source identity, sts:TagSession and sts:SetSourceIdentity.
 */

import type { Caller } from '../../auth/caller.js';
import {
  type AwsSamlClaims,
  awsClaims,
  checkRolePair,
  nameQualifier,
  parseSamlMetadata,
  SamlError,
  samlConditionKeys,
  subjectType,
  type VerifiedAssertion,
  verifySamlResponse,
} from '../../auth/saml.js';
import { type ContextValue, describePrincipal } from '../../policy/index.js';
import { WireError } from '../../protocols/wire-error.js';
import { requestTagValues } from '../iam/common.js';
import { findSamlProvider } from '../iam/saml-providers.js';
import { type AnyOperation, operation } from '../operation.js';
import { RULES } from '../params.js';
import { findRole, issue, readPolicyArns, sessionPolicies, trustTargets } from './common.js';

/** What the verified SAML response gave, kept with the input between authentication and the handler. */
interface Verified {
  assertion: VerifiedAssertion;
  claims: AwsSamlClaims;
  providerAccount: string;
  providerName: string;
  /** The `saml:` condition keys of the trust policy. */
  keys: Record<string, ContextValue>;
}

interface SamlInput {
  roleArn: string;
  providerArn: string;
  samlAssertion: string;
  duration: number | undefined;
  policy: string | undefined;
  policyArns: string[];
  /** Set by authenticateInput once the response verified; read by targets() and run(). */
  verified?: Verified;
}

/** "Not authorized to perform sts:AssumeRoleWithSAML" ("Troubleshooting SAML 2.0 federation with AWS"). */
const NOT_AUTHORIZED = 'Not authorized to perform sts:AssumeRoleWithSAML';

/**
 * A SamlError as STS answers it (AssumeRoleWithSAML, "Errors"): InvalidIdentityToken 400,
 * ExpiredTokenException 400, IDPRejectedClaim 403, and AccessDenied 403 for an assertion that does not
 * map the caller to the role.
 */
function wireError(e: SamlError): WireError {
  switch (e.code) {
    case 'ExpiredToken':
      return new WireError('ExpiredTokenException', e.message, 400);
    case 'IDPRejectedClaim':
      return new WireError('IDPRejectedClaim', e.message, 403);
    case 'NotAuthorized':
      return new WireError('AccessDenied', e.message);
    default:
      return new WireError('InvalidIdentityToken', e.message, 400);
  }
}

function verifiedOf(i: SamlInput): Verified {
  // INVARIANT: the dispatcher runs authenticateInput before targets() and run().
  if (i.verified === undefined) throw new Error('AssumeRoleWithSAML: the SAML response was not authenticated');
  return i.verified;
}

const assumeRoleWithSaml = operation<SamlInput>({
  name: 'AssumeRoleWithSAML',
  action: 'sts:AssumeRoleWithSAML',
  parse: (p) => ({
    roleArn: p.str('RoleArn', RULES.arn),
    providerArn: p.str('PrincipalArn', RULES.arn),
    samlAssertion: p.str('SAMLAssertion', { required: true, min: 4, max: 100_000, sensitive: true }),
    duration: p.int('DurationSeconds', 900, 43200),
    policy: p.str('Policy', { min: 1, max: 2048, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' }),
    policyArns: readPolicyArns(p),
  }),

  async authenticateInput(i, ctx): Promise<Caller> {
    const provider = await findSamlProvider(ctx.deps.store, i.providerArn);
    // "Error: Specified provider doesn't exist." ("Troubleshooting SAML 2.0 federation with AWS").
    if (provider === undefined) throw new WireError('InvalidIdentityToken', "Specified provider doesn't exist.");
    const providerAccount = provider.accountId;
    const providerName = provider.body.name;
    try {
      const assertion = verifySamlResponse({
        samlResponse: i.samlAssertion,
        metadata: parseSamlMetadata(provider.body.metadata),
        now: ctx.env.now,
      });
      const claims = awsClaims(assertion);
      checkRolePair(claims, i.roleArn, i.providerArn);
      i.verified = {
        assertion,
        claims,
        providerAccount,
        providerName,
        keys: samlConditionKeys(assertion, providerAccount, providerName),
      };
      // "Calling AssumeRoleWithSAML does not require the use of AWS security credentials. The
      // identity of the caller is validated by using keys in the metadata document": the caller is
      // the provider's user, a Federated principal of the provider's account.
      return {
        type: 'federated',
        accountId: providerAccount,
        arn: provider.body.arn,
        userId: assertion.nameId,
        tags: [],
        accessKeyId: '',
        principal: describePrincipal(provider.body.arn),
        principalTypeName: 'SAMLUser',
      };
    } catch (e) {
      if (e instanceof SamlError) throw wireError(e);
      throw e;
    }
  },

  // "Troubleshooting SAML 2.0 federation with AWS": the denial names no principal.
  deniedMessage: (action) => `Not authorized to perform ${action}`,
  async targets(i, ctx) {
    const v = verifiedOf(i);
    const { sessionName, tags, transitiveTagKeys, sourceIdentity } = v.claims;
    // The Service Authorization Reference lists sts:RoleSessionName for AssumeRoleWithSAML, as for
    // AssumeRole and AssumeRoleWithWebIdentity: the session name from the assertion.
    const values: Record<string, ContextValue> = {
      'sts:RoleSessionName': sessionName,
      ...v.keys,
      ...(tags.length > 0 ? requestTagValues(tags) : {}),
      ...(transitiveTagKeys.length > 0 ? { 'sts:TransitiveTagKeys': transitiveTagKeys } : {}),
      ...(sourceIdentity === undefined ? {} : { 'sts:SourceIdentity': sourceIdentity }),
    };
    return trustTargets(ctx, i.roleArn, values, {
      tags: tags.length > 0,
      sourceIdentity: sourceIdentity !== undefined,
    });
  },

  async run(i, ctx) {
    const v = verifiedOf(i);
    const role = await findRole(ctx, i.roleArn);
    if (role === undefined) throw new WireError('AccessDenied', NOT_AUTHORIZED);
    const r = role.body;
    // "If you specify a value higher than this setting, the operation fails."
    if (i.duration !== undefined && i.duration > r.maxSessionDuration) {
      throw new WireError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const issuedAt = Math.floor(ctx.env.now.getTime() / 1000);
    const duration = sessionSeconds(i.duration, v, issuedAt);
    const { session, packedPercent } = await sessionPolicies(
      ctx,
      role.accountId,
      i.policy,
      i.policyArns,
      v.claims.tags,
    );
    const { sessionName, sourceIdentity, tags, transitiveTagKeys } = v.claims;
    const arn = `arn:aws:sts::${role.accountId}:assumed-role/${r.name}/${sessionName}`;
    const credentials = issue(ctx, {
      accountId: role.accountId,
      type: 'assumedRole',
      arn,
      userId: `${r.id}:${sessionName}`,
      roleName: r.name,
      roleArn: r.arn,
      sessionName,
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
      tags,
      transitiveTagKeys,
      ...session,
      mfa: false,
      federatedIdentity: true,
      issuedAt,
      expiresAt: issuedAt + duration,
      chained: false,
      providerKeys: sessionSamlKeys(v.keys),
    });
    const a = v.assertion;
    return {
      Credentials: credentials,
      AssumedRoleUser: { AssumedRoleId: `${r.id}:${sessionName}`, Arn: arn },
      PackedPolicySize: packedPercent,
      Subject: a.nameId,
      SubjectType: subjectType(a.nameIdFormat),
      Issuer: a.issuer,
      Audience: a.recipient,
      NameQualifier: nameQualifier(a.issuer, v.providerAccount, v.providerName),
      SourceIdentity: sourceIdentity,
    };
  },
});

/**
 * The session's length: DurationSeconds (default 3600), shortened by the SessionDuration attribute
 * ("if it is present in an AssumeRoleWithSAML API call, it can be used to shorten the duration of the
 * session", "Configure SAML assertions…") and by the response's SessionNotOnOrAfter ("Your role
 * session lasts for the duration that you specify, or until the time specified in the SAML
 * authentication response's SessionNotOnOrAfter value, whichever is shorter", AssumeRoleWithSAML).
 */
function sessionSeconds(requested: number | undefined, v: Verified, now: number): number {
  let seconds = requested ?? 3600;
  if (v.claims.sessionDuration !== undefined) seconds = Math.min(seconds, v.claims.sessionDuration);
  const end = v.assertion.sessionNotOnOrAfter;
  if (end !== undefined) seconds = Math.min(seconds, Math.floor(end - now));
  return Math.max(1, seconds);
}

/** The SAML operations. */
export const SAML_OPERATIONS: AnyOperation[] = [assumeRoleWithSaml];

/**
 * The saml: keys a SAML session carries into the role's permission policies: "the following keys are
 * available for SAML 2.0-based federation for use in IAM policies": saml:namequalifier, saml:sub and
 * saml:sub_type ("SAML 2.0 federation", IAM User Guide, on user-specific resource names). The
 * others (saml:aud, saml:iss, the attributes) decide the trust policy only.
 */
function sessionSamlKeys(keys: Readonly<Record<string, ContextValue>>): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const name of SESSION_SAML_KEYS) {
    const value = keys[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const SESSION_SAML_KEYS = ['saml:namequalifier', 'saml:sub', 'saml:sub_type'] as const;
