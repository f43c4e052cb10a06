import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spending the balance: API keys for the product's other services, charges
 * (each a `deduct` ledger row) and their refunds, and holds (two-phase
 * reservations). `users.held` is the sum of a user's active holds, kept in
 * the same transaction as each hold's change, so available = balance − held
 * is one row's arithmetic and a CHECK keeps it ≥ 0.
 */
export class Spending1764720000000 implements MigrationInterface {
  name = 'Spending1764720000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN held NUMERIC(20,8) NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_held_within_balance CHECK (held >= 0 AND held <= balance)`);

    await q.query(`
      CREATE TABLE api_keys (
        id           BIGSERIAL PRIMARY KEY,
        name         VARCHAR(100) NOT NULL,
        -- The first characters of the key, to recognise it in lists; the key itself is never stored.
        prefix       VARCHAR(16) NOT NULL,
        key_hash     CHAR(64) NOT NULL UNIQUE,
        scopes       TEXT[] NOT NULL CHECK (scopes <@ ARRAY['charges:write', 'balances:read']::text[] AND cardinality(scopes) > 0),
        created_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        last_used_at TIMESTAMPTZ,
        revoked_at   TIMESTAMPTZ
      )`);

    await q.query(`
      CREATE TABLE holds (
        id           BIGSERIAL PRIMARY KEY,
        user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        api_key_id   BIGINT REFERENCES api_keys(id) ON DELETE SET NULL,
        amount_usd   NUMERIC(20,8) NOT NULL CHECK (amount_usd > 0),
        description  VARCHAR(200) NOT NULL,
        status       VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'captured', 'released', 'expired')),
        captured_usd NUMERIC(20,8) CHECK (captured_usd > 0 AND captured_usd <= amount_usd),
        expires_at   TIMESTAMPTZ NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        settled_at   TIMESTAMPTZ,
        CHECK ((status = 'captured') = (captured_usd IS NOT NULL)),
        CHECK ((status = 'active') = (settled_at IS NULL))
      )`);
    await q.query(`CREATE INDEX idx_holds_active_expiry ON holds (expires_at) WHERE status = 'active'`);
    await q.query(`CREATE INDEX idx_holds_user ON holds (user_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE charges (
        id           BIGSERIAL PRIMARY KEY,
        user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        api_key_id   BIGINT REFERENCES api_keys(id) ON DELETE SET NULL,
        amount_usd   NUMERIC(20,8) NOT NULL CHECK (amount_usd > 0),
        refunded_usd NUMERIC(20,8) NOT NULL DEFAULT 0 CHECK (refunded_usd >= 0 AND refunded_usd <= amount_usd),
        description  VARCHAR(200) NOT NULL,
        metadata     JSONB,
        hold_id      BIGINT UNIQUE REFERENCES holds(id),
        created_at   TIMESTAMPTZ NOT NULL DEFAULT NOW()
      )`);
    await q.query(`CREATE INDEX idx_charges_user ON charges (user_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE charge_refunds (
        id         BIGSERIAL PRIMARY KEY,
        charge_id  BIGINT NOT NULL REFERENCES charges(id) ON DELETE CASCADE,
        amount_usd NUMERIC(20,8) NOT NULL CHECK (amount_usd > 0),
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      )`);
    await q.query(`CREATE INDEX idx_charge_refunds_charge ON charge_refunds (charge_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS charge_refunds`);
    await q.query(`DROP TABLE IF EXISTS charges`);
    await q.query(`DROP TABLE IF EXISTS holds`);
    await q.query(`DROP TABLE IF EXISTS api_keys`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_held_within_balance`);
    await q.query(`ALTER TABLE users DROP COLUMN IF EXISTS held`);
  }
}
