import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CacheStore } from '../common/cache/cache.store';
import { AppConfig } from '../common/config/app-config';
import { LockKey, drainInLockedBatches, withSessionLock } from '../common/database/advisory-lock';
import { PaymentMetrics } from './payment-metrics';
import { PaymentOrder } from './payment-order.entity';
import { PaymentOrdersRepository } from './payment-orders.repository';
import { GatewayError, PaymentProvider } from './payment-provider';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { RefundsService } from './refunds.service';
import { SettlementService } from './settlement.service';
import { WebhooksService } from './webhooks.service';

const EXPIRE_BATCH = 1000;
const RECONCILE_BATCH = 100;
/** Orders younger than this are left to their webhook. */
const RECONCILE_MIN_AGE_MS = 2 * 60_000;
/**
 * One run asks the gateways for at most this long, under the 2-minute tick,
 * then leaves a cursor for the next run: a large backlog is worked through
 * run after run, and refunds under way are resumed every run.
 */
const RECONCILE_RUN_BUDGET_MS = 100_000;
const CURSOR_KEY = 'payments:reconcile:cursor';
const CURSOR_TTL_MS = 24 * 3_600_000;
/** The longest a failing gateway is left alone between two polls. */
const MAX_POLL_BACKOFF_MS = 5 * 60_000;

export interface ReconcileReport {
  /** Unpaid orders asked about. */
  checked: number;
  /** Of those, paid at the gateway and now credited. */
  settled: number;
  /** Refunds under way that were finished (confirmed or reversed). */
  refundsFinished: number;
  /** Whether the run reached the end of the window (false: the next run resumes from the cursor). */
  complete: boolean;
}

/** Keeps gateway queries at most `perSecond` apart, across one run. */
function pacer(perSecond: number): () => Promise<void> {
  const gapMs = 1000 / perSecond;
  let next = 0;
  return async () => {
    const now = performance.now();
    if (next > now) await sleep(next - now);
    next = Math.max(now, next) + gapMs;
  };
}

/** The scheduled work on orders; each method is idempotent and safe on several instances. */
@Injectable()
export class OrderMaintenanceService {
  private readonly logger = new Logger(OrderMaintenanceService.name);
  /** Per gateway, after failed polls: how many in a row, and until when to leave it alone. Local to this instance, like its clock. */
  private readonly pollBackoff = new Map<string, { failures: number; until: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: PaymentOrdersRepository,
    private readonly providers: PaymentProviderRegistry,
    private readonly settlement: SettlementService,
    private readonly refunds: RefundsService,
    private readonly news: WebhooksService,
    private readonly cache: CacheStore,
    private readonly metrics: PaymentMetrics,
    private readonly config: AppConfig,
  ) {}

  /**
   * Pending orders past expire_at → expired, a short transaction per batch.
   * Null when another instance holds the job.
   */
  expireDue(batchSize = EXPIRE_BATCH): Promise<number | null> {
    return drainInLockedBatches(this.dataSource, LockKey.ExpireOrders, batchSize, async (em) => {
      const rows = await this.orders.expireBatch(em, batchSize);
      for (const row of rows) this.metrics.ordersExpired.inc({ provider: row.provider });
      return rows.length;
    });
  }

  /**
   * Resumes every refund under way, then asks the gateway about every
   * unpaid order (pending, expired, cancelled, failed) created within
   * payment.reconcile_window_hours and older than two minutes, settling the
   * paid ones through the webhook's code path: a lost callback never loses a
   * customer's money. Gateway queries are paced
   * (payment.reconcile_queries_per_second) and walk the orders by id from a
   * cursor kept between runs. Gateways are called with no transaction open;
   * the job's lock is a session-level advisory lock. Null when another
   * instance holds it.
   */
  async reconcile(options: { batchSize?: number; budgetMs?: number } = {}): Promise<ReconcileReport | null> {
    const batchSize = options.batchSize ?? RECONCILE_BATCH;
    const deadline = Date.now() + (options.budgetMs ?? RECONCILE_RUN_BUDGET_MS);
    const run = await withSessionLock(this.dataSource, LockKey.ReconcileOrders, async () => {
      const pace = pacer(this.config.payment.reconcileQueriesPerSecond);
      const refundsFinished = await this.refunds.resumePending(pace);

      const now = Date.now();
      const from = new Date(now - this.config.payment.reconcileWindowHours * 3_600_000);
      const to = new Date(now - RECONCILE_MIN_AGE_MS);
      let cursor = (await this.cache.get(CURSOR_KEY)) ?? '0';
      let checked = 0;
      let settled = 0;
      for (;;) {
        const orders = await this.orders.unpaidForReconciliation(from, to, cursor, batchSize);
        for (const order of orders) {
          if (Date.now() > deadline) {
            await this.cache.set(CURSOR_KEY, cursor, CURSOR_TTL_MS);
            return { checked, settled, refundsFinished, complete: false };
          }
          cursor = order.id;
          const provider = this.providers.get(order.provider);
          // A polled gateway is read by its poll job, not asked order by order.
          if (!provider?.configured || provider.pollSeconds !== null) continue;
          await pace();
          if (await this.reconcileOne(provider, order)) settled++;
          checked++;
        }
        if (orders.length < batchSize) break;
      }
      await this.cache.delete(CURSOR_KEY);
      return { checked, settled, refundsFinished, complete: true };
    });
    return run.acquired ? run.result : null;
  }

