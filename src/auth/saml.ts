/**
 * SAML 2.0 federation as AWS does it: reading an IdP's metadata document (its issuer and signing
 * certificates), and authenticating a base64 SAML Response sent to AssumeRoleWithSAML — the XML
 * signature against the metadata's certificates, the issuer, the status, the times, the audience and
 * the recipient — then reading the AWS attributes (Role, RoleSessionName, SessionDuration,
 * SourceIdentity, PrincipalTag:*, TransitiveTagKeys) and the `saml:` condition keys.
 *
 * Decided by: "Configure SAML assertions for the authentication response" and "About SAML 2.0-based
 * federation" (IAM User Guide), "Available keys for SAML-based AWS STS federation" (IAM User Guide,
 * "IAM and AWS STS condition context keys"), "Troubleshooting SAML 2.0 federation with AWS" (the
 * error messages), and AssumeRoleWithSAML (STS API Reference).
 *
 * Why xml-crypto directly and not @node-saml/node-saml: node-saml's validatePostResponseAsync reads
 * the clock itself (a request is judged at its own arrival time here), accepts one audience where AWS
 * accepts two, does not check the SubjectConfirmationData Recipient or its NotOnOrAfter unless it also
 * validates an InResponseTo (an IdP-initiated response has none), and reports every failure as a plain
 * Error whose message would have to be matched to tell an expired assertion (ExpiredTokenException)
 * from a bad one (InvalidIdentityToken). xml-crypto gives the one security-critical piece — signature
 * verification that returns the signed bytes — and everything read afterwards is read from those bytes.
 */

import { createHash, X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { ContextValue } from '../policy/index.js';
import { isoSeconds } from '../policy/timestamps.js';
import type { Tag } from '../store/types.js';

/** The SAML failures, each with the AWS error it is answered with. */
export type SamlErrorCode =
  /** The metadata document is not IdP metadata with a usable signing certificate (IAM InvalidInput). */
  | 'InvalidMetadata'
  /** The response is malformed, unsigned, badly signed, or not meant for AWS (STS InvalidIdentityToken). */
  | 'InvalidIdentityToken'
  /** The assertion's validity window has passed (STS ExpiredTokenException). */
  | 'ExpiredToken'
  /** The IdP answered with a non-success status (STS IDPRejectedClaim). */
  | 'IDPRejectedClaim'
  /** The assertion does not map the caller to the requested role and provider (STS AccessDenied). */
  | 'NotAuthorized';

/** The one error type of SAML handling: a stable code and AWS's message. */
export class SamlError extends Error {
  readonly code: SamlErrorCode;
  constructor(code: SamlErrorCode, message: string) {
    super(message);
    this.name = 'SamlError';
    this.code = code;
  }
}

const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** "Troubleshooting SAML 2.0 federation with AWS": the messages STS answers with. */
const MESSAGE = {
  metadata: 'Could not parse metadata.',
  signature: 'Response signature invalid',
  issuer: 'Issuer not present in specified provider',
  sessionNameMissing: 'RoleSessionName is required in AuthnResponse',
  sessionNameInvalid: 'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}',
  sourceIdentityInvalid: 'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"',
  notAuthorized: 'Not authorized to perform sts:AssumeRoleWithSAML',
} as const;

/**
 * How far the IdP's clock may be from ours. AWS does not document its tolerance; SAML core (§2.5.1)
 * leaves it to the relying party. Five minutes is the common default of SAML service providers.
 */
export const CLOCK_SKEW_SECONDS = 300;

/** The attribute names AWS reads ("Configure SAML assertions for the authentication response"). */
export const AWS_ATTRIBUTE = {
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  sessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  sessionDuration: 'https://aws.amazon.com/SAML/Attributes/SessionDuration',
  sourceIdentity: 'https://aws.amazon.com/SAML/Attributes/SourceIdentity',
  principalTagPrefix: 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:',
  transitiveTagKeys: 'https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys',
} as const;

// ---------------------------------------------------------------------------------------------
// XML

/** Parses XML, refusing document type declarations (no entity expansion, no external fetches). */
function parseXml(text: string, fail: () => SamlError): Document {
  // SAML messages and metadata never need a DTD; refusing them closes entity-expansion attacks.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw fail();
  let broken = false;
  const doc = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: () => {
        broken = true;
      },
      fatalError: () => {
        broken = true;
      },
    },
  }).parseFromString(text, 'text/xml');
  if (broken || doc === undefined || doc === null || doc.documentElement === null) throw fail();
  return doc;
}

