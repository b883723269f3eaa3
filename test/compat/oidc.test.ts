/**
 * OIDC federation against the real server. IAM OIDC providers through the AWS SDK; then
 * AssumeRoleWithWebIdentity with tokens issued by a real OpenID provider (the `oidc-provider`
 * package) served over HTTPS with a certificate this test makes with `openssl`, which the basalt
 * child trusts through NODE_EXTRA_CA_CERTS. Tokens are the provider's client-credentials JWT access
 * tokens; per-client claims (session tags, amr, azp, nbf) are added by the provider's own claim hooks,
 * so every token is signed by the provider's published key (see docs/federation-oidc.md).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as iam from '@aws-sdk/client-iam';
import * as sts from '@aws-sdk/client-sts';
import { fromWebToken } from '@aws-sdk/credential-providers';
import { exportJWK, generateKeyPair } from 'jose';
import { credsOf, rejectsWith } from '../support/assertions.js';
import { awsJson, haveAwsCli } from '../support/aws-cli.js';
import { ROOT, startBasalt, type TestServer } from '../support/basalt.js';
import { type Credentials, iamClient, stsClient } from '../support/clients.js';
import { errorOf, formBody, rawRequest } from '../support/query.js';

const A = ROOT.accountId;
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

async function userWithPolicy(root: iam.IAMClient, name: string, statements: object[]): Promise<Credentials> {
  await root.send(new iam.CreateUserCommand({ UserName: name }));
  await root.send(new iam.PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: doc(statements) }));
  const k = await root.send(new iam.CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: k.AccessKey?.AccessKeyId ?? '', secretAccessKey: k.AccessKey?.SecretAccessKey ?? '' };
}

describe('IAM OIDC providers over the AWS SDK', { concurrency: false }, () => {
  let server: TestServer;
  let root: iam.IAMClient;
  const url = 'https://idp.example.com/realms/main';
  const arn = `arn:aws:iam::${A}:oidc-provider/idp.example.com/realms/main`;
  before(async () => {
    server = await startBasalt();
    root = iamClient(server.url);
  });
  after(async () => {
    root?.destroy();
    await server?.destroy();
  });

  test('create, read, list, change and delete a provider', async () => {
    const created = await root.send(
      new iam.CreateOpenIDConnectProviderCommand({
        Url: url,
        ClientIDList: ['sts.amazonaws.com', 'web-app', 'sts.amazonaws.com'],
        ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
        Tags: [{ Key: 'team', Value: 'platform' }],
      }),
    );
    assert.equal(created.OpenIDConnectProviderArn, arn);
    assert.deepEqual(created.Tags, [{ Key: 'team', Value: 'platform' }]);
    const got = await root.send(new iam.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    // IAM shows the URL without its scheme, and a client ID once.
    assert.equal(got.Url, 'idp.example.com/realms/main');
    assert.deepEqual(got.ClientIDList, ['sts.amazonaws.com', 'web-app']);
    assert.deepEqual(got.ThumbprintList, ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280']);
    assert.ok(got.CreateDate instanceof Date && Math.abs(got.CreateDate.getTime() - Date.now()) < 60_000);
    const list = await root.send(new iam.ListOpenIDConnectProvidersCommand({}));
    assert.deepEqual(list.OpenIDConnectProviderList, [{ Arn: arn }]);

    // Adding a present client ID and removing an absent one are no-ops, not errors.
    await root.send(
      new iam.AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'cli' }),
    );
    await root.send(
      new iam.AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'cli' }),
    );
    await root.send(
      new iam.RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'web-app' }),
    );
    await root.send(
      new iam.RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'nobody' }),
    );
    await root.send(
      new iam.UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: arn,
        ThumbprintList: ['0000000000000000000000000000000000000000', 'ABCDEFabcdef0123456789012345678901234567'],
      }),
    );
    await root.send(
      new iam.TagOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: arn,
        Tags: [
          { Key: 'env', Value: 'dev' },
          { Key: 'TEAM', Value: 'ml' },
        ],
      }),
    );
    await root.send(new iam.UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ['env'] }));
    const changed = await root.send(new iam.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    assert.deepEqual(changed.ClientIDList, ['sts.amazonaws.com', 'cli']);
    assert.deepEqual(changed.ThumbprintList, [
      '0000000000000000000000000000000000000000',
      'ABCDEFabcdef0123456789012345678901234567',
    ]);
    // Tag keys are case-insensitive: TEAM replaced team.
    assert.deepEqual(changed.Tags, [{ Key: 'TEAM', Value: 'ml' }]);
    const tags = await root.send(
      new iam.ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn, MaxItems: 1 }),
    );
    assert.deepEqual(tags.Tags, [{ Key: 'TEAM', Value: 'ml' }]);
    assert.equal(tags.IsTruncated, false);

    await root.send(new iam.DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    await rejectsWith(
      root.send(new iam.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      'NoSuchEntityException',
      new RegExp(`^OpenIDConnect Provider not found for arn ${arn}$`),
    );
    // DeleteOpenIDConnectProvider is idempotent (IAM API Reference).
    await root.send(new iam.DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    const empty = await root.send(new iam.ListOpenIDConnectProvidersCommand({}));
    assert.deepEqual(empty.OpenIDConnectProviderList ?? [], []);
  });

  test('errors in IAM words: duplicates, bad URLs, bad thumbprints, missing providers', async () => {
    await root.send(
      new iam.CreateOpenIDConnectProviderCommand({ Url: 'https://dup.example.com', ClientIDList: ['a'] }),
    );
    await rejectsWith(
      root.send(new iam.CreateOpenIDConnectProviderCommand({ Url: 'https://dup.example.com', ClientIDList: ['b'] })),
      'EntityAlreadyExistsException',
      /^Provider with url https:\/\/dup\.example\.com already exists\.$/,
    );
    // A host differs only in case: the same provider.
    await rejectsWith(
      root.send(new iam.CreateOpenIDConnectProviderCommand({ Url: 'https://DUP.example.com' })),
      'EntityAlreadyExistsException',
    );
    // A trailing slash is part of the issuer: another provider.
    const slash = await root.send(new iam.CreateOpenIDConnectProviderCommand({ Url: 'https://dup.example.com/' }));
    assert.equal(slash.OpenIDConnectProviderArn, `arn:aws:iam::${A}:oidc-provider/dup.example.com/`);
    for (const bad of ['http://idp.example.com', 'idp.example.com', 'https://idp.example.com/x?y=1', 'https://']) {
      await rejectsWith(root.send(new iam.CreateOpenIDConnectProviderCommand({ Url: bad })), 'InvalidInputException');
    }
    await rejectsWith(
      root.send(new iam.CreateOpenIDConnectProviderCommand({ Url: 'https://t.example.com', ThumbprintList: ['abc'] })),
      'ValidationError',
      /Member must have length greater than or equal to 40/,
    );
    await rejectsWith(
      root.send(
        new iam.CreateOpenIDConnectProviderCommand({ Url: 'https://t.example.com', ThumbprintList: ['z'.repeat(40)] }),
      ),
      'InvalidInputException',
    );
    await rejectsWith(
      root.send(
        new iam.CreateOpenIDConnectProviderCommand({
          Url: 'https://t.example.com',
          ThumbprintList: ['1', '2', '3', '4', '5', '6'].map((d) => d.repeat(40)),
        }),
      ),
      'ValidationError',
    );
    await rejectsWith(
      root.send(
        new iam.CreateOpenIDConnectProviderCommand({ Url: 'https://t.example.com', ClientIDList: ['x'.repeat(256)] }),
      ),
      'ValidationError',
    );
    const missing = `arn:aws:iam::${A}:oidc-provider/missing.example.com`;
    for (const send of [
      () => root.send(new iam.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: missing })),
      () =>
        root.send(
          new iam.AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: missing, ClientID: 'x' }),
        ),
      () =>
        root.send(
          new iam.TagOpenIDConnectProviderCommand({
            OpenIDConnectProviderArn: missing,
            Tags: [{ Key: 'k', Value: 'v' }],
          }),
        ),
      () => root.send(new iam.ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: missing })),
    ]) {
      await rejectsWith(send(), 'NoSuchEntityException', /^OpenIDConnect Provider not found for arn /);
    }
    // Another account's provider is out of reach: IAM resources of other accounts are not shared.
    await rejectsWith(
      root.send(
        new iam.GetOpenIDConnectProviderCommand({
          OpenIDConnectProviderArn: 'arn:aws:iam::999999999999:oidc-provider/dup.example.com',
        }),
      ),
      'AccessDenied',
    );
    await rejectsWith(
      root.send(
        new iam.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: `arn:aws:iam::${A}:role/not-a-provider` }),
      ),
      'InvalidInputException',
    );
  });

  test('authorization: tags on create need iam:TagOpenIDConnectProvider; aws:ResourceTag applies', async () => {
    const creator = await userWithPolicy(root, 'oidc-creator', [
      { Effect: 'Allow', Action: 'iam:CreateOpenIDConnectProvider', Resource: '*' },
      {
        Effect: 'Allow',
        Action: 'iam:GetOpenIDConnectProvider',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } },
      },
    ]);
    const asCreator = iamClient(server.url, creator);
    await rejectsWith(
      asCreator.send(
        new iam.CreateOpenIDConnectProviderCommand({
          Url: 'https://abac.example.com',
          Tags: [{ Key: 'env', Value: 'dev' }],
        }),
      ),
      'AccessDenied',
      /is not authorized to perform: iam:TagOpenIDConnectProvider on resource: arn:aws:iam::\d{12}:oidc-provider\/abac\.example\.com/,
    );
    const made = await asCreator.send(new iam.CreateOpenIDConnectProviderCommand({ Url: 'https://abac.example.com' }));
    const other = await asCreator.send(
      new iam.CreateOpenIDConnectProviderCommand({ Url: 'https://abac2.example.com' }),
    );
    await root.send(
      new iam.TagOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: made.OpenIDConnectProviderArn,
        Tags: [{ Key: 'env', Value: 'dev' }],
      }),
    );
    await asCreator.send(
      new iam.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: made.OpenIDConnectProviderArn }),
    );
    await rejectsWith(
      asCreator.send(
        new iam.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: other.OpenIDConnectProviderArn }),
      ),
      'AccessDenied',
    );
    asCreator.destroy();
  });
});

// ---------------------------------------------------------------------------------------------
// AssumeRoleWithWebIdentity with a real OpenID provider over HTTPS.

/** Why this machine cannot make the test certificate, or undefined when it can. */
function opensslMissing(): string | undefined {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (r.error !== undefined) return `openssl is not on the PATH (${r.error.message})`;
  return r.status === 0 ? undefined : `openssl version exited with ${r.status}: ${r.stderr}`;
}

