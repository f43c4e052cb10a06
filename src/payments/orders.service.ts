import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CacheStore } from '../common/cache/cache.store';
import { AppConfig } from '../common/config/app-config';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { returning } from '../common/database/returning';
import { Page, PageQueryDto, pageOf } from '../common/http/page.dto';
import { decimalStringProblem } from '../common/money/is-decimal-string.validator';
import { convertCnyToUsd, roundToScale, toCny, toUsd } from '../common/money/money';
import { PromotionsService } from '../promotions/promotions.service';
import { PaymentMetrics } from './payment-metrics';
import { OrderStatus, PaymentMethod, PaymentOrder, ProviderName } from './payment-order.entity';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { PaymentsException } from './payments.errors';

const MINUTE_MS = 60_000;
const LOCK_USER: PreparedStatement = { name: 'orders-lock-user', text: 'SELECT id FROM users WHERE id = $1 FOR UPDATE' };

/** Inserts the order only while the user has fewer than $17 unexpired pending orders; no row back means too many. */
const INSERT_UNLESS_TOO_MANY_PENDING: PreparedStatement = {
  name: 'orders-insert',
  text: `INSERT INTO payment_orders
           (order_no, user_id, username, amount_cny, amount_usd, bonus_usd, total_usd, exchange_rate, provider,
            payment_method, status, expire_at, promotion_tier, client_ip, user_agent, created_at, updated_at)
         SELECT $1::varchar, $2::bigint, $3::varchar, $4::numeric, $5::numeric, $6::numeric, $7::numeric, $8::numeric,
                $9::varchar, $10::varchar, $11::varchar, $12::timestamptz, $13::int, $14::varchar, $15::varchar,
                $16::timestamptz, $16::timestamptz
          WHERE (SELECT COUNT(*) FROM payment_orders
                  WHERE user_id = $2::bigint AND status = 'pending' AND expire_at > NOW()) < $17::int
         RETURNING id`,
};

/** payment_orders.exchange_rate is NUMERIC(10,4). */
const EXCHANGE_RATE_SCALE = 4;

export interface NewOrder {
  userId: string;
  username: string;
  amountCny: string;
  provider: ProviderName;
  method: PaymentMethod;
  display: 'redirect' | 'qrcode';
  clientIp: string | null;
  userAgent: string | null;
}

/**
 * Order numbers: "PO", the UTC time to the second, and 64 random bits —
 * sortable by creation time, and not guessable from one another.
 */
