import { Injectable } from '@nestjs/common';
import type { OrderCampaign } from '../campaigns/campaigns.service';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { returning } from '../common/database/returning';
import { newestFirstBatches } from '../common/database/keyset';
import { escapeLike, isoUtc } from '../common/database/sql';
import { Page, PageQueryDto, pageOf } from '../common/http/page.dto';
import { ORDER_TRANSITIONS, OrderTransition, UNPAID_STATES } from './order-lifecycle';
import { OrderStatus, PaymentOrder, RATE_AS_GIVEN, SHOWN_AS_GIVEN } from './payment-order.entity';
import { annotateSpan } from '../common/telemetry/telemetry';

/**
 * The one owner of `payment_orders` (and of `payment_webhook_events`, the
 * gateway news about orders). Every statement on those tables is here; every
 * change of an order's status is one of the named transitions of
 * order-lifecycle.ts, a conditional UPDATE that matches only from the states
 * the table allows. Callers open the transaction and pass its EntityManager.
 */

const ORDER_COLUMNS = `id, order_no, trade_no, user_id, username, amount_cny, amount_usd, bonus_usd, total_usd, exchange_rate,
  provider, payment_method, payment_url, status, paid_at, expire_at, promotion_tier, promotion_used, callback_at,
  client_ip, user_agent, created_at, updated_at, pay_currency, pay_amount, pay_rate, pay_address, campaigns`;

/** An order as the database returns it (snake_case; NUMERIC as strings). */
export interface OrderRow {
  id: string;
  order_no: string;
  trade_no: string | null;
  user_id: string;
  username: string;
  amount_cny: string;
  amount_usd: string;
  bonus_usd: string;
  total_usd: string;
  exchange_rate: string;
  provider: string;
  payment_method: string | null;
  payment_url: string | null;
  status: OrderStatus;
  paid_at: Date | null;
  expire_at: Date;
  promotion_tier: number | null;
  promotion_used: boolean;
  callback_at: Date | null;
  client_ip: string | null;
  user_agent: string | null;
  created_at: Date;
  updated_at: Date;
  pay_currency: string;
  pay_amount: string;
  pay_rate: string | null;
  pay_address: string | null;
  campaigns: OrderCampaign[] | null;
}

export function toOrder(row: OrderRow): PaymentOrder {
  return Object.assign(new PaymentOrder(), {
    id: row.id,
    orderNo: row.order_no,
    tradeNo: row.trade_no,
    userId: row.user_id,
    username: row.username,
    amountCny: row.amount_cny,
    amountUsd: row.amount_usd,
    bonusUsd: row.bonus_usd,
    totalUsd: row.total_usd,
    exchangeRate: row.exchange_rate,
    provider: row.provider,
    paymentMethod: row.payment_method,
    paymentUrl: row.payment_url,
    status: row.status,
    paidAt: row.paid_at,
    expireAt: row.expire_at,
    promotionTier: row.promotion_tier,
    promotionUsed: row.promotion_used,
    callbackAt: row.callback_at,
    clientIp: row.client_ip,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    payCurrency: row.pay_currency,
    payAmount: SHOWN_AS_GIVEN.from(row.pay_amount),
    payRate: RATE_AS_GIVEN.from(row.pay_rate),
    payAddress: row.pay_address,
    campaigns: row.campaigns,
  });
}

/**
 * Stores a pending order unless the user already has $16 unexpired pending
 * orders (then NULL). A function (migrations OrderInsertFunction, GatewayPlugins) so that the
 * user's advisory lock, the count taken after it and the insert are one round
 * trip and one commit; it locks the two-key advisory space (7342, hashtext(user id)).
 */
const INSERT_UNLESS_TOO_MANY_PENDING: PreparedStatement = {
  name: 'orders-insert',
  text: `SELECT payment_order_insert($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21::jsonb) AS id`,
};

