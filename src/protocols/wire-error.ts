/**
 * The protocol-neutral error every service raises: a stable AWS error code and AWS's message. Each
 * protocol codec turns it into its own envelope with the HTTP status and fault type from its table.
 */

/** An error a caller sees on the wire: AWS's code and message. */
export class WireError extends Error {
  readonly code: string;
  /** HTTP status when the code's usual status does not apply. */
  readonly status?: number;
  constructor(code: string, message: string, status?: number) {
    // A WireError is an answer, not a fault: no stack trace is captured. Capturing one cost 10 µs
    // per error answer (a tenth of an AccessDenied's time, bench: unknown-path load).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'WireError';
    this.code = code;
    if (status !== undefined) this.status = status;
  }
}

/**
 * The awsQuery (IAM, STS) code of each SigV4 failure (docs/sigv4.md): a signature outside the
 * 15-minute window is answered as SignatureDoesNotMatch, as IAM and STS answer it.
 */
export const QUERY_AUTH_CODES: Readonly<Record<string, string>> = {
  MissingAuthenticationToken: 'MissingAuthenticationToken',
  IncompleteSignature: 'IncompleteSignature',
  SignatureDoesNotMatch: 'SignatureDoesNotMatch',
  SignatureExpired: 'SignatureDoesNotMatch',
  RequestExpired: 'RequestExpired',
  InvalidClientTokenId: 'InvalidClientTokenId',
  ExpiredToken: 'ExpiredToken',
  AccessDenied: 'AccessDenied',
};

/** HTTP status and fault side of each error code; codes not listed are 400 Sender. */
const STATUS: Record<string, { status: number; type: 'Sender' | 'Receiver' }> = {
  AccessDenied: { status: 403, type: 'Sender' },
  AccessDeniedException: { status: 403, type: 'Sender' },
  InvalidClientTokenId: { status: 403, type: 'Sender' },
  SignatureDoesNotMatch: { status: 403, type: 'Sender' },
  MissingAuthenticationToken: { status: 403, type: 'Sender' },
  ExpiredToken: { status: 400, type: 'Sender' },
  NoSuchEntity: { status: 404, type: 'Sender' },
  EntityAlreadyExists: { status: 409, type: 'Sender' },
  LimitExceeded: { status: 409, type: 'Sender' },
  DeleteConflict: { status: 409, type: 'Sender' },
  ConcurrentModification: { status: 409, type: 'Sender' },
  EntityTemporarilyUnmodifiable: { status: 409, type: 'Sender' },
  RequestEntityTooLarge: { status: 413, type: 'Sender' },
  ServiceFailure: { status: 500, type: 'Receiver' },
  InternalFailure: { status: 500, type: 'Receiver' },
  ServiceUnavailable: { status: 503, type: 'Receiver' },
  // restJson1 (Bedrock): the httpStatusCode of each error shape in the service model.
  UnrecognizedClientException: { status: 403, type: 'Sender' },
  InvalidSignatureException: { status: 403, type: 'Sender' },
  IncompleteSignatureException: { status: 403, type: 'Sender' },
  MissingAuthenticationTokenException: { status: 403, type: 'Sender' },
  ExpiredTokenException: { status: 403, type: 'Sender' },
  UnknownOperationException: { status: 404, type: 'Sender' },
  ResourceNotFoundException: { status: 404, type: 'Sender' },
  ThrottlingException: { status: 429, type: 'Sender' },
  ModelNotReadyException: { status: 429, type: 'Sender' },
  ModelTimeoutException: { status: 408, type: 'Sender' },
  ModelErrorException: { status: 424, type: 'Sender' },
  ModelStreamErrorException: { status: 424, type: 'Sender' },
  ServiceUnavailableException: { status: 503, type: 'Receiver' },
  InternalServerException: { status: 500, type: 'Receiver' },
};

/** The HTTP status and fault type of an error code. */
export function errorStatus(error: WireError): { status: number; type: 'Sender' | 'Receiver' } {
  const known = STATUS[error.code] ?? { status: 400, type: 'Sender' as const };
  return error.status === undefined ? known : { status: error.status, type: known.type };
}

/** Throws a ValidationException with this message. */
export function refuseInput(message: string): never {
  throw new WireError('ValidationException', message);
}
