import { RechargeRecordDto } from '../ledger/dto/recharge-record.dto';
import { OrderDto } from '../payments/dto/order.dto';
import type { OrderEvent, OrderReview } from '../payments/order-review.service';
import { PaymentOrder } from '../payments/payment-order.entity';
import { PaymentRefund } from '../payments/payment-refund.entity';
import { AdminOrderDetailDto, AdminOrderDto, RefundDto, RefundResultDto, UnmatchedPaymentDto, WebhookEventDto } from './dto/admin-payments.dto';

/** What admins are answered about orders, from what the payments module reads (the routes' answers, and what their keys record). */

export function toAdminOrder(order: PaymentOrder, userEmail: string | null, needsAttention: boolean): AdminOrderDto {
  return {
    ...OrderDto.from(order),
    userId: order.userId,
    username: order.username,
    userEmail,
    tradeNo: order.tradeNo,
    clientIp: order.clientIp,
    callbackAt: order.callbackAt?.toISOString() ?? null,
    needsAttention,
  };
}

export function toEvent(e: OrderEvent): WebhookEventDto {
  return {
    eventId: e.eventId,
    outcome: e.outcome,
    payload: e.payload,
    createdAt: e.createdAt.toISOString(),
    resolvedAt: e.resolvedAt?.toISOString() ?? null,
    resolvedBy: e.resolvedBy,
  };
}

export function toRefund(refund: PaymentRefund): RefundDto {
  return {
    id: refund.id,
    method: refund.method,
    status: refund.status,
    amountCny: refund.amountCny,
    debitedUsd: refund.debitedUsd,
    shortfallUsd: refund.shortfallUsd,
    rewardReversed: refund.rewardReversed,
    rewardTakenUsd: refund.rewardTakenUsd,
    operator: refund.operator,
    remark: refund.remark,
    attempts: refund.attempts,
    gatewayReason: refund.gatewayReason,
    gatewayRefundId: refund.gatewayRefundId,
    gatewayStatus: refund.gatewayStatus,
    createdAt: refund.createdAt.toISOString(),
    completedAt: refund.completedAt?.toISOString() ?? null,
  };
}

export function toAdminOrderDetail(detail: OrderReview): AdminOrderDetailDto {
  return {
    order: toAdminOrder(detail.order, detail.userEmail, detail.needsAttention),
    refundsByApi: detail.refundsByApi,
    callbackData: detail.callbackData,
    ledger: detail.ledger.map(RechargeRecordDto.from),
    events: detail.events.map(toEvent),
    refunds: detail.refunds.map(toRefund),
  };
}

/** A refund's answer: the order as it stands, and the refund. */
export function toRefundResult(detail: OrderReview, refund: PaymentRefund): RefundResultDto {
  return {
    order: toAdminOrder(detail.order, detail.userEmail, detail.needsAttention),
    debitedUsd: refund.debitedUsd,
    shortfallUsd: refund.shortfallUsd,
    refund: toRefund(refund),
  };
}

export function toUnmatchedPayment(event: OrderEvent & { provider: string }): UnmatchedPaymentDto {
  return { ...toEvent(event), provider: event.provider };
}
