import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainException, ErrorKind } from '../common/errors/domain.exception';
import { returning } from '../common/database/returning';
import { escapeLike } from '../common/database/sql';
import { Page, PageQueryDto, pageOf } from '../common/http/page.dto';
import { Money, toUsd } from '../common/money/money';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType, RechargeRecord } from '../ledger/recharge-record.entity';
import { OrderStatus, PaymentOrder, ProviderName } from '../payments/payment-order.entity';
import { PaymentProviderRegistry } from '../payments/payment-provider.registry';
import { PaymentsException } from '../payments/payments.errors';
import { Settlement, SettlementService } from '../payments/settlement.service';
import { AuthenticatedUser } from '../users/auth/authenticated-user';
import { AdminAuditService } from './admin-audit.service';
import { AdminErrorCode } from './admin.errors';

export interface AdminOrderFilter {
  status?: OrderStatus;
  provider?: ProviderName;
  userId?: string;
  email?: string;
  /** An order_no or trade_no, exact or as a prefix. */
  search?: string;
  createdFrom?: Date;
  createdTo?: Date;
  paidFrom?: Date;
  paidTo?: Date;
}

export interface AdminOrderDetail {
  order: PaymentOrder;
  userEmail: string | null;
  callbackData: string | null;
  ledger: RechargeRecord[];
  events: { eventId: string; outcome: string; createdAt: Date }[];
}

export interface RefundOutcome {
  order: PaymentOrder;
  debitedUsd: string;
  /** What the user had already spent and could not be taken back (only with force). */
  shortfallUsd: string;
}

export interface PaymentStats {
  windows: { window: 'today' | '7d' | '30d'; provider: string; orders: number; amountCny: string; amountUsd: string; bonusUsd: string }[];
  daily: { day: string; orders: number; amountCny: string; amountUsd: string; bonusUsd: string }[];
  byStatus: { status: string; count: number }[];
  promotion: { granted: number; bonusUsd: string };
  referral: { invites: number; rewarded: number; rewardUsd: string };
}

/**
 * Admin work on orders (SPEC §5.7). A confirmation goes through the webhook's
 * own settlement code; every action writes its audit record in the
 * transaction that makes the change.
 */
@Injectable()
export class AdminPaymentsService {
  private readonly logger = new Logger(AdminPaymentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settlement: SettlementService,
    private readonly providers: PaymentProviderRegistry,
    private readonly ledger: LedgerService,
    private readonly audit: AdminAuditService,
  ) {}

  async list(filter: AdminOrderFilter, page: PageQueryDto): Promise<Page<PaymentOrder & { userEmail: string }>> {
    const query = this.dataSource
      .getRepository(PaymentOrder)
      .createQueryBuilder('o')
      .innerJoin('users', 'u', 'u.id = o.user_id')
      .addSelect('u.email', 'user_email');
    if (filter.status) query.andWhere('o.status = :status', { status: filter.status });
    if (filter.provider) query.andWhere('o.provider = :provider', { provider: filter.provider });
    if (filter.userId) query.andWhere('o.user_id = :userId', { userId: filter.userId });
    if (filter.email) query.andWhere('u.email = :email', { email: filter.email.trim().toLowerCase() });
    if (filter.search) {
      query.andWhere('(o.order_no LIKE :prefix OR o.trade_no LIKE :prefix)', { prefix: `${escapeLike(filter.search.trim())}%` });
    }
    if (filter.createdFrom) query.andWhere('o.created_at >= :createdFrom', { createdFrom: filter.createdFrom });
    if (filter.createdTo) query.andWhere('o.created_at < :createdTo', { createdTo: filter.createdTo });
    if (filter.paidFrom) query.andWhere('o.paid_at >= :paidFrom', { paidFrom: filter.paidFrom });
    if (filter.paidTo) query.andWhere('o.paid_at < :paidTo', { paidTo: filter.paidTo });
    const total = await query.getCount();
    const { entities, raw } = await query
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .offset((page.page - 1) * page.pageSize)
      .limit(page.pageSize)
      .getRawAndEntities();
    const items = entities.map((order, i) => Object.assign(order, { userEmail: raw[i].user_email as string }));
    return pageOf(items, total, page);
  }

