/**
 * The restJson1 error envelope (Bedrock, Bedrock Runtime): the HTTP status of the error shape, the
 * code in the `x-amzn-ErrorType` header, and `{"message": …}` as the body ("restJson1 protocol",
 * Smithy: "Operation error serialization"). SDKs read the code from that header.
 */

import { errorStatus, type WireError } from './wire-error.js';

/** An encoded restJson1 error. */
export interface JsonErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The restJson1 code of each SigV4 failure, as Bedrock answers them: a bad key is
 * UnrecognizedClientException, a bad signature InvalidSignatureException, no signature
 * MissingAuthenticationTokenException ("Common Errors", AWS APIs).
 */
export const JSON_AUTH_CODES: Readonly<Record<string, string>> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  SignatureExpired: 'InvalidSignatureException',
  RequestExpired: 'InvalidSignatureException',
  InvalidClientTokenId: 'UnrecognizedClientException',
  ExpiredToken: 'ExpiredTokenException',
  AccessDenied: 'AccessDeniedException',
};

/** Encodes a WireError as restJson1. */
export function jsonError(error: WireError): JsonErrorAnswer {
  const { status } = errorStatus(error);
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
    body: JSON.stringify({ message: error.message }),
  };
}
