import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../common/metrics/metrics.service';
import { sharedWhileRunning } from '../common/metrics/shared-read';
import { PaymentOrdersRepository } from './payment-orders.repository';

/** Payment counters for /metrics. Amounts here are for dashboards only, never for money logic. */
@Injectable()
export class PaymentMetrics {
  readonly ordersCreated: Counter<'provider'>;
  readonly ordersPaid: Counter<'provider' | 'source'>;
  readonly ordersExpired: Counter<'provider'>;
  readonly webhooks: Counter<'provider' | 'result'>;
  readonly creditedUsd: Counter<'provider' | 'kind'>;
  readonly duplicatePayments: Counter<'provider'>;
  readonly refunds: Counter<'provider' | 'outcome'>;
  readonly unmatchedPayments: Counter<'provider'>;
  readonly polls: Counter<'provider' | 'outcome'>;
  readonly polledEvents: Counter<'provider' | 'result'>;

  constructor(metrics: MetricsService, orders: PaymentOrdersRepository) {
    const registers = [metrics.registry];
    this.watchOrders(orders, registers);
    this.ordersCreated = new Counter({ name: 'payment_orders_created_total', help: 'Orders created', labelNames: ['provider'], registers });
    this.ordersPaid = new Counter({
      name: 'payment_orders_paid_total',
      help: 'Orders moved to paid, by where the news came from (webhook, poll, reconcile, cancel, admin)',
      labelNames: ['provider', 'source'],
      registers,
    });
    this.ordersExpired = new Counter({ name: 'payment_orders_expired_total', help: 'Orders expired unpaid', labelNames: ['provider'], registers });
    this.webhooks = new Counter({
      name: 'payment_webhooks_total',
      help: 'Gateway callbacks by outcome (credited, duplicate, bad_signature, amount_mismatch, unknown_order, …)',
      labelNames: ['provider', 'result'],
      registers,
    });
    this.creditedUsd = new Counter({
      name: 'payment_credited_usd_total',
      help: 'USD credited to balances by payments and their bonuses',
      labelNames: ['provider', 'kind'],
      registers,
    });
    this.duplicatePayments = new Counter({
      name: 'payment_duplicate_payments_total',
      help: 'Second payments for orders whose payment stands: recorded for admins, never credited',
      labelNames: ['provider'],
      registers,
    });
    this.refunds = new Counter({
      name: 'payment_refunds_total',
      help: 'Refund steps by outcome (started, pending, succeeded, reversed, unknown, recorded, external, failed_after_success)',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.unmatchedPayments = new Counter({
      name: 'payment_unmatched_payments_total',
      help: 'Payments a gateway reported that match no order: recorded for admins, never credited',
      labelNames: ['provider'],
      registers,
    });
    this.polls = new Counter({
      name: 'payment_gateway_polls_total',
      help: 'Polls of gateways whose payments are found by asking (ok; failed: the gateway could not be read, the cursor stays; backoff: skipped while backing off)',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.polledEvents = new Counter({
      name: 'payment_polled_events_total',
      help: 'News found by polling gateways, by what applying it did (credited, duplicate, unmatched, amount_mismatch, …)',
      labelNames: ['provider', 'result'],
      registers,
    });
  }

  /**
   * Gauges read from the database at each scrape, the same on every instance:
   * open orders by status, refunds stuck, orders needing an admin. One query
   * feeds the three; a scrape while the database is away keeps the values
   * read before.
   */
  private watchOrders(orders: PaymentOrdersRepository, registers: MetricsService['registry'][]): void {
    const counts = sharedWhileRunning(() => orders.watchedCounts());
    type Counts = Awaited<ReturnType<typeof counts>>;
    const gauge = (name: string, help: string, labelNames: string[], show: (gauge: Gauge, now: Counts) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const now = await counts().catch(() => null);
          if (now) show(this, now);
        },
      });
    gauge('payment_orders_open', 'Orders not yet final, by status (pending: waiting for payment; refunding: a refund under way)', ['status'], (g, now) => {
      g.set({ status: 'pending' }, now.pending);
      g.set({ status: 'refunding' }, now.refunding);
    });
    gauge('payment_refunds_stuck', 'Orders refunding for more than 10 minutes without news from the gateway', [], (g, now) => g.set(now.refundsStuck));
    gauge(
      'payment_orders_attention',
      'Orders an admin must look at: a second payment or one of another amount not yet resolved, or a refund stuck',
      [],
      (g, now) => g.set(now.attention),
    );
  }
}
