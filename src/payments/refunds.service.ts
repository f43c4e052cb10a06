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
import { PaymentAuditTrail } from './payment-audit-trail';
import { AcceptedRefund, GatewayRefundState, GatewayRefusal, PaymentProvider } from './payment-provider';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { PaymentRefund, RefundMethod, RefundStatus } from './payment-refund.entity';
import { GatewayWord, PaymentRefundsRepository } from './payment-refunds.repository';
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
 *    given back by compensating ledger rows. Accepted but under way at the
 *    gateway (a card refund answered `pending`) → stays refunding until the
 *    gateway's news (`followRefundUpdate`) or the reconcile job's query says
 *    succeeded or failed. Unknown (timeout, 5xx, crash) → stays refunding; the
 *    reconcile job calls `resumePending`.
 * 4. A refund the gateway confirmed and then failed (a card refund can fail
 *    days later) → refunded → paid, given back the same way, the order
 *    flagged for an admin and the move audited (operator `gateway`).
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
    private readonly auditTrail: PaymentAuditTrail,
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

  /**
   * Steps 2 and 3: asks the gateway and confirms or compensates. A refund the
   * gateway already accepted as under way is asked about by its id instead of
   * being sent again. A refund that is no longer pending is returned as it is.
   */
  async settle(refund: PaymentRefund): Promise<RefundResult> {
    const order = (await this.orders.findByOrderNo(refund.orderNo))!;
    if (refund.status !== RefundStatus.Pending) return { order, refund };
    const provider = this.providers.get(order.provider);
    if (!provider?.configured) {
      await this.refunds.noteUnknownOutcome(refund.id, `the ${order.provider} gateway is not configured`);
      return this.current(refund.orderNo, refund.id);
    }

    await this.refunds.noteAttempt(refund.id);
    let answer: AcceptedRefund | (GatewayRefundState & { gatewayRefundId: string });
    try {
      answer = await this.askGateway(provider, order, refund);
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof GatewayRefusal) {
        await this.dataSource.transaction((em) => this.reverse(em, refund, reason, {}));
        this.metrics.refunds.inc({ provider: order.provider, outcome: 'reversed' });
        this.logger.warn({ orderNo: order.orderNo, provider: order.provider, reason }, 'refund refused by the gateway; the debit was given back');
      } else {
        await this.refunds.noteUnknownOutcome(refund.id, reason);
        this.metrics.refunds.inc({ provider: order.provider, outcome: 'unknown' });
        this.logger.warn({ orderNo: order.orderNo, provider: order.provider, reason }, 'refund outcome unknown; it stays refunding and is retried');
      }
      return this.current(refund.orderNo, refund.id);
    }
    const word: GatewayWord = { refundId: answer.gatewayRefundId, status: answer.gatewayStatus };
    if (answer.status === 'pending') {
      await this.refunds.noteUnderWay(this.dataSource.manager, refund.id, word);
      this.metrics.refunds.inc({ provider: order.provider, outcome: 'pending' });
      this.logger.log(
        { orderNo: order.orderNo, provider: order.provider, gatewayStatus: answer.gatewayStatus },
        'refund under way at the gateway; it stays refunding',
      );
    } else if (answer.status === 'failed') {
      const reason = 'reason' in answer && answer.reason ? answer.reason : `${order.provider}: refund ${answer.gatewayStatus}`;
      await this.dataSource.transaction((em) => this.reverse(em, refund, reason, word));
      this.metrics.refunds.inc({ provider: order.provider, outcome: 'reversed' });
      this.logger.warn({ orderNo: order.orderNo, provider: order.provider, reason }, 'refund failed at the gateway; the debit was given back');
    } else {
      await this.dataSource.transaction((em) => this.complete(em, refund, word));
      this.metrics.refunds.inc({ provider: order.provider, outcome: 'succeeded' });
    }
    return this.current(refund.orderNo, refund.id);
  }

  /**
   * The gateway call of step 2: a refund the gateway holds under its own id
   * is asked about (queryRefund); any other is sent, with an
   * idempotency key derived from the order and the refund.
   */
  private async askGateway(
    provider: PaymentProvider,
    order: PaymentOrder,
    refund: PaymentRefund,
  ): Promise<AcceptedRefund | (GatewayRefundState & { gatewayRefundId: string })> {
    if (refund.gatewayRefundId) {
      return { ...(await provider.queryRefund(refund.gatewayRefundId)), gatewayRefundId: refund.gatewayRefundId };
    }
    return provider.refund({ orderNo: order.orderNo, tradeNo: order.tradeNo, amountCny: order.amountCny }, refund.amountCny, {
      idempotencyKey: `refund-${order.orderNo}-${refund.id}`,
      retry: refund.attempts > 0,
    });
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
    else await this.reverse(em, pending, `${admin} found that the gateway did not refund`, {});
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
        if (pending?.gatewayStatus) {
          // The gateway accepted the refund as under way (its word is kept only then): a payment reads refunded as soon as
          // the refund exists, yet the refund may still fail. The refund's own news decides.
          outcome = 'refund_still_pending';
        } else {
          outcome = pending && (await this.complete(em, pending)) ? 'refund_confirmed' : 'no_change';
        }
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

  /**
   * News of one refund from the gateway (its refund events), in one transaction with the refund's row
   * locked, so any number of copies, sequential or concurrent, move it once:
   * - succeeded: a refund under way is confirmed (refunding → refunded);
   * - failed before it was confirmed: reversed as a refusal is (→ paid);
   * - failed after it was confirmed (the order is refunded): the debit and the
   *   invite reward's reversal are given back by new ledger rows, the order is
   *   paid again and flagged for an admin with the gateway's reason, the
   *   refund marked failed, the move audited (operator `gateway`);
   * - still under way: the gateway's word is kept.
   * A refund that is not ours (an unknown id naming no order with a refund)
   * is recorded and ignored.
   */
  async followRefundUpdate(event: {
    provider: string;
    eventId: string;
    gatewayRefundId: string;
    orderNo: string | null;
    state: GatewayRefundState;
    raw: string;
  }): Promise<string> {
    const { state } = event;
    const word: GatewayWord = { refundId: event.gatewayRefundId, status: state.gatewayStatus };
    const reason = state.reason ?? `${event.provider}: refund ${state.gatewayStatus}`;
    const { outcome, orderNo } = await this.dataSource.transaction(async (em) => {
      const refund = await this.refunds.lockForGatewayNews(em, event.provider, event.gatewayRefundId, event.orderNo);
      let outcome: string;
      if (!refund) {
        outcome = 'unknown_refund';
      } else if (state.status === 'pending') {
        if (refund.status === RefundStatus.Pending) await this.refunds.noteUnderWay(em, refund.id, word);
        outcome = refund.status === RefundStatus.Pending ? 'refund_pending' : 'no_change';
      } else if (state.status === 'succeeded') {
        outcome = refund.status === RefundStatus.Pending && (await this.complete(em, refund, word)) ? 'refund_confirmed' : 'no_change';
      } else if (refund.status === RefundStatus.Pending) {
        outcome = (await this.reverse(em, refund, reason, word)) ? 'refund_reversed' : 'no_change';
      } else if (refund.status === RefundStatus.Succeeded) {
        outcome = (await this.failAfterSuccess(em, refund, reason, word)) ? 'refund_failed' : 'no_change';
      } else {
        outcome = 'no_change';
      }
      // A refund_failed row is what flags the order for an admin until it is marked dealt with.
      await this.orders.recordEvent(em, {
        provider: event.provider,
        eventId: event.eventId,
        orderNo: refund?.orderNo ?? null,
        outcome,
        payload: event.raw,
      });
      return { outcome, orderNo: refund?.orderNo ?? null };
    });
    const log = { provider: event.provider, orderNo, gatewayRefundId: event.gatewayRefundId, gatewayStatus: state.gatewayStatus, outcome };
    if (outcome === 'unknown_refund') this.logger.warn(log, 'refund news about no refund of ours; ignored');
    if (outcome === 'refund_confirmed') this.metrics.refunds.inc({ provider: event.provider, outcome: 'succeeded' });
    if (outcome === 'refund_reversed') {
      this.metrics.refunds.inc({ provider: event.provider, outcome: 'reversed' });
      this.logger.warn({ ...log, reason }, 'refund failed at the gateway; the debit was given back');
    }
    if (outcome === 'refund_failed') {
      this.metrics.refunds.inc({ provider: event.provider, outcome: 'failed_after_success' });
      this.logger.error(
        { ...log, reason },
        'a confirmed refund failed at the gateway; the debit was given back and the order is paid again, for an admin',
      );
    }
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
  private async complete(em: EntityManager, refund: PaymentRefund, word: GatewayWord = {}): Promise<boolean> {
    if (!(await this.refunds.finish(em, refund.id, RefundStatus.Succeeded, null, word))) return false;
    await this.orders.transition(em, 'completeRefund', refund.orderNo);
    return true;
  }

  /** refunding → paid, and everything step 1 took given back by new ledger rows; false when another path finished it first. */
  private async reverse(em: EntityManager, refund: PaymentRefund, reason: string, word: GatewayWord): Promise<boolean> {
    if (!(await this.refunds.finish(em, refund.id, RefundStatus.Reversed, reason, word))) return false;
    const order = (await this.orders.transition(em, 'reverseRefund', refund.orderNo))!;
    await this.giveBack(em, refund, order, 'system', `refund of order ${refund.orderNo} reversed: the gateway did not refund it`);
    return true;
  }

  /**
   * refunded → paid: the gateway failed a refund it had confirmed. Everything
   * step 1 took is given back as a refusal's reversal gives it, the refund is
   * marked failed with the gateway's reason, the move is audited (operator
   * `gateway`); false when another copy of the news did it first.
   */
  private async failAfterSuccess(em: EntityManager, refund: PaymentRefund, reason: string, word: GatewayWord): Promise<boolean> {
    if (!(await this.refunds.finish(em, refund.id, RefundStatus.Failed, reason, word))) return false;
    const order = await this.orders.transition(em, 'failRefund', refund.orderNo);
    // A succeeded refund's order is refunded (the ledger audit's 4c); anything else is a broken invariant, not news to apply.
    if (!order) throw new Error(`refund ${refund.id} of order ${refund.orderNo} succeeded, but the order is not refunded`);
    await this.giveBack(em, refund, order, 'gateway', `refund of order ${refund.orderNo} failed at the gateway after it was confirmed: ${reason}`);
    await this.auditTrail.recordGatewayAction(em, {
      action: 'order.refund_failed',
      orderNo: refund.orderNo,
      remark: reason.slice(0, 500),
      before: { status: OrderStatus.Refunded, refundId: refund.id, refundStatus: RefundStatus.Succeeded },
      after: {
        status: OrderStatus.Paid,
        refundId: refund.id,
        refundStatus: RefundStatus.Failed,
        gatewayRefundId: word.refundId ?? refund.gatewayRefundId,
        gatewayStatus: word.status ?? null,
        givenBackUsd: refund.debitedUsd,
        rewardGivenBackUsd: refund.rewardReversed ? refund.rewardTakenUsd : '0',
      },
    });
    return true;
  }

  /** New ledger rows giving back what a refund's step 1 took: the user's debit, and the referrer's reversed reward. */
  private async giveBack(em: EntityManager, refund: PaymentRefund, order: PaymentOrder, operator: string, remark: string): Promise<void> {
    if (!new Money(refund.debitedUsd).isZero()) {
      await this.ledger.credit(em, {
        userId: refund.userId,
        amount: refund.debitedUsd,
        type: LedgerType.Refund,
        operator,
        remark: remark.slice(0, 500),
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
  }

  private async current(orderNo: string, refundId: string): Promise<RefundResult> {
    const [order, refunds] = await Promise.all([this.orders.findByOrderNo(orderNo), this.refunds.listForOrder(orderNo)]);
    return { order: order!, refund: refunds.find((r) => r.id === refundId)! };
  }
}
