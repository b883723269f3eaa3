/**
 * AWS Signature Version 4 verification (server side), in two phases: parseSigV4 finds and parses the
 * signature of a request; the caller checks the scope and looks up the secret access key; verifySigV4
 * checks the request time and the signature. Errors are SigV4Error with a stable code; the protocol
 * layers map codes to wire errors (docs/sigv4.md).
 */

export { SigV4Error, type SigV4ErrorCode, unknownAccessKey } from './errors.js';
export { checkCredentialScope, parseSigV4 } from './parse.js';
export type { IncomingSignedRequest, SigV4Credential, VerifyOptions } from './types.js';
export { canonicalRequest, clearSigningKeyCache, stringToSign, verifySigV4 } from './verify.js';
