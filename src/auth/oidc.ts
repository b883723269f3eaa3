/**
 * OpenID Connect web identity tokens, as AssumeRoleWithWebIdentity checks them (STS API Reference,
 * "AssumeRoleWithWebIdentity"; IAM User Guide, "Create an OpenID Connect (OIDC) identity provider in
 * IAM"): the token's `iss` names an IAM OIDC provider registered in the role's account; its keys come
 * from the issuer's OpenID Provider Configuration (OpenID Connect Discovery 1.0, section 4) and the
 * `jwks_uri` it names; the signature, `iss`, `exp`, `nbf` and `iat` are checked, and `aud` (or `azp`)
 * must be one of the provider's client IDs. Session tags and the source identity travel in the
 * `https://aws.amazon.com/tags` and `https://aws.amazon.com/source_identity` claims.
 *
 * Only issuers registered as providers are ever fetched, so an unauthenticated caller cannot make
 * basalt fetch a URL of its choosing; responses are size-capped, redirects are not followed, and
 * fetches time out.
 */

import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  errors,
  type JWTPayload,
  jwtVerify,
  type RemoteJWKSet,
} from 'jose';
import type { Tag } from '../store/types.js';

/** The error codes a web identity token can fail with: STS's own (STS API Reference, "Errors"). */
export type OidcErrorCode =
  | 'InvalidIdentityToken'
  | 'IDPRejectedClaim'
  | 'ExpiredTokenException'
  | 'IDPCommunicationError';

/** Why a web identity token was refused, with STS's code and message. */
export class OidcError extends Error {
  readonly code: OidcErrorCode;
  constructor(code: OidcErrorCode, message: string) {
    super(message);
    this.name = 'OidcError';
    this.code = code;
  }
}

/** The parts of a registered IAM OIDC provider the verifier needs. */
export interface TrustedProvider {
  /** `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`. */
  arn: string;
  /** The URL as registered (`https://…`). */
  url: string;
  /** The client IDs (audiences) tokens may be issued to. */
  clientIds: readonly string[];
}

/** A verified web identity: who the token names, for whom it was issued, and what it carries. */
export interface WebIdentity {
  /** The token's `iss`. */
  issuer: string;
  providerArn: string;
  /** The provider URL without its scheme (`HOST[:PORT]/PATH`): the prefix of its condition keys. */
  providerKey: string;
  /** `sub`. */
  subject: string;
  /** The client ID the token was accepted for: `azp` when present, else the listed `aud` value. */
  audience: string;
  /** Every `aud` value (the `…:oaud` condition key). */
  audiences: string[];
  /** `amr` (authentication methods), when the token carries it. */
  authMethods?: string[];
  /** `email`, when the token carries it. */
  email?: string;
  sessionTags: Tag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  /** `exp`, seconds since the epoch. */
  expiresAt: number;
}

/** Finds the provider registered under a key (`HOST[:PORT]/PATH`), in the account the caller targets. */
export type ProviderLookup = (key: string) => Promise<TrustedProvider | undefined>;

const SCHEME = 'https://';
const TAGS_CLAIM = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';
/** STS's message when the keys cannot be had (the wording, double space included, is AWS's). */
const NO_KEY =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
/** Asymmetric JWS algorithms only: a registered provider never shares a secret with basalt. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** Discovery documents and key sets larger than this are refused. */
const MAX_RESPONSE_BYTES = 256 * 1024;
/** `iat` may be this far ahead of our clock (issuer clock skew). */
const IAT_SKEW_SECONDS = 300;
/** Session tag rules ("IAM and AWS STS quotas"; "Tagging IAM resources", naming rules). */
const MAX_SESSION_TAGS = 50;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;

/**
 * The key of a provider URL: the URL without `https://`, its host lowercased (hosts are
 * case-insensitive, RFC 3986 section 3.2.2), its path kept exactly (a trailing slash makes a different
 * provider, as the issuer `https://example.com/` differs from `https://example.com`). Undefined when
 * the URL is not one IAM accepts: it must begin with `https://` and carry no query, fragment or user
 * information ("CreateOpenIDConnectProvider", IAM API Reference: "path components are allowed but
 * query parameters are not").
 */