const OPENSSL_MISSING = opensslMissing();
/** Outside CI a machine without openssl skips these tests; under CI=true they fail. */
const SKIP_FEDERATION = OPENSSL_MISSING !== undefined && process.env.CI !== 'true' ? OPENSSL_MISSING : false;

/** A self-signed certificate for localhost, made by openssl in `dir`. */
function makeCertificate(dir: string): { cert: string; key: string; certPath: string } {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { encoding: 'utf8' },
  );
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`openssl could not make the test certificate: ${r.error?.message ?? r.stderr}`);
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath };
}

/** What this test uses of oidc-provider (the package ships no type declarations). */
interface OidcProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
type OidcProviderClass = new (issuer: string, configuration: object) => OidcProviderInstance;

async function loadOidcProvider(): Promise<OidcProviderClass> {
  // A non-literal specifier: TypeScript does not look for declarations the package does not have.
  const specifier = 'oidc-provider';
  const mod = (await import(specifier)) as { default: OidcProviderClass };
  return mod.default;
}

/** The audience basalt's provider lists, and one it does not. */
const STS_AUDIENCE = 'urn:basalt:sts';
const UNLISTED_AUDIENCE = 'urn:not-registered';
/** Clients of the main IdP; the client ID is the token's `sub`. */
const CLIENTS = ['ci-runner', 'other-runner', 'tagged-runner', 'short-lived', 'hybrid-app', 'future-token'] as const;
type Client = (typeof CLIENTS)[number];