function isElement(node: Node | null | undefined): node is Element {
  return node !== null && node !== undefined && node.nodeType === 1;
}

/** The element children of `parent` with this namespace and local name. */
function children(parent: Element, ns: string, name: string): Element[] {
  const out: Element[] = [];
  const nodes = parent.childNodes;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes.item(i);
    if (isElement(n) && n.namespaceURI === ns && n.localName === name) out.push(n);
  }
  return out;
}

function child(parent: Element, ns: string, name: string): Element | undefined {
  return children(parent, ns, name)[0];
}

function is(el: Element, ns: string, name: string): boolean {
  return el.namespaceURI === ns && el.localName === name;
}

function text(el: Element): string {
  return (el.textContent ?? '').trim();
}

function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;
}

/** An xs:dateTime as seconds since the epoch; undefined when absent, `fail` when malformed. */
function time(value: string | undefined, fail: () => SamlError): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) throw fail();
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw fail();
  return ms / 1000;
}

// ---------------------------------------------------------------------------------------------
// Metadata

/** What basalt keeps from an IdP's metadata document. */
export interface SamlMetadata {
  /** The IdP's entityID: the Issuer its responses carry. */
  entityId: string;
  /** The metadata's validUntil, ISO 8601 to the second, when it has one. */
  validUntil?: string;
  /** The IdP's signing certificates as PEM. */
  signingCertificates: string[];
}

function pemOf(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Reads an IdP metadata document (SAML 2.0 metadata, §2.3.2 EntityDescriptor): its entityID, its
 * validUntil, and the X.509 certificates of its IDPSSODescriptor's signing keys (a KeyDescriptor
 * without `use` serves both signing and encryption). AWS refuses metadata it cannot read with "Could
 * not parse metadata." and certificates whose key is shorter than 1024 bits ("Troubleshooting SAML 2.0
 * federation with AWS"); so does this, with SamlError('InvalidMetadata').
 */
export function parseSamlMetadata(xml: string): SamlMetadata {
  const fail = () => new SamlError('InvalidMetadata', MESSAGE.metadata);
  const root = parseXml(xml, fail).documentElement;
  if (root === null) throw fail();
  let entity: Element | undefined;
  if (is(root, NS.metadata, 'EntityDescriptor')) entity = root;
  else if (is(root, NS.metadata, 'EntitiesDescriptor')) {
    const idps = children(root, NS.metadata, 'EntityDescriptor').filter(
      (e) => child(e, NS.metadata, 'IDPSSODescriptor') !== undefined,
    );
    if (idps.length !== 1) throw fail();
    entity = idps[0];
  }
  if (entity === undefined) throw fail();
  const entityId = attr(entity, 'entityID');
  if (entityId === undefined || entityId.trim() === '' || entityId.length > 1024) throw fail();
  const idp = child(entity, NS.metadata, 'IDPSSODescriptor');
  if (idp === undefined) throw fail();
  const protocols = (attr(idp, 'protocolSupportEnumeration') ?? '').split(/\s+/);
  if (!protocols.includes(NS.protocol)) throw fail();
  const certificates: string[] = [];
  for (const key of children(idp, NS.metadata, 'KeyDescriptor')) {
    const use = attr(key, 'use');
    if (use !== undefined && use !== 'signing') continue;
    const info = child(key, NS.dsig, 'KeyInfo');
    if (info === undefined) continue;
    for (const data of children(info, NS.dsig, 'X509Data')) {
      for (const cert of children(data, NS.dsig, 'X509Certificate')) {
        const pem = pemOf(text(cert));
        let parsed: X509Certificate;
        try {
          parsed = new X509Certificate(pem);
        } catch {
          throw fail();
        }
        const key = parsed.publicKey;
        // Responses are verified with RSA signature methods only (rsa-sha1, rsa-sha256, rsa-sha512);
        // a certificate of another key type could never verify one, so it is not kept.
        if (key.asymmetricKeyType !== 'rsa') continue;
        const bits = key.asymmetricKeyDetails?.modulusLength;
        if (bits === undefined || bits < 1024) throw fail();
        if (!certificates.includes(pem)) certificates.push(pem);
      }
    }
  }
  if (certificates.length === 0) throw fail();
  const validUntilAttr = attr(entity, 'validUntil') ?? (entity === root ? undefined : attr(root, 'validUntil'));
  const until = time(validUntilAttr, fail);
  return {
    entityId: entityId.trim(),
    ...(until === undefined ? {} : { validUntil: isoSeconds(new Date(until * 1000)) }),
    signingCertificates: certificates,
  };
}

