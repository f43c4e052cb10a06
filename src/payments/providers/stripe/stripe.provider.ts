import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfig } from '../../../common/config/app-config';
import { Money, toCny } from '../../../common/money/money';
import {
  AcceptedRefund,
  ClosedPayment,
  GatewayError,
  GatewayOrderState,
  GatewayRefundState,
  GatewayRefusal,
  OrderRef,
  PaymentProvider,
  PaymentRequest,
  RefundAttempt,
  StartedPayment,
  WebhookEvent,
  WebhookRequest,
  WebhookVerificationError,
} from '../../payment-provider';
import { StripeSettings } from './stripe.settings';

/** Stripe's tolerance for the age of a signed event: 5 minutes, against replayed deliveries. */
const SIGNATURE_TOLERANCE_SECONDS = 300;
/** Stripe refuses Checkout Sessions that expire sooner than this. */
const MIN_SESSION_MS = 30 * 60_000;
/** Currencies without minor units (Stripe's list); every other one has two decimals. */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

/**
 * A Stripe Refund's status as the refund saga reads it: `pending` and
 * `requires_action` are under way (Stripe reports the outcome later),
 * `failed` and `canceled` gave nothing back (a refund Stripe had confirmed can
 * still fail days later).
 */
export function refundState(refund: Pick<Stripe.Refund, 'status' | 'failure_reason'>): GatewayRefundState {
  const gatewayStatus = refund.status ?? 'unknown';
  switch (gatewayStatus) {
    case 'succeeded':
      return { status: 'succeeded', gatewayStatus, reason: null };
    case 'failed':
    case 'canceled':
      return {
        status: 'failed',
        gatewayStatus,
        reason: `stripe: refund ${gatewayStatus}${refund.failure_reason ? ` (${refund.failure_reason})` : ''}`,
      };
    default:
      // pending, requires_action, and any status Stripe adds: not done until Stripe says so.
      return { status: 'pending', gatewayStatus, reason: null };
  }
}

/** Amount → the currency's smallest unit, the only place it is converted (¥20.00 → 2000). */
export function toMinorUnits(amount: string, currency: string): number {
  const minor = new Money(amount).times(ZERO_DECIMAL.has(currency) ? 1 : 100);
  if (!minor.isInteger()) throw new GatewayError(`stripe: ${amount} ${currency} is not a whole number of minor units`);
  return minor.toNumber();
}

export function fromMinorUnits(minor: number, currency: string): string {
  return toCny(new Money(minor).dividedBy(ZERO_DECIMAL.has(currency) ? 1 : 100));
}

/** Cards through Stripe Checkout. */
@Injectable()
export class StripeProvider extends PaymentProvider {
  readonly name = 'stripe';
  readonly labels = { zh: '银行卡（Stripe）', en: 'Card (Stripe)' };
  readonly methods = ['card'] as const;
  readonly display = 'redirect' as const;
  readonly enabled: boolean;
  readonly configured: boolean;
  readonly refundsByApi = true;
  private readonly stripe: Stripe;
  private readonly webhookSecret: string;
  private readonly currency: string;
  private readonly baseUrl: string;

  constructor(config: AppConfig) {
    super();
    const settings = config.section(StripeSettings);
    this.enabled = settings.enabled;
    this.configured = settings.apiKey !== '' && settings.webhookSecret !== '';
    this.webhookSecret = settings.webhookSecret;
    this.currency = settings.currency.toLowerCase();
    this.baseUrl = config.app.publicBaseUrl.replace(/\/$/, '');
    const api = settings.apiBase ? new URL(settings.apiBase) : null;
    this.stripe = new Stripe(settings.apiKey || 'sk_unset', {
      maxNetworkRetries: 2,
      timeout: 10_000,
      telemetry: false,
      ...(api && { host: api.hostname, port: api.port || (api.protocol === 'https:' ? 443 : 80), protocol: api.protocol.replace(':', '') as 'http' | 'https' }),
    });
  }

  /** A Checkout Session must be opened at Stripe first. */
  localPayment(): null {
    return null;
  }

