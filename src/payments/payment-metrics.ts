import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../common/metrics/metrics.service';

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

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
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
      help: 'Refund steps by outcome (started, succeeded, reversed, unknown, recorded, external)',
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
}
