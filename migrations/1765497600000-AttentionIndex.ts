import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway news an admin still has to deal with (a second payment, one of
 * another amount), indexed by itself: the metrics count it on every scrape,
 * and the older index held only second payments.
 */
export class AttentionIndex1765497600000 implements MigrationInterface {
  name = 'AttentionIndex1765497600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX idx_payment_webhook_events_attention ON payment_webhook_events (order_no)
       WHERE outcome IN ('duplicate_payment', 'underpaid', 'overpaid') AND resolved_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS idx_payment_webhook_events_attention`);
  }
}