/**
 * markPaid, first in the money path's transaction, with its checks
 * (provider, exact amount in the currency the payer was asked for) part of the match. In the same statement: the
 * gateway's event id is recorded, whether the payment came in time for the
 * new-user bonus is decided, whether the payer was invited is read (so an
 * uninvited payer costs no referral statement), and order.paid is written
 * (joined into the answer, so the statement cannot skip it).
 */
const MARK_PAID: PreparedStatement = {
  name: 'payment-mark-paid',
  text: `WITH paid AS (
           UPDATE payment_orders
              SET status = 'paid', trade_no = COALESCE($3, trade_no), callback_data = $4,
                  callback_at = NOW(), paid_at = NOW(), updated_at = NOW()
            WHERE order_no = $1 AND provider = $2 AND pay_amount = $5::numeric AND pay_currency = upper($9)
              AND status = ANY($8::varchar[])
            RETURNING id, user_id, username, amount_cny, amount_usd, promotion_tier, campaigns, created_at, pay_currency, pay_amount,
                      payment_order_event_data(payment_orders) AS event_data
         ), event AS (
           INSERT INTO payment_webhook_events (provider, event_id, order_no, outcome)
           SELECT $2, $6, $1, 'credited' FROM paid
           ON CONFLICT (provider, event_id) DO NOTHING
         ), announced AS (
           SELECT outbox_emit('order.paid', paid.user_id, paid.event_data) AS sequence FROM paid
         )
         SELECT paid.id, paid.user_id, paid.username, paid.amount_cny, paid.amount_usd, paid.promotion_tier, paid.campaigns,
                paid.pay_currency, paid.pay_amount,
                NOW() <= paid.created_at + make_interval(mins => $7::int) AS in_time_for_bonus,
                EXISTS (SELECT 1 FROM referral_invites i WHERE i.invitee_id = paid.user_id) AS invited
           FROM paid, announced`,
};

const RECORD_EVENT: PreparedStatement = {
  name: 'payment-record-event',
  text: `INSERT INTO payment_webhook_events (provider, event_id, order_no, outcome, payload) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (provider, event_id) DO NOTHING
         RETURNING id`,
};

/** What markPaid hands the money path. */
export interface PaidOrder {
  id: string;
  user_id: string;
  username: string;
  amount_cny: string;
  amount_usd: string;
  promotion_tier: number | null;
  campaigns: OrderCampaign[] | null;
  pay_currency: string;
  pay_amount: string;
  /** Paid within order_expire_minutes + promotion.late_grace_minutes of creation. */
  in_time_for_bonus: boolean;
  invited: boolean;
}

export interface MarkPaid {
  orderNo: string;
  provider: string;
  tradeNo: string | null;
  amount: string;
  currency: string;
  eventId: string;
  raw: string;
  /** How long after creation a payment still earns the new-user bonus. */
  bonusWindowMinutes: number;
}

export interface NewOrderRow {
  orderNo: string;
  tradeNo: string | null;
  userId: string;
  username: string;
  amountCny: string;
  amountUsd: string;
  exchangeRate: string;
  provider: string;
  method: string;
  paymentUrl: string | null;
  expireAt: Date;
  promotionTier: number | null;
  clientIp: string | null;
  userAgent: string | null;
  createdAt: Date;
  payCurrency: string;
  payAmount: string;
  payRate: string | null;
  payAddress: string | null;
  campaigns: OrderCampaign[];
}

/** Where to pay, once a gateway that must be asked has answered. */
export interface AttachedPayment {
  paymentUrl: string;
  tradeNo: string | null;
  pay: { currency: string; amount: string; rate: string; address: string | null } | null;
}

export interface AdminOrderFilter {
  status?: OrderStatus;
  provider?: string;
  userId?: string;
  email?: string;
  /** An order_no or trade_no, exact or as a prefix. */
  search?: string;
  createdFrom?: Date;
  createdTo?: Date;
  paidFrom?: Date;
  paidTo?: Date;
  /** Orders an admin must look at: a second payment or one of another amount arrived, a refund failed after it was confirmed, or a refund is stuck. */
  attention?: boolean;
}

