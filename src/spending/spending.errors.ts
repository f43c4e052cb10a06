import { DomainException, ErrorKind } from '../common/errors/domain.exception';

export enum SpendingErrorCode {
  InsufficientBalance = 'INSUFFICIENT_BALANCE',
  UserNotFound = 'SPEND_USER_NOT_FOUND',
  ChargeNotFound = 'CHARGE_NOT_FOUND',
  RefundExceedsCharge = 'CHARGE_REFUND_EXCEEDS_CHARGE',
  HoldNotFound = 'HOLD_NOT_FOUND',
  HoldNotActive = 'HOLD_NOT_ACTIVE',
  CaptureExceedsHold = 'HOLD_CAPTURE_EXCEEDS_HOLD',
  ApiKeyInvalid = 'API_KEY_INVALID',
  ApiKeyScope = 'API_KEY_SCOPE_MISSING',
  ApiKeyNotFound = 'API_KEY_NOT_FOUND',
  IdempotencyKeyRequired = 'IDEMPOTENCY_KEY_REQUIRED',
}

export class SpendingException extends DomainException {
  /** `available` is what the user could still spend, so a caller can say how much is missing. */
  static insufficientBalance(available: string, wanted: string): SpendingException {
    return new SpendingException(
      SpendingErrorCode.InsufficientBalance,
      `the available balance ${available} does not cover ${wanted}`,
      ErrorKind.PaymentRequired,
      undefined,
      { available },
    );
  }

  static userNotFound = (userId: string) => new SpendingException(SpendingErrorCode.UserNotFound, `user ${userId} not found, or the account is closed`, ErrorKind.NotFound);
  static chargeNotFound = (id: string) => new SpendingException(SpendingErrorCode.ChargeNotFound, `charge ${id} not found`, ErrorKind.NotFound);
  static refundExceedsCharge = (id: string, refundable: string) =>
    new SpendingException(SpendingErrorCode.RefundExceedsCharge, `charge ${id} has ${refundable} left to refund`, ErrorKind.Conflict);
  static holdNotFound = (id: string) => new SpendingException(SpendingErrorCode.HoldNotFound, `hold ${id} not found`, ErrorKind.NotFound);
  static holdNotActive = (id: string, status: string) =>
    new SpendingException(SpendingErrorCode.HoldNotActive, `hold ${id} is ${status}, not active`, ErrorKind.Conflict);
  static captureExceedsHold = (id: string, held: string) =>
    new SpendingException(SpendingErrorCode.CaptureExceedsHold, `hold ${id} reserves ${held}; a capture cannot exceed it`, ErrorKind.Invalid);
  static apiKeyInvalid = () =>
    new SpendingException(SpendingErrorCode.ApiKeyInvalid, 'a valid API key is required (Authorization: Bearer rk_…)', ErrorKind.Unauthenticated);
  static apiKeyScope = (scope: string) =>
    new SpendingException(SpendingErrorCode.ApiKeyScope, `this API key lacks the scope ${scope}`, ErrorKind.Forbidden);
  static apiKeyNotFound = (id: string) => new SpendingException(SpendingErrorCode.ApiKeyNotFound, `API key ${id} not found`, ErrorKind.NotFound);
}
