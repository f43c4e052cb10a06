import { DomainException, ErrorKind } from '../common/errors/domain.exception';

export enum RedeemErrorCode {
  /** Wrong, used up, disabled or expired: one answer, so guessing learns nothing about codes that exist. */
  CodeInvalid = 'REDEEM_CODE_INVALID',
  AlreadyRedeemed = 'REDEEM_CODE_ALREADY_REDEEMED',
  TooManyFailures = 'REDEEM_TOO_MANY_FAILURES',
  BatchNotFound = 'REDEEM_BATCH_NOT_FOUND',
}

export class RedeemException extends DomainException {
  static codeInvalid = () =>
    new RedeemException(RedeemErrorCode.CodeInvalid, 'this code cannot be redeemed: it is wrong, used up, disabled or expired', ErrorKind.NotFound);
  static alreadyRedeemed = () => new RedeemException(RedeemErrorCode.AlreadyRedeemed, 'you have already redeemed this code', ErrorKind.Conflict);
  static tooManyFailures = (retryAfterSeconds: number) =>
    new RedeemException(
      RedeemErrorCode.TooManyFailures,
      `too many wrong codes; try again in ${retryAfterSeconds} s`,
      ErrorKind.RateLimited,
      retryAfterSeconds,
    );
  static batchNotFound = (id: string) => new RedeemException(RedeemErrorCode.BatchNotFound, `redeem batch ${id} not found`, ErrorKind.NotFound);
}
