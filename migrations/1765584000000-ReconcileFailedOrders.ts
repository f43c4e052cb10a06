import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation asks gateways about failed orders too (a gateway can report
 * a payment failed and then take it after all, and the callback saying so can
 * be lost). Its partial index grows to hold every state a payment can still
 * settle.
 */
export class ReconcileFailedOrders1765584000000 implements MigrationInterface {
  name = 'ReconcileFailedOrders1765584000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS idx_payment_orders_unpaid_created`);
    await q.query(`
      CREATE INDEX idx_payment_orders_unpaid_created ON payment_orders (created_at)
        WHERE status IN ('pending', 'expired', 'cancelled', 'failed')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS idx_payment_orders_unpaid_created`);
    await q.query(`
      CREATE INDEX idx_payment_orders_unpaid_created ON payment_orders (created_at)
        WHERE status IN ('pending', 'expired', 'cancelled')`);
  }
}