// ---------------------------------------------------------------------------------------------
// Responses

/** What a verified SAML assertion says, read only from signed bytes. */
export interface VerifiedAssertion {
  /** The assertion's ID (what AWS logs as sAMLAssertionID). */
  id: string;
  issuer: string;
  /** The Subject's NameID and its Format (SAML's default, `…:1.1:nameid-format:unspecified`, when absent). */
  nameId: string;
  nameIdFormat: string;
  /** The SubjectConfirmationData Recipient: `saml:aud` and the response's Audience. */
  recipient: string;
  /** The AuthnStatement's SessionNotOnOrAfter (seconds), which ends the session at the latest. */
  sessionNotOnOrAfter?: number;
  /** Attribute values by attribute Name, in document order. */
  attributes: ReadonlyMap<string, readonly string[]>;
}

/** What verification needs: the response as sent, the provider's metadata, and the request's time. */
export interface VerifyInput {
  /** The SAMLAssertion parameter: a base64 SAML Response. */
  samlResponse: string;
  metadata: SamlMetadata;
  now: Date;
}

/** "For the value of the Audience element, specify either https://signin.aws.amazon.com/saml or urn:amazon:webservices." */
const AUDIENCES = /^(?:urn:amazon:webservices|https:\/\/(?:[a-z0-9-]+\.)?signin\.aws\.amazon\.com\/saml)$/;
/**
 * The Recipient (and a Destination, when the response has one) "must match the AWS endpoint": the
 * sign-in endpoint, optionally regional, `…/static/saml`, or `…/saml/acs/IdP-ID`.
 */
const ENDPOINTS = /^https:\/\/(?:[a-z0-9-]+\.)?signin\.aws\.amazon\.com\/(?:static\/)?saml(?:\/acs\/[A-Za-z0-9-]+)?$/;

const invalid = (message: string) => new SamlError('InvalidIdentityToken', message);
const malformed = () => invalid('The SAML response could not be read as a SAML 2.0 Response.');

/**
 * Verifies one ds:Signature (a direct child of `signed`) with each certificate in turn. It must carry
 * exactly one Reference, to `signed`'s own ID; the answer is the canonical XML that the signature
 * covers (xml-crypto's getSignedReferences), or undefined when no certificate verifies it.
 */
