import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { returning } from '../common/database/returning';
import { Money } from '../common/money/money';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType } from '../ledger/recharge-record.entity';
import { PromotionsService } from '../promotions/promotions.service';
import { ReferralsService } from '../referrals/referrals.service';
import { PaymentMetrics } from './payment-metrics';
import { OrderStatus, ProviderName } from './payment-order.entity';

/** News that an order was paid: from a verified webhook, a reconciliation query or an admin. */
export interface PaidNotice {
  provider: ProviderName;
  orderNo: string;
  tradeNo: string | null;
  amountCny: string;
  currency: string;
  /** The gateway's id of this news, recorded once. */
  eventId: string;
  /** Kept on the order (callback_data) for admins. */
  raw: string;
  source: 'webhook' | 'reconcile' | 'admin';
  /** 'system', or the confirming admin's email; written on the ledger rows. */
  operator: string;
  remark?: string;
}

export enum Refusal {
  UnknownOrder = 'unknown_order',
  ProviderMismatch = 'provider_mismatch',
  CurrencyMismatch = 'currency_mismatch',
  AmountMismatch = 'amount_mismatch',
  OrderClosed = 'order_closed',
}

export type Settlement =
  | { outcome: 'credited'; userId: string; amountUsd: string; bonusUsd: string; referralRewarded: boolean }
  | { outcome: 'already_paid' }
  | { outcome: 'refused'; reason: Refusal; detail: string };

/**
 * The conditional transition, first in the transaction, with its checks
 * (provider, exact amount) part of the match. In the same statement: the
 * gateway's event id is recorded, and whether the payer was invited is read,
 * so an uninvited payer costs no referral statement.
 */
const MARK_PAID: PreparedStatement = {
  name: 'payment-mark-paid',
  text: `WITH paid AS (
           UPDATE payment_orders
              SET status = 'paid', trade_no = COALESCE($3, trade_no), callback_data = $4,
                  callback_at = NOW(), paid_at = NOW(), updated_at = NOW()
            WHERE order_no = $1 AND provider = $2 AND amount_cny = $5::numeric AND status IN ('pending', 'expired')
            RETURNING id, user_id, username, amount_cny, amount_usd, promotion_tier
         ), event AS (
           INSERT INTO payment_webhook_events (provider, event_id, order_no, outcome)
           SELECT $2, $6, $1, 'credited' FROM paid
           ON CONFLICT (provider, event_id) DO NOTHING
         )
         SELECT paid.*, EXISTS (SELECT 1 FROM referral_invites i WHERE i.invitee_id = paid.user_id) AS invited FROM paid`,
};

const RECORD_EVENT: PreparedStatement = {
  name: 'payment-record-event',
  text: `INSERT INTO payment_webhook_events (provider, event_id, order_no, outcome) VALUES ($1, $2, $3, $4)
         ON CONFLICT (provider, event_id) DO NOTHING`,
};

interface TransitionedOrder {
  id: string;
  user_id: string;
  username: string;
  amount_cny: string;
  amount_usd: string;
  promotion_tier: number | null;
  invited: boolean;
}

