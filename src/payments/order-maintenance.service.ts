import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LockKey, drainInLockedBatches, withSessionLock } from '../common/database/advisory-lock';
import { returning } from '../common/database/returning';
import { PaymentMetrics } from './payment-metrics';
import { ProviderName } from './payment-order.entity';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { SettlementService } from './settlement.service';

const EXPIRE_BATCH = 1000;
const RECONCILE_BATCH = 100;
/** Orders younger than this are left to their webhook (SPEC §5.6). */
const RECONCILE_MIN_AGE_MS = 2 * 60_000;

interface PendingOrder {
  id: string;
  created_at: Date;
  order_no: string;
  trade_no: string | null;
  amount_cny: string;
  provider: ProviderName;
}

export interface ReconcileReport {
  checked: number;
  settled: number;
}

/** The scheduled work on orders (SPEC §5.6); each method is idempotent and safe on several instances. */
@Injectable()
export class OrderMaintenanceService {
  private readonly logger = new Logger(OrderMaintenanceService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: PaymentProviderRegistry,
    private readonly settlement: SettlementService,
    private readonly metrics: PaymentMetrics,
  ) {}

  /**
   * Pending orders past expire_at → expired, a short transaction per batch
   * (rows taken with SKIP LOCKED, so a webhook paying one of them never waits
   * on the batch). Null when another instance holds the job.
   */
  expireDue(batchSize = EXPIRE_BATCH): Promise<number | null> {
    return drainInLockedBatches(this.dataSource, LockKey.ExpireOrders, batchSize, async (em) => {
      const rows = await returning<{ provider: ProviderName }>(
        em,
        `UPDATE payment_orders SET status = 'expired', updated_at = NOW()
          WHERE id IN (SELECT id FROM payment_orders
                        WHERE status = 'pending' AND expire_at <= NOW()
                        ORDER BY expire_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING provider`,
        [batchSize],
      );
      for (const row of rows) this.metrics.ordersExpired.inc({ provider: row.provider });
      return rows.length;
    });
  }

  /**
   * Asks the gateway about pending orders older than two minutes and settles
   * the ones it reports paid through the webhook's code path, so a lost
   * callback never loses a customer's money. Gateways are called with no
   * transaction open; the job's lock is a session-level advisory lock.
   */
  async reconcile(batchSize = RECONCILE_BATCH): Promise<ReconcileReport | null> {
    const run = await withSessionLock(this.dataSource, LockKey.ReconcileOrders, async () => {
      const cutoff = new Date(Date.now() - RECONCILE_MIN_AGE_MS);
      let checked = 0;
      let settled = 0;
      // Keyset pages over every pending order, so a busy hour's backlog is all asked about, not only the oldest batch.
      for (let after: { createdAt: Date; id: string } | null = null; ; ) {
        const orders: PendingOrder[] = await this.dataSource.query(
          `SELECT id, created_at, order_no, trade_no, amount_cny, provider FROM payment_orders
            WHERE status = 'pending' AND created_at <= $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::bigint))
            ORDER BY created_at, id LIMIT $4`,
          [cutoff, after?.createdAt ?? null, after?.id ?? 0, batchSize],
        );
        for (const order of orders) if (await this.reconcileOne(order)) settled++;
        checked += orders.length;
        if (orders.length < batchSize) return { checked, settled };
        const last = orders[orders.length - 1];
        after = { createdAt: last.created_at, id: last.id };
      }
    });
    return run.acquired ? run.result : null;
  }

  /** Asks the order's gateway about it; true when it was paid there and is now credited. */
  private async reconcileOne(order: PendingOrder): Promise<boolean> {
    const provider = this.providers.get(order.provider);
    if (!provider) return false;
    try {
      const state = await provider.queryOrder({ orderNo: order.order_no, tradeNo: order.trade_no, amountCny: order.amount_cny });
      if (state.status !== 'paid') return false;
      const result = await this.settlement.settlePaid({
        provider: order.provider,
        orderNo: order.order_no,
        tradeNo: state.tradeNo,
        amountCny: state.amountCny,
        currency: state.currency,
        eventId: `reconcile:${order.order_no}`,
        raw: state.raw,
        source: 'reconcile',
        operator: 'system',
        remark: `${order.provider} payment of ${order.amount_cny} CNY (found by reconciliation)`,
      });
      return result.outcome === 'credited';
    } catch (error) {
      // One gateway's trouble must not stop the others; the next run asks again.
      this.logger.warn({ orderNo: order.order_no, provider: order.provider, err: error }, 'reconciliation query failed');
      return false;
    }
  }
}
