import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds that a gateway answers "pending" and settles later, and refunds
 * that fail after the gateway first confirmed them (Stripe can fail a card
 * refund days later).
 *
 * - payment_refunds.gateway_refund_id: the gateway's id of the refund (Stripe
 *   `re_…`), so its later news (charge.refund.updated, refund.failed) and the
 *   reconcile job's query find the refund they are about.
 * - payment_refunds.gateway_status: what the gateway last said of it
 *   (pending, requires_action, succeeded, failed, canceled), for admins.
 * - payment_refunds.status gains `failed`: the gateway had confirmed the
 *   refund, then reported it failed; the debit was given back and the order is
 *   paid again, flagged for an admin.
 * - The attention index of payment_webhook_events holds `refund_failed` too
 *   (the news of such a failure, until an admin marks it dealt with).
 *
 * Existing data: a refund already confirmed through a gateway's API is
 * recorded as the gateway said it (`succeeded`); the ids of earlier refunds
 * were never kept, so theirs stay unknown (their news is matched by order).
 */
export class RefundsFailingLater1765756800000 implements MigrationInterface {
  name = 'RefundsFailingLater1765756800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_refunds ADD COLUMN gateway_refund_id VARCHAR(255)`);
    await q.query(`ALTER TABLE payment_refunds ADD COLUMN gateway_status VARCHAR(30)`);
    await q.query(`UPDATE payment_refunds SET gateway_status = 'succeeded' WHERE method = 'gateway' AND status = 'succeeded'`);
    await q.query(`CREATE INDEX idx_payment_refunds_gateway_refund ON payment_refunds (gateway_refund_id) WHERE gateway_refund_id IS NOT NULL`);

    await q.query(`ALTER TABLE payment_refunds DROP CONSTRAINT payment_refunds_status_check`);
    await q.query(`
      ALTER TABLE payment_refunds ADD CONSTRAINT payment_refunds_status_check
        CHECK (status IN ('pending', 'succeeded', 'reversed', 'failed'))`);

    await q.query(`DROP INDEX IF EXISTS idx_payment_webhook_events_attention`);
    await q.query(`
      CREATE INDEX idx_payment_webhook_events_attention ON payment_webhook_events (order_no)
       WHERE outcome IN ('duplicate_payment', 'underpaid', 'overpaid', 'refund_failed') AND resolved_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS idx_payment_webhook_events_attention`);
    await q.query(`
      CREATE INDEX idx_payment_webhook_events_attention ON payment_webhook_events (order_no)
       WHERE outcome IN ('duplicate_payment', 'underpaid', 'overpaid') AND resolved_at IS NULL`);
    // A refund that failed later was given back in full: for the old states it is a reversed one.
    await q.query(`UPDATE payment_refunds SET status = 'reversed' WHERE status = 'failed'`);
    await q.query(`ALTER TABLE payment_refunds DROP CONSTRAINT payment_refunds_status_check`);
    await q.query(`
      ALTER TABLE payment_refunds ADD CONSTRAINT payment_refunds_status_check
        CHECK (status IN ('pending', 'succeeded', 'reversed'))`);
    await q.query(`DROP INDEX IF EXISTS idx_payment_refunds_gateway_refund`);
    await q.query(`ALTER TABLE payment_refunds DROP COLUMN gateway_status`);
    await q.query(`ALTER TABLE payment_refunds DROP COLUMN gateway_refund_id`);
  }
}