/**
 * The money path (SPEC §5.5): one transaction moves the order
 * pending|expired → paid, credits amount_usd, grants the new-user bonus and
 * updates the referral. The conditional transition is the first statement:
 * of any number of copies of one callback, one matches the row and the
 * others wait on its lock, then match nothing and change nothing.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly promotions: PromotionsService,
    private readonly referrals: ReferralsService,
    private readonly metrics: PaymentMetrics,
  ) {}

  /**
   * Settles a paid order. `alsoInTransaction` runs inside the same
   * transaction after the credit (an admin's confirmation writes its audit
   * record there, so both commit or neither does).
   */
  async settlePaid(notice: PaidNotice, alsoInTransaction?: (em: EntityManager) => Promise<void>): Promise<Settlement> {
    if (notice.currency !== 'cny') {
      return this.refuse(notice, Refusal.CurrencyMismatch, `paid in ${notice.currency}, orders are in cny`);
    }
    if (!/^\d+(\.\d{1,2})?$/.test(notice.amountCny)) {
      return this.refuse(notice, Refusal.AmountMismatch, `paid amount "${notice.amountCny}" is not a CNY amount`);
    }

    const settled = await this.dataSource.transaction(async (em) => {
      const [order] = await runPrepared<TransitionedOrder>(em, MARK_PAID, [
        notice.orderNo,
        notice.provider,
        notice.tradeNo,
        notice.raw,
        notice.amountCny,
        notice.eventId,
      ]);
      if (!order) return null;
      await this.ledger.credit(em, {
        userId: order.user_id,
        amount: order.amount_usd,
        type: LedgerType.Payment,
        operator: notice.operator,
        remark: notice.remark ?? `${notice.provider} payment of ${order.amount_cny} CNY`,
        relatedId: notice.orderNo,
      });
      const bonus = await this.promotions.grant(em, {
        userId: order.user_id,
        username: order.username,
        orderNo: notice.orderNo,
        amountCny: order.amount_cny,
        amountUsd: order.amount_usd,
        tier: order.promotion_tier,
      });
      if (bonus) {
        await em.query(
          `UPDATE payment_orders SET bonus_usd = $2, total_usd = amount_usd + $2::numeric, promotion_used = TRUE WHERE id = $1`,
          [order.id, bonus.bonusUsd],
        );
      }
      const reward = order.invited
        ? await this.referrals.onInviteePaid(em, { inviteeId: order.user_id, amountCny: order.amount_cny, amountUsd: order.amount_usd })
        : null;
      await alsoInTransaction?.(em);
      return { order, bonusUsd: bonus?.bonusUsd ?? '0', referralRewarded: reward !== null };
    });

    if (!settled) return this.explainNoTransition(notice);
    this.metrics.ordersPaid.inc({ provider: notice.provider, source: notice.source });
    this.metrics.creditedUsd.inc({ provider: notice.provider, kind: 'payment' }, Number(settled.order.amount_usd));
    if (settled.bonusUsd !== '0') this.metrics.creditedUsd.inc({ provider: notice.provider, kind: 'bonus' }, Number(settled.bonusUsd));
    this.logger.log(
      { orderNo: notice.orderNo, provider: notice.provider, source: notice.source, amountUsd: settled.order.amount_usd, bonusUsd: settled.bonusUsd },
      'order paid and credited',
    );
    return {
      outcome: 'credited',
      userId: settled.order.user_id,
      amountUsd: settled.order.amount_usd,
      bonusUsd: settled.bonusUsd,
      referralRewarded: settled.referralRewarded,
    };
  }

  /** A gateway reports a payment failed or a session expired: a still-pending order follows. */
  async settleClosed(provider: ProviderName, orderNo: string, eventId: string, status: OrderStatus.Failed | OrderStatus.Expired): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const moved = await returning(
        em,
        `UPDATE payment_orders SET status = $3, updated_at = NOW() WHERE order_no = $1 AND provider = $2 AND status = 'pending' RETURNING id`,
        [orderNo, provider, status],
      );
      await runPrepared(em, RECORD_EVENT, [provider, eventId, orderNo, status]);
      return moved.length === 1;
    });
  }

  /** Why the conditional transition matched nothing: already paid (fine), or a refusal to log. */
  private async explainNoTransition(notice: PaidNotice): Promise<Settlement> {
    const [order] = await this.dataSource.query('SELECT provider, amount_cny, status FROM payment_orders WHERE order_no = $1', [
      notice.orderNo,
    ]);
    if (!order) return this.refuse(notice, Refusal.UnknownOrder, `no order ${notice.orderNo}`);
    if (order.provider !== notice.provider) {
      return this.refuse(notice, Refusal.ProviderMismatch, `order ${notice.orderNo} belongs to ${order.provider}`);
    }
    if (!new Money(order.amount_cny).eq(notice.amountCny)) {
      return this.refuse(notice, Refusal.AmountMismatch, `paid ${notice.amountCny} CNY for an order of ${order.amount_cny} CNY`);
    }
    if (order.status === OrderStatus.Paid) return { outcome: 'already_paid' };
    return this.refuse(notice, Refusal.OrderClosed, `order ${notice.orderNo} is ${order.status}`);
  }

  private refuse(notice: PaidNotice, reason: Refusal, detail: string): Settlement {
    this.logger.error({ orderNo: notice.orderNo, provider: notice.provider, source: notice.source, reason, detail }, 'payment refused');
    return { outcome: 'refused', reason, detail };
  }
}
