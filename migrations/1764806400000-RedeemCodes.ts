import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Redeem codes: an admin creates a batch of codes worth an amount each; a
 * user redeems one for a `redeem` ledger row. Codes are stored as SHA-256
 * hashes only. `redeem_codes.redemptions` counts a code's uses under its row
 * lock, so `max_redemptions` holds however many users race for it; one row
 * per (code, user) in `redemptions` makes a second use by the same user
 * impossible, and each redemption's ledger row points at it (related_id).
 */
export class RedeemCodes1764806400000 implements MigrationInterface {
  name = 'RedeemCodes1764806400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE redeem_batches (
        id              BIGSERIAL PRIMARY KEY,
        amount_usd      NUMERIC(20,8) NOT NULL CHECK (amount_usd > 0),
        code_count      INTEGER NOT NULL CHECK (code_count BETWEEN 1 AND 10000),
        max_redemptions INTEGER NOT NULL DEFAULT 1 CHECK (max_redemptions >= 1),
        expires_at      TIMESTAMPTZ,
        note            VARCHAR(200) NOT NULL,
        created_by      BIGINT REFERENCES users(id) ON DELETE SET NULL,
        created_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        disabled_at     TIMESTAMPTZ
      )`);
    await q.query(`CREATE INDEX idx_redeem_batches_created ON redeem_batches (created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE redeem_codes (
        id          BIGSERIAL PRIMARY KEY,
        batch_id    BIGINT NOT NULL REFERENCES redeem_batches(id) ON DELETE CASCADE,
        code_hash   CHAR(64) NOT NULL UNIQUE,
        -- The last four characters, so a user and an admin can tell codes apart; the code itself is never stored.
        last4       CHAR(4) NOT NULL,
        redemptions INTEGER NOT NULL DEFAULT 0 CHECK (redemptions >= 0)
      )`);
    await q.query(`CREATE INDEX idx_redeem_codes_batch ON redeem_codes (batch_id)`);

    await q.query(`
      CREATE TABLE redemptions (
        id         BIGSERIAL PRIMARY KEY,
        code_id    BIGINT NOT NULL REFERENCES redeem_codes(id) ON DELETE CASCADE,
        batch_id   BIGINT NOT NULL REFERENCES redeem_batches(id) ON DELETE CASCADE,
        user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        amount_usd NUMERIC(20,8) NOT NULL CHECK (amount_usd > 0),
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        UNIQUE (code_id, user_id)
      )`);
    await q.query(`CREATE INDEX idx_redemptions_batch ON redemptions (batch_id)`);
    await q.query(`CREATE INDEX idx_redemptions_user ON redemptions (user_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS redemptions`);
    await q.query(`DROP TABLE IF EXISTS redeem_codes`);
    await q.query(`DROP TABLE IF EXISTS redeem_batches`);
  }
}
