import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A ledger row's operator is 'system', 'gateway' or the acting admin's email,
 * and an email may be 255 characters long: at 100, an admin with a longer
 * address could not adjust a balance, confirm or refund. Widening a VARCHAR
 * rewrites no row (the append-only trigger is not involved) and keeps every
 * existing value.
 */
export class LedgerOperatorEmailLength1765065600000 implements MigrationInterface {
  name = 'LedgerOperatorEmailLength1765065600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recharge_records ALTER COLUMN operator TYPE VARCHAR(255)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // Rows written since with a longer operator would not fit back; refuse rather than cut an email short.
    await q.query(`ALTER TABLE recharge_records ALTER COLUMN operator TYPE VARCHAR(100)`);
  }
}