function verifiedBytes(xml: string, signature: Element, signed: Element, certificates: readonly string[]) {
  const id = attr(signed, 'ID');
  if (id === undefined || id === '') return undefined;
  for (const cert of certificates) {
    try {
      // INVARIANT: no certificate from the message itself is ever used: getCertFromKeyInfo stays
      // xml-crypto's default no-op, so only the metadata's certificates can verify.
      const verifier = new SignedXml({ publicCert: cert });
      verifier.loadSignature(signature);
      if (!verifier.checkSignature(xml)) continue;
      const refs = verifier.getReferences();
      const bytes = verifier.getSignedReferences();
      const ref = refs[0];
      if (refs.length !== 1 || bytes.length !== 1 || ref === undefined || ref.uri !== `#${id}`) continue;
      return bytes[0];
    } catch {
      // A malformed signature, an unsupported algorithm or a digest mismatch: try the next certificate.
    }
  }
  return undefined;
}

/** Re-parses signed canonical bytes and returns their root if it is the expected element. */
function signedRoot(bytes: string | undefined, ns: string, name: string): Element | undefined {
  if (bytes === undefined) return undefined;
  const root = parseXml(bytes, malformed).documentElement;
  return root !== null && is(root, ns, name) ? root : undefined;
}

/**
 * Authenticates a SAML Response for AssumeRoleWithSAML and returns what its assertion says. The
 * response or its assertion (or both) must be signed by a certificate of the provider's metadata, and
 * every signature present must verify; all claims are then read from the signed bytes, never from the
 * document as sent (that is how XML signature wrapping is refused). Then: Status Success (else
 * IDPRejectedClaim), the issuer is the metadata's entityID ("Issuer not present in specified
 * provider"), exactly one SubjectConfirmation whose data has NotOnOrAfter and a Recipient at the AWS
 * endpoint, an Audience of `https://signin.aws.amazon.com/saml` or `urn:amazon:webservices` in every
 * AudienceRestriction, and NotBefore / NotOnOrAfter / SessionNotOnOrAfter within CLOCK_SKEW_SECONDS
 * (ExpiredToken once past). Throws SamlError.
 */