/** Extra claims per client, added by the IdP's extraTokenClaims hook. */
const EXTRA_CLAIMS: Partial<Record<Client, object>> = {
  'tagged-runner': {
    'https://aws.amazon.com/tags': {
      principal_tags: { team: ['ml'], project: ['basalt'] },
      transitive_tag_keys: ['team'],
    },
    'https://aws.amazon.com/source_identity': 'alice',
  },
  'hybrid-app': { amr: ['pwd', 'mfa'] },
};

interface Idps {
  server: https.Server;
  port: number;
  /** The registered issuer. */
  issuer: string;
  /** An issuer basalt has no provider for. */
  rogueIssuer: string;
  /** Gets an access token (a JWT) from the IdP mounted at `prefix`. */
  token(client: Client | 'ci-runner', options?: { resource?: string; prefix?: string }): Promise<string>;
}

/**
 * Three OpenID providers on one HTTPS server: `/realms/basalt` (registered in basalt), `/realms/rogue`
 * (another issuer, not registered) and `/realms/forger`, which claims the registered issuer and the
 * same key ID but signs with a key of its own.
 */
async function startIdps(cert: string, key: string): Promise<Idps> {
  const Provider = await loadOidcProvider();
  const server = https.createServer({ cert, key });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://localhost:${port}/realms/basalt`;
  const rogueIssuer = `https://localhost:${port}/realms/rogue`;
  const privateJwk = async (kid: string) => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  };
  const configuration = async (clients: readonly string[], kid: string) => ({
    clients: clients.map((id) => ({
      client_id: id,
      client_secret: `secret-${id}`,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    })),
    jwks: { keys: [await privateJwk(kid)] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => STS_AUDIENCE,
        getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => ({
          scope: '',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: client.clientId === 'short-lived' ? 1 : 600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: {
      ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? 600,
    },
    extraTokenClaims: (_ctx: unknown, token: { clientId: string }) =>
      EXTRA_CLAIMS[token.clientId as Client] ?? undefined,
    formats: {
      customizers: {
        jwt: (_ctx: unknown, token: { clientId: string }, jwt: { payload: Record<string, unknown> }) => {
          if (token.clientId === 'hybrid-app') {
            // A hybrid app: aud is another client, azp is the registered one ("Available keys for AWS
            // OIDC federation": aud matches azp when azp is set).
            jwt.payload.aud = ['urn:unlisted-api'];
            jwt.payload.azp = 'hybrid-app';
          }
          if (token.clientId === 'future-token' && typeof jwt.payload.iat === 'number') {
            jwt.payload.nbf = jwt.payload.iat + 3600;
          }
        },
      },
    },
  });
  const mounts = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>([
    ['/realms/basalt', new Provider(issuer, await configuration(CLIENTS, 'main-key')).callback()],
    ['/realms/rogue', new Provider(rogueIssuer, await configuration(['ci-runner'], 'rogue-key')).callback()],
    ['/realms/forger', new Provider(issuer, await configuration(['ci-runner'], 'main-key')).callback()],
  ]);
  server.on('request', (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    const path = req.url ?? '/';
    for (const [prefix, handle] of mounts) {
      if (path === prefix || path.startsWith(`${prefix}/`)) {
        // oidc-provider finds its mount path from originalUrl (as under express or koa-mount).
        req.originalUrl = path;
        req.url = path.slice(prefix.length) || '/';
        handle(req, res);
        return;
      }
    }
    res.statusCode = 404;
    res.end();
  });
  return {
    server,
    port,
    issuer,
    rogueIssuer,
    async token(client, options = {}) {
      const prefix = options.prefix ?? '/realms/basalt';
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        resource: options.resource ?? STS_AUDIENCE,
      });
      const text = await new Promise<string>((resolve, reject) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            servername: 'localhost',
            port,
            method: 'POST',
            path: `${prefix}/token`,
            // The test process trusts the certificate explicitly; basalt through NODE_EXTRA_CA_CERTS.
            ca: cert,
            headers: {
              host: `localhost:${port}`,
              'content-type': 'application/x-www-form-urlencoded',
              authorization: `Basic ${Buffer.from(`${client}:secret-${client}`).toString('base64')}`,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body.toString());
      });
      const json = JSON.parse(text) as { access_token?: string };
      if (json.access_token === undefined) throw new Error(`token request failed: ${text}`);
      return json.access_token;
    },
  };
}

