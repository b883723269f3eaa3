/**
 * The SigV4 module's one error type. Codes are stable strings; each protocol layer maps them to its
 * wire error (see docs/sigv4.md for the table). Messages are AWS's own wording, observed on the wire
 * from IAM/STS (awsQuery) and coral JSON services; `detail` says more for our logs.
 *
 * INVARIANT: no message and no detail ever contains a secret access key, a derived signing key or a
 * session token. Signatures, access key IDs, dates and header names are not secrets.
 */

/** Every code a SigV4 error can carry. The last four are wire codes the protocol layers may reuse. */
export type SigV4ErrorCode =
  | 'IncompleteSignature'
  | 'SignatureDoesNotMatch'
  | 'InvalidClientTokenId'
  | 'ExpiredToken'
  | 'MissingAuthenticationToken'
  | 'RequestExpired'
  | 'SignatureExpired'
  | 'AccessDenied'
  | 'InvalidSignatureException'
  | 'MissingAuthenticationTokenException';

/** Thrown by parseSigV4 and verifySigV4. `message` is what AWS would say; `detail` is for our logs. */
export class SigV4Error extends Error {
  readonly code: SigV4ErrorCode;
  /** What exactly was wrong, for our logs and CLI. Never holds secret material. */
  readonly detail: string;

  constructor(code: SigV4ErrorCode, message: string, detail?: string) {
    super(message);
    this.name = 'SigV4Error';
    this.code = code;
    this.detail = detail ?? message;
  }
}

/** AWS's message when no SigV4 authentication is present at all. */
export const MISSING_AUTH_MESSAGE = 'Request is missing Authentication Token';

/** AWS's message when the recomputed signature differs (IAM and STS wording). */
export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** AWS's message for an access key ID it does not know (InvalidClientTokenId / UnrecognizedClientException). */
export const UNKNOWN_KEY_MESSAGE = 'The security token included in the request is invalid.';

/**
 * The error the caller throws when no secret exists for the credential's access key ID: AWS answers
 * `InvalidClientTokenId` ("The security token included in the request is invalid.") on awsQuery and
 * `UnrecognizedClientException` with the same text on JSON protocols. Kept here so the wording lives
 * beside the other SigV4 messages and the caller never builds it by hand.
 */
export function unknownAccessKey(): SigV4Error {
  return new SigV4Error('InvalidClientTokenId', UNKNOWN_KEY_MESSAGE, 'no secret access key for this access key ID');
}

/**
 * A `SignatureDoesNotMatch` error with AWS's standard message and our own detail, for every failure
 * that AWS reports with the generic signature sentence (recomputed signature differs, a signed header
 * is absent, the payload hash header disagrees with the body).
 */
export function signatureMismatch(detail: string): SigV4Error {
  return new SigV4Error('SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE, detail);
}