  async detail(orderNo: string): Promise<AdminOrderDetail> {
    const order = await this.dataSource.getRepository(PaymentOrder).findOneBy({ orderNo });
    if (!order) throw PaymentsException.orderNotFound(orderNo);
    const [extra] = await this.dataSource.query(
      `SELECT o.callback_data, u.email FROM payment_orders o LEFT JOIN users u ON u.id = o.user_id WHERE o.id = $1`,
      [order.id],
    );
    const ledger = await this.dataSource
      .getRepository(RechargeRecord)
      .find({ where: { relatedId: orderNo, userId: order.userId }, order: { id: 'ASC' } });
    const events: { event_id: string; outcome: string; created_at: Date }[] = await this.dataSource.query(
      `SELECT event_id, outcome, created_at FROM payment_webhook_events WHERE order_no = $1 ORDER BY id`,
      [orderNo],
    );
    return {
      order,
      userEmail: extra?.email ?? null,
      callbackData: extra?.callback_data ?? null,
      ledger,
      events: events.map((e) => ({ eventId: e.event_id, outcome: e.outcome, createdAt: e.created_at })),
    };
  }

  /** Confirms a pending or expired order by hand, through the webhook's settlement path. */
  async confirm(admin: AuthenticatedUser, orderNo: string, remark: string): Promise<Settlement> {
    const order = await this.dataSource.getRepository(PaymentOrder).findOneBy({ orderNo });
    if (!order) throw PaymentsException.orderNotFound(orderNo);
    if (order.status !== OrderStatus.Pending && order.status !== OrderStatus.Expired) {
      throw new DomainException(
        AdminErrorCode.CannotConfirm,
        `order ${orderNo} is ${order.status}; only pending or expired orders can be confirmed`,
        ErrorKind.Conflict,
      );
    }
    const result = await this.settlement.settlePaid(
      {
        provider: order.provider,
        orderNo,
        tradeNo: null,
        amountCny: order.amountCny,
        currency: 'cny',
        eventId: `admin-confirm:${orderNo}`,
        raw: JSON.stringify({ confirmedBy: admin.email, remark, at: new Date().toISOString() }),
        source: 'admin',
        operator: admin.email,
        remark: `confirmed by hand: ${remark}`,
      },
      (em) =>
        this.audit.record(em, admin, {
          action: 'order.confirm',
          targetType: 'payment_order',
          targetId: orderNo,
          remark,
          before: { status: order.status },
          after: { status: OrderStatus.Paid },
        }),
    );
    if (result.outcome === 'refused') {
      throw new DomainException(AdminErrorCode.CannotConfirm, result.detail, ErrorKind.Conflict);
    }
    if (result.outcome === 'already_paid') {
      throw new DomainException(AdminErrorCode.CannotConfirm, `order ${orderNo} was paid meanwhile`, ErrorKind.Conflict);
    }
    return result;
  }

  /**
   * Refunds a paid order: the gateway first (outside any transaction; Stripe
   * with an idempotency key, so a retried refund refunds once), then in one
   * transaction the order → refunded, the user debited what the order
   * credited (payment and bonus) as a `refund` row, and the audit record.
   * A balance that no longer covers it is refused unless `force`, which takes
   * what is left and records the shortfall.
   */
  async refund(admin: AuthenticatedUser, orderNo: string, remark: string, force: boolean): Promise<RefundOutcome> {
    const order = await this.dataSource.getRepository(PaymentOrder).findOneBy({ orderNo });
    if (!order) throw PaymentsException.orderNotFound(orderNo);
    if (order.status !== OrderStatus.Paid) {
      throw new DomainException(
        AdminErrorCode.CannotRefund,
        `order ${orderNo} is ${order.status}; only paid orders can be refunded`,
        ErrorKind.Conflict,
      );
    }
    const balance = await this.ledger.balanceOf(order.userId);
    if (!force && new Money(balance).lt(order.totalUsd)) throw this.balanceTooLow(orderNo, balance, order.totalUsd);
    // A refunded order must have its refund row (SPEC §5.8 #4), and a ledger row cannot be zero.
    if (new Money(balance).isZero()) throw this.balanceTooLow(orderNo, balance, order.totalUsd);

    const provider = this.providers.get(order.provider);
    try {
      await provider?.refund({ orderNo, tradeNo: order.tradeNo, amountCny: order.amountCny }, order.amountCny);
    } catch (error) {
      this.logger.error({ orderNo, provider: order.provider, err: error }, 'gateway refund failed');
      throw new DomainException(
        AdminErrorCode.GatewayRefundFailed,
        `the ${order.provider} gateway did not refund: ${(error as Error).message}; nothing was changed`,
        ErrorKind.Upstream,
      );
    }

    return this.dataSource.transaction(async (em) => {
      const moved = await returning(
        em,
        `UPDATE payment_orders SET status = 'refunded', updated_at = NOW() WHERE id = $1 AND status = 'paid' RETURNING id`,
        [order.id],
      );
      if (moved.length === 0) {
        throw new DomainException(AdminErrorCode.CannotRefund, `order ${orderNo} changed meanwhile`, ErrorKind.Conflict);
      }
      const [{ balance: current }] = await em.query('SELECT balance FROM users WHERE id = $1 FOR UPDATE', [order.userId]);
      const owed = new Money(order.totalUsd);
      const debit = Money.min(owed, current);
      if (!force && debit.lt(owed)) throw this.balanceTooLow(orderNo, current, order.totalUsd);
      const shortfall = toUsd(owed.minus(debit));
      if (debit.isZero()) throw this.balanceTooLow(orderNo, current, order.totalUsd);
      await this.ledger.debit(em, {
        userId: order.userId,
        amount: toUsd(debit),
        type: LedgerType.Refund,
        operator: admin.email,
        remark: new Money(shortfall).isZero() ? `refund: ${remark}` : `refund: ${remark} (shortfall ${shortfall} USD already spent)`,
        relatedId: orderNo,
      });
      await this.audit.record(em, admin, {
        action: 'order.refund',
        targetType: 'payment_order',
        targetId: orderNo,
        remark,
        before: { status: OrderStatus.Paid, balance: current },
        after: { status: OrderStatus.Refunded, debitedUsd: toUsd(debit), shortfallUsd: shortfall, force },
      });
      const refunded = await em.findOneByOrFail(PaymentOrder, { id: order.id });
      return { order: refunded, debitedUsd: toUsd(debit), shortfallUsd: shortfall };
    });
  }