/**
 * Gateway news about an order that an admin must deal with until it is
 * resolved: a second payment, a payment of another amount, a refund the
 * gateway failed after confirming it (the order is paid again).
 */
export const ATTENTION_OUTCOMES = ['duplicate_payment', 'underpaid', 'overpaid', 'refund_failed'] as const;

export interface OrderEvent {
  eventId: string;
  outcome: string;
  payload: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

const EVENT_COLUMNS = 'provider, event_id, outcome, payload, created_at, resolved_at, resolved_by';

interface EventRow {
  provider: string;
  event_id: string;
  outcome: string;
  payload: string | null;
  created_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
}

function toEvent(e: EventRow): OrderEvent & { provider: string } {
  return {
    provider: e.provider,
    eventId: e.event_id,
    outcome: e.outcome,
    payload: e.payload,
    createdAt: e.created_at,
    resolvedAt: e.resolved_at,
    resolvedBy: e.resolved_by,
  };
}

/** A refund left `refunding` this long needs an admin's eye (the reconcile job retries every two minutes). */
export const REFUND_STUCK_AFTER_MINUTES = 10;

/** Constant strings as an SQL list ('a', 'b'), for IN clauses whose partial indexes name the same values. */
const sqlList = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

/** The states reconciliation asks gateways about: those markPaid moves from (the partial index idx_payment_orders_unpaid_created holds the same). */
const RECONCILED_STATES = sqlList(UNPAID_STATES);

/** The attention rule, one SQL condition on the order aliased `o`. */
const NEEDS_ATTENTION = `(EXISTS (SELECT 1 FROM payment_webhook_events e
                WHERE e.order_no = o.order_no AND e.outcome IN (${sqlList(ATTENTION_OUTCOMES)}) AND e.resolved_at IS NULL)
   OR (o.status = 'refunding' AND o.updated_at < NOW() - make_interval(mins => ${REFUND_STUCK_AFTER_MINUTES})))`;

/** Rows an export reads per query. */
const EXPORT_BATCH_SIZE = 2000;

/** An order as an export writes it: every value already text, as PostgreSQL formats it. */
export interface OrderExportRow {
  order_no: string;
  status: string;
  provider: string;
  payment_method: string | null;
  user_id: string;
  username: string;
  user_email: string;
  amount_cny: string;
  amount_usd: string;
  bonus_usd: string;
  total_usd: string;
  exchange_rate: string;
  promotion_tier: string | null;
  trade_no: string | null;
  needs_attention: string;
  created_at: string;
  paid_at: string | null;
  expire_at: string;
  pay_currency: string;
  pay_amount: string;
  pay_rate: string | null;
  pay_address: string | null;
}

const ORDER_EXPORT_COLUMNS = [
  'o.order_no AS order_no',
  'o.status AS status',
  'o.provider AS provider',
  'o.payment_method AS payment_method',
  'o.user_id::text AS user_id',
  'o.username AS username',
  'u.email AS user_email',
  'o.amount_cny::text AS amount_cny',
  'o.amount_usd::text AS amount_usd',
  'o.bonus_usd::text AS bonus_usd',
  'o.total_usd::text AS total_usd',
  'o.exchange_rate::text AS exchange_rate',
  'o.promotion_tier::text AS promotion_tier',
  'o.trade_no AS trade_no',
  `CASE WHEN ${NEEDS_ATTENTION} THEN 'true' ELSE 'false' END AS needs_attention`,
  `${isoUtc('o.created_at')} AS created_at`,
  `${isoUtc('o.paid_at')} AS paid_at`,
  `${isoUtc('o.expire_at')} AS expire_at`,
  'o.pay_currency AS pay_currency',
  'o.pay_amount::text AS pay_amount',
  'o.pay_rate::text AS pay_rate',
  'o.pay_address AS pay_address',
];

export interface PaidTotals {
  orders: number;
  amountCny: string;
  amountUsd: string;
  bonusUsd: string;
}

export interface OrderStats {
  windows: (PaidTotals & { window: 'today' | '7d' | '30d'; provider: string })[];
  daily: (PaidTotals & { day: string })[];
  byStatus: { status: string; count: number }[];
}

@Injectable()
export class PaymentOrdersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ── what the metrics watch ──────────────────────────────────────────────

