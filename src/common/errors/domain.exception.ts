/**
 * What kind of failure a domain error is; the global filter turns the kind
 * into an HTTP status, so services never throw HttpException.
 */
export enum ErrorKind {
  Invalid = 'invalid',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  /** Well-formed, but contradicts what was sent before (an idempotency key reused with another body). */
  Unprocessable = 'unprocessable',
  /** The account cannot pay for it (a charge or hold beyond what is available). */
  PaymentRequired = 'payment_required',
  RateLimited = 'rate_limited',
  Upstream = 'upstream',
}

/**
 * A failure the caller can act on, with a stable machine code (each module
 * has its own code enum) that clients map to their own wording.
 */
export class DomainException extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: ErrorKind,
    /** Seconds to wait before retrying, for RateLimited. */
    readonly retryAfterSeconds?: number,
    /** Values a client can act on (e.g. the available balance), sent as `details`. */
    readonly details?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
