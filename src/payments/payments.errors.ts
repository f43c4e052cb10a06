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
}

export class PaymentsException extends DomainException {
  static disabled = () => new PaymentsException(PaymentsErrorCode.Disabled, 'payments are switched off', ErrorKind.Forbidden);
  static amountOutOfRange = (problem: string) =>
    new PaymentsException(PaymentsErrorCode.AmountOutOfRange, `amountCny ${problem}`, ErrorKind.Invalid);
  static providerUnavailable = (provider: string) =>
    new PaymentsException(PaymentsErrorCode.ProviderUnavailable, `provider "${provider}" is not available`, ErrorKind.Invalid);
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
  static gatewayFailed = (provider: string) =>
    new PaymentsException(
      PaymentsErrorCode.GatewayFailed,
      `the ${provider} gateway could not start the payment; nothing was charged, please try again`,
      ErrorKind.Upstream,
    );
}
