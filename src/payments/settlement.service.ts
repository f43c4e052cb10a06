import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CampaignsService } from '../campaigns/campaigns.service';
import { AppConfig } from '../common/config/app-config';
import { Money, toUsd } from '../common/money/money';
import { Outbox } from '../events/outbox';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType, REMARK_MAX_LENGTH } from '../ledger/recharge-record.entity';
import { ReferralsService } from '../referrals/referrals.service';
import { canTransition } from './order-lifecycle';
import { PaymentMetrics } from './payment-metrics';
import { OrderStatus } from './payment-order.entity';
import { PaymentOrdersRepository } from './payment-orders.repository';
import { PaymentsException } from './payments.errors';
import { annotateSpan } from '../common/telemetry/telemetry';

/** News that an order was paid: from a verified webhook, a reconciliation query or an admin. */
export interface PaidNotice {
  provider: string;
  orderNo: string;
  tradeNo: string | null;
  /** What was paid, in `currency`: compared exactly with the order's pay_amount and pay_currency. */
  amount: string;
  currency: string;
  /** The gateway's id of this news, recorded once. */
  eventId: string;
  /** Kept on the order (callback_data) for admins. */
  raw: string;
  source: 'webhook' | 'poll' | 'reconcile' | 'cancel' | 'admin';
  /** 'system', or the confirming admin's email; written on the ledger rows. */
  operator: string;
  remark?: string;
  /**
   * 'in_time': the new-user bonus only when the payment came within
   * order_expire_minutes + promotion.late_grace_minutes of the order's
   * creation; 'granted': an admin grants it whenever the payment came.
   */
  bonus?: 'in_time' | 'granted';
}

/** News of a verified payment of another amount than the order asked for. */
const WRONG_AMOUNT_OUTCOMES = ['underpaid', 'overpaid'] as const;

export enum Refusal {
  UnknownOrder = 'unknown_order',
  ProviderMismatch = 'provider_mismatch',
  CurrencyMismatch = 'currency_mismatch',
  AmountMismatch = 'amount_mismatch',
}

/** What one settlement did. */
export interface Credited {
  userId: string;
  amountUsd: string;
  bonusUsd: string;
  referralRewarded: boolean;
}

export type Settlement =
  | ({ outcome: 'credited' } & Credited)
  /** The same payment again (a redelivered callback): nothing to do. */
  | { outcome: 'already_paid' }
  /** Another payment for an order whose payment stands: recorded for admins, never credited. */
  | { outcome: 'duplicate_payment'; status: OrderStatus }
  | { outcome: 'refused'; reason: Refusal; detail: string };