export function verifySamlResponse(input: VerifyInput): VerifiedAssertion {
  const compact = input.samlResponse.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw invalid('The SAMLAssertion is not valid base64.');
  }
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  const doc = parseXml(xml, malformed);
  const response = doc.documentElement;
  if (response === null || !is(response, NS.protocol, 'Response') || attr(response, 'Version') !== '2.0') {
    throw malformed();
  }
  if (children(response, NS.assertion, 'EncryptedAssertion').length > 0) {
    throw invalid('Encrypted SAML assertions are not supported by this basalt version.');
  }
  const sentAssertions = children(response, NS.assertion, 'Assertion');
  const sentAssertion = sentAssertions[0];
  if (sentAssertions.length !== 1 || sentAssertion === undefined) throw malformed();

  const certificates = input.metadata.signingCertificates;
  const responseSignature = children(response, NS.dsig, 'Signature');
  const assertionSignature = children(sentAssertion, NS.dsig, 'Signature');
  if (responseSignature.length > 1 || assertionSignature.length > 1) throw invalid(MESSAGE.signature);
  const responseSig = responseSignature[0];
  const assertionSig = assertionSignature[0];
  if (responseSig === undefined && assertionSig === undefined) throw invalid(MESSAGE.signature);

  let signedResponse: Element | undefined;
  if (responseSig !== undefined) {
    signedResponse = signedRoot(verifiedBytes(xml, responseSig, response, certificates), NS.protocol, 'Response');
    if (signedResponse === undefined) throw invalid(MESSAGE.signature);
  }
  let assertion: Element | undefined;
  if (assertionSig !== undefined) {
    assertion = signedRoot(verifiedBytes(xml, assertionSig, sentAssertion, certificates), NS.assertion, 'Assertion');
    if (assertion === undefined) throw invalid(MESSAGE.signature);
  } else if (signedResponse !== undefined) {
    const inside = children(signedResponse, NS.assertion, 'Assertion');
    if (inside.length !== 1) throw invalid(MESSAGE.signature);
    assertion = inside[0];
  }
  if (assertion === undefined) throw invalid(MESSAGE.signature);
  // Response-level fields come from the signed response when it is signed; an unsigned envelope
  // can only make a response fail here, never pass.
  const envelope = signedResponse ?? response;

  const status = child(envelope, NS.protocol, 'Status');
  const statusCode = status === undefined ? undefined : child(status, NS.protocol, 'StatusCode');
  const statusValue = statusCode === undefined ? undefined : attr(statusCode, 'Value');
  if (statusValue !== 'urn:oasis:names:tc:SAML:2.0:status:Success') {
    throw new SamlError(
      'IDPRejectedClaim',
      `The identity provider reported that authentication failed (${statusValue ?? 'no status'}).`,
    );
  }
  const destination = attr(envelope, 'Destination');
  if (destination !== undefined && !ENDPOINTS.test(destination)) {
    throw invalid(`The SAML response's Destination ${destination} is not an AWS sign-in endpoint.`);
  }

  if (attr(assertion, 'Version') !== '2.0') throw malformed();
  const id = attr(assertion, 'ID') ?? '';
  const issuerElement = child(assertion, NS.assertion, 'Issuer');
  const issuer = issuerElement === undefined ? '' : text(issuerElement);
  const responseIssuer = child(envelope, NS.assertion, 'Issuer');
  if (
    issuer !== input.metadata.entityId ||
    (responseIssuer !== undefined && text(responseIssuer) !== input.metadata.entityId)
  ) {
    throw invalid(MESSAGE.issuer);
  }

  const now = input.now.getTime() / 1000;
  const badTime = () => invalid('A time in the SAML assertion is not a valid xs:dateTime.');
  const notYet = () => invalid('The SAML assertion is not yet valid (NotBefore is in the future).');
  const expired = () => new SamlError('ExpiredToken', 'The SAML assertion has expired (NotOnOrAfter has passed).');
  const checkWindow = (el: Element) => {
    const notBefore = time(attr(el, 'NotBefore'), badTime);
    const notOnOrAfter = time(attr(el, 'NotOnOrAfter'), badTime);
    if (notBefore !== undefined && now + CLOCK_SKEW_SECONDS < notBefore) throw notYet();
    if (notOnOrAfter !== undefined && now - CLOCK_SKEW_SECONDS >= notOnOrAfter) throw expired();
    return notOnOrAfter;
  };

  const subject = child(assertion, NS.assertion, 'Subject');
  const nameIdElement = subject === undefined ? undefined : child(subject, NS.assertion, 'NameID');
  const nameId = nameIdElement === undefined ? '' : text(nameIdElement);
  // "This error can also occur if the SAML response does not include a Subject containing a NameID."
  if (subject === undefined || nameIdElement === undefined || nameId === '') {
    throw new SamlError('NotAuthorized', MESSAGE.notAuthorized);
  }
  const confirmations = children(subject, NS.assertion, 'SubjectConfirmation');
  const confirmation = confirmations[0];
  const data = confirmation === undefined ? undefined : child(confirmation, NS.assertion, 'SubjectConfirmationData');
  const recipient = data === undefined ? undefined : attr(data, 'Recipient');
  // "There must be exactly one SubjectConfirmation element with a SubjectConfirmationData element
  // that includes both the NotOnOrAfter attribute and a Recipient attribute."
  if (
    confirmations.length !== 1 ||
    confirmation === undefined ||
    attr(confirmation, 'Method') !== 'urn:oasis:names:tc:SAML:2.0:cm:bearer' ||
    data === undefined ||
    recipient === undefined ||
    attr(data, 'NotOnOrAfter') === undefined
  ) {
    throw invalid('The SAML assertion needs exactly one bearer SubjectConfirmation with NotOnOrAfter and Recipient.');
  }
  if (!ENDPOINTS.test(recipient)) {
    throw invalid(`The SAML assertion's Recipient ${recipient} is not an AWS sign-in endpoint.`);
  }
  checkWindow(data);

  const conditions = children(assertion, NS.assertion, 'Conditions');
  const condition = conditions[0];
  if (conditions.length !== 1 || condition === undefined) {
    throw invalid('The SAML assertion needs one Conditions element with an AudienceRestriction.');
  }
  checkWindow(condition);
  const restrictions = children(condition, NS.assertion, 'AudienceRestriction');
  if (restrictions.length === 0) {
    throw invalid('The SAML assertion needs one Conditions element with an AudienceRestriction.');
  }
  for (const r of restrictions) {
    // SAML core §2.5.1.4: the assertion is addressed to us only if every restriction names us.
    if (!children(r, NS.assertion, 'Audience').some((a) => AUDIENCES.test(text(a)))) {
      throw invalid(
        'The SAML assertion is not addressed to AWS: its Audience must be https://signin.aws.amazon.com/saml or urn:amazon:webservices.',
      );
    }
  }

  let sessionNotOnOrAfter: number | undefined;
  for (const authn of children(assertion, NS.assertion, 'AuthnStatement')) {
    const end = time(attr(authn, 'SessionNotOnOrAfter'), badTime);
    if (end !== undefined && (sessionNotOnOrAfter === undefined || end < sessionNotOnOrAfter))
      sessionNotOnOrAfter = end;
  }
  if (sessionNotOnOrAfter !== undefined && now >= sessionNotOnOrAfter) throw expired();

  const attributes = new Map<string, string[]>();
  for (const statement of children(assertion, NS.assertion, 'AttributeStatement')) {
    for (const a of children(statement, NS.assertion, 'Attribute')) {
      const name = attr(a, 'Name');
      if (name === undefined) continue;
      const values = attributes.get(name) ?? [];
      for (const v of children(a, NS.assertion, 'AttributeValue')) values.push(text(v));
      attributes.set(name, values);
    }
  }

  return {
    id,
    issuer,
    nameId,
    nameIdFormat: attr(nameIdElement, 'Format') ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    recipient,
    ...(sessionNotOnOrAfter === undefined ? {} : { sessionNotOnOrAfter }),
    attributes,
  };
}

