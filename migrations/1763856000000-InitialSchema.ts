import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every table, constraint and index of SPEC §4, plus:
 * - admin_audit_logs: SPEC §5.7 asks that every admin action be audited
 *   (who, what, when, before/after);
 * - a trigger that makes the ledger append-only at the database (SPEC §5.8 #7):
 *   corrections are new rows, so no UPDATE or DELETE may touch recharge_records.
 */
export class InitialSchema1763856000000 implements MigrationInterface {
  name = 'InitialSchema1763856000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id            BIGSERIAL PRIMARY KEY,
        email         VARCHAR(255) NOT NULL UNIQUE CHECK (email = lower(email)),
        username      VARCHAR(100) NOT NULL UNIQUE,
        password_hash VARCHAR(100) NOT NULL,
        role          VARCHAR(20)  NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
        status        VARCHAR(20)  NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        balance       NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (balance >= 0),
        created_at    TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at    TIMESTAMPTZ NOT NULL DEFAULT NOW()
      )`);

    await q.query(`
      CREATE TABLE recharge_records (
        id             BIGSERIAL PRIMARY KEY,
        user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        amount         NUMERIC(20,8) NOT NULL CHECK (amount <> 0),
        type           VARCHAR(20) NOT NULL
                       CHECK (type IN ('admin', 'payment', 'promotion', 'redeem', 'referral', 'deduct', 'refund')),
        operator       VARCHAR(100),
        remark         VARCHAR(500),
        related_id     VARCHAR(100),
        balance_before NUMERIC(20,8) NOT NULL,
        balance_after  NUMERIC(20,8) NOT NULL,
        created_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CONSTRAINT recharge_records_balance_chain CHECK (balance_after = balance_before + amount),
        CONSTRAINT recharge_records_non_negative CHECK (balance_after >= 0)
      )`);
    await q.query(`CREATE INDEX idx_recharge_records_user_created ON recharge_records (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX idx_recharge_records_type_created ON recharge_records (type, created_at DESC)`);
    await q.query(`CREATE INDEX idx_recharge_records_created ON recharge_records (created_at DESC)`);
    await q.query(`CREATE INDEX idx_recharge_records_related ON recharge_records (related_id) WHERE related_id IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION recharge_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'recharge_records is append-only: write a correcting row instead'
          USING ERRCODE = 'restrict_violation';
      END $$`);
    await q.query(`
      CREATE TRIGGER recharge_records_append_only
        BEFORE UPDATE OR DELETE ON recharge_records
        FOR EACH ROW EXECUTE FUNCTION recharge_records_append_only()`);

    await q.query(`
      CREATE TABLE user_promotions (
        id           BIGSERIAL PRIMARY KEY,
        user_id      BIGINT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
        username     VARCHAR(100) NOT NULL,
        activated_at TIMESTAMPTZ NOT NULL,
        expire_at    TIMESTAMPTZ NOT NULL,
        status       VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'used', 'expired')),
        used_tier    INT,
        used_at      TIMESTAMPTZ,
        used_amount  NUMERIC(20,8),
        bonus_amount NUMERIC(20,8),
        created_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CHECK (expire_at > activated_at)
      )`);
    await q.query(`CREATE INDEX idx_user_promotions_active_expire ON user_promotions (status, expire_at) WHERE status = 'active'`);

    await q.query(`
      CREATE TABLE promotion_records (
        id         BIGSERIAL PRIMARY KEY,
        user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        username   VARCHAR(100) NOT NULL,
        tier       INT NOT NULL,
        amount     NUMERIC(20,8) NOT NULL,
        bonus      NUMERIC(20,8) NOT NULL CHECK (bonus >= 0),
        order_no   VARCHAR(50),
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      )`);
    await q.query(`CREATE INDEX idx_promotion_records_user ON promotion_records (user_id)`);
    await q.query(`CREATE INDEX idx_promotion_records_created ON promotion_records (created_at DESC)`);
    await q.query(`CREATE INDEX idx_promotion_records_tier_created ON promotion_records (tier, created_at DESC)`);

    await q.query(`
      CREATE TABLE referral_codes (
        id         BIGSERIAL PRIMARY KEY,
        user_id    BIGINT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
        code       VARCHAR(20) NOT NULL UNIQUE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      )`);

    await q.query(`
      CREATE TABLE referral_invites (
        id                 BIGSERIAL PRIMARY KEY,
        invitee_id         BIGINT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
        invitee_username   VARCHAR(100) NOT NULL,
        referrer_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        referrer_username  VARCHAR(100) NOT NULL,
        total_recharge_cny NUMERIC(20,2) NOT NULL DEFAULT 0,
        total_recharge_usd NUMERIC(20,8) NOT NULL DEFAULT 0,
        is_qualified       BOOLEAN NOT NULL DEFAULT FALSE,
        qualified_at       TIMESTAMPTZ,
        reward_issued      BOOLEAN NOT NULL DEFAULT FALSE,
        reward_issued_at   TIMESTAMPTZ,
        reward_amount_usd  NUMERIC(20,8) NOT NULL DEFAULT 0,
        created_at         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CHECK (invitee_id <> referrer_id)
      )`);
    await q.query(`CREATE INDEX idx_referral_invites_referrer_created ON referral_invites (referrer_id, created_at DESC)`);
    await q.query(`
      CREATE INDEX idx_referral_invites_pending_reward ON referral_invites (is_qualified, reward_issued)
        WHERE is_qualified AND NOT reward_issued`);
    await q.query(`
      CREATE INDEX idx_referral_invites_referrer_summary ON referral_invites (referrer_id)
        INCLUDE (is_qualified, reward_issued, reward_amount_usd)`);

    await q.query(`
      CREATE TABLE payment_orders (
        id              BIGSERIAL PRIMARY KEY,
        order_no        VARCHAR(50) NOT NULL UNIQUE,
        trade_no        VARCHAR(100) UNIQUE,
        user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        username        VARCHAR(100) NOT NULL,
        amount_cny      NUMERIC(20,2) NOT NULL CHECK (amount_cny > 0),
        amount_usd      NUMERIC(20,8) NOT NULL CHECK (amount_usd > 0),
        bonus_usd       NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (bonus_usd >= 0),
        total_usd       NUMERIC(20,8) NOT NULL,
        exchange_rate   NUMERIC(10,4) NOT NULL CHECK (exchange_rate > 0),
        provider        VARCHAR(20) NOT NULL CHECK (provider IN ('zpay', 'stripe', 'sandbox')),
        payment_method  VARCHAR(50),
        payment_url     VARCHAR(1000),
        status          VARCHAR(20) NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'paid', 'failed', 'expired', 'refunded')),
        paid_at         TIMESTAMPTZ,
        expire_at       TIMESTAMPTZ NOT NULL,
        promotion_tier  INT,
        promotion_used  BOOLEAN NOT NULL DEFAULT FALSE,
        callback_data   TEXT,
        callback_at     TIMESTAMPTZ,
        client_ip       VARCHAR(50),
        user_agent      VARCHAR(500),
        created_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CONSTRAINT payment_orders_total CHECK (total_usd = amount_usd + bonus_usd)
      )`);
    await q.query(`CREATE INDEX idx_payment_orders_user_created ON payment_orders (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX idx_payment_orders_user_status_created ON payment_orders (user_id, status, created_at DESC)`);
    await q.query(`CREATE INDEX idx_payment_orders_created ON payment_orders (created_at DESC)`);
    await q.query(`CREATE INDEX idx_payment_orders_status_created ON payment_orders (status, created_at DESC)`);
    await q.query(`CREATE INDEX idx_payment_orders_provider_status_created ON payment_orders (provider, status, created_at DESC)`);
    await q.query(`CREATE INDEX idx_payment_orders_pending_expire ON payment_orders (expire_at) WHERE status = 'pending'`);
    await q.query(`
      CREATE INDEX idx_payment_orders_paid ON payment_orders (paid_at DESC)
        INCLUDE (amount_cny, amount_usd, bonus_usd, total_usd, provider) WHERE status = 'paid'`);

    await q.query(`
      CREATE TABLE admin_audit_logs (
        id          BIGSERIAL PRIMARY KEY,
        admin_id    BIGINT REFERENCES users(id) ON DELETE SET NULL,
        admin_email VARCHAR(255) NOT NULL,
        action      VARCHAR(50) NOT NULL,
        target_type VARCHAR(50) NOT NULL,
        target_id   VARCHAR(100) NOT NULL,
        remark      VARCHAR(500),
        before_state JSONB,
        after_state  JSONB,
        created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW()
      )`);
    await q.query(`CREATE INDEX idx_admin_audit_logs_created ON admin_audit_logs (created_at DESC)`);
    await q.query(`CREATE INDEX idx_admin_audit_logs_target ON admin_audit_logs (target_type, target_id, created_at DESC)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'admin_audit_logs',
      'payment_orders',
      'referral_invites',
      'referral_codes',
      'promotion_records',
      'user_promotions',
      'recharge_records',
      'users',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS recharge_records_append_only()`);
  }
}