  /**
   * Orders still open (pending, refunding), refunds stuck past
   * REFUND_STUCK_AFTER_MINUTES, and orders needing an admin: each counted
   * through a partial index, so a scrape stays cheap however many orders
   * there are.
   */
  async watchedCounts(): Promise<{ pending: number; refunding: number; refundsStuck: number; attention: number }> {
    const [row] = await this.dataSource.query(
      `WITH stuck AS (
         SELECT order_no FROM payment_orders
          WHERE status = 'refunding' AND updated_at < NOW() - make_interval(mins => ${REFUND_STUCK_AFTER_MINUTES})
       ), unresolved AS (
         SELECT DISTINCT order_no FROM payment_webhook_events
          WHERE outcome IN (${sqlList(ATTENTION_OUTCOMES)}) AND resolved_at IS NULL AND order_no IS NOT NULL
       )
       SELECT (SELECT COUNT(*) FROM payment_orders WHERE status = 'pending')::int AS pending,
              (SELECT COUNT(*) FROM payment_orders WHERE status = 'refunding')::int AS refunding,
              (SELECT COUNT(*) FROM stuck)::int AS "refundsStuck",
              (SELECT COUNT(*) FROM (SELECT order_no FROM stuck UNION SELECT order_no FROM unresolved) a)::int AS attention`,
    );
    return row;
  }

  // ── creation ────────────────────────────────────────────────────────────

  /**
   * Inserts a pending order in its own short transaction, or in the caller's;
   * null when the user already has `maxPending` unexpired pending orders.
   */
  async insert(order: NewOrderRow, maxPending: number, em: EntityManager = this.dataSource.manager): Promise<string | null> {
    const [row] = await runPrepared<{ id: string | null }>(em, INSERT_UNLESS_TOO_MANY_PENDING, [
      order.orderNo,
      order.tradeNo,
      order.userId,
      order.username,
      order.amountCny,
      order.amountUsd,
      order.exchangeRate,
      order.provider,
      order.method,
      order.paymentUrl,
      order.expireAt,
      order.promotionTier,
      order.clientIp,
      order.userAgent,
      order.createdAt,
      maxPending,
      order.payCurrency,
      order.payAmount,
      order.payRate,
      order.payAddress,
      JSON.stringify(order.campaigns),
    ]);
    return row?.id ?? null;
  }

  /** Where and what to pay, once a gateway that must be asked has answered (not a status change). */
  async attachPayment(orderId: string, attached: AttachedPayment): Promise<void> {
    const { paymentUrl, tradeNo, pay } = attached;
    await this.dataSource.query(
      `UPDATE payment_orders
          SET payment_url = $2, trade_no = COALESCE($3, trade_no), updated_at = NOW(),
              pay_currency = COALESCE($4, pay_currency), pay_amount = COALESCE($5::numeric, pay_amount),
              pay_rate = COALESCE($6::numeric, pay_rate), pay_address = COALESCE($7, pay_address)
        WHERE id = $1`,
      [orderId, paymentUrl, tradeNo, pay?.currency ?? null, pay?.amount ?? null, pay?.rate ?? null, pay?.address ?? null],
    );
  }

  /** Adds the registered gateways' names to payment_providers (what payment_orders.provider references). */
  async registerProviders(names: readonly string[]): Promise<void> {
    await this.dataSource.query(`INSERT INTO payment_providers (name) SELECT unnest($1::varchar[]) ON CONFLICT DO NOTHING`, [names]);
  }

  // ── transitions ─────────────────────────────────────────────────────────

