import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The USDT-TRC20 gateway's own tables (owned by its repository in
 * src/payments/providers/usdt_trc20/).
 *
 * - `usdt_trc20_amounts`: the unique amount each order is asked to pay on the
 *   merchant's address. The primary key decides between two orders that want
 *   the same amount at once; an amount is reserved for the order's life plus
 *   the late-payment window, and only then handed to another order, so a
 *   transfer is never matched to the wrong one.
 * - `usdt_trc20_cursors`: per receiving address, the block time the poller
 *   has read up to. Moved only after everything before it was applied, so a
 *   restart neither misses nor skips a transfer (one read twice is applied
 *   once).
 */
export class UsdtTrc201765238400000 implements MigrationInterface {
  name = 'UsdtTrc201765238400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO payment_providers (name) VALUES ('usdt_trc20') ON CONFLICT DO NOTHING`);
    await q.query(`
      CREATE TABLE usdt_trc20_amounts (
        address        VARCHAR(64)    NOT NULL,
        amount         NUMERIC(20,6)  NOT NULL CHECK (amount > 0),
        order_no       VARCHAR(50)    NOT NULL,
        reserved_until TIMESTAMPTZ    NOT NULL,
        PRIMARY KEY (address, amount)
      )`);
    await q.query(`
      CREATE TABLE usdt_trc20_cursors (
        address       VARCHAR(64) PRIMARY KEY,
        min_timestamp BIGINT      NOT NULL CHECK (min_timestamp >= 0),
        updated_at    TIMESTAMPTZ NOT NULL DEFAULT NOW()
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE usdt_trc20_cursors`);
    await q.query(`DROP TABLE usdt_trc20_amounts`);
  }
}
