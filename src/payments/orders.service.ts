import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CacheStore } from '../common/cache/cache.store';
import { IdempotencyClaim } from '../common/idempotency/idempotency.store';
import { AppConfig } from '../common/config/app-config';
import { Page, PageQueryDto } from '../common/http/page.dto';
import { decimalStringProblem } from '../common/money/is-decimal-string.validator';
import { Money, convertCnyToUsd, roundToScale, toCny, toUsd } from '../common/money/money';
import { CampaignsService, OrderCampaign } from '../campaigns/campaigns.service';
import { OrderDto } from './dto/order.dto';
import { PaymentMetrics } from './payment-metrics';
import { OrderStatus, PaymentOrder } from './payment-order.entity';
import { NewOrderRow, PaymentOrdersRepository } from './payment-orders.repository';
import { ClosedPayment, PaymentRequest } from './payment-provider';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { SettlementService } from './settlement.service';
import { PaymentsException } from './payments.errors';
import { annotateSpan } from '../common/telemetry/telemetry';

const MINUTE_MS = 60_000;

/** payment_orders.exchange_rate is NUMERIC(10,4). */
const EXCHANGE_RATE_SCALE = 4;
/** payment_orders.payment_url is VARCHAR(1000). */
const PAYMENT_URL_MAX_LENGTH = 1000;

