import { MigrationInterface, QueryRunner } from 'typeorm';

const OLD_INSERT_SIGNATURE = `payment_order_insert(VARCHAR, VARCHAR, BIGINT, VARCHAR, NUMERIC, NUMERIC, NUMERIC, VARCHAR,
  VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, NUMERIC, NUMERIC, VARCHAR)`;
const NEW_INSERT_SIGNATURE = `payment_order_insert(VARCHAR, VARCHAR, BIGINT, VARCHAR, NUMERIC, NUMERIC, NUMERIC, VARCHAR,
  VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, NUMERIC, NUMERIC, VARCHAR, JSONB)`;

/** payment_order_insert, taking the order's campaigns (null: none were looked at) after its other values. */
const insertFunction = (withCampaigns: boolean) => `
  CREATE FUNCTION payment_order_insert(
    p_order_no VARCHAR, p_trade_no VARCHAR, p_user_id BIGINT, p_username VARCHAR, p_amount_cny NUMERIC,
    p_amount_usd NUMERIC, p_exchange_rate NUMERIC, p_provider VARCHAR, p_payment_method VARCHAR,
    p_payment_url VARCHAR, p_expire_at TIMESTAMPTZ, p_promotion_tier INT, p_client_ip VARCHAR,
    p_user_agent VARCHAR, p_created_at TIMESTAMPTZ, p_max_pending INT,
    p_pay_currency VARCHAR, p_pay_amount NUMERIC, p_pay_rate NUMERIC, p_pay_address VARCHAR${withCampaigns ? ', p_campaigns JSONB' : ''}
  ) RETURNS BIGINT LANGUAGE plpgsql VOLATILE AS $$
  DECLARE
    created payment_orders;
  BEGIN
    PERFORM pg_advisory_xact_lock(7342, hashtext(p_user_id::text));
    IF (SELECT COUNT(*) FROM payment_orders
         WHERE user_id = p_user_id AND status = 'pending' AND expire_at > NOW()) >= p_max_pending THEN
      RETURN NULL;
    END IF;
    INSERT INTO payment_orders
           (order_no, trade_no, user_id, username, amount_cny, amount_usd, bonus_usd, total_usd, exchange_rate,
            provider, payment_method, payment_url, status, expire_at, promotion_tier, client_ip, user_agent,
            created_at, updated_at, pay_currency, pay_amount, pay_rate, pay_address${withCampaigns ? ', campaigns' : ''})
    VALUES (p_order_no, p_trade_no, p_user_id, p_username, p_amount_cny, p_amount_usd, 0, p_amount_usd, p_exchange_rate,
            p_provider, p_payment_method, p_payment_url, 'pending', p_expire_at, p_promotion_tier, p_client_ip, p_user_agent,
            p_created_at, p_created_at, p_pay_currency, p_pay_amount, p_pay_rate, p_pay_address${withCampaigns ? ', p_campaigns' : ''})
    RETURNING * INTO created;
    PERFORM outbox_emit('order.created', p_user_id, payment_order_event_data(created));
    RETURN created.id;
  END $$`;

/**
 * Promotions as campaigns (owned by src/campaigns/).
 *
 * - `campaigns`: a campaign's rules (conditions, action as JSON), its window,
 *   priority, stacking, budget and per-user limit. `state` is what admins set
 *   (running, paused, ended); the status shown (scheduled, active, paused,
 *   ended) also follows the clock. `spent_usd` is kept for campaigns with a
 *   budget only: the grant that spends it locks the row, and a campaign
 *   without one is never locked by a payment. `seed_key` names a campaign the
 *   app seeded ('new_user').
 * - `campaign_grants`: one row per bonus a campaign paid, unique per
 *   (campaign, order): the exactly-once of a grant, and what a campaign's
 *   spend, orders and users are counted from.
 * - `recharge_records.campaign_id`: the campaign of a bonus row.
 * - `payment_orders.campaigns`: the campaigns that applied when the order was
 *   created, with their bonuses (`[{id, name, bonusUsd, tier}]`); null for
 *   orders created before, which the new-user tier (`promotion_tier`) still
 *   decides.
 *
 * The new-user bonus becomes the seeded campaign 'new_user' (exclusive,
 * one bonus per user): its past bonuses (promotion_records) become its
 * grants, and their ledger rows point at it (the ledger's append-only trigger
 * is set aside for that one update of a new column, inside this migration's
 * transaction). Its tiers and minimum amount stay in the promotion
 * configuration, which also drives the registration window and the
 * countdown; the row records them as they were when it was seeded.
 */
