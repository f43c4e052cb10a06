import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The full order lifecycle: money taken by a gateway is never lost.
 *
 * - payment_orders.status gains `cancelled` (the owner gave up) and
 *   `refunding` (the user is debited, the gateway has not confirmed yet).
 * - payment_refunds: one row per refund attempt of an order, so a refund is
 *   a saga that survives a crash between the debit and the gateway's answer,
 *   and records what was taken back, what could not be (the shortfall) and
 *   the invite reward it reversed. At most one live (pending or succeeded)
 *   refund per order.
 * - payment_webhook_events.payload: the raw callback of an event admins must
 *   see (a second payment for an order that was already paid), and when an
 *   admin marked it dealt with (refunded at the gateway).
 * - referral_invites: when a refund takes an invitee's total back below the
 *   threshold, the referrer's reward is reversed; the invite records when and
 *   what could not be taken back.
 * - An index for the attention list and one for reconciliation.
 *
 * Existing data: every refunded order gets the refund row that its ledger
 * rows describe (debited = minus the sum of its `refund` rows, the rest of
 * total_usd is the shortfall), so the ledger audit holds for old refunds too.
 * Orders that users cancelled before this migration stay `failed`: nothing
 * recorded which of them were cancelled and which the gateway refused, and
 * both are credited if a payment for them arrives.
 */
export class OrderLifecycle1764115200000 implements MigrationInterface {
  name = 'OrderLifecycle1764115200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_orders DROP CONSTRAINT payment_orders_status_check`);
    await q.query(`
      ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_status_check
        CHECK (status IN ('pending', 'paid', 'expired', 'cancelled', 'failed', 'refunding', 'refunded'))`);
    // Reconciliation walks the unpaid orders of the last hours by id.
    await q.query(`
      CREATE INDEX idx_payment_orders_unpaid_created ON payment_orders (created_at)
        WHERE status IN ('pending', 'expired', 'cancelled')`);

    await q.query(`
      CREATE TABLE payment_refunds (
        id                     BIGSERIAL PRIMARY KEY,
        order_no               VARCHAR(50) NOT NULL REFERENCES payment_orders(order_no),
        user_id                BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        -- gateway: asked through the gateway's API; manual: an admin recorded a refund made outside;
        -- external: the gateway reported a refund made in its own dashboard.
        method                 VARCHAR(20) NOT NULL CHECK (method IN ('gateway', 'manual', 'external')),
        -- pending: the user is debited, the gateway has not confirmed; succeeded: done;
        -- reversed: the gateway refused, and the debit was given back.
        status                 VARCHAR(20) NOT NULL CHECK (status IN ('pending', 'succeeded', 'reversed')),
        amount_cny             NUMERIC(20,2) NOT NULL CHECK (amount_cny > 0),
        debited_usd            NUMERIC(20,8) NOT NULL CHECK (debited_usd >= 0),
        shortfall_usd          NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (shortfall_usd >= 0),
        referrer_id            BIGINT REFERENCES users(id) ON DELETE SET NULL,
        reward_reversed        BOOLEAN NOT NULL DEFAULT FALSE,
        reward_taken_usd       NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (reward_taken_usd >= 0),
        operator               VARCHAR(255) NOT NULL,
        remark                 VARCHAR(500),
        attempts               INT NOT NULL DEFAULT 0,
        gateway_reason         VARCHAR(500),
        created_at             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        completed_at           TIMESTAMPTZ
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_payment_refunds_live ON payment_refunds (order_no) WHERE status IN ('pending', 'succeeded')`);
    await q.query(`CREATE INDEX idx_payment_refunds_order ON payment_refunds (order_no, id)`);
    await q.query(`CREATE INDEX idx_payment_refunds_pending ON payment_refunds (created_at) WHERE status = 'pending'`);

    await q.query(`ALTER TABLE payment_webhook_events ADD COLUMN payload TEXT`);
    await q.query(`ALTER TABLE payment_webhook_events ADD COLUMN resolved_at TIMESTAMPTZ`);
    await q.query(`ALTER TABLE payment_webhook_events ADD COLUMN resolved_by VARCHAR(255)`);
    await q.query(`
      CREATE INDEX idx_payment_webhook_events_unresolved ON payment_webhook_events (order_no)
        WHERE outcome = 'duplicate_payment' AND resolved_at IS NULL`);

    await q.query(`ALTER TABLE referral_invites ADD COLUMN reward_reversed_at TIMESTAMPTZ`);
    await q.query(`
      ALTER TABLE referral_invites ADD COLUMN reward_shortfall_usd NUMERIC(20,8) NOT NULL DEFAULT 0
        CHECK (reward_shortfall_usd >= 0)`);

    await q.query(`
      INSERT INTO payment_refunds (order_no, user_id, method, status, amount_cny, debited_usd, shortfall_usd,
                                   operator, remark, attempts, created_at, updated_at, completed_at)
      SELECT o.order_no, o.user_id, 'gateway', 'succeeded', o.amount_cny, -r.total, o.total_usd + r.total,
             COALESCE(r.operator, 'system'), r.remark, 1, COALESCE(r.first_at, o.updated_at), o.updated_at, o.updated_at
        FROM payment_orders o
        CROSS JOIN LATERAL (
          SELECT COALESCE(SUM(amount), 0) AS total, MIN(created_at) AS first_at,
                 (array_agg(operator ORDER BY id))[1] AS operator, (array_agg(remark ORDER BY id))[1] AS remark
            FROM recharge_records
           WHERE related_id = o.order_no AND type = 'refund' AND user_id = o.user_id
        ) r
       WHERE o.status = 'refunded'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE referral_invites DROP COLUMN reward_shortfall_usd`);
    await q.query(`ALTER TABLE referral_invites DROP COLUMN reward_reversed_at`);
    await q.query(`DROP INDEX IF EXISTS idx_payment_webhook_events_unresolved`);
    await q.query(`ALTER TABLE payment_webhook_events DROP COLUMN resolved_by`);
    await q.query(`ALTER TABLE payment_webhook_events DROP COLUMN resolved_at`);
    await q.query(`ALTER TABLE payment_webhook_events DROP COLUMN payload`);
    await q.query(`DROP TABLE payment_refunds`);
    await q.query(`DROP INDEX IF EXISTS idx_payment_orders_unpaid_created`);
    // Orders in the new states go back to the nearest old one before the old CHECK returns.
    await q.query(`UPDATE payment_orders SET status = 'failed' WHERE status = 'cancelled'`);
    await q.query(`UPDATE payment_orders SET status = 'paid' WHERE status = 'refunding'`);
    await q.query(`ALTER TABLE payment_orders DROP CONSTRAINT payment_orders_status_check`);
    await q.query(`
      ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_status_check
        CHECK (status IN ('pending', 'paid', 'failed', 'expired', 'refunded'))`);
  }
}