  async stats(): Promise<PaymentStats> {
    const windows = await this.dataSource.query(
      `SELECT w.name AS window, o.provider, COUNT(*)::int AS orders,
              SUM(o.amount_cny)::numeric(20,2)::text AS amount_cny,
              SUM(o.amount_usd)::numeric(20,8)::text AS amount_usd,
              SUM(o.bonus_usd)::numeric(20,8)::text AS bonus_usd
         FROM (VALUES ('today', date_trunc('day', NOW())), ('7d', NOW() - interval '7 days'), ('30d', NOW() - interval '30 days'))
              AS w(name, since)
         JOIN payment_orders o ON o.status = 'paid' AND o.paid_at >= w.since
        GROUP BY w.name, o.provider ORDER BY w.name, o.provider`,
    );
    const daily = await this.dataSource.query(
      `SELECT to_char(date_trunc('day', paid_at), 'YYYY-MM-DD') AS day, COUNT(*)::int AS orders,
              SUM(amount_cny)::numeric(20,2)::text AS amount_cny, SUM(amount_usd)::numeric(20,8)::text AS amount_usd,
              SUM(bonus_usd)::numeric(20,8)::text AS bonus_usd
         FROM payment_orders WHERE status = 'paid' AND paid_at >= NOW() - interval '30 days'
        GROUP BY 1 ORDER BY 1`,
    );
    const byStatus = await this.dataSource.query(`SELECT status, COUNT(*)::int AS count FROM payment_orders GROUP BY status ORDER BY status`);
    const [promotion] = await this.dataSource.query(
      `SELECT COUNT(*)::int AS granted, COALESCE(SUM(bonus), 0)::numeric(20,8)::text AS bonus FROM promotion_records`,
    );
    const [referral] = await this.dataSource.query(
      `SELECT COUNT(*)::int AS invites, COUNT(*) FILTER (WHERE reward_issued)::int AS rewarded,
              COALESCE(SUM(reward_amount_usd) FILTER (WHERE reward_issued), 0)::numeric(20,8)::text AS reward
         FROM referral_invites`,
    );
    type Sums = { orders: number; amount_cny: string; amount_usd: string; bonus_usd: string };
    const sums = (r: Sums) => ({ orders: r.orders, amountCny: r.amount_cny, amountUsd: r.amount_usd, bonusUsd: r.bonus_usd });
    return {
      windows: windows.map((r: Sums & { window: 'today' | '7d' | '30d'; provider: string }) => ({ window: r.window, provider: r.provider, ...sums(r) })),
      daily: daily.map((r: Sums & { day: string }) => ({ day: r.day, ...sums(r) })),
      byStatus,
      promotion: { granted: promotion.granted, bonusUsd: promotion.bonus },
      referral: { invites: referral.invites, rewarded: referral.rewarded, rewardUsd: referral.reward },
    };
  }

  private balanceTooLow(orderNo: string, balance: string, owed: string): DomainException {
    return new DomainException(
      AdminErrorCode.BalanceTooLow,
      `refunding ${orderNo} takes back ${owed} USD but the balance is ${balance}; refund with force to take what is left`,
      ErrorKind.Conflict,
    );
  }
}