  async createPayment(request: PaymentRequest): Promise<StartedPayment> {
    const expiresAt = Math.max(request.expireAt.getTime(), Date.now() + MIN_SESSION_MS);
    try {
      const session = await this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          client_reference_id: request.orderNo,
          metadata: { order_no: request.orderNo },
          payment_intent_data: { metadata: { order_no: request.orderNo } },
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: this.currency,
                unit_amount: toMinorUnits(request.amountCny, this.currency),
                product_data: { name: request.subject },
              },
            },
          ],
          expires_at: Math.ceil(expiresAt / 1000),
          success_url: `${this.baseUrl}/payment/result?out_trade_no=${encodeURIComponent(request.orderNo)}`,
          cancel_url: `${this.baseUrl}/payment/result?out_trade_no=${encodeURIComponent(request.orderNo)}&cancelled=1`,
        },
        // One session per order, however often the call is retried.
        { idempotencyKey: `checkout-session-${request.orderNo}` },
      );
      if (!session.url) throw new GatewayError('stripe: the session has no URL');
      return { paymentUrl: session.url, tradeNo: session.id };
    } catch (error) {
      throw error instanceof GatewayError ? error : new GatewayError(`stripe: ${(error as Error).message}`);
    }
  }

  async parseWebhook(request: WebhookRequest): Promise<WebhookEvent> {
    const signature = request.headers['stripe-signature'];
    if (!request.rawBody || typeof signature !== 'string') {
      throw new WebhookVerificationError('stripe webhook: no raw body or Stripe-Signature header');
    }
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(request.rawBody, signature, this.webhookSecret, SIGNATURE_TOLERANCE_SECONDS);
    } catch {
      throw new WebhookVerificationError('stripe webhook: bad signature');
    }
    const raw = request.rawBody.toString('utf8');
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded': {
        const session = event.data.object;
        const orderNo = session.metadata?.order_no ?? session.client_reference_id;
        if (!orderNo) return { kind: 'ignored', eventId: event.id, reason: 'session without order_no' };
        if (session.payment_status !== 'paid') return { kind: 'ignored', eventId: event.id, reason: `payment_status ${session.payment_status}` };
        const currency = (session.currency ?? '').toLowerCase();
        return {
          kind: 'paid',
          eventId: event.id,
          orderNo,
          tradeNo: session.id,
          amount: fromMinorUnits(session.amount_total ?? 0, currency),
          currency,
          raw,
        };
      }
      case 'checkout.session.async_payment_failed':
      case 'checkout.session.expired': {
        const session = event.data.object;
        const orderNo = session.metadata?.order_no ?? session.client_reference_id;
        if (!orderNo) return { kind: 'ignored', eventId: event.id, reason: 'session without order_no' };
        return { kind: event.type === 'checkout.session.expired' ? 'expired' : 'failed', eventId: event.id, orderNo, raw };
      }
      case 'charge.refund.updated':
      case 'refund.updated':
      case 'refund.failed': {
        // data.object is a Refund. Its metadata names the order when the refund was made here; one made in the
        // dashboard is found through its payment's Checkout Session.
        const refund = event.data.object;
        const orderNo = refund.metadata?.order_no || (await this.orderNoOfPaymentIntent(refund.payment_intent));
        return { kind: 'refund_update', eventId: event.id, gatewayRefundId: refund.id, orderNo: orderNo || null, state: refundState(refund), raw };
      }
      case 'charge.refunded': {
        const charge = event.data.object;
        const orderNo = charge.metadata?.order_no || (await this.orderNoOfPaymentIntent(charge.payment_intent));
        if (!orderNo) return { kind: 'ignored', eventId: event.id, reason: 'charge without order_no' };
        return { kind: 'refunded', eventId: event.id, orderNo, full: charge.refunded === true, raw };
      }
      default:
        return { kind: 'ignored', eventId: event.id, reason: `event ${event.type} not used` };
    }
  }

  async queryOrder(order: OrderRef): Promise<GatewayOrderState> {
    if (!order.tradeNo) return { status: 'unknown', raw: '{"reason":"no checkout session"}' };
    try {
      const session = await this.stripe.checkout.sessions.retrieve(order.tradeNo);
      const raw = JSON.stringify({ id: session.id, status: session.status, payment_status: session.payment_status });
      if (session.payment_status === 'paid') {
        const currency = (session.currency ?? '').toLowerCase();
        return { status: 'paid', tradeNo: session.id, amount: fromMinorUnits(session.amount_total ?? 0, currency), currency, raw };
      }
      if (session.status === 'expired') return { status: 'expired', raw };
      return { status: 'pending', raw };
    } catch (error) {
      throw new GatewayError(`stripe: ${(error as Error).message}`);
    }
  }

  /**
   * Expires the Checkout Session. Stripe refuses when it is already
   * complete: then the session is read, and a paid one is handed back to be
   * settled.
   */
  async closePayment(order: OrderRef): Promise<ClosedPayment> {
    if (!order.tradeNo) return { status: 'closed' };
    try {
      await this.stripe.checkout.sessions.expire(order.tradeNo);
      return { status: 'closed' };
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw new GatewayError(`stripe: ${(error as Error).message}`);
      const state = await this.queryOrder(order);
      if (state.status === 'paid') return { status: 'paid', payment: state };
      if (state.status === 'expired') return { status: 'closed' };
      throw new GatewayError(`stripe: the session could not be expired (${error.message})`);
    }
  }

  /**
   * Refunds the session's payment. The idempotency key makes a retried call
   * return the first call's refund, so Stripe refunds once however often the
   * saga asks. A refund Stripe answers `pending` or `requires_action` is
   * under way: its outcome comes by charge.refund.updated / refund.failed, or
   * by queryRefund.
   */
  async refund(order: OrderRef, amountCny: string, attempt: RefundAttempt): Promise<AcceptedRefund> {
    if (!order.tradeNo) throw new GatewayRefusal('stripe: the order has no checkout session');
    try {
      const session = await this.stripe.checkout.sessions.retrieve(order.tradeNo);
      const paymentIntent = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
      if (!paymentIntent) throw new GatewayRefusal('stripe: the session has no payment intent');
      const refund = await this.stripe.refunds.create(
        { payment_intent: paymentIntent, amount: toMinorUnits(amountCny, this.currency), metadata: { order_no: order.orderNo } },
        { idempotencyKey: attempt.idempotencyKey },
      );
      const state = refundState(refund);
      if (state.status === 'failed') throw new GatewayRefusal(state.reason!);
      return { status: state.status, gatewayRefundId: refund.id, gatewayStatus: state.gatewayStatus };
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      // A 4xx is Stripe's considered answer; a timeout, 5xx or rate limit leaves the outcome unknown.
      const refused =
        error instanceof Stripe.errors.StripeInvalidRequestError ||
        error instanceof Stripe.errors.StripeCardError ||
        error instanceof Stripe.errors.StripePermissionError;
      throw refused ? new GatewayRefusal(`stripe: ${(error as Error).message}`) : new GatewayError(`stripe: ${(error as Error).message}`);
    }
  }

  /** Retrieves the Refund: where a refund answered `pending` or `requires_action` stands now. */
  override async queryRefund(gatewayRefundId: string): Promise<GatewayRefundState> {
    try {
      return refundState(await this.stripe.refunds.retrieve(gatewayRefundId));
    } catch (error) {
      throw new GatewayError(`stripe: ${(error as Error).message}`);
    }
  }

  /** The order of a charge whose metadata does not name it, through its Checkout Session. */
  private async orderNoOfPaymentIntent(paymentIntent: string | Stripe.PaymentIntent | null): Promise<string | null> {
    const id = typeof paymentIntent === 'string' ? paymentIntent : paymentIntent?.id;
    if (!id) return null;
    try {
      const sessions = await this.stripe.checkout.sessions.list({ payment_intent: id, limit: 1 });
      const session = sessions.data[0];
      return session?.metadata?.order_no ?? session?.client_reference_id ?? null;
    } catch (error) {
      // Unknown for now: the webhook answers 500 and Stripe delivers it again.
      throw new GatewayError(`stripe: ${(error as Error).message}`);
    }
  }
}
