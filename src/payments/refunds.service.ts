import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Money } from '../common/money/money';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType } from '../ledger/recharge-record.entity';
import { ReferralsService } from '../referrals/referrals.service';
import { PaymentMetrics } from './payment-metrics';
import { OrderStatus, PaymentOrder } from './payment-order.entity';
import { PaymentOrdersRepository } from './payment-orders.repository';
import { GatewayRefusal } from './payment-provider';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { PaymentRefund, RefundMethod, RefundStatus } from './payment-refund.entity';
import { PaymentRefundsRepository } from './payment-refunds.repository';
import { PaymentsException } from './payments.errors';
import { AppConfig } from '../common/config/app-config';

export interface RefundRequest {
  orderNo: string;
  /** The admin's email, or 'gateway' for a refund the gateway reported. */
  operator: string;
  remark: string | null;
  /** Take what the balance holds when the user has spent part of the payment, recording the shortfall. */
  force: boolean;
  /** Default: through the gateway's API when it has one, else recorded as made outside (manual). */
  method?: RefundMethod;
}

/** Where a refund stands after a step of its saga. */
export interface RefundResult {
  order: PaymentOrder;
  refund: PaymentRefund;
}

/**
 * Refunds as a saga, each step short and visible:
 *
 * 1. `begin` (the caller's transaction): paid → refunding, the user debited
 *    what the order credited, the invite reward it earned reversed, a
 *    pending payment_refunds row. A refund made outside (manual, or reported
 *    by the gateway) goes paid → refunded here and is done.
 * 2. `settle` (no transaction open): the gateway is asked, with an
 *    idempotency key derived from the order and the refund.
 * 3. Confirmed → refunded. Definitely refused → back to paid, every debit
 *    given back by compensating ledger rows. Unknown (timeout, 5xx, crash) →
 *    stays refunding; the reconcile job calls `resumePending`.
 */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger(RefundsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: PaymentOrdersRepository,
    private readonly refunds: PaymentRefundsRepository,
    private readonly providers: PaymentProviderRegistry,
    private readonly ledger: LedgerService,
    private readonly referrals: ReferralsService,
    private readonly metrics: PaymentMetrics,
    private readonly config: AppConfig,
  ) {}

  /** Whether refunds of this provider's orders go through its API (otherwise they are recorded as made outside). */
  refundsByApi(provider: string): boolean {
    return this.providers.get(provider)?.refundsByApi ?? false;
  }

  /** Step 1, in the caller's transaction. 404 for no order, 409 when it is not paid or the balance falls short without force. */
  async begin(em: EntityManager, request: RefundRequest): Promise<PaymentRefund> {
    const order = await this.orders.findByOrderNo(request.orderNo, em);
    if (!order) throw PaymentsException.orderNotFound(request.orderNo);
    const refund = await this.tryBegin(em, order, request);
    if (!refund) throw PaymentsException.cannotRefund(request.orderNo, (await this.orders.findByOrderNo(request.orderNo, em))!.status);
    return refund;
  }

  /** Steps 2 and 3: asks the gateway and confirms or compensates. A refund that is no longer pending is returned as it is. */
  async settle(refund: PaymentRefund): Promise<RefundResult> {
    const order = (await this.orders.findByOrderNo(refund.orderNo))!;
    if (refund.status !== RefundStatus.Pending) return { order, refund };
    const provider = this.providers.get(order.provider);
    if (!provider?.configured) {
      await this.refunds.noteUnknownOutcome(refund.id, `the ${order.provider} gateway is not configured`);
      return this.current(refund.orderNo, refund.id);
    }

    const retry = refund.attempts > 0;
    await this.refunds.noteAttempt(refund.id);
    try {
      await provider.refund({ orderNo: order.orderNo, tradeNo: order.tradeNo, amountCny: order.amountCny }, refund.amountCny, {
        idempotencyKey: `refund-${order.orderNo}-${refund.id}`,
        retry,
      });
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof GatewayRefusal) {
        await this.dataSource.transaction((em) => this.reverse(em, refund, reason));
        this.metrics.refunds.inc({ provider: order.provider, outcome: 'reversed' });
        this.logger.warn({ orderNo: order.orderNo, provider: order.provider, reason }, 'refund refused by the gateway; the debit was given back');
      } else {
        await this.refunds.noteUnknownOutcome(refund.id, reason);
        this.metrics.refunds.inc({ provider: order.provider, outcome: 'unknown' });
        this.logger.warn({ orderNo: order.orderNo, provider: order.provider, reason }, 'refund outcome unknown; it stays refunding and is retried');
      }
      return this.current(refund.orderNo, refund.id);
    }
    await this.dataSource.transaction((em) => this.complete(em, refund));
    this.metrics.refunds.inc({ provider: order.provider, outcome: 'succeeded' });
    return this.current(refund.orderNo, refund.id);
  }

  /**
   * The reconcile job's part: every refund under way (idle for a while, so
   * none whose call is still in flight) is asked again. Returns how many
   * were finished either way.
   */
  async resumePending(pace: () => Promise<void>, batchSize = 100): Promise<number> {
    let finished = 0;
    for (let after = '0'; ; ) {
      const pending = await this.refunds.pendingAfter(after, this.config.payment.refundResumeAfterSeconds, batchSize);
      for (const refund of pending) {
        await pace();
        try {
          const result = await this.settle(refund);
          if (result.refund.status !== RefundStatus.Pending) finished++;
        } catch (error) {
          this.logger.error({ orderNo: refund.orderNo, err: error }, 'resuming a refund failed; the next run tries again');
        }
        after = refund.id;
      }
      if (pending.length < batchSize) return finished;
    }
  }

  /**
   * An admin settles a refund whose outcome the gateway would not tell
   * (checked in the gateway's console): `refunded` completes it, `not_refunded`
   * reverses it as a refusal would. In the caller's transaction; 409 when the
   * order has no refund under way.
   */
  async resolveByHand(em: EntityManager, orderNo: string, outcome: 'refunded' | 'not_refunded', admin: string): Promise<PaymentRefund> {
    const pending = await this.refunds.lockPending(em, orderNo);
    if (!pending) {
      const order = await this.orders.findByOrderNo(orderNo, em);
      if (!order) throw PaymentsException.orderNotFound(orderNo);
      throw PaymentsException.noRefundUnderWay(orderNo, order.status);
    }
    if (outcome === 'refunded') await this.complete(em, pending);
    else await this.reverse(em, pending, `${admin} found that the gateway did not refund`);
    return pending;
  }

  /**
   * A refund the gateway reports (a refund event of its own). For an order
   * refunding here, it confirms our own refund; for a paid order it is a
   * refund made in the gateway's dashboard, which the order follows (the user
   * debited what the balance allows, the shortfall recorded). A partial
   * refund is recorded for admins and changes nothing.
   */
  async followGatewayRefund(event: { provider: string; orderNo: string; eventId: string; full: boolean; raw: string }): Promise<string> {
    const outcome = await this.dataSource.transaction(async (em) => {
      const order = await this.orders.findByOrderNo(event.orderNo, em);
      if (!order || order.provider !== event.provider) return 'unknown_order';
      let outcome: string;
      if (!event.full) {
        outcome = 'partial_refund';
      } else if (order.status === OrderStatus.Refunding) {
        const pending = await this.refunds.lockPending(em, order.orderNo);
        outcome = pending && (await this.complete(em, pending)) ? 'refund_confirmed' : 'no_change';
      } else if (order.status === OrderStatus.Paid) {
        const refund = await this.tryBegin(em, order, {
          orderNo: order.orderNo,
          operator: 'gateway',
          remark: `refunded in the ${event.provider} dashboard`,
          force: true,
          method: RefundMethod.External,
        });
        outcome = refund ? 'refunded' : 'no_change';
      } else {
        outcome = 'no_change';
      }
      await this.orders.recordEvent(em, { provider: event.provider, eventId: event.eventId, orderNo: order.orderNo, outcome, payload: event.raw });
      return outcome;
    });
    if (outcome === 'refunded') this.metrics.refunds.inc({ provider: event.provider, outcome: 'external' });
    return outcome;
  }

  /** Step 1 proper; null when the order is no longer paid (a concurrent refund won). */
  private async tryBegin(em: EntityManager, current: PaymentOrder, request: RefundRequest): Promise<PaymentRefund | null> {
    const method = request.method ?? (this.refundsByApi(current.provider) ? RefundMethod.Gateway : RefundMethod.Manual);
    const order = await this.orders.transition(em, method === RefundMethod.Gateway ? 'startRefund' : 'recordRefund', request.orderNo);
    if (!order) return null;

    // Payment and bonus: everything the order put on the balance.
    const taken = await this.ledger.debitUpTo(em, {
      userId: order.userId,
      amount: order.totalUsd,
      type: LedgerType.Refund,
      operator: request.operator,
      remark: request.remark ?? `refund of order ${order.orderNo}`,
      relatedId: order.orderNo,
    });
    if (!request.force && !new Money(taken.shortfall).isZero()) {
      throw PaymentsException.refundBalanceTooLow(order.orderNo, taken.taken, order.totalUsd);
    }
    const clawback = await this.referrals.onInviteeRefunded(em, {
      inviteeId: order.userId,
      amountCny: order.amountCny,
      amountUsd: order.amountUsd,
      orderNo: order.orderNo,
    });
    const refund = await this.refunds.insert(em, {
      orderNo: order.orderNo,
      userId: order.userId,
      method,
      status: method === RefundMethod.Gateway ? RefundStatus.Pending : RefundStatus.Succeeded,
      amountCny: order.amountCny,
      debitedUsd: taken.taken,
      shortfallUsd: taken.shortfall,
      referrerId: clawback?.referrerId ?? null,
      rewardReversed: clawback?.rewardReversed ?? false,
      rewardTakenUsd: clawback?.takenUsd ?? '0',
      operator: request.operator,
      remark: request.remark,
    });
    this.metrics.refunds.inc({ provider: order.provider, outcome: method === RefundMethod.Gateway ? 'started' : method === RefundMethod.Manual ? 'recorded' : 'external' });
    return refund;
  }

  /** refunding → refunded and the refund succeeded; false when another path finished it first. */
  private async complete(em: EntityManager, refund: PaymentRefund): Promise<boolean> {
    if (!(await this.refunds.finish(em, refund.id, RefundStatus.Succeeded, null))) return false;
    await this.orders.transition(em, 'completeRefund', refund.orderNo);
    return true;
  }

  /** refunding → paid, and everything step 1 took given back by new ledger rows; false when another path finished it first. */
  private async reverse(em: EntityManager, refund: PaymentRefund, reason: string): Promise<boolean> {
    if (!(await this.refunds.finish(em, refund.id, RefundStatus.Reversed, reason))) return false;
    const order = (await this.orders.transition(em, 'reverseRefund', refund.orderNo))!;
    if (!new Money(refund.debitedUsd).isZero()) {
      await this.ledger.credit(em, {
        userId: refund.userId,
        amount: refund.debitedUsd,
        type: LedgerType.Refund,
        operator: 'system',
        remark: `refund of order ${refund.orderNo} reversed: the gateway did not refund it`,
        relatedId: refund.orderNo,
      });
    }
    if (refund.referrerId) {
      await this.referrals.onInviteeRefundReversed(
        em,
        { inviteeId: refund.userId, amountCny: order.amountCny, amountUsd: order.amountUsd, orderNo: refund.orderNo },
        { referrerId: refund.referrerId, rewardReversed: refund.rewardReversed, takenUsd: refund.rewardTakenUsd },
      );
    }
    return true;
  }

  private async current(orderNo: string, refundId: string): Promise<RefundResult> {
    const [order, refunds] = await Promise.all([this.orders.findByOrderNo(orderNo), this.refunds.listForOrder(orderNo)]);
    return { order: order!, refund: refunds.find((r) => r.id === refundId)! };
  }
}
