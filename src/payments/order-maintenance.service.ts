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
import { PaymentProviderRegistry } from './payment-provider.registry';
import { RefundsService } from './refunds.service';
import { SettlementService } from './settlement.service';

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

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: PaymentOrdersRepository,
    private readonly providers: PaymentProviderRegistry,
    private readonly settlement: SettlementService,
    private readonly refunds: RefundsService,
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
   * unpaid order (pending, expired, cancelled) created within
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
          await pace();
          if (await this.reconcileOne(order)) settled++;
          checked++;
          cursor = order.id;
        }
        if (orders.length < batchSize) break;
      }
      await this.cache.delete(CURSOR_KEY);
      return { checked, settled, refundsFinished, complete: true };
    });
    return run.acquired ? run.result : null;
  }

  /** Asks the order's gateway about it; true when it was paid there and is now credited. */
  private async reconcileOne(order: PaymentOrder): Promise<boolean> {
    const provider = this.providers.get(order.provider);
    if (!provider?.configured) return false;
    try {
      const state = await provider.queryOrder({ orderNo: order.orderNo, tradeNo: order.tradeNo, amountCny: order.amountCny });
      if (state.status !== 'paid') return false;
      const result = await this.settlement.settlePaid({
        provider: order.provider,
        orderNo: order.orderNo,
        tradeNo: state.tradeNo,
        amountCny: state.amountCny,
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