  /**
   * A named transition of one order: matches only when the order is in one
   * of the transition's `from` states (and, when given, belongs to `provider`
   * or `userId`), and writes the transition's event in the same statement.
   * Null when it did not match.
   */
  async transition(
    em: EntityManager,
    name: OrderTransition,
    orderNo: string,
    scope: { provider?: string; userId?: string } = {},
  ): Promise<PaymentOrder | null> {
    const { from, to, event } = ORDER_TRANSITIONS[name];
    annotateSpan({ 'recharge.order_no': orderNo, 'recharge.transition': name });
    const [row] = await returning<OrderRow>(
      em,
      `WITH moved AS (
         UPDATE payment_orders SET status = $2, updated_at = NOW()
          WHERE order_no = $1 AND status = ANY($3::varchar[])
            AND ($4::varchar IS NULL OR provider = $4) AND ($5::bigint IS NULL OR user_id = $5)
          RETURNING ${ORDER_COLUMNS}, payment_order_event_data(payment_orders) AS event_data
       ), announced AS (
         SELECT outbox_emit($6, moved.user_id, moved.event_data) FROM moved WHERE $6::varchar IS NOT NULL
       )
       SELECT ${ORDER_COLUMNS} FROM moved WHERE (SELECT COUNT(*) FROM announced) >= 0`,
      [orderNo, to, from, scope.provider ?? null, scope.userId ?? null, event],
    );
    return row ? toOrder(row) : null;
  }

  /** markPaid (see MARK_PAID): null when the order is not in an unpaid state, or provider or amount differ. */
  async markPaid(em: EntityManager, paid: MarkPaid): Promise<PaidOrder | null> {
    const [row] = await runPrepared<PaidOrder>(em, MARK_PAID, [
      paid.orderNo,
      paid.provider,
      paid.tradeNo,
      paid.raw,
      paid.amount,
      paid.eventId,
      paid.bonusWindowMinutes,
      ORDER_TRANSITIONS.markPaid.from,
      paid.currency,
    ]);
    return row ?? null;
  }

  /** The new-user bonus granted with the payment (not a status change). */
  async recordBonus(em: EntityManager, orderId: string, bonusUsd: string): Promise<void> {
    await em.query(
      `UPDATE payment_orders SET bonus_usd = $2, total_usd = amount_usd + $2::numeric, promotion_used = TRUE WHERE id = $1`,
      [orderId, bonusUsd],
    );
  }

  /**
   * `expire` for a batch of pending orders past expire_at, taken with SKIP
   * LOCKED so a webhook paying one of them never waits on the batch. The
   * events are written in user id order, so two batches lock users' rows in
   * the same order.
   */
  async expireBatch(em: EntityManager, limit: number): Promise<{ provider: string }[]> {
    const { from, to, event } = ORDER_TRANSITIONS.expire;
    const rows = await em.query(
      `WITH moved AS (
         UPDATE payment_orders SET status = $3, updated_at = NOW()
          WHERE id IN (SELECT id FROM payment_orders
                        WHERE status = ANY($2::varchar[]) AND expire_at <= NOW()
                        ORDER BY expire_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING user_id, provider, payment_order_event_data(payment_orders) AS event_data
       ), announced AS (
         SELECT outbox_emit($4, s.user_id, s.event_data) FROM (SELECT * FROM moved ORDER BY user_id) s
       )
       SELECT provider FROM moved WHERE (SELECT COUNT(*) FROM announced) >= 0`,
      [limit, from, to, event],
    );
    return rows;
  }

  // ── gateway news ────────────────────────────────────────────────────────

  /** Records a gateway event once (by provider and event id); false when it was already recorded. */
  async recordEvent(
    em: EntityManager,
    event: { provider: string; eventId: string; orderNo: string | null; outcome: string; payload?: string | null },
  ): Promise<boolean> {
    const rows = await runPrepared(em, RECORD_EVENT, [event.provider, event.eventId, event.orderNo, event.outcome, event.payload ?? null]);
    return rows.length === 1;
  }

  async events(orderNo: string, em: EntityManager = this.dataSource.manager): Promise<OrderEvent[]> {
    const rows: EventRow[] = await em.query(
      `SELECT ${EVENT_COLUMNS} FROM payment_webhook_events WHERE order_no = $1 ORDER BY id`,
      [orderNo],
    );
    return rows.map(toEvent);
  }

