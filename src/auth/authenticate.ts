/**
 * Authentication of a signed request: the access key is looked up, its secret opened with the
 * master key, the SigV4 signature verified, and the caller described (the root user or an IAM
 * user with its tags). Keys are cached per store revision, so a deleted or deactivated key stops
 * working at the next request.
 */

import { describePrincipal } from '../policy/index.js';
import type { Store } from '../store/types.js';
import type { Caller } from './caller.js';
import type { SecretBox } from './secret-box.js';
import { openSessionToken, type SessionClaims } from './session-token.js';
import {
  checkCredentialScope,
  type IncomingSignedRequest,
  parseSigV4,
  type SigV4Credential,
  SigV4Error,
  unknownAccessKey,
  verifySigV4,
} from './sigv4/index.js';

/** The authenticated caller and the credential scope of its signature. */
export interface Authenticated {
  caller: Caller;
  credential: SigV4Credential;
}

interface KeyEntry {
  caller: Caller;
  secret: string;
}

/** Authenticates requests against one store; caches opened keys for one revision at a time. */
export class Authenticator {
  private revision = -1;
  private readonly keys = new Map<string, KeyEntry>();

  /** An authenticator over this store and master key. */
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly limit = 10_000,
  ) {}

  private async lookup(accessKeyId: string, revision: number): Promise<KeyEntry> {
    if (revision !== this.revision) {
      this.keys.clear();
      this.revision = revision;
    }
    const cached = this.keys.get(accessKeyId);
    if (cached !== undefined) return cached;
    const row = await this.store.getById('access-key', accessKeyId);
    if (row === undefined || row.body.status !== 'Active') throw unknownAccessKey();
    const secret = this.secrets.open(row.body.secretCiphertext, accessKeyId);
    let caller: Caller;
    if (row.body.userName === undefined) {
      const arn = `arn:aws:iam::${row.accountId}:root`;
      caller = {
        type: 'root',
        accountId: row.accountId,
        arn,
        userId: row.accountId,
        tags: [],
        accessKeyId,
        principal: describePrincipal(arn),
      };
    } else {
      const user = await this.store.get('user', row.accountId, row.body.userName.toLowerCase());
      if (user === undefined) throw unknownAccessKey();
      caller = {
        type: 'user',
        accountId: row.accountId,
        arn: user.body.arn,
        userId: user.body.id,
        userName: user.body.name,
        tags: user.body.tags,
        accessKeyId,
        principal: describePrincipal(user.body.arn, undefined, user.body.id),
      };
    }
    const entry = { caller, secret };
    // INVARIANT: only what was read at the revision the cache holds is cached. Another request may
    // have moved the cache to a newer revision while this one read: what it read may predate that
    // revision's write (a deleted key), so it is used for this request only.
    if (this.revision === revision) {
      if (this.keys.size >= this.limit) this.keys.clear();
      this.keys.set(accessKeyId, entry);
    }
    return entry;
  }

  /**
   * Authenticates a request for `service`, signed for one of `regions` (the Regions the endpoint
   * serves), as of a store revision. Throws SigV4Error with AWS's code:
   * MissingAuthenticationToken, IncompleteSignature, InvalidClientTokenId, SignatureDoesNotMatch,
   * RequestExpired, ….
   */
  async authenticate(
    req: IncomingSignedRequest,
    revision: number,
    now: Date,
    service: string,
    regions: ReadonlySet<string>,
  ): Promise<Authenticated> {
    const credential = credentialOf(req, service, regions);
    if (credential.securityToken !== undefined) return this.temporary(req, credential, credential.securityToken, now);
    // A cached key is taken without the lookup's promise: most requests find theirs.
    const cached = revision === this.revision ? this.keys.get(credential.accessKeyId) : undefined;
    const entry = cached ?? (await this.lookup(credential.accessKeyId, revision));
    verifySigV4(req, credential, entry.secret, now);
    return { caller: entry.caller, credential };
  }

  /**
   * Everything `authenticate` checks before the signature, which needs the body: the Authorization
   * header or presigned query, the credential scope, and that the access key (or session token) is
   * one this server issued and is still valid. Throws the same SigV4Error `authenticate` would. The
   * server runs it before it reads a large body, so that no one without a known key can make it
   * hold megabytes (`req.body` is not read).
   */
  async checkSigner(
    req: Omit<IncomingSignedRequest, 'body'>,
    revision: number,
    now: Date,
    service: string,
    regions: ReadonlySet<string>,
  ): Promise<void> {
    const credential = credentialOf({ ...req, body: new Uint8Array(0) }, service, regions);
    if (credential.securityToken !== undefined) this.sessionClaims(credential, credential.securityToken, now);
    else await this.lookup(credential.accessKeyId, revision);
  }

  /**
   * A session token's claims: it opens with the master key (no store lookup), names this access key,
   * and has not expired ("ExpiredToken: The security token included in the request is expired").
   */
  private sessionClaims(credential: SigV4Credential, token: string, now: Date): SessionClaims {
    const claims = openSessionToken(this.secrets, token);
    if (claims === undefined || claims.accessKeyId !== credential.accessKeyId) throw unknownAccessKey();
    if (now.getTime() >= claims.expiresAt * 1000) {
      throw new SigV4Error('ExpiredToken', 'The security token included in the request is expired');
    }
    return claims;
  }

  /** Temporary credentials: the session token's claims, then the signature with the session's secret. */
  private async temporary(
    req: IncomingSignedRequest,
    credential: SigV4Credential,
    token: string,
    now: Date,
  ): Promise<Authenticated> {
    const claims = this.sessionClaims(credential, token, now);
    verifySigV4(req, credential, claims.secretAccessKey, now);
    const caller: Caller = {
      type: claims.type,
      accountId: claims.accountId,
      arn: claims.arn,
      userId: claims.userId,
      ...(claims.userName === undefined ? {} : { userName: claims.userName }),
      // Role tags are added when the role's policies are loaded; session tags override them.
      tags: claims.tags,
      accessKeyId: credential.accessKeyId,
      principal: describePrincipal(claims.arn, claims.roleArn, principalIdOf(claims)),
      session: claims,
    };
    return { caller, credential };
  }
}

/** The request's SigV4 credential, its scope checked against the endpoint's service and Regions. */
function credentialOf(req: IncomingSignedRequest, service: string, regions: ReadonlySet<string>): SigV4Credential {
  const credential = parseSigV4(req);
  checkCredentialScope(credential, { service, regions });
  return credential;
}

/**
 * The unique ID a session's caller is named by in bound resource-based policies: the role's AROA… ID
 * (the part of `aws:userid` before the session name) or the user's AIDA… ID.
 */
function principalIdOf(claims: SessionClaims): string | undefined {
  if (claims.type === 'assumedRole') {
    const colon = claims.userId.indexOf(':');
    return colon < 0 ? undefined : claims.userId.slice(0, colon);
  }
  return claims.type === 'user' ? claims.userId : undefined;
}
