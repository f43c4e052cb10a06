import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A claimed Idempotency-Key is leased, not held for good. `locked_at` is when
 * the request running it claimed it: once `idempotency.lease_seconds` have
 * passed with the key still in_progress (its process died mid-flight), a retry
 * takes it over instead of getting 409 until the key expires. `claim_token`
 * says which claim holds the key: each route records its answer in its
 * effect's transaction only while its token still matches, so a request that
 * lost its key to a retry rolls back instead of committing a second effect.
 *
 * Existing keys are leased from when they were created: one left in_progress
 * by a request that died before this can be taken over at once.
 *
 * The charge batch (apply_charge_batch) is unchanged: it claims a key and
 * records its answer in one statement, so its keys are never left in_progress;
 * the columns' defaults fill its rows.
 */
export class IdempotencyLease1765670400000 implements MigrationInterface {
  name = 'IdempotencyLease1765670400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE idempotency_keys
        ADD COLUMN locked_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        ADD COLUMN claim_token UUID NOT NULL DEFAULT gen_random_uuid()`);
    await q.query(`UPDATE idempotency_keys SET locked_at = created_at`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN claim_token, DROP COLUMN locked_at`);
  }
}
