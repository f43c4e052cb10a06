import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger is append-only: the row trigger already refuses UPDATE and
 * DELETE, but TRUNCATE fires no row trigger. A statement trigger refuses it
 * too, with the same function and message.
 */
export class LedgerNoTruncate1764288000000 implements MigrationInterface {
  name = 'LedgerNoTruncate1764288000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TRIGGER recharge_records_no_truncate
        BEFORE TRUNCATE ON recharge_records
        FOR EACH STATEMENT EXECUTE FUNCTION recharge_records_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS recharge_records_no_truncate ON recharge_records`);
  }
}
