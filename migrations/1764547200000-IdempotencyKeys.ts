import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency-Key on money-moving POSTs (Stripe's semantics): the first
 * request with a key claims it (in_progress), and its answer is kept (done)
 * for 24 hours, so a retry with the same key and body gets the same answer
 * instead of moving money twice. In PostgreSQL, so every app instance sees
 * the same claims. Keyed by the caller (scope) and the key.
 */
export class IdempotencyKeys1764547200000 implements MigrationInterface {
  name = 'IdempotencyKeys1764547200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope           VARCHAR(100) NOT NULL,
        key             VARCHAR(255) NOT NULL,
        request_hash    CHAR(64) NOT NULL,
        status          VARCHAR(20) NOT NULL CHECK (status IN ('in_progress', 'done')),
        response_status INT,
        response_body   JSONB,
        created_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        PRIMARY KEY (scope, key)
      )`);
    await q.query(`CREATE INDEX idx_idempotency_keys_created ON idempotency_keys (created_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS idempotency_keys`);
  }
}