// ---------------------------------------------------------------------------------------------
// AWS's reading of an assertion

/** The AWS-specific content of a verified assertion. */
export interface AwsSamlClaims {
  /** The Role attribute's pairs, each "roleArn,providerArn" in either order. */
  roles: Array<{ roleArn: string; providerArn: string }>;
  sessionName: string;
  /** The SessionDuration attribute, in seconds, when present. */
  sessionDuration?: number;
  sourceIdentity?: string;
  tags: Tag[];
  transitiveTagKeys: string[];
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

function single(a: VerifiedAssertion, name: string): string | undefined {
  return a.attributes.get(name)?.[0];
}

/**
 * Reads the AWS attributes of an assertion ("Configure SAML assertions for the authentication
 * response"): Role pairs, RoleSessionName (required, 2-64 of [\w+=,.@-]), SessionDuration (900-43200),
 * SourceIdentity (2-64, not starting with `aws:`), PrincipalTag:KEY session tags and
 * TransitiveTagKeys (which must name session tags). Throws SamlError('InvalidIdentityToken') in AWS's
 * words ("Troubleshooting SAML 2.0 federation with AWS").
 */
export function awsClaims(a: VerifiedAssertion): AwsSamlClaims {
  const roles: AwsSamlClaims['roles'] = [];
  for (const value of a.attributes.get(AWS_ATTRIBUTE.role) ?? []) {
    const parts = value.split(',').map((s) => s.trim());
    const [x, y] = parts;
    if (parts.length !== 2 || x === undefined || y === undefined) continue;
    // The pair may be written in either order (the User Guide's example puts the role first).
    if (/:saml-provider\//.test(x)) roles.push({ roleArn: y, providerArn: x });
    else roles.push({ roleArn: x, providerArn: y });
  }
  const sessionName = single(a, AWS_ATTRIBUTE.sessionName);
  if (sessionName === undefined) throw invalid(MESSAGE.sessionNameMissing);
  if (!SESSION_NAME.test(sessionName)) throw invalid(MESSAGE.sessionNameInvalid);

  const durationText = single(a, AWS_ATTRIBUTE.sessionDuration);
  let sessionDuration: number | undefined;
  if (durationText !== undefined) {
    // "The value can range from 900 seconds (15 minutes) to 43200 seconds (12 hours)."
    sessionDuration = /^\d{1,6}$/.test(durationText) ? Number(durationText) : Number.NaN;
    if (!(sessionDuration >= 900 && sessionDuration <= 43200)) {
      throw invalid('SessionDuration in AuthnResponse must be an integer from 900 to 43200.');
    }
  }

  const sourceIdentity = single(a, AWS_ATTRIBUTE.sourceIdentity);
  if (sourceIdentity !== undefined && (!SESSION_NAME.test(sourceIdentity) || /^aws:/i.test(sourceIdentity))) {
    throw invalid(MESSAGE.sourceIdentityInvalid);
  }

  const tags: Tag[] = [];
  for (const [name, values] of a.attributes) {
    if (!name.startsWith(AWS_ATTRIBUTE.principalTagPrefix)) continue;
    const key = name.slice(AWS_ATTRIBUTE.principalTagPrefix.length);
    // "You must pass a single value for each session tag. Multivalued session tags are not supported."
    const value = values[0];
    if (values.length !== 1 || value === undefined) {
      throw invalid(`Session tag ${key} must have exactly one value.`);
    }
    // "Session tags must follow the rules for naming tags in IAM and AWS STS."
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key) || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(value)) {
      throw invalid(`Session tag ${key} does not follow the IAM rules for tag keys and values.`);
    }
    if (tags.some((t) => t.Key.toLowerCase() === key.toLowerCase())) {
      throw invalid(`Session tag ${key} is given twice (tag keys are case insensitive).`);
    }
    tags.push({ Key: key, Value: value });
  }
  if (tags.length > 50) throw invalid('At most 50 session tags can be passed.');
  const transitiveTagKeys = [...(a.attributes.get(AWS_ATTRIBUTE.transitiveTagKeys) ?? [])];
  for (const k of transitiveTagKeys) {
    if (!tags.some((t) => t.Key.toLowerCase() === k.toLowerCase())) {
      throw invalid(`Transitive tag key ${k} is not one of the session tags.`);
    }
  }
  return {
    roles,
    sessionName,
    ...(sessionDuration === undefined ? {} : { sessionDuration }),
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    tags,
    transitiveTagKeys,
  };
}