export interface NewOrder {
  userId: string;
  username: string;
  amountCny: string;
  provider: string;
  method: string;
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
    private readonly orders: PaymentOrdersRepository,
    private readonly settlement: SettlementService,
    private readonly providers: PaymentProviderRegistry,
    private readonly campaigns: CampaignsService,
    private readonly cache: CacheStore,
    private readonly metrics: PaymentMetrics,
    private readonly config: AppConfig,
  ) {}

  /**
   * Stores the order. Where the adapter computes the payment URL itself
   * (a signed page link, a checkout page of this app) it is stored with the order in one statement
   * and one commit; otherwise the gateway is asked after the order is stored,
   * outside any transaction, and a refusal marks the order failed (a 502:
   * nothing was charged). With an Idempotency-Key, the order and the key's
   * answer (the order as stored) commit together.
   */
  async create(input: NewOrder, claim: IdempotencyClaim | null): Promise<PaymentOrder> {
    const settings = this.config.payment;
    if (!settings.enabled) throw PaymentsException.disabled();
    const { amountCny, amountUsd } = this.priced(input.amountCny);
    const provider = this.providers.forOrder(input.provider, input.method);

    const slot = await this.cache.takeRollingWindowSlot(`orders:created:${input.userId}`, settings.maxOrdersPerMinute, MINUTE_MS);
    if (!slot.allowed) throw PaymentsException.tooManyOrders(settings.maxOrdersPerMinute, Math.max(1, Math.ceil(slot.retryAfterMs / 1000)));

    const now = new Date();
    // The campaigns (and the new-user tier among them) are decided by the order's creation time, so they are taken now and stored.
    const offers = await this.campaigns.offersFor({ userId: input.userId, amountCny, amountUsd, at: now });
    const request: PaymentRequest = {
      orderNo: newOrderNo(now),
      amountCny,
      method: input.method,
      subject: `Recharge ${amountCny} CNY`,
      clientIp: input.clientIp,
      display: input.display,
      expireAt: new Date(now.getTime() + settings.orderExpireMinutes * MINUTE_MS),
    };
    const local = provider.localPayment(request);
    // Every value is written at its column's scale, so the entity below equals the stored row.
    const row: NewOrderRow = {
      orderNo: request.orderNo,
      tradeNo: local?.tradeNo ?? null,
      userId: input.userId,
      username: input.username,
      amountCny,
      amountUsd,
      exchangeRate: roundToScale(settings.exchangeRate, EXCHANGE_RATE_SCALE),
      provider: provider.name,
      method: input.method,
      paymentUrl: local ? local.paymentUrl.slice(0, PAYMENT_URL_MAX_LENGTH) : null,
      expireAt: request.expireAt,
      promotionTier: offers.promotionTier,
      campaigns: offers.campaigns,
      clientIp: input.clientIp?.slice(0, 50) ?? null,
      userAgent: input.userAgent?.slice(0, 500) ?? null,
      createdAt: now,
      // What the payer is asked for: the CNY amount, unless the gateway answers in its own currency below.
      payCurrency: 'CNY',
      payAmount: amountCny,
      payRate: null,
      payAddress: null,
    };
    annotateSpan({ 'recharge.order_no': row.orderNo, 'recharge.provider': provider.name });
    const id = claim
      ? await this.dataSource.transaction(async (em) => {
          const id = await this.orders.insert(row, settings.maxPendingOrders, em);
          if (id) await claim.answer(em, OrderDto.from(orderFromRow(id, row)));
          return id;
        })
      : await this.orders.insert(row, settings.maxPendingOrders);
    if (!id) throw PaymentsException.tooManyPending(settings.maxPendingOrders);
    this.metrics.ordersCreated.inc({ provider: provider.name });
    const order = orderFromRow(id, row);
    if (local) return order;

    try {
      const started = await provider.createPayment(request);
      const attached = { paymentUrl: started.paymentUrl.slice(0, PAYMENT_URL_MAX_LENGTH), tradeNo: started.tradeNo ?? null, pay: started.pay ?? null };
      await this.orders.attachPayment(id, attached);
      const pay = attached.pay && { payCurrency: attached.pay.currency, payAmount: attached.pay.amount, payRate: attached.pay.rate, payAddress: attached.pay.address };
      return { ...order, paymentUrl: attached.paymentUrl, tradeNo: attached.tradeNo, ...pay };
    } catch (error) {
      this.logger.error({ orderNo: order.orderNo, provider: provider.name, err: error }, 'gateway refused to start a payment');
      await this.orders.transition(this.dataSource.manager, 'fail', order.orderNo);
      throw PaymentsException.gatewayFailed(provider.name);
    }
  }

  /**
   * What an order of this amount created now would get: the campaigns that
   * apply and their bonuses, decided as order creation decides them.
   */
  async offers(userId: string, amountCnyGiven: string): Promise<{ amountCny: string; amountUsd: string; bonusUsd: string; campaigns: OrderCampaign[] }> {
    const { amountCny, amountUsd } = this.priced(amountCnyGiven);
    const { campaigns } = await this.campaigns.offersFor({ userId, amountCny, amountUsd, at: new Date() });
    const bonusUsd = toUsd(campaigns.reduce((sum, offer) => sum.plus(offer.bonusUsd), new Money(0)));
    return { amountCny, amountUsd, bonusUsd, campaigns };
  }

  /** An order amount within payment.min_amount … max_amount (else a 400 naming the limit), at its scale, and what it credits in USD. */
  private priced(amountCnyGiven: string): { amountCny: string; amountUsd: string } {
    const settings = this.config.payment;
    const problem = decimalStringProblem(amountCnyGiven, { scale: 2, min: settings.minAmount, max: settings.maxAmount });
    if (problem) throw PaymentsException.amountOutOfRange(problem);
    const amountCny = toCny(amountCnyGiven);
    return { amountCny, amountUsd: convertCnyToUsd(amountCny, settings.discountRate, settings.exchangeRate) };
  }

  /** The caller's own order; anyone else's is a 404, as if it did not exist. */
  async findOwn(userId: string, orderNo: string): Promise<PaymentOrder> {
    const order = await this.orders.findOwn(userId, orderNo);
    if (!order) throw PaymentsException.orderNotFound(orderNo);
    return order;
  }

  listOwn(userId: string, status: OrderStatus | undefined, page: PageQueryDto): Promise<Page<PaymentOrder>> {
    return this.orders.listOwn(userId, status, page);
  }

  /**
   * The owner gives up a pending order: the gateway session is closed first
   * where the gateway allows it (a checkout session is expired). When
   * the gateway says it was paid meanwhile, the payment is settled instead
   * and the paid order returned. A payment that still arrives for a
   * cancelled order (a QR code already scanned) is credited all the same.
   */
  async cancelOwn(userId: string, orderNo: string): Promise<PaymentOrder> {
    const order = await this.findOwn(userId, orderNo);
    if (order.status !== OrderStatus.Pending) throw PaymentsException.orderNotPending(orderNo, order.status);
    const closed = await this.closeAtGateway(order);
    if (closed.status === 'paid') {
      await this.settlement.settlePaid({
        provider: order.provider,
        orderNo,
        tradeNo: closed.payment.tradeNo,
        amount: closed.payment.amount,
        currency: closed.payment.currency,
        eventId: `cancel:${orderNo}`,
        raw: closed.payment.raw,
        source: 'cancel',
        operator: 'system',
      });
      return this.findOwn(userId, orderNo);
    }
    const cancelled = await this.orders.transition(this.dataSource.manager, 'cancel', orderNo, { userId });
    if (!cancelled) throw PaymentsException.orderNotPending(orderNo, (await this.findOwn(userId, orderNo)).status);
    return cancelled;
  }

  /**
   * Closing an account, first step (outside any transaction): each pending
   * order's gateway session is closed where the gateway allows it, as the
   * owner's cancel does; one the gateway says was paid meanwhile is settled
   * (credited) instead. cancelPendingOf then cancels what is still pending.
   */
  async closePendingAtGateways(userId: string): Promise<void> {
    for (const order of await this.orders.pendingOf(userId)) {
      const closed = await this.closeAtGateway(order);
      if (closed.status !== 'paid') continue;
      await this.settlement.settlePaid({
        provider: order.provider,
        orderNo: order.orderNo,
        tradeNo: closed.payment.tradeNo,
        amount: closed.payment.amount,
        currency: closed.payment.currency,
        eventId: `cancel:${order.orderNo}`,
        raw: closed.payment.raw,
        source: 'cancel',
        operator: 'system',
      });
    }
  }

  /**
   * Closing an account, first thing in its transaction: locks the owner's
   * pending orders, so that their rows are taken before the user's row (in
   * the order a payment takes them: order, then user).
   */
  async lockPendingOf(em: EntityManager, userId: string): Promise<void> {
    await this.orders.pendingOf(userId, em, true);
  }

  /**
   * Closing an account, in its transaction: every order of the owner still
   * pending is cancelled (a payment that still arrives is credited all the
   * same), and the orders forget the client address and browser and name the
   * account by its tombstone. Answers the cancelled order numbers.
   */
  async onAccountClosed(em: EntityManager, userId: string, tombstone: string): Promise<string[]> {
    const cancelled: string[] = [];
    for (const order of await this.orders.pendingOf(userId, em)) {
      if (await this.orders.transition(em, 'cancel', order.orderNo, { userId })) cancelled.push(order.orderNo);
    }
    await this.orders.forgetCustomer(em, userId, tombstone);
    return cancelled;
  }

  /** All the owner's orders, newest first, in batches (for their data export). */
  async *exportOwn(userId: string, batchSize = 500): AsyncGenerator<PaymentOrder[]> {
    let beforeId: string | null = null;
    for (;;) {
      const batch = await this.orders.ownBatch(userId, beforeId, batchSize);
      if (batch.length > 0) yield batch;
      if (batch.length < batchSize) return;
      beforeId = batch[batch.length - 1].id;
    }
  }

  /** A gateway's own checkout page reports the payment failed (its Fail button). */
  async failFromGatewayPage(provider: string, orderNo: string): Promise<boolean> {
    return (await this.orders.transition(this.dataSource.manager, 'fail', orderNo, { provider })) !== null;
  }

  /** An order of one gateway, for that gateway's own pages. */
  findOrderOf(provider: string, orderNo: string): Promise<PaymentOrder | null> {
    return this.orders.findOrderOf(provider, orderNo);
  }

  private async closeAtGateway(order: PaymentOrder): Promise<ClosedPayment> {
    const provider = this.providers.get(order.provider);
    if (!provider?.configured) return { status: 'not_supported' };
    try {
      return await provider.closePayment({ orderNo: order.orderNo, tradeNo: order.tradeNo, amountCny: order.amountCny });
    } catch (error) {
      // Cancelled all the same: a payment that still arrives is credited.
      this.logger.warn({ orderNo: order.orderNo, provider: order.provider, err: error }, 'could not close the payment at the gateway');
      return { status: 'not_supported' };
    }
  }
}

function orderFromRow(id: string, row: NewOrderRow): PaymentOrder {
  return Object.assign(new PaymentOrder(), {
    id,
    orderNo: row.orderNo,
    tradeNo: row.tradeNo,
    userId: row.userId,
    username: row.username,
    amountCny: row.amountCny,
    amountUsd: row.amountUsd,
    bonusUsd: toUsd(0),
    totalUsd: row.amountUsd,
    exchangeRate: row.exchangeRate,
    provider: row.provider,
    paymentMethod: row.method,
    paymentUrl: row.paymentUrl,
    status: OrderStatus.Pending,
    paidAt: null,
    expireAt: row.expireAt,
    promotionTier: row.promotionTier,
    promotionUsed: false,
    callbackAt: null,
    clientIp: row.clientIp,
    userAgent: row.userAgent,
    createdAt: row.createdAt,
    updatedAt: row.createdAt,
    payCurrency: row.payCurrency,
    payAmount: row.payAmount,
    payRate: row.payRate,
    payAddress: row.payAddress,
    campaigns: row.campaigns,
  });
}
