/** Error codes of the admin module; the web app maps them to its own wording. */
export enum AdminErrorCode {
  CannotConfirm = 'ADMIN_ORDER_CANNOT_CONFIRM',
  CannotRefund = 'ADMIN_ORDER_CANNOT_REFUND',
  BalanceTooLow = 'ADMIN_REFUND_BALANCE_TOO_LOW',
  GatewayRefundFailed = 'ADMIN_REFUND_GATEWAY_FAILED',
  CannotDisableSelf = 'ADMIN_CANNOT_DISABLE_SELF',
}