/**
 * Checks that the assertion's Role attribute pairs the requested role with the requested provider
 * (exact ARNs). Otherwise STS answers AccessDenied "Not authorized to perform sts:AssumeRoleWithSAML"
 * ("Troubleshooting SAML 2.0 federation with AWS": the role "specified in the SAML response is
 * misspelled or does not exist").
 */
export function checkRolePair(claims: AwsSamlClaims, roleArn: string, providerArn: string): void {
  if (!claims.roles.some((r) => r.roleArn === roleArn && r.providerArn === providerArn)) {
    throw new SamlError('NotAuthorized', MESSAGE.notAuthorized);
  }
}

/**
 * `saml:namequalifier` and the response's NameQualifier: Base64(SHA1(issuer + accountId + "/" +
 * providerName)) — "About SAML 2.0-based federation", "Uniquely identifying users in SAML-based
 * federation": `Base64 ( SHA1 ( "https://example.com/saml" + "123456789012" + "/MySAMLIdP" ) )`.
 */
export function nameQualifier(issuer: string, accountId: string, providerName: string): string {
  return createHash('sha1').update(`${issuer}${accountId}/${providerName}`, 'utf8').digest('base64');
}

/**
 * The response's SubjectType and `saml:sub_type`: the NameID Format with the
 * `urn:oasis:names:tc:SAML:2.0:nameid-format:` prefix removed (so `persistent` and `transient`), any
 * other format unchanged (AssumeRoleWithSAML, STS API Reference, "SubjectType").
 */