  /**
   * Marks the order's unresolved news of `outcomes` (second payments,
   * payments of another amount) as dealt with: refunded at the gateway, or
   * accepted by a confirmation by hand. Answers their event ids.
   */
  async resolveAttention(em: EntityManager, orderNo: string, by: string, outcomes: readonly string[] = ATTENTION_OUTCOMES): Promise<string[]> {
    const rows = await returning<{ event_id: string }>(
      em,
      `UPDATE payment_webhook_events SET resolved_at = NOW(), resolved_by = $2
        WHERE order_no = $1 AND outcome = ANY($3::varchar[]) AND resolved_at IS NULL
        RETURNING event_id`,
      [orderNo, by, outcomes],
    );
    return rows.map((r) => r.event_id);
  }

  /** Payments that match no order (outcome unmatched_payment), newest first; `resolved` narrows to open or dealt-with ones. */
  async unmatchedPayments(page: PageQueryDto, resolved: boolean | undefined): Promise<Page<OrderEvent & { provider: string }>> {
    const where = `outcome = 'unmatched_payment' AND ($1::boolean IS NULL OR (resolved_at IS NOT NULL) = $1)`;
    const [{ total }] = await this.dataSource.query(`SELECT COUNT(*)::int AS total FROM payment_webhook_events WHERE ${where}`, [
      resolved ?? null,
    ]);
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM payment_webhook_events WHERE ${where} ORDER BY id DESC OFFSET $2 LIMIT $3`,
      [resolved ?? null, (page.page - 1) * page.pageSize, page.pageSize],
    );
    return pageOf(rows.map(toEvent), total, page);
  }

  async resolveUnmatchedPayment(em: EntityManager, provider: string, eventId: string, by: string): Promise<(OrderEvent & { provider: string }) | null> {
    const [row] = await returning<EventRow>(
      em,
      `UPDATE payment_webhook_events SET resolved_at = NOW(), resolved_by = $3
        WHERE provider = $1 AND event_id = $2 AND outcome = 'unmatched_payment' AND resolved_at IS NULL
        RETURNING ${EVENT_COLUMNS}`,
      [provider, eventId, by],
    );
    return row ? toEvent(row) : null;
  }

  // ── reads ───────────────────────────────────────────────────────────────

  async findByOrderNo(orderNo: string, em: EntityManager = this.dataSource.manager): Promise<PaymentOrder | null> {
    const [row] = await em.query(`SELECT ${ORDER_COLUMNS} FROM payment_orders WHERE order_no = $1`, [orderNo]);
    return row ? toOrder(row) : null;
  }

  /** An order of one gateway (its own pages look orders up this way). */
  async findOrderOf(provider: string, orderNo: string): Promise<PaymentOrder | null> {
    const [row] = await this.dataSource.query(`SELECT ${ORDER_COLUMNS} FROM payment_orders WHERE order_no = $1 AND provider = $2`, [
      orderNo,
      provider,
    ]);
    return row ? toOrder(row) : null;
  }

  /**
   * The order that asked for exactly `amount` at `address` and was open at
   * `at`: created by then, and not past expire_at + `lateMinutes`. Amounts
   * are unique on an address over that window, so at most one matches.
   */
  async findByPayAmount(provider: string, address: string, amount: string, at: Date, lateMinutes: number): Promise<PaymentOrder | null> {
    const [row] = await this.dataSource.query(
      `SELECT ${ORDER_COLUMNS} FROM payment_orders
        WHERE pay_address = $2 AND pay_amount = $3::numeric AND provider = $1
          AND created_at <= $4 AND expire_at + make_interval(mins => $5::int) >= $4
        ORDER BY created_at DESC LIMIT 1`,
      [provider, address, amount, at, lateMinutes],
    );
    return row ? toOrder(row) : null;
  }

  /**
   * The order a payment of another amount most likely meant: the one open
   * at `at` on `address` whose asked amount is nearest, within `tolerance`.
   */
  async findNearestPayAmount(
    provider: string,
    address: string,
    amount: string,
    at: Date,
    lateMinutes: number,
    tolerance: string,
  ): Promise<PaymentOrder | null> {
    const [row] = await this.dataSource.query(
      `SELECT ${ORDER_COLUMNS} FROM payment_orders
        WHERE pay_address = $2 AND provider = $1 AND status IN ('pending', 'expired', 'cancelled', 'failed')
          AND created_at <= $4 AND expire_at + make_interval(mins => $5::int) >= $4
          AND abs(pay_amount - $3::numeric) <= $6::numeric
        ORDER BY abs(pay_amount - $3::numeric), created_at DESC LIMIT 1`,
      [provider, address, amount, at, lateMinutes, tolerance],
    );
    return row ? toOrder(row) : null;
  }

  async findOwn(userId: string, orderNo: string): Promise<PaymentOrder | null> {
    const [row] = await this.dataSource.query(`SELECT ${ORDER_COLUMNS} FROM payment_orders WHERE order_no = $1 AND user_id = $2`, [
      orderNo,
      userId,
    ]);
    return row ? toOrder(row) : null;
  }

  /** The owner's orders still pending, oldest first (closing an account cancels them); with `lock`, their rows are locked in `em`'s transaction. */
  async pendingOf(userId: string, em: EntityManager = this.dataSource.manager, lock = false): Promise<PaymentOrder[]> {
    const rows: OrderRow[] = await em.query(
      `SELECT ${ORDER_COLUMNS} FROM payment_orders WHERE user_id = $1 AND status = 'pending' ORDER BY id${lock ? ' FOR UPDATE' : ''}`,
      [userId],
    );
    return rows.map(toOrder);
  }

  /** The owner's orders before `beforeId` (null: from the newest), newest first, `limit` at a time (a keyset read, for the owner's data export). */
  async ownBatch(userId: string, beforeId: string | null, limit: number): Promise<PaymentOrder[]> {
    const rows: OrderRow[] = await this.dataSource.query(
      `SELECT ${ORDER_COLUMNS} FROM payment_orders WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [userId, beforeId, limit],
    );
    return rows.map(toOrder);
  }

  /**
   * At account closing, in its transaction: the orders keep their money
   * facts but name the account by its tombstone, and the client address and
   * browser they were created from are forgotten.
   */
  async forgetCustomer(em: EntityManager, userId: string, tombstone: string): Promise<void> {
    await em.query(
      `UPDATE payment_orders SET username = $2, client_ip = NULL, user_agent = NULL, updated_at = NOW() WHERE user_id = $1`,
      [userId, tombstone],
    );
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

  /** Admin search, newest first, with each order's user email and whether it needs attention. */
  async adminList(filter: AdminOrderFilter, page: PageQueryDto): Promise<Page<PaymentOrder & { userEmail: string; needsAttention: boolean }>> {
    const query = this.adminQuery(filter).addSelect('u.email', 'user_email').addSelect(NEEDS_ATTENTION, 'needs_attention');
    const total = await query.getCount();
    const { entities, raw } = await query
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .offset((page.page - 1) * page.pageSize)
      .limit(page.pageSize)
      .getRawAndEntities();
    const items = entities.map((order, i) =>
      Object.assign(order, { userEmail: raw[i].user_email as string, needsAttention: raw[i].needs_attention === true }),
    );
    return pageOf(items, total, page);
  }

  /**
   * The orders of a filter for an export, newest first, in batches (a keyset
   * read: see newestFirstBatches). An order that changes during a long export
   * shows the state its batch saw.
   */
  adminExport(filter: AdminOrderFilter, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<OrderExportRow[]> {
    return newestFirstBatches(() => this.adminQuery(filter).select(ORDER_EXPORT_COLUMNS), 'o', batchSize);
  }

  /** Orders joined with their user, narrowed by an admin's filter. */
  private adminQuery(filter: AdminOrderFilter) {
    const query = this.dataSource.getRepository(PaymentOrder).createQueryBuilder('o').innerJoin('users', 'u', 'u.id = o.user_id');
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
    if (filter.attention !== undefined) query.andWhere(filter.attention ? NEEDS_ATTENTION : `NOT ${NEEDS_ATTENTION}`);
    return query;
  }

  /** What an admin's view of one order adds to it: the user's email, the raw callback, whether it needs attention. */
  async reviewExtras(
    orderNo: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<{ userEmail: string | null; callbackData: string | null; needsAttention: boolean }> {
    const [row] = await em.query(
      `SELECT u.email, o.callback_data, ${NEEDS_ATTENTION} AS attention
         FROM payment_orders o LEFT JOIN users u ON u.id = o.user_id WHERE o.order_no = $1`,
      [orderNo],
    );
    return { userEmail: row?.email ?? null, callbackData: row?.callback_data ?? null, needsAttention: row?.attention === true };
  }

  /**
   * Unpaid orders (every state a payment can still settle: pending, expired,
   * cancelled, failed) created in [from, to], in id order after `afterId`: a
   * cursor that can never return a row twice. A failed order is asked about
   * too: a gateway can report a failure and then take the payment after all.
   */
  async unpaidForReconciliation(from: Date, to: Date, afterId: string, limit: number): Promise<PaymentOrder[]> {
    const rows: OrderRow[] = await this.dataSource.query(
      `SELECT ${ORDER_COLUMNS} FROM payment_orders
        WHERE status IN (${RECONCILED_STATES}) AND created_at >= $1 AND created_at <= $2 AND id > $3::bigint
        ORDER BY id LIMIT $4`,
      [from, to, afterId, limit],
    );
    return rows.map(toOrder);
  }

  /** Paid totals by window and provider, by day (30 days), and order counts by status. */
  async stats(): Promise<OrderStats> {
    type Sums = { orders: number; amount_cny: string; amount_usd: string; bonus_usd: string };
    const sums = (r: Sums): PaidTotals => ({ orders: r.orders, amountCny: r.amount_cny, amountUsd: r.amount_usd, bonusUsd: r.bonus_usd });
    const windows: (Sums & { window: 'today' | '7d' | '30d'; provider: string })[] = await this.dataSource.query(
      `SELECT w.name AS window, o.provider, COUNT(*)::int AS orders,
              SUM(o.amount_cny)::numeric(20,2)::text AS amount_cny,
              SUM(o.amount_usd)::numeric(20,8)::text AS amount_usd,
              SUM(o.bonus_usd)::numeric(20,8)::text AS bonus_usd
         FROM (VALUES ('today', date_trunc('day', NOW())), ('7d', NOW() - interval '7 days'), ('30d', NOW() - interval '30 days'))
              AS w(name, since)
         JOIN payment_orders o ON o.status = 'paid' AND o.paid_at >= w.since
        GROUP BY w.name, o.provider ORDER BY w.name, o.provider`,
    );
    const daily: (Sums & { day: string })[] = await this.dataSource.query(
      `SELECT to_char(date_trunc('day', paid_at), 'YYYY-MM-DD') AS day, COUNT(*)::int AS orders,
              SUM(amount_cny)::numeric(20,2)::text AS amount_cny, SUM(amount_usd)::numeric(20,8)::text AS amount_usd,
              SUM(bonus_usd)::numeric(20,8)::text AS bonus_usd
         FROM payment_orders WHERE status = 'paid' AND paid_at >= NOW() - interval '30 days'
        GROUP BY 1 ORDER BY 1`,
    );
    const byStatus = await this.dataSource.query(`SELECT status, COUNT(*)::int AS count FROM payment_orders GROUP BY status ORDER BY status`);
    return {
      windows: windows.map((r) => ({ window: r.window, provider: r.provider, ...sums(r) })),
      daily: daily.map((r) => ({ day: r.day, ...sums(r) })),
      byStatus,
    };
  }
}