export function newOrderNo(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `PO${stamp}${randomBytes(8).toString('hex').toUpperCase()}`;
}

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: PaymentProviderRegistry,
    private readonly promotions: PromotionsService,
    private readonly cache: CacheStore,
    private readonly metrics: PaymentMetrics,
    private readonly config: AppConfig,
  ) {}

  /**
   * Creates the order, then asks the gateway for a payment URL outside any
   * transaction. A gateway failure marks the order failed and is a 502;
   * nothing was charged.
   */
  async create(input: NewOrder): Promise<PaymentOrder> {
    const settings = this.config.payment;
    if (!settings.enabled) throw PaymentsException.disabled();
    const problem = decimalStringProblem(input.amountCny, { scale: 2, min: settings.minAmount, max: settings.maxAmount });
    if (problem) throw PaymentsException.amountOutOfRange(problem);
    const provider = this.providers.forOrder(input.provider, input.method);

    const slot = await this.cache.takeRollingWindowSlot(`orders:created:${input.userId}`, settings.maxOrdersPerMinute, MINUTE_MS);
    if (!slot.allowed) throw PaymentsException.tooManyOrders(settings.maxOrdersPerMinute, Math.max(1, Math.ceil(slot.retryAfterMs / 1000)));

    const now = new Date();
    const amountCny = toCny(input.amountCny);
    // The tier is decided by the order's creation time (SPEC §5.2), so it is taken now and stored.
    const preview = await this.promotions.preview(input.userId, now);
    const order = await this.dataSource.transaction(async (em) => {
      // The user's row lock makes "at most N pending" hold for concurrent requests too: the insert's own
      // count runs in a statement that starts after the lock is held, so it sees every committed order.
      await runPrepared(em, LOCK_USER, [input.userId]);
      // Every value is written at its column's scale, so the entity below equals the stored row.
      const order = Object.assign(new PaymentOrder(), {
        orderNo: newOrderNo(now),
        tradeNo: null,
        userId: input.userId,
        username: input.username,
        amountCny,
        amountUsd: convertCnyToUsd(amountCny, settings.discountRate, settings.exchangeRate),
        bonusUsd: toUsd(0),
        exchangeRate: roundToScale(settings.exchangeRate, EXCHANGE_RATE_SCALE),
        provider: provider.name,
        paymentMethod: input.method,
        paymentUrl: null,
        status: OrderStatus.Pending,
        paidAt: null,
        expireAt: new Date(now.getTime() + settings.orderExpireMinutes * MINUTE_MS),
        promotionTier: preview?.tier ?? null,
        promotionUsed: false,
        callbackAt: null,
        clientIp: input.clientIp?.slice(0, 50) ?? null,
        userAgent: input.userAgent?.slice(0, 500) ?? null,
        createdAt: now,
        updatedAt: now,
      });
      order.totalUsd = order.amountUsd;
      const [row] = await runPrepared<{ id: string }>(em, INSERT_UNLESS_TOO_MANY_PENDING, [
        order.orderNo,
        order.userId,
        order.username,
        order.amountCny,
        order.amountUsd,
        order.bonusUsd,
        order.totalUsd,
        order.exchangeRate,
        order.provider,
        order.paymentMethod,
        order.status,
        order.expireAt,
        order.promotionTier,
        order.clientIp,
        order.userAgent,
        now,
        settings.maxPendingOrders,
      ]);
      if (!row) throw PaymentsException.tooManyPending(settings.maxPendingOrders);
      order.id = row.id;
      return order;
    });
    this.metrics.ordersCreated.inc({ provider: provider.name });

    try {
      const started = await provider.createPayment({
        orderNo: order.orderNo,
        amountCny,
        method: input.method,
        subject: `Recharge ${amountCny} CNY`,
        clientIp: input.clientIp,
        display: input.display,
        expireAt: order.expireAt,
      });
      await this.dataSource.query(
        `UPDATE payment_orders SET payment_url = $2, trade_no = COALESCE($3, trade_no), updated_at = NOW() WHERE id = $1`,
        [order.id, started.paymentUrl.slice(0, 1000), started.tradeNo ?? null],
      );
      return { ...order, paymentUrl: started.paymentUrl, tradeNo: started.tradeNo ?? order.tradeNo };
    } catch (error) {
      this.logger.error({ orderNo: order.orderNo, provider: provider.name, err: error }, 'gateway refused to start a payment');
      await this.dataSource.query(`UPDATE payment_orders SET status = 'failed', updated_at = NOW() WHERE id = $1 AND status = 'pending'`, [
        order.id,
      ]);
      throw PaymentsException.gatewayFailed(provider.name);
    }
  }

  /** The caller's own order; anyone else's is a 404, as if it did not exist. */
  async findOwn(userId: string, orderNo: string): Promise<PaymentOrder> {
    const order = await this.dataSource.getRepository(PaymentOrder).findOneBy({ orderNo, userId });
    if (!order) throw PaymentsException.orderNotFound(orderNo);
    return order;
  }

  async listOwn(userId: string, status: OrderStatus | undefined, page: PageQueryDto): Promise<Page<PaymentOrder>> {
    const [items, total] = await this.dataSource.getRepository(PaymentOrder).findAndCount({
      where: { userId, ...(status && { status }) },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (page.page - 1) * page.pageSize,
      take: page.pageSize,
    });
    return pageOf(items, total, page);
  }

  /** The user gives up an unpaid order: pending → failed. */
  async cancelOwn(userId: string, orderNo: string): Promise<PaymentOrder> {
    const order = await this.findOwn(userId, orderNo);
    const moved = await returning(
      this.dataSource.manager,
      `UPDATE payment_orders SET status = 'failed', updated_at = NOW() WHERE id = $1 AND status = 'pending' RETURNING id`,
      [order.id],
    );
    if (moved.length === 0) throw PaymentsException.orderNotPending(orderNo, (await this.findOwn(userId, orderNo)).status);
    return this.findOwn(userId, orderNo);
  }

  /** Gives up on a pending sandbox order from its checkout page's Fail button. */
  async failPending(orderNo: string): Promise<boolean> {
    const moved = await returning(
      this.dataSource.manager,
      `UPDATE payment_orders SET status = 'failed', updated_at = NOW() WHERE order_no = $1 AND status = 'pending' RETURNING id`,
      [orderNo],
    );
    return moved.length === 1;
  }
}