/**
 * The money path: one transaction moves the order to paid (from any unpaid
 * state: the customer's money was taken), credits amount_usd, grants the
 * new-user bonus when the payment came in time, and updates the referral.
 * The conditional transition is the first statement: of any number of
 * copies of one callback, one matches the row and the others wait on its
 * lock, then match nothing and change nothing.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: PaymentOrdersRepository,
    private readonly ledger: LedgerService,
    private readonly campaigns: CampaignsService,
    private readonly referrals: ReferralsService,
    private readonly metrics: PaymentMetrics,
    private readonly config: AppConfig,
    private readonly outbox: Outbox,
  ) {}

  /** Settles a payment in its own transaction, then explains a no-op (redelivery, second payment, refusal). */
  async settlePaid(notice: PaidNotice): Promise<Settlement> {
    annotateSpan({ 'recharge.order_no': notice.orderNo, 'recharge.provider': notice.provider });
    const problem = this.noticeProblem(notice);
    if (problem) return problem;
    const credited = await this.dataSource.transaction((em) => this.applyPaid(em, notice));
    if (!credited) return this.explainNoTransition(notice);
    this.reportCredited(notice, credited);
    return { outcome: 'credited', ...credited };
  }

  /**
   * markPaid and everything it causes, in the caller's transaction. Null when
   * the order is not in an unpaid state (or provider or amount differ).
   */
  async applyPaid(em: EntityManager, notice: PaidNotice): Promise<Credited | null> {
    const order = await this.orders.markPaid(em, {
      orderNo: notice.orderNo,
      provider: notice.provider,
      tradeNo: notice.tradeNo,
      amount: notice.amount,
      currency: notice.currency,
      eventId: notice.eventId,
      raw: notice.raw,
      bonusWindowMinutes: this.config.payment.orderExpireMinutes + this.config.promotion.lateGraceMinutes,
    });
    if (!order) return null;
    await this.ledger.credit(em, {
      userId: order.user_id,
      amount: order.amount_usd,
      type: LedgerType.Payment,
      operator: notice.operator,
      remark: notice.remark ?? `${notice.provider} payment of ${order.amount_cny} CNY${order.pay_currency === 'CNY' ? '' : ` (${order.pay_amount} ${order.pay_currency})`}`,
      relatedId: notice.orderNo,
    });
    const bonusDue = notice.bonus === 'granted' || order.in_time_for_bonus;
    const granted = bonusDue
      ? await this.campaigns.grant(em, {
          userId: order.user_id,
          username: order.username,
          orderNo: notice.orderNo,
          amountCny: order.amount_cny,
          amountUsd: order.amount_usd,
          campaigns: order.campaigns,
          promotionTier: order.promotion_tier,
        })
      : [];
    const bonusUsd = toUsd(granted.reduce((sum, grant) => sum.plus(grant.bonusUsd), new Money(0)));
    if (granted.length > 0) await this.orders.recordBonus(em, order.id, bonusUsd);
    const reward = order.invited
      ? await this.referrals.onInviteePaid(em, { inviteeId: order.user_id, amountCny: order.amount_cny, amountUsd: order.amount_usd })
      : null;
    return { userId: order.user_id, amountUsd: order.amount_usd, bonusUsd: granted.length > 0 ? bonusUsd : '0', referralRewarded: reward !== null };
  }

  /**
   * The notice for an admin's confirmation of an unpaid order (same code
   * path as a webhook; the admin's email on the ledger rows). 404 for no
   * order, 409 for one whose payment already stands.
   */
  async confirmationByHand(
    orderNo: string,
    admin: string,
    remark: string,
    grantBonus: boolean,
  ): Promise<{ notice: PaidNotice; status: OrderStatus }> {
    const order = await this.orders.findByOrderNo(orderNo);
    if (!order) throw PaymentsException.orderNotFound(orderNo);
    if (!canTransition('markPaid', order.status)) throw PaymentsException.cannotConfirm(orderNo, order.status);
    const notice: PaidNotice = {
      provider: order.provider,
      orderNo,
      tradeNo: null,
      amount: order.payAmount,
      currency: order.payCurrency,
      eventId: `admin-confirm:${orderNo}`,
      raw: JSON.stringify({ confirmedBy: admin, remark, at: new Date().toISOString() }),
      source: 'admin',
      operator: admin,
      remark: `confirmed by hand: ${remark}`.slice(0, REMARK_MAX_LENGTH),
      bonus: grantBonus ? 'granted' : 'in_time',
    };
    return { notice, status: order.status };
  }

  /**
   * An admin refunded a second payment, or a payment of another amount, at
   * the gateway: its events stop needing attention. 404 for no order, 409
   * when none is open.
   */
  async resolveDuplicatePayments(em: EntityManager, orderNo: string, admin: string): Promise<string[]> {
    if (!(await this.orders.findByOrderNo(orderNo, em))) throw PaymentsException.orderNotFound(orderNo);
    const resolved = await this.orders.resolveAttention(em, orderNo, admin);
    if (resolved.length === 0) throw PaymentsException.noDuplicatePayment(orderNo);
    return resolved;
  }

  /** An admin confirmed an order by hand: the payments of another amount recorded on it are taken as accepted. */
  acceptWrongAmounts(em: EntityManager, orderNo: string, admin: string): Promise<string[]> {
    return this.orders.resolveAttention(em, orderNo, admin, WRONG_AMOUNT_OUTCOMES);
  }

  /** Why a confirmation matched nothing: the order's payment came meanwhile. */
  async confirmationConflict(orderNo: string): Promise<PaymentsException> {
    const order = await this.orders.findByOrderNo(orderNo);
    return PaymentsException.cannotConfirm(orderNo, order?.status ?? 'gone');
  }

  /** Metrics and the log line of a committed settlement. */
  reportCredited(notice: PaidNotice, credited: Credited): void {
    this.metrics.ordersPaid.inc({ provider: notice.provider, source: notice.source });
    this.metrics.creditedUsd.inc({ provider: notice.provider, kind: 'payment' }, Number(credited.amountUsd));
    if (credited.bonusUsd !== '0') this.metrics.creditedUsd.inc({ provider: notice.provider, kind: 'bonus' }, Number(credited.bonusUsd));
    this.logger.log(
      { orderNo: notice.orderNo, provider: notice.provider, source: notice.source, amountUsd: credited.amountUsd, bonusUsd: credited.bonusUsd },
      'order paid and credited',
    );
  }

  /** A gateway reports a payment failed or a session expired: a still-pending order follows. */
  async settleClosed(provider: string, orderNo: string, eventId: string, transition: 'fail' | 'expire'): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const moved = await this.orders.transition(em, transition, orderNo, { provider });
      await this.orders.recordEvent(em, { provider, eventId, orderNo, outcome: transition === 'fail' ? 'failed' : 'expired' });
      return moved !== null;
    });
  }

  /**
   * Money arrived at a gateway for no order it can name (a transfer of an
   * amount no open order asked for): recorded once for admins, never
   * credited by guess. False when it was recorded before.
   */
  async recordUnmatched(provider: string, event: { eventId: string; reason: string; raw: string }): Promise<boolean> {
    const recorded = await this.dataSource.transaction((em) =>
      this.orders.recordEvent(em, { provider, eventId: event.eventId, orderNo: null, outcome: 'unmatched_payment', payload: event.raw }),
    );
    if (recorded) {
      this.metrics.unmatchedPayments.inc({ provider });
      this.logger.error({ provider, eventId: event.eventId, reason: event.reason }, 'a payment that matches no order: not credited, an admin must look at it');
    }
    return recorded;
  }

  private noticeProblem(notice: PaidNotice): Settlement | null {
    if (!/^\d+(\.\d{1,8})?$/.test(notice.amount)) {
      return this.refuse(notice, Refusal.AmountMismatch, `paid amount "${notice.amount}" is not an amount`);
    }
    return null;
  }

  /**
   * Why markPaid matched nothing: the same payment again (fine), a second
   * payment for an order whose payment stands (recorded, counted, shown to
   * admins, never credited), or a refusal to log.
   */
  private async explainNoTransition(notice: PaidNotice): Promise<Settlement> {
    const order = await this.orders.findByOrderNo(notice.orderNo);
    if (!order) return this.refuse(notice, Refusal.UnknownOrder, `no order ${notice.orderNo}`);
    if (order.provider !== notice.provider) {
      return this.refuse(notice, Refusal.ProviderMismatch, `order ${notice.orderNo} belongs to ${order.provider}`);
    }
    if (notice.currency.toUpperCase() !== order.payCurrency) {
      return this.refuse(notice, Refusal.CurrencyMismatch, `paid in ${notice.currency}, order ${notice.orderNo} asked for ${order.payCurrency}`);
    }
    if (!new Money(order.payAmount).eq(notice.amount)) {
      return this.refuseWrongAmount(notice, order.payAmount, order.payCurrency);
    }
    const samePayment = notice.tradeNo === null || order.tradeNo === null || order.tradeNo === notice.tradeNo;
    if (samePayment) return { outcome: 'already_paid' };

    const recorded = await this.dataSource.transaction(async (em) => {
      const first = await this.orders.recordEvent(em, {
        provider: notice.provider,
        eventId: notice.eventId,
        orderNo: notice.orderNo,
        outcome: 'duplicate_payment',
        payload: notice.raw,
      });
      if (first) {
        await this.outbox.emit(em, 'order.duplicate_payment', order.userId, {
          orderNo: notice.orderNo,
          status: order.status,
          provider: notice.provider,
          tradeNo: notice.tradeNo,
          amount: notice.amount,
          currency: notice.currency.toUpperCase(),
        });
      }
      return first;
    });
    if (recorded) {
      this.metrics.duplicatePayments.inc({ provider: notice.provider });
      this.logger.error(
        { orderNo: notice.orderNo, provider: notice.provider, tradeNo: notice.tradeNo, status: order.status },
        'a second payment for an order whose payment stands: not credited, refund it at the gateway',
      );
    }
    return { outcome: 'duplicate_payment', status: order.status };
  }

  /**
   * A verified payment of another amount than the order asked for: the
   * order is left unchanged, and the payment is recorded on it for admins
   * (the order needs attention; an admin confirms it by hand or refunds it).
   */
  private async refuseWrongAmount(notice: PaidNotice, asked: string, currency: string): Promise<Settlement> {
    const detail = `paid ${notice.amount} ${currency} for an order of ${asked} ${currency}`;
    await this.dataSource.transaction((em) =>
      this.orders.recordEvent(em, {
        provider: notice.provider,
        eventId: notice.eventId,
        orderNo: notice.orderNo,
        outcome: new Money(notice.amount).lt(asked) ? WRONG_AMOUNT_OUTCOMES[0] : WRONG_AMOUNT_OUTCOMES[1],
        payload: notice.raw,
      }),
    );
    return this.refuse(notice, Refusal.AmountMismatch, detail);
  }

  private refuse(notice: PaidNotice, reason: Refusal, detail: string): Settlement {
    this.logger.error({ orderNo: notice.orderNo, provider: notice.provider, source: notice.source, reason, detail }, 'payment refused');
    return { outcome: 'refused', reason, detail };
  }
}