/** An STS client that cannot sign: AssumeRoleWithWebIdentity must not need credentials. */
function unsignedSts(url: string): sts.STSClient {
  return new sts.STSClient({
    endpoint: url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: async () => {
      throw new Error('AssumeRoleWithWebIdentity must not ask for AWS credentials');
    },
  });
}

/** Sends an unsigned AssumeRoleWithWebIdentity and returns the raw answer. */
async function rawAssume(url: string, params: Record<string, string>) {
  const body = formBody({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', ...params });
  const r = await rawRequest(url, 'POST', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body);
  return { status: r.status, body: r.text, ...errorOf(r.text) };
}

describe('AssumeRoleWithWebIdentity with a real OpenID provider', { concurrency: false, skip: SKIP_FEDERATION }, () => {
  let dir: string;
  let idps: Idps;
  let server: TestServer;
  let root: iam.IAMClient;
  let client: sts.STSClient;
  let providerArn: string;
  /** The provider's condition key prefix: HOST:PORT/PATH. */
  let K: string;
  const role = (name: string) => `arn:aws:iam::${A}:role/${name}`;

  before(async () => {
    if (OPENSSL_MISSING !== undefined) throw new Error(`CI=true and ${OPENSSL_MISSING}`);
    dir = mkdtempSync(join(tmpdir(), 'basalt-oidc-'));
    const { cert, key, certPath } = makeCertificate(dir);
    idps = await startIdps(cert, key);
    server = await startBasalt({ env: { NODE_EXTRA_CA_CERTS: certPath } });
    root = iamClient(server.url);
    client = unsignedSts(server.url);
    K = `localhost:${idps.port}/realms/basalt`;
    const created = await root.send(
      new iam.CreateOpenIDConnectProviderCommand({ Url: idps.issuer, ClientIDList: [STS_AUDIENCE, 'hybrid-app'] }),
    );
    providerArn = created.OpenIDConnectProviderArn ?? '';
    assert.equal(providerArn, `arn:aws:iam::${A}:oidc-provider/${K}`);
    const federated = { Federated: providerArn };
    const roles: [string, object[], object[]][] = [
      [
        'ci-deployer',
        [
          {
            Effect: 'Allow',
            Principal: federated,
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${K}:aud`]: STS_AUDIENCE, [`${K}:sub`]: 'ci-runner' } },
          },
        ],
        [{ Effect: 'Allow', Action: ['iam:ListUsers', 'iam:GetUser'], Resource: '*' }],
      ],
      [
        'mfa-only',
        [
          {
            Effect: 'Allow',
            Principal: federated,
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              'ForAnyValue:StringEquals': { [`${K}:amr`]: 'mfa' },
              StringEquals: { [`${K}:oaud`]: 'urn:unlisted-api', [`${K}:aud`]: 'hybrid-app' },
            },
          },
        ],
        [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }],
      ],
      [
        'tagged',
        [
          {
            Effect: 'Allow',
            Principal: federated,
            Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity'],
            Condition: { StringEquals: { 'aws:RequestTag/team': 'ml', 'sts:SourceIdentity': 'alice' } },
          },
        ],
        [
          {
            Effect: 'Allow',
            Action: 'iam:ListGroups',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ml', 'aws:SourceIdentity': 'alice' } },
          },
          { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
        ],
      ],
      [
        'mfa-keys',
        [{ Effect: 'Allow', Principal: federated, Action: 'sts:AssumeRoleWithWebIdentity' }],
        [
          { Effect: 'Allow', Action: ['iam:ListUsers', 'iam:ListGroups', 'iam:ListRoles'], Resource: '*' },
          // "This condition key is not present for federated identities": a Deny on Bool false
          // does not apply, one on BoolIfExists false does, and the key is null.
          {
            Effect: 'Deny',
            Action: 'iam:ListUsers',
            Resource: '*',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
          },
          {
            Effect: 'Deny',
            Action: 'iam:ListGroups',
            Resource: '*',
            Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
          },
          {
            Effect: 'Deny',
            Action: 'iam:ListRoles',
            Resource: '*',
            Condition: { Null: { 'aws:MultiFactorAuthPresent': 'true' } },
          },
        ],
      ],
      [
        'no-tag-session',
        [{ Effect: 'Allow', Principal: federated, Action: 'sts:AssumeRoleWithWebIdentity' }],
        [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }],
      ],
      [
        'account-trust',
        [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRoleWithWebIdentity' }],
        [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      ],
    ];
    for (const [name, trust, permissions] of roles) {
      await root.send(
        new iam.CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: doc(trust), MaxSessionDuration: 7200 }),
      );
      await root.send(
        new iam.PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: doc(permissions) }),
      );
    }
  });

  after(async () => {
    client?.destroy();
    root?.destroy();
    await server?.destroy();
    if (idps !== undefined) {
      idps.server.closeAllConnections();
      await new Promise((res) => idps.server.close(res));
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('a token from the registered provider assumes the role, unsigned; the credentials work', async () => {
    const token = await idps.token('ci-runner');
    const r = await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: role('ci-deployer'),
        RoleSessionName: 'build-42',
        WebIdentityToken: token,
      }),
    );
    assert.match(r.Credentials?.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.equal(r.SubjectFromWebIdentityToken, 'ci-runner');
    assert.equal(r.Audience, STS_AUDIENCE);
    assert.equal(r.Provider, providerArn);
    assert.equal(r.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/ci-deployer/build-42`);
    assert.match(r.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:build-42$/);
    assert.equal(r.PackedPolicySize, 0);
    const expires = r.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(Math.abs(expires - Date.now() - 3600_000) < 60_000, 'default duration is one hour');
    const session = credsOf(r.Credentials);
    const id = await stsClient(server.url, session).send(new sts.GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${A}:assumed-role/ci-deployer/build-42`);
    const asRole = iamClient(server.url, session);
    await asRole.send(new iam.ListUsersCommand({}));
    await rejectsWith(
      asRole.send(new iam.ListRolesCommand({})),
      'AccessDenied',
      new RegExp(
        `User: arn:aws:sts::${A}:assumed-role/ci-deployer/build-42 is not authorized to perform: iam:ListRoles`,
      ),
    );
    asRole.destroy();

    // DurationSeconds: up to the role's maximum, and session policies narrow the session.
    const longer = await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: role('ci-deployer'),
        RoleSessionName: 'build-43',
        WebIdentityToken: token,
        DurationSeconds: 7200,
        Policy: doc([{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }]),
      }),
    );
    assert.ok((longer.PackedPolicySize ?? 0) > 0);
    const narrowed = iamClient(server.url, credsOf(longer.Credentials));
    await rejectsWith(narrowed.send(new iam.ListUsersCommand({})), 'AccessDenied', /no session policy allows/);
    narrowed.destroy();
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('ci-deployer'),
          RoleSessionName: 'build-44',
          WebIdentityToken: token,
          DurationSeconds: 7201,
        }),
      ),
      'ValidationError',
      /MaxSessionDuration/,
    );
  });

  test('the aws CLI assumes the role with a web identity token, unsigned', async (t) => {
    if (!haveAwsCli(t)) return;
    const token = await idps.token('ci-runner');
    const out = (await awsJson(server.url, [
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      role('ci-deployer'),
      '--role-session-name',
      'cli-build',
      '--web-identity-token',
      token,
    ])) as {
      AssumedRoleUser: { Arn: string };
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    };
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${A}:assumed-role/ci-deployer/cli-build`);
    const users = (await awsJson(server.url, ['iam', 'list-users'], {
      accessKeyId: out.Credentials.AccessKeyId,
      secretAccessKey: out.Credentials.SecretAccessKey,
      sessionToken: out.Credentials.SessionToken,
    })) as { Users: unknown[] };
    assert.ok(Array.isArray(users.Users));
  });

  test("the SDK's fromWebToken provider gets role credentials from basalt", async () => {
    const provider = fromWebToken({
      roleArn: role('ci-deployer'),
      roleSessionName: 'sdk-provider',
      webIdentityToken: await idps.token('ci-runner'),
      clientConfig: { endpoint: server.url, region: 'us-east-1' },
    });
    const asRole = new sts.STSClient({ endpoint: server.url, region: 'us-east-1', credentials: provider });
    const id = await asRole.send(new sts.GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${A}:assumed-role/ci-deployer/sdk-provider`);
    asRole.destroy();
  });

  test("a federated identity's session has no aws:MultiFactorAuthPresent", async () => {
    const r = await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: role('mfa-keys'),
        RoleSessionName: 'no-mfa-key',
        WebIdentityToken: await idps.token('ci-runner'),
      }),
    );
    const asRole = iamClient(server.url, credsOf(r.Credentials));
    await asRole.send(new iam.ListUsersCommand({}));
    await rejectsWith(asRole.send(new iam.ListGroupsCommand({})), 'AccessDenied', /explicit deny/);
    await rejectsWith(asRole.send(new iam.ListRolesCommand({})), 'AccessDenied', /explicit deny/);
    asRole.destroy();
  });

  test('trust policy conditions on sub, aud, oaud and amr decide', async () => {
    const hybrid = await idps.token('hybrid-app');
    const ci = await idps.token('ci-runner');
    // Same issuer and audience, another subject: ci-deployer's sub condition refuses it.
    const other = await idps.token('other-runner');
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('ci-deployer'),
          RoleSessionName: 'x0',
          WebIdentityToken: other,
        }),
      ),
      'AccessDenied',
      /^Not authorized to perform sts:AssumeRoleWithWebIdentity$/,
    );
    const anySubject = await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: role('no-tag-session'),
        RoleSessionName: 'x0',
        WebIdentityToken: other,
      }),
    );
    assert.equal(anySubject.SubjectFromWebIdentityToken, 'other-runner');
    // aud is hybrid-app (azp), sub is hybrid-app: ci-deployer requires ci-runner and urn:basalt:sts.
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('ci-deployer'),
          RoleSessionName: 'x1',
          WebIdentityToken: hybrid,
        }),
      ),
      'AccessDenied',
      /^Not authorized to perform sts:AssumeRoleWithWebIdentity$/,
    );
    const r = await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: role('mfa-only'),
        RoleSessionName: 'x2',
        WebIdentityToken: hybrid,
      }),
    );
    assert.equal(r.Audience, 'hybrid-app');
    assert.equal(r.SubjectFromWebIdentityToken, 'hybrid-app');
    // No amr claim: the ForAnyValue condition has nothing to match.
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('mfa-only'),
          RoleSessionName: 'x3',
          WebIdentityToken: ci,
        }),
      ),
      'AccessDenied',
    );
    // A trust policy naming the account, not the provider, does not trust the provider's users.
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('account-trust'),
          RoleSessionName: 'x4',
          WebIdentityToken: ci,
        }),
      ),
      'AccessDenied',
    );
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('missing-role'),
          RoleSessionName: 'x5',
          WebIdentityToken: ci,
        }),
      ),
      'AccessDenied',
    );
  });

  test('session tags and source identity from the token: need sts:TagSession, become principal tags', async () => {
    const tagged = await idps.token('tagged-runner');
    const r = await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: role('tagged'),
        RoleSessionName: 'tagged',
        WebIdentityToken: tagged,
      }),
    );
    assert.equal(r.SourceIdentity, 'alice');
    assert.ok((r.PackedPolicySize ?? 0) > 0, 'session tags count toward the packed size');
    const session = credsOf(r.Credentials);
    const asRole = iamClient(server.url, session);
    await asRole.send(new iam.ListGroupsCommand({}));
    asRole.destroy();
    // The transitive tag (team) carries on through role chaining; project does not. The source
    // identity carries on too, so the next role's trust must allow sts:SetSourceIdentity ("Monitor
    // and control actions taken with assumed roles", IAM User Guide).
    await root.send(
      new iam.CreateRoleCommand({
        RoleName: 'chained',
        AssumeRolePolicyDocument: doc([
          { Effect: 'Allow', Principal: { AWS: role('tagged') }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] },
        ]),
      }),
    );
    await root.send(
      new iam.PutRolePolicyCommand({
        RoleName: 'chained',
        PolicyName: 'p',
        PolicyDocument: doc([
          {
            Effect: 'Allow',
            Action: 'iam:ListGroups',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ml' } },
          },
          {
            Effect: 'Allow',
            Action: 'iam:ListUsers',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalTag/project': 'basalt' } },
          },
        ]),
      }),
    );
    const chained = await stsClient(server.url, session).send(
      new sts.AssumeRoleCommand({ RoleArn: role('chained'), RoleSessionName: 'next' }),
    );
    const asChained = iamClient(server.url, credsOf(chained.Credentials));
    await asChained.send(new iam.ListGroupsCommand({}));
    await rejectsWith(asChained.send(new iam.ListUsersCommand({})), 'AccessDenied');
    asChained.destroy();
    // A role whose trust policy does not allow sts:TagSession refuses a token that carries tags.
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('no-tag-session'),
          RoleSessionName: 't2',
          WebIdentityToken: tagged,
        }),
      ),
      'AccessDenied',
      /^Not authorized to perform sts:TagSession$/,
    );
    await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: role('no-tag-session'),
        RoleSessionName: 't3',
        WebIdentityToken: await idps.token('ci-runner'),
      }),
    );
  });

  test('bad tokens get STS error codes, and nothing is granted', async () => {
    const good = await idps.token('ci-runner');
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = [
      header,
      Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url'),
      signature,
    ].join('.');
    const forged = await idps.token('ci-runner', { prefix: '/realms/forger' });
    const rogue = await idps.token('ci-runner', { prefix: '/realms/rogue' });
    const wrongAudience = await idps.token('ci-runner', { resource: UNLISTED_AUDIENCE });
    const notYet = await idps.token('future-token');
    const shortLived = await idps.token('short-lived');
    const exp = (
      JSON.parse(Buffer.from(shortLived.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number }
    ).exp;
    await new Promise((res) => setTimeout(res, Math.max(0, exp * 1000 - Date.now()) + 1100));

    const cases: { name: string; token: string; roleArn?: string; code: string; status: number; message?: RegExp }[] = [
      { name: 'tampered payload', token: tampered, code: 'InvalidIdentityToken', status: 400 },
      { name: 'signed by another key', token: forged, code: 'InvalidIdentityToken', status: 400 },
      { name: 'not a JWT', token: 'not-a-jwt-at-all', code: 'InvalidIdentityToken', status: 400 },
      {
        name: 'unregistered issuer',
        token: rogue,
        code: 'InvalidIdentityToken',
        status: 400,
        message: new RegExp(
          `^No OpenIDConnect provider found in your account for ${idps.rogueIssuer.replace(/[.]/g, '\\.')}$`,
        ),
      },
      {
        name: 'provider in another account than the role',
        token: good,
        roleArn: 'arn:aws:iam::999999999999:role/ci-deployer',
        code: 'InvalidIdentityToken',
        status: 400,
        message: /^No OpenIDConnect provider found in your account for https:\/\/localhost:/,
      },
      {
        name: 'wrong audience',
        token: wrongAudience,
        code: 'IDPRejectedClaim',
        status: 403,
        message: /^Incorrect token audience$/,
      },
      { name: 'not valid yet (nbf)', token: notYet, code: 'InvalidIdentityToken', status: 400 },
      {
        name: 'expired',
        token: shortLived,
        code: 'ExpiredTokenException',
        status: 400,
        message: /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/,
      },
    ];
    for (const c of cases) {
      const r = await rawAssume(server.url, {
        RoleArn: c.roleArn ?? role('no-tag-session'),
        RoleSessionName: 'probe',
        WebIdentityToken: c.token,
      });
      assert.equal(r.code, c.code, `${c.name}: ${r.body}`);
      assert.equal(r.status, c.status, `${c.name}: ${r.body}`);
      if (c.message !== undefined) assert.match(r.message ?? '', c.message, c.name);
      assert.doesNotMatch(r.body, /<Credentials>|ASIA|SecretAccessKey/, `${c.name} granted nothing`);
    }
    // The SDK maps the same codes to its exception classes.
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('no-tag-session'),
          RoleSessionName: 'pp',
          WebIdentityToken: tampered,
        }),
      ),
      'InvalidIdentityTokenException',
    );
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('no-tag-session'),
          RoleSessionName: 'pp',
          WebIdentityToken: wrongAudience,
        }),
      ),
      'IDPRejectedClaimException',
    );
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('no-tag-session'),
          RoleSessionName: 'pp',
          WebIdentityToken: shortLived,
        }),
      ),
      'ExpiredTokenException',
    );
    // The untampered token still works: the failures above were the token's, not the role's.
    const ok = await rawAssume(server.url, {
      RoleArn: role('no-tag-session'),
      RoleSessionName: 'probe',
      WebIdentityToken: good,
    });
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.body, /<AccessKeyId>ASIA/);
  });

  test('deleting the provider stops its tokens; removing the client ID rejects the audience', async () => {
    const token = await idps.token('ci-runner');
    await root.send(
      new iam.RemoveClientIDFromOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: providerArn,
        ClientID: STS_AUDIENCE,
      }),
    );
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('ci-deployer'),
          RoleSessionName: 'd1',
          WebIdentityToken: token,
        }),
      ),
      'IDPRejectedClaimException',
    );
    await root.send(
      new iam.AddClientIDToOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: providerArn,
        ClientID: STS_AUDIENCE,
      }),
    );
    await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: role('ci-deployer'),
        RoleSessionName: 'd2',
        WebIdentityToken: token,
      }),
    );
    await root.send(new iam.DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
    await rejectsWith(
      client.send(
        new sts.AssumeRoleWithWebIdentityCommand({
          RoleArn: role('ci-deployer'),
          RoleSessionName: 'd3',
          WebIdentityToken: token,
        }),
      ),
      'InvalidIdentityTokenException',
      /No OpenIDConnect provider found in your account/,
    );
  });
});
