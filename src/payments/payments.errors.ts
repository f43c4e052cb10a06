import { DomainException, ErrorKind } from '../common/errors/domain.exception';

export enum PaymentsErrorCode {
  Disabled = 'PAYMENT_DISABLED',
  AmountOutOfRange = 'PAYMENT_AMOUNT_OUT_OF_RANGE',
  ProviderUnavailable = 'PAYMENT_PROVIDER_UNAVAILABLE',
  MethodUnsupported = 'PAYMENT_METHOD_UNSUPPORTED',
  TooManyOrders = 'PAYMENT_TOO_MANY_ORDERS',
  TooManyPending = 'PAYMENT_TOO_MANY_PENDING',
  OrderNotFound = 'PAYMENT_ORDER_NOT_FOUND',
  OrderNotPending = 'PAYMENT_ORDER_NOT_PENDING',
  GatewayFailed = 'PAYMENT_GATEWAY_FAILED',
  // The admin flows' codes keep the names clients already know.
  CannotConfirm = 'ADMIN_ORDER_CANNOT_CONFIRM',
  CannotRefund = 'ADMIN_ORDER_CANNOT_REFUND',
  RefundBalanceTooLow = 'ADMIN_REFUND_BALANCE_TOO_LOW',
  RefundRefused = 'ADMIN_REFUND_GATEWAY_FAILED',
  NoDuplicatePayment = 'PAYMENT_NO_DUPLICATE_PAYMENT',
  NoRefundUnderWay = 'PAYMENT_NO_REFUND_UNDER_WAY',
  NoUnmatchedPayment = 'PAYMENT_NO_UNMATCHED_PAYMENT',
}

export class PaymentsException extends DomainException {
  static disabled = () => new PaymentsException(PaymentsErrorCode.Disabled, 'payments are switched off', ErrorKind.Forbidden);
  static amountOutOfRange = (problem: string) =>
    new PaymentsException(PaymentsErrorCode.AmountOutOfRange, `amountCny ${problem}`, ErrorKind.Invalid);
  static providerUnavailable = (provider: string, enabled: string[]) =>
    new PaymentsException(
      PaymentsErrorCode.ProviderUnavailable,
      `provider "${provider}" is not available (available: ${enabled.join(', ') || 'none'})`,
      ErrorKind.Invalid,
    );
  static methodUnsupported = (provider: string, method: string, offered: string[]) =>
    new PaymentsException(
      PaymentsErrorCode.MethodUnsupported,
      `provider "${provider}" does not offer method "${method}" (it offers: ${offered.join(', ')})`,
      ErrorKind.Invalid,
    );
  static tooManyOrders = (limit: number, retryAfterSeconds: number) =>
    new PaymentsException(
      PaymentsErrorCode.TooManyOrders,
      `at most ${limit} orders per minute; try again in ${retryAfterSeconds} s`,
      ErrorKind.RateLimited,
      retryAfterSeconds,
    );
  static tooManyPending = (limit: number) =>
    new PaymentsException(
      PaymentsErrorCode.TooManyPending,
      `you already have ${limit} unpaid orders; pay or cancel one first`,
      ErrorKind.Conflict,
    );
  static orderNotFound = (orderNo: string) =>
    new PaymentsException(PaymentsErrorCode.OrderNotFound, `order ${orderNo} not found`, ErrorKind.NotFound);
  static orderNotPending = (orderNo: string, status: string) =>
    new PaymentsException(PaymentsErrorCode.OrderNotPending, `order ${orderNo} is ${status}, not pending`, ErrorKind.Conflict);
  static cannotConfirm = (orderNo: string, status: string) =>
    new PaymentsException(
      PaymentsErrorCode.CannotConfirm,
      `order ${orderNo} is ${status}; only an unpaid order (pending, expired, cancelled, failed) can be confirmed`,
      ErrorKind.Conflict,
    );
  static cannotRefund = (orderNo: string, status: string) =>
    new PaymentsException(PaymentsErrorCode.CannotRefund, `order ${orderNo} is ${status}; only a paid order can be refunded`, ErrorKind.Conflict);
  static refundBalanceTooLow = (orderNo: string, balance: string, owed: string) =>
    new PaymentsException(
      PaymentsErrorCode.RefundBalanceTooLow,
      `refunding ${orderNo} takes back ${owed} USD but the balance is ${balance}; refund with force to take what is left`,
      ErrorKind.Conflict,
    );
  static refundRefused = (orderNo: string, provider: string, reason: string) =>
    new PaymentsException(
      PaymentsErrorCode.RefundRefused,
      `the ${provider} gateway refused to refund ${orderNo} (${reason}); the order is paid again and the balance restored`,
      ErrorKind.Upstream,
    );
  static noDuplicatePayment = (orderNo: string) =>
    new PaymentsException(PaymentsErrorCode.NoDuplicatePayment, `order ${orderNo} has no second payment or payment of another amount left to resolve`, ErrorKind.Conflict);
  static noRefundUnderWay = (orderNo: string, status: string) =>
    new PaymentsException(PaymentsErrorCode.NoRefundUnderWay, `order ${orderNo} is ${status}, with no refund under way`, ErrorKind.Conflict);
  static noUnmatchedPayment = (provider: string, eventId: string) =>
    new PaymentsException(
      PaymentsErrorCode.NoUnmatchedPayment,
      `no open unmatched payment ${eventId} of ${provider} (unknown, or already resolved)`,
      ErrorKind.NotFound,
    );
  static gatewayFailed = (provider: string) =>
    new PaymentsException(
      PaymentsErrorCode.GatewayFailed,
      `the ${provider} gateway could not start the payment; nothing was charged, please try again`,
      ErrorKind.Upstream,
    );
}
