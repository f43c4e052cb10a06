import { DomainException, ErrorKind } from '../common/errors/domain.exception';

export enum LedgerErrorCode {
  InsufficientBalance = 'LEDGER_INSUFFICIENT_BALANCE',
  UserNotFound = 'LEDGER_USER_NOT_FOUND',
  ZeroAmount = 'LEDGER_ZERO_AMOUNT',
}

export class LedgerException extends DomainException {
  static insufficientBalance(userId: string, amount: string): LedgerException {
    return new LedgerException(
      LedgerErrorCode.InsufficientBalance,
      `balance of user ${userId} is too low for ${amount}`,
      ErrorKind.Conflict,
    );
  }

  static userNotFound(userId: string): LedgerException {
    return new LedgerException(LedgerErrorCode.UserNotFound, `user ${userId} not found`, ErrorKind.NotFound);
  }

  static zeroAmount(): LedgerException {
    return new LedgerException(LedgerErrorCode.ZeroAmount, 'a ledger amount cannot be zero', ErrorKind.Invalid);
  }
}
