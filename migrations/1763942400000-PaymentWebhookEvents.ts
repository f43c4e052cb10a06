import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gateway callbacks we have processed, by the gateway's own event id (Stripe
 * `evt_…`, Zpay trade_no + status). The unique key makes a redelivered event
 * recognisable; the order's conditional status change is what keeps money
 * exactly-once, and this table is its audit trail.
 */
export class PaymentWebhookEvents1763942400000 implements MigrationInterface {
  name = 'PaymentWebhookEvents1763942400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payment_webhook_events (
        id         BIGSERIAL PRIMARY KEY,
        provider   VARCHAR(20) NOT NULL,
        event_id   VARCHAR(255) NOT NULL,
        order_no   VARCHAR(50),
        outcome    VARCHAR(30) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CONSTRAINT payment_webhook_events_provider_event UNIQUE (provider, event_id)
      )`);
    await q.query(`CREATE INDEX idx_payment_webhook_events_order ON payment_webhook_events (order_no) WHERE order_no IS NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS payment_webhook_events`);
  }
}