export class Campaigns1766016000000 implements MigrationInterface {
  name = 'Campaigns1766016000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns (
        id             BIGSERIAL PRIMARY KEY,
        seed_key       VARCHAR(30) UNIQUE,
        name           VARCHAR(100) NOT NULL,
        state          VARCHAR(20) NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'paused', 'ended')),
        priority       INT NOT NULL DEFAULT 0,
        stacking       VARCHAR(20) NOT NULL CHECK (stacking IN ('exclusive', 'stackable')),
        starts_at      TIMESTAMPTZ NOT NULL,
        ends_at        TIMESTAMPTZ,
        budget_usd     NUMERIC(20,8) CHECK (budget_usd >= 0),
        per_user_limit INT CHECK (per_user_limit > 0),
        conditions     JSONB NOT NULL DEFAULT '[]',
        action         JSONB NOT NULL,
        spent_usd      NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (spent_usd >= 0),
        created_by     VARCHAR(255) NOT NULL,
        created_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CONSTRAINT campaigns_window CHECK (ends_at IS NULL OR ends_at > starts_at),
        CONSTRAINT campaigns_within_budget CHECK (budget_usd IS NULL OR spent_usd <= budget_usd)
      )`);
    await q.query(`
      CREATE TABLE campaign_grants (
        id          BIGSERIAL PRIMARY KEY,
        campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
        user_id     BIGINT NOT NULL REFERENCES users(id),
        order_no    VARCHAR(50) NOT NULL,
        bonus_usd   NUMERIC(20,8) NOT NULL CHECK (bonus_usd > 0),
        created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        UNIQUE (campaign_id, order_no)
      )`);
    await q.query(`CREATE INDEX idx_campaign_grants_user ON campaign_grants (user_id, campaign_id)`);
    await q.query(`ALTER TABLE recharge_records ADD COLUMN campaign_id BIGINT REFERENCES campaigns(id)`);
    await q.query(`ALTER TABLE payment_orders ADD COLUMN campaigns JSONB`);

    await q.query(`
      INSERT INTO campaigns (seed_key, name, priority, stacking, starts_at, per_user_limit, conditions, action, created_by)
      VALUES ('new_user', 'New-user bonus', 100, 'exclusive', '2020-01-01T00:00:00Z', 1,
              '[{"type": "registered_within", "hours": 72}, {"type": "min_amount", "cny": "1.00"}]',
              '{"type": "tiered_percent_bonus", "tiers": [{"withinHours": 24, "percent": 30}, {"withinHours": 36, "percent": 20},
                {"withinHours": 48, "percent": 10}, {"withinHours": 72, "percent": 5}]}',
              'system')`);
    await q.query(`
      INSERT INTO campaign_grants (campaign_id, user_id, order_no, bonus_usd, created_at)
      SELECT c.id, r.user_id, r.order_no, r.bonus, r.created_at
        FROM promotion_records r CROSS JOIN campaigns c
       WHERE c.seed_key = 'new_user' AND r.order_no IS NOT NULL AND r.bonus > 0
       ORDER BY r.id
      ON CONFLICT (campaign_id, order_no) DO NOTHING`);
    await q.query(`ALTER TABLE recharge_records DISABLE TRIGGER recharge_records_append_only`);
    await q.query(`
      UPDATE recharge_records SET campaign_id = (SELECT id FROM campaigns WHERE seed_key = 'new_user')
       WHERE type = 'promotion'`);
    await q.query(`ALTER TABLE recharge_records ENABLE TRIGGER recharge_records_append_only`);

    await q.query(`DROP FUNCTION ${OLD_INSERT_SIGNATURE}`);
    await q.query(insertFunction(true));
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ${NEW_INSERT_SIGNATURE}`);
    await q.query(insertFunction(false));
    await q.query(`ALTER TABLE payment_orders DROP COLUMN campaigns`);
    await q.query(`ALTER TABLE recharge_records DROP COLUMN campaign_id`);
    await q.query(`DROP TABLE campaign_grants`);
    await q.query(`DROP TABLE campaigns`);
  }
}
