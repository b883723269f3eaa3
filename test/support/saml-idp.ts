/**
 * A small SAML 2.0 identity provider for tests: an RSA key with a self-signed certificate (made with
 * the `openssl` command), the IdP metadata document that IAM's CreateSAMLProvider takes, and SAML
 * Responses for AWS's sign-in endpoint, signed with xml-crypto (the assertion, the response, both, or
 * neither) — everything an AssumeRoleWithSAML test needs, including the means to break each part.
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedXml } from 'xml-crypto';

/** Why test IdPs cannot be made here (no `openssl`), or undefined when they can. */
export function opensslUnavailable(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return `the openssl command is not available: ${(e as Error).message}`;
  }
}

/** AWS's SAML sign-in endpoint: the Recipient, Destination and Audience AWS expects. */
export const AWS_SAML_ENDPOINT = 'https://signin.aws.amazon.com/saml';
const ATTRIBUTE_PREFIX = 'https://aws.amazon.com/SAML/Attributes/';

/** What goes into one SAML Response; every field has a valid default. */
export interface ResponseOptions {
  nameId?: string;
  nameIdFormat?: string;
  /** The Issuer (default: the IdP's entity ID). */
  issuer?: string;
  recipient?: string;
  /** The Response's Destination; null leaves it out. */
  destination?: string | null;
  audience?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  sessionNotOnOrAfter?: Date;
  status?: string;
  /** The Role attribute's values ("roleArn,providerArn"). */
  roles?: string[];
  /** The RoleSessionName attribute; null leaves it out. */
  sessionName?: string | null;
  /** Further attributes by full Name (a URL or URN), or AWS attributes by their short name (`SessionDuration`, `PrincipalTag:team`). */
  attributes?: Record<string, string | string[]>;
  /** What is signed (default: the assertion). */
  sign?: 'assertion' | 'response' | 'both' | 'none';
}

/** A test IdP. */
export interface TestIdp {
  entityId: string;
  /** The signing certificate (PEM). */
  certificate: string;
  /** IAM's SAMLMetadataDocument for this IdP. */
  metadata: string;
  /** A signed SAML Response as XML. */
  responseXml(options?: ResponseOptions): string;
  /** A signed SAML Response as AssumeRoleWithSAML takes it (base64). */
  response(options?: ResponseOptions): string;
}

function certificateBody(pem: string): string {
  return pem
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '')
    .trim();
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function newId(): string {
  return `_${randomBytes(16).toString('hex')}`;
}

/** Base64 of XML text, as an IdP posts a SAMLResponse. */
export function encodeResponse(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

function sign(xml: string, privateKey: string, certificate: string, element: 'Assertion' | 'Response'): string {
  const signer = new SignedXml({
    privateKey,
    publicCert: certificate,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: SignedXml.getKeyInfoContent,
  });
  const target = element === 'Assertion' ? "//*[local-name(.)='Assertion']" : "/*[local-name(.)='Response']";
  signer.addReference({ xpath: target, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  // SAML core §5.4.1 schema order: the Signature follows the Issuer.
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

/**
 * Makes a test IdP: a fresh 2048-bit RSA key and self-signed certificate from `openssl`, and its
 * metadata. Throws when `openssl` cannot be run (check opensslUnavailable() first).
 */
export function createIdp(entityId = 'https://idp.example.test/saml'): TestIdp {
  const dir = mkdtempSync(join(tmpdir(), 'basalt-idp-'));
  let privateKey: string;
  let certificate: string;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-subj',
        '/CN=basalt test IdP',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'pipe' },
    );
    privateKey = readFileSync(join(dir, 'key.pem'), 'utf8');
    certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const metadata = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${escapeXml(entityId)}" validUntil="2099-01-01T00:00:00Z">`,
    `  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`,
    `    <md:KeyDescriptor use="signing">`,
    `      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certificateBody(certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
    `    </md:KeyDescriptor>`,
    `    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>`,
    `    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escapeXml(entityId)}/sso"/>`,
    `  </md:IDPSSODescriptor>`,
    `</md:EntityDescriptor>`,
  ].join('\n');

  const responseXml = (o: ResponseOptions = {}): string => {
    const now = Date.now();
    const iso = (d: Date) => d.toISOString();
    const issuer = escapeXml(o.issuer ?? entityId);
    const notBefore = iso(o.notBefore ?? new Date(now - 60_000));
    const notOnOrAfter = iso(o.notOnOrAfter ?? new Date(now + 5 * 60_000));
    const recipient = escapeXml(o.recipient ?? AWS_SAML_ENDPOINT);
    const attributes: Record<string, string[]> = {};
    if (o.roles !== undefined) attributes[`${ATTRIBUTE_PREFIX}Role`] = o.roles;
    if (o.sessionName !== null) attributes[`${ATTRIBUTE_PREFIX}RoleSessionName`] = [o.sessionName ?? 'test-session'];
    for (const [name, value] of Object.entries(o.attributes ?? {})) {
      const full = /^(https?|urn):/.test(name) ? name : `${ATTRIBUTE_PREFIX}${name}`;
      attributes[full] = Array.isArray(value) ? value : [value];
    }
    const attributeXml = Object.entries(attributes)
      .map(
        ([name, values]) =>
          `<saml:Attribute Name="${escapeXml(name)}">${values.map((v) => `<saml:AttributeValue>${escapeXml(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
      )
      .join('');
    const destination = o.destination === null ? '' : ` Destination="${escapeXml(o.destination ?? AWS_SAML_ENDPOINT)}"`;
    const session = o.sessionNotOnOrAfter === undefined ? '' : ` SessionNotOnOrAfter="${iso(o.sessionNotOnOrAfter)}"`;
    const xml =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${iso(new Date(now))}"${destination}>` +
      `<saml:Issuer>${issuer}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${escapeXml(o.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success')}"/></samlp:Status>` +
      `<saml:Assertion ID="${newId()}" Version="2.0" IssueInstant="${iso(new Date(now))}">` +
      `<saml:Issuer>${issuer}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="${escapeXml(o.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')}">${escapeXml(o.nameId ?? 'alice')}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${recipient}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${escapeXml(o.audience ?? AWS_SAML_ENDPOINT)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(new Date(now))}"${session}><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      `<saml:AttributeStatement>${attributeXml}</saml:AttributeStatement>` +
      `</saml:Assertion></samlp:Response>`;
    const what = o.sign ?? 'assertion';
    let out = xml;
    if (what === 'assertion' || what === 'both') out = sign(out, privateKey, certificate, 'Assertion');
    if (what === 'response' || what === 'both') out = sign(out, privateKey, certificate, 'Response');
    return out;
  };

  return {
    entityId,
    certificate,
    metadata,
    responseXml,
    response: (o) => encodeResponse(responseXml(o)),
  };
}