export function subjectType(format: string): string {
  const prefix = 'urn:oasis:names:tc:SAML:2.0:nameid-format:';
  return format.startsWith(prefix) ? format.slice(prefix.length) : format;
}

/** Attribute Name to `saml:` key, and whether the key holds a list ("Mapping SAML attributes to AWS trust policy context keys"). */
const MAPPED_ATTRIBUTES: ReadonlyArray<readonly [string, string, boolean]> = [
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.1', 'saml:edupersonaffiliation', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.2', 'saml:edupersonnickname', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.3', 'saml:edupersonorgdn', false],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.4', 'saml:edupersonorgunitdn', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.5', 'saml:edupersonprimaryaffiliation', false],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.6', 'saml:edupersonprincipalname', false],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.7', 'saml:edupersonentitlement', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.8', 'saml:edupersonprimaryorgunitdn', false],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.9', 'saml:edupersonscopedaffiliation', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.10', 'saml:edupersontargetedid', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.11', 'saml:edupersonassurance', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.2', 'saml:eduorghomepageuri', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.3', 'saml:eduorgidentityauthnpolicyuri', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.4', 'saml:eduorglegalname', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.5', 'saml:eduorgsuperioruri', true],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.6', 'saml:eduorgwhitepagesuri', true],
  ['urn:oid:2.5.4.3', 'saml:cn', true],
  ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'saml:name', false],
  ['http://schemas.xmlsoap.org/claims/CommonName', 'saml:commonName', false],
  ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', 'saml:givenName', false],
  ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname', 'saml:surname', false],
  ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'saml:mail', false],
  ['http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid', 'saml:uid', false],
  ['2.5.4.3', 'saml:commonName', false],
  ['2.5.4.4', 'saml:surname', false],
  // The User Guide's table writes some OIDs differently from X.500 (2.4.5.42 for givenName,
  // 0.9.2342.19200300100.1.x for uid and mail); both spellings are mapped.
  ['2.5.4.42', 'saml:givenName', false],
  ['2.4.5.42', 'saml:givenName', false],
  ['2.5.4.45', 'saml:x500UniqueIdentifier', false],
  ['0.9.2342.19200300.100.1.1', 'saml:uid', false],
  ['0.9.2342.19200300100.1.1', 'saml:uid', false],
  ['0.9.2342.19200300.100.1.3', 'saml:mail', false],
  ['0.9.2342.19200300100.1.3', 'saml:mail', false],
  ['0.9.2342.19200300.100.1.45', 'saml:organizationStatus', false],
];

/**
 * The `saml:` condition keys of a role's trust policy ("Available keys for SAML-based AWS STS
 * federation"): `saml:aud` (the Recipient, not the Audience), `saml:iss`, `saml:sub`, `saml:sub_type`,
 * `saml:doc` (`ACCOUNT/PROVIDER`), `saml:namequalifier`, and the eduPerson, eduOrg, Active Directory
 * and X.500 attributes the User Guide maps to keys (only one claim per key: the first mapped wins).
 */
export function samlConditionKeys(
  a: VerifiedAssertion,
  providerAccount: string,
  providerName: string,
): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const [name, key, isList] of MAPPED_ATTRIBUTES) {
    const values = a.attributes.get(name);
    const first = values?.[0];
    if (values === undefined || first === undefined || key in out) continue;
    out[key] = isList ? [...values] : first;
  }
  return {
    ...out,
    'saml:aud': a.recipient,
    'saml:iss': a.issuer,
    'saml:sub': a.nameId,
    'saml:sub_type': subjectType(a.nameIdFormat),
    'saml:doc': `${providerAccount}/${providerName}`,
    'saml:namequalifier': nameQualifier(a.issuer, providerAccount, providerName),
  };
}