export function oidcProviderKey(url: string): string | undefined {
  if (!url.startsWith(SCHEME)) return undefined;
  const rest = url.slice(SCHEME.length);
  if (!/^[\u0021-\u007E]+$/.test(rest) || rest.includes('?') || rest.includes('#')) return undefined;
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  if (authority === '' || authority.includes('@')) return undefined;
  let host: string;
  try {
    host = new URL(`${SCHEME}${authority}/`).host;
  } catch {
    return undefined;
  }
  return host === '' ? undefined : `${host}${path}`;
}

function invalid(message: string): OidcError {
  return new OidcError('InvalidIdentityToken', message);
}

/** Reads a response body up to the size cap; a larger body is refused. */
async function boundedBody(response: Response): Promise<ArrayBuffer> {
  const reader = response.body?.getReader();
  if (reader === undefined) return new ArrayBuffer(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw invalid(NO_KEY);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

/**
 * fetch without redirects and with a size cap; a failure to connect (refused, unreachable, TLS,
 * timeout) is STS's IDPCommunicationError ("the identity provider … could not be reached").
 */
async function boundedFetch(
  url: string,
  init: { headers: Headers; method: 'GET'; redirect: 'manual'; signal: AbortSignal },
): Promise<Response> {
  try {
    const response = await fetch(url, init);
    if (response.status !== 200) {
      // Only 200 is ever used (jose and discovery both refuse anything else); the body is dropped.
      await response.body?.cancel();
      return new Response(null, { status: 502 });
    }
    const body = await boundedBody(response);
    return new Response(body, { status: 200, headers: response.headers });
  } catch (e) {
    if (e instanceof OidcError) throw e;
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
    const code =
      typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
        ? ` (${cause.code})`
        : e instanceof Error && e.name === 'TimeoutError'
          ? ' (timed out)'
          : '';
    throw new OidcError('IDPCommunicationError', `Couldn't connect to the identity provider at ${url}${code}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The issuer's key set and when its discovery document was read. */
interface IssuerKeys {
  keys: RemoteJWKSet;
  readAt: number;
}

/** Options of a verifier: network timeout and cache lifetimes. */
export interface OidcVerifierOptions {
  /** Per request to the issuer, milliseconds (default 5000). */
  timeoutMs?: number;
  /** How long a discovery document is trusted, milliseconds (default one hour). */
  discoveryMaxAgeMs?: number;
  /** How long a key set is cached, milliseconds (default ten minutes, as jose). */
  keysMaxAgeMs?: number;
  /** At most this many issuers are cached (default 1000). */
  maxIssuers?: number;
}

/**
 * Verifies web identity tokens and caches, per issuer, its discovery document and key set (jose's
 * createRemoteJWKSet, which refetches a key set when a token names a key it does not hold).
 */
export class OidcVerifier {
  private readonly issuers = new Map<string, Promise<IssuerKeys>>();
  private readonly timeoutMs: number;
  private readonly discoveryMaxAgeMs: number;
  private readonly keysMaxAgeMs: number;
  private readonly maxIssuers: number;

  /** A verifier with its own cache. */
  constructor(options: OidcVerifierOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.discoveryMaxAgeMs = options.discoveryMaxAgeMs ?? 3_600_000;
    this.keysMaxAgeMs = options.keysMaxAgeMs ?? 600_000;
    this.maxIssuers = options.maxIssuers ?? 1000;
  }

  /**
   * Verifies a web identity token against the provider `lookup` finds for its issuer, as of `now`.
   * Throws OidcError with STS's code and message: InvalidIdentityToken (malformed, unknown issuer —
   * "No OpenIDConnect provider found in your account for https://…" —, bad signature, unusable
   * claims), ExpiredTokenException ("Token expired: current date/time … must be before the expiration
   * date/time …"), IDPRejectedClaim ("Incorrect token audience"), IDPCommunicationError.
   */
  async verify(token: string, lookup: ProviderLookup, now: Date): Promise<WebIdentity> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw invalid('The web identity token is not a well-formed JWT.');
    }
    const issuer = unverified.iss;
    if (typeof issuer !== 'string' || issuer === '') throw invalid('The web identity token has no iss claim.');
    const key = oidcProviderKey(issuer);
    const provider = key === undefined ? undefined : await lookup(key);
    if (key === undefined || provider === undefined) {
      throw invalid(`No OpenIDConnect provider found in your account for ${issuer}`);
    }
    const keys = await this.keysFor(issuer, now);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        algorithms: ALGORITHMS,
        currentDate: now,
        requiredClaims: ['sub', 'aud', 'exp'],
      }));
    } catch (e) {
      throw joseFailure(e, unverified, now);
    }
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + IAT_SKEW_SECONDS) {
      throw invalid('The iat claim of the web identity token is in the future.');
    }
    const subject = payload.sub;
    if (typeof subject !== 'string' || subject === '')
      throw invalid('The sub claim of the web identity token is empty.');
    const audiences =
      typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter(isString) : [];
    const azp = typeof payload.azp === 'string' ? payload.azp : undefined;
    // "aud … when the azp field is not set … azp when the azp field is set" (IAM User Guide, "Available
    // keys for AWS OIDC federation"): a token is accepted when an aud value, or its azp, is a client ID.
    const listed = new Set(provider.clientIds);
    const accepted = audiences.find((a) => listed.has(a)) ?? (azp !== undefined && listed.has(azp) ? azp : undefined);
    if (accepted === undefined) throw new OidcError('IDPRejectedClaim', 'Incorrect token audience');
    const amr = payload.amr;
    const authMethods = typeof amr === 'string' ? [amr] : Array.isArray(amr) ? amr.filter(isString) : undefined;
    const { tags, transitive } = sessionTagsOf(payload[TAGS_CLAIM]);
    const sourceIdentity = sourceIdentityOf(payload[SOURCE_IDENTITY_CLAIM]);
    return {
      issuer,
      providerArn: provider.arn,
      providerKey: key,
      subject,
      audience: azp ?? accepted,
      audiences,
      ...(authMethods === undefined ? {} : { authMethods }),
      ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
      sessionTags: tags,
      transitiveTagKeys: transitive,
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
      expiresAt: typeof payload.exp === 'number' ? payload.exp : nowSeconds,
    };
  }

  /** The issuer's key set, from the cache or from its discovery document. */
  private async keysFor(issuer: string, now: Date): Promise<RemoteJWKSet> {
    const cached = this.issuers.get(issuer);
    if (cached !== undefined) {
      const entry = await cached.catch(() => undefined);
      if (entry !== undefined && now.getTime() - entry.readAt < this.discoveryMaxAgeMs) return entry.keys;
      if (this.issuers.get(issuer) === cached) this.issuers.delete(issuer);
    }
    if (this.issuers.size >= this.maxIssuers) this.issuers.clear();
    const pending = this.discover(issuer, now);
    this.issuers.set(issuer, pending);
    // INVARIANT: a failed discovery is not cached: the next token tries again.
    pending.catch(() => {
      if (this.issuers.get(issuer) === pending) this.issuers.delete(issuer);
    });
    return (await pending).keys;
  }

  /**
   * Reads `ISSUER/.well-known/openid-configuration` (OpenID Connect Discovery 1.0, section 4: "any
   * terminating / MUST be removed before appending /.well-known/openid-configuration"); its `issuer`
   * must equal the token's `iss` exactly (section 4.3) and its `jwks_uri` must be https.
   */
  private async discover(issuer: string, now: Date): Promise<IssuerKeys> {
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await boundedFetch(url, {
      method: 'GET',
      redirect: 'manual',
      headers: new Headers({ accept: 'application/json' }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.status !== 200) throw invalid(NO_KEY);
    let document: unknown;
    try {
      document = await response.json();
    } catch {
      throw invalid(NO_KEY);
    }
    if (!isObject(document) || document.issuer !== issuer || typeof document.jwks_uri !== 'string') {
      throw invalid(NO_KEY);
    }
    let jwksUri: URL;
    try {
      jwksUri = new URL(document.jwks_uri);
    } catch {
      throw invalid(NO_KEY);
    }
    if (jwksUri.protocol !== 'https:') throw invalid(NO_KEY);
    const keys = createRemoteJWKSet(jwksUri, {
      timeoutDuration: this.timeoutMs,
      cacheMaxAge: this.keysMaxAgeMs,
      [customFetch]: boundedFetch,
    });
    return { keys, readAt: now.getTime() };
  }
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** Maps a jose failure to STS's error; anything else passes through. */
function joseFailure(e: unknown, unverified: JWTPayload, now: Date): unknown {
  if (e instanceof OidcError) return e;
  if (e instanceof errors.JWTExpired) {
    // The wording is STS's ("Token expired: current date/time 1731098245 must be before the
    // expiration date/time 1731095240"); the signature was checked before the claims.
    const exp = typeof unverified.exp === 'number' ? unverified.exp : 0;
    return new OidcError(
      'ExpiredTokenException',
      `Token expired: current date/time ${Math.floor(now.getTime() / 1000)} must be before the expiration date/time ${exp}`,
    );
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    return invalid(
      e.reason === 'missing'
        ? `The web identity token has no ${e.claim} claim.`
        : `The ${e.claim} claim of the web identity token is not valid.`,
    );
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return invalid('The signature of the web identity token does not verify with the keys of its issuer.');
  }
  if (e instanceof errors.JOSEAlgNotAllowed) {
    return invalid('The web identity token is signed with an algorithm STS does not accept.');
  }
  if (e instanceof errors.JWKSTimeout) {
    return new OidcError('IDPCommunicationError', "Couldn't connect to the identity provider (timed out)");
  }
  if (
    e instanceof errors.JWKSNoMatchingKey ||
    e instanceof errors.JWKSMultipleMatchingKeys ||
    e instanceof errors.JWKSInvalid
  ) {
    return invalid(NO_KEY);
  }
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) {
    return invalid('The web identity token is not a well-formed JWT.');
  }
  if (e instanceof errors.JOSEError) return invalid(NO_KEY);
  return e;
}

/**
 * Session tags from the `https://aws.amazon.com/tags` claim ("Passing session tags using
 * AssumeRoleWithWebIdentity", IAM User Guide): `principal_tags` maps each key to a one-value array
 * ("You must pass a single value for each session tag"), `transitive_tag_keys` lists the keys that
 * persist through role chaining.
 */
function sessionTagsOf(claim: unknown): { tags: Tag[]; transitive: string[] } {
  if (claim === undefined) return { tags: [], transitive: [] };
  if (!isObject(claim)) throw invalid(`The ${TAGS_CLAIM} claim must be an object.`);
  const principalTags = claim.principal_tags ?? {};
  if (!isObject(principalTags)) throw invalid(`principal_tags in the ${TAGS_CLAIM} claim must be an object.`);
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const [key, raw] of Object.entries(principalTags)) {
    const value = typeof raw === 'string' ? raw : Array.isArray(raw) && raw.length === 1 ? raw[0] : undefined;
    if (typeof value !== 'string') throw invalid(`Session tag ${key} must have exactly one string value.`);
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith('aws:'))
      throw invalid(`Session tag key ${key} is not valid.`);
    if (!TAG_VALUE.test(value)) throw invalid(`The value of session tag ${key} is not valid.`);
    if (seen.has(key.toLowerCase()))
      throw invalid(`Session tag key ${key} appears twice (tag keys are case-insensitive).`);
    seen.add(key.toLowerCase());
    tags.push({ Key: key, Value: value });
  }
  if (tags.length > MAX_SESSION_TAGS) throw invalid(`At most ${MAX_SESSION_TAGS} session tags can be passed.`);
  const rawTransitive = claim.transitive_tag_keys ?? [];
  if (!Array.isArray(rawTransitive) || !rawTransitive.every(isString)) {
    throw invalid(`transitive_tag_keys in the ${TAGS_CLAIM} claim must be a list of tag keys.`);
  }
  for (const k of rawTransitive) {
    if (!seen.has(k.toLowerCase())) throw invalid(`Transitive tag key ${k} is not one of the session tags.`);
  }
  return { tags, transitive: rawTransitive };
}

/** The source identity claim ("Monitor and control actions taken with assumed roles"): 2-64 of [\w+=,.@-]. */
function sourceIdentityOf(claim: unknown): string | undefined {
  if (claim === undefined) return undefined;
  if (typeof claim !== 'string' || !SOURCE_IDENTITY.test(claim)) {
    throw invalid(`The ${SOURCE_IDENTITY_CLAIM} claim must be 2 to 64 characters of letters, digits and _+=,.@-`);
  }
  return claim;
}