  /**
   * One poll of a gateway whose payments are found by asking it: each piece
   * of news is applied as a callback's would be (idempotently: by event id,
   * and by the order's state), then the gateway's cursor moves past it. A
   * failure anywhere leaves the cursor where it was, so the next poll reads
   * the same news again and nothing is lost; while the gateway cannot be
   * read, polls back off. Answers the payments credited, or null when another
   * instance is polling this gateway (or this one is backing off).
   */
  async poll(provider: PaymentProvider): Promise<number | null> {
    const name = provider.name;
    const backoff = this.pollBackoff.get(name);
    if (backoff && Date.now() < backoff.until) {
      this.metrics.polls.inc({ provider: name, outcome: 'backoff' });
      return null;
    }
    const run = await withSessionLock(
      this.dataSource,
      LockKey.PollGateway,
      async () => {
        const { events, commit } = await provider.poll();
        let credited = 0;
        for (const event of events) {
          const news = await this.news.apply(provider, event, 'poll');
          this.metrics.polledEvents.inc({ provider: name, result: news.result });
          if (news.result === 'credited') credited++;
        }
        await commit();
        return credited;
      },
      name,
    ).catch((error: unknown) => {
      if (!(error instanceof GatewayError)) throw error;
      this.backOff(provider, error);
      return null;
    });
    if (run === null) return null;
    if (run.acquired) {
      this.pollBackoff.delete(name);
      this.metrics.polls.inc({ provider: name, outcome: 'ok' });
    }
    return run.acquired ? run.result : null;
  }

  /**
   * Doubles the wait after each failed poll in a row (1 s, 2 s, 4 s … up to
   * MAX_POLL_BACKOFF_MS), or waits as long as the gateway asked: a short
   * outage costs a tick or two, a long one is not hammered every interval.
   */
  private backOff(provider: PaymentProvider, error: GatewayError): void {
    const failures = (this.pollBackoff.get(provider.name)?.failures ?? 0) + 1;
    const asked = error.retryAfterMs ?? 0;
    const waitMs = Math.max(asked, Math.min(MAX_POLL_BACKOFF_MS, 1000 * 2 ** (failures - 1)));
    this.pollBackoff.set(provider.name, { failures, until: Date.now() + waitMs });
    this.metrics.polls.inc({ provider: provider.name, outcome: 'failed' });
    this.logger.warn({ provider: provider.name, failures, waitMs, err: error }, 'gateway poll failed: its cursor stays, the next poll reads the same news');
  }

  /** Asks the order's gateway about it; true when it was paid there and is now credited. */
  private async reconcileOne(provider: PaymentProvider, order: PaymentOrder): Promise<boolean> {
    try {
      const state = await provider.queryOrder({ orderNo: order.orderNo, tradeNo: order.tradeNo, amountCny: order.amountCny });
      if (state.status !== 'paid') return false;
      const result = await this.settlement.settlePaid({
        provider: order.provider,
        orderNo: order.orderNo,
        tradeNo: state.tradeNo,
        amount: state.amount,
        currency: state.currency,
        eventId: `reconcile:${order.orderNo}`,
        raw: state.raw,
        source: 'reconcile',
        operator: 'system',
        remark: `${order.provider} payment of ${order.amountCny} CNY (found by reconciliation)`,
      });
      return result.outcome === 'credited';
    } catch (error) {
      // One gateway's trouble must not stop the others; the next run asks again.
      this.logger.warn({ orderNo: order.orderNo, provider: order.provider, err: error }, 'reconciliation query failed');
      return false;
    }
  }
}
