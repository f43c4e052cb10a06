import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { IdempotencyClaim, answered } from '../common/idempotency/idempotency.store';
import { OrderReviewService } from '../payments/order-review.service';
import { OrderStatus } from '../payments/payment-order.entity';
import { RefundMethod, RefundStatus } from '../payments/payment-refund.entity';
import { PaymentsException } from '../payments/payments.errors';
import { RefundResult, RefundsService } from '../payments/refunds.service';
import { Credited, SettlementService } from '../payments/settlement.service';
import { AuthenticatedUser } from '../users/auth/authenticated-user';
import { AdminAuditService, AuditAction, AuditTarget } from './admin-audit.service';
import { toAdminOrderDetail, toRefundResult, toUnmatchedPayment } from './admin-order-detail';
import { AdminOrderDetailDto, UnmatchedPaymentDto } from './dto/admin-payments.dto';

/**
 * An admin's confirm and refund: the payment flows are the payments
 * module's; this service opens the transaction in which the flow's step and
 * the admin's audit record commit together, then runs what follows the commit.
 * With an Idempotency-Key, the answer commits with them too: the order's
 * detail as the transaction leaves it (a refund's, before the gateway's word).
 */
@Injectable()
export class AdminPaymentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settlement: SettlementService,
    private readonly refunds: RefundsService,
    private readonly audit: AdminAuditService,
    private readonly review: OrderReviewService,
  ) {}

  /** Marks an unpaid order paid by hand, through the webhook's settlement path. */
  async confirm(admin: AuthenticatedUser, orderNo: string, remark: string, grantBonus: boolean, claim: IdempotencyClaim | null): Promise<Credited> {
    const { notice, status } = await this.settlement.confirmationByHand(orderNo, admin.email, remark, grantBonus);
    const credited = await this.dataSource.transaction(async (em) => {
      const credited = await this.settlement.applyPaid(em, notice);
      if (!credited) return null;
      // Confirming is accepting what was paid: a payment of another amount recorded on the order is dealt with.
      const accepted = await this.settlement.acceptWrongAmounts(em, orderNo, admin.email);
      await this.audit.record(em, admin, {
        action: AuditAction.OrderConfirm,
        targetType: AuditTarget.PaymentOrder,
        targetId: orderNo,
        remark,
        before: { status },
        after: {
          status: OrderStatus.Paid,
          amountUsd: credited.amountUsd,
          bonusUsd: credited.bonusUsd,
          grantBonus,
          ...(accepted.length > 0 && { acceptedPayments: accepted }),
        },
      });
      if (claim) await claim.answer(em, await this.detailIn(em, orderNo));
      return credited;
    });
    if (!credited) throw await this.settlement.confirmationConflict(orderNo);
    this.settlement.reportCredited(notice, credited);
    return credited;
  }

  /** Records that the second payments of an order were refunded at the gateway, so it stops needing attention. */
  resolveDuplicatePayments(admin: AuthenticatedUser, orderNo: string, remark: string, claim: IdempotencyClaim | null): Promise<string[]> {
    return this.dataSource.transaction(async (em) => {
      const events = await this.settlement.resolveDuplicatePayments(em, orderNo, admin.email);
      await this.audit.record(em, admin, {
        action: AuditAction.OrderDuplicateResolved,
        targetType: AuditTarget.PaymentOrder,
        targetId: orderNo,
        remark,
        after: { resolvedEvents: events },
      });
      if (claim) await claim.answer(em, await this.detailIn(em, orderNo));
      return events;
    });
  }

  /** An unmatched payment was dealt with outside (refunded, or credited by an adjustment): it stops needing attention (audited). */
  resolveUnmatchedPayment(
    admin: AuthenticatedUser,
    provider: string,
    eventId: string,
    remark: string,
    claim: IdempotencyClaim | null,
  ): Promise<UnmatchedPaymentDto> {
    return this.dataSource.transaction(async (em) => {
      const event = await this.review.resolveUnmatchedPayment(em, provider, eventId, admin.email);
      await this.audit.record(em, admin, {
        action: AuditAction.UnmatchedPaymentResolved,
        targetType: AuditTarget.PaymentEvent,
        targetId: `${provider}:${eventId}`.slice(0, 100),
        remark,
        before: { resolvedAt: null },
        after: { resolvedAt: event.resolvedAt?.toISOString() ?? null },
      });
      return answered(em, claim, toUnmatchedPayment(event));
    });
  }

  /** Settles a stuck refund by hand, after checking it in the gateway's console (audited). */
  resolveRefund(
    admin: AuthenticatedUser,
    orderNo: string,
    outcome: 'refunded' | 'not_refunded',
    remark: string,
    claim: IdempotencyClaim | null,
  ): Promise<void> {
    return this.dataSource.transaction(async (em) => {
      const refund = await this.refunds.resolveByHand(em, orderNo, outcome, admin.email);
      await this.audit.record(em, admin, {
        action: AuditAction.OrderRefundResolved,
        targetType: AuditTarget.PaymentOrder,
        targetId: orderNo,
        remark,
        before: { status: OrderStatus.Refunding, refundId: refund.id },
        after: { status: outcome === 'refunded' ? OrderStatus.Refunded : OrderStatus.Paid, outcome },
      });
      if (claim) await claim.answer(em, await this.detailIn(em, orderNo));
    });
  }

  /**
   * Refunds a paid order (the refund saga): the debit and the audit record
   * commit together, then the gateway is asked. A refusal gave everything
   * back and is a 502 naming the gateway's reason; an unknown outcome leaves
   * the order refunding for the reconcile job. The key's answer as of the
   * commit is the refund under way (202), or done when made outside (200).
   */
  async refund(admin: AuthenticatedUser, orderNo: string, remark: string, force: boolean, claim: IdempotencyClaim | null): Promise<RefundResult> {
    const refund = await this.dataSource.transaction(async (em) => {
      const refund = await this.refunds.begin(em, { orderNo, operator: admin.email, remark, force });
      await this.audit.record(em, admin, {
        action: refund.method === RefundMethod.Manual ? AuditAction.OrderRefundRecorded : AuditAction.OrderRefund,
        targetType: AuditTarget.PaymentOrder,
        targetId: orderNo,
        remark,
        before: { status: OrderStatus.Paid },
        after: {
          status: refund.status === RefundStatus.Pending ? OrderStatus.Refunding : OrderStatus.Refunded,
          method: refund.method,
          debitedUsd: refund.debitedUsd,
          shortfallUsd: refund.shortfallUsd,
          rewardTakenUsd: refund.rewardTakenUsd,
          force,
        },
      });
      if (claim) await claim.answer(em, toRefundResult(await this.review.detail(orderNo, em), refund), refund.status === RefundStatus.Pending ? 202 : 200);
      return refund;
    });
    const result = await this.refunds.settle(refund);
    if (result.refund.status === RefundStatus.Reversed) {
      throw PaymentsException.refundRefused(orderNo, result.order.provider, result.refund.gatewayReason ?? 'no reason given');
    }
    return result;
  }

  /** The order's detail as `em`'s transaction sees it: what the confirm and resolve routes answer. */
  private async detailIn(em: EntityManager, orderNo: string): Promise<AdminOrderDetailDto> {
    return toAdminOrderDetail(await this.review.detail(orderNo, em));
  }
}
