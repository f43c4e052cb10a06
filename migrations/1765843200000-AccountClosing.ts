import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closing an account. A closed account keeps its row, so that its ledger
 * rows, orders, refunds and audit entries keep pointing at it and the ledger
 * audit still adds up; what identified the person is replaced by a tombstone
 * when it closes (see docs/operations.md, "Retention").
 *
 * - users.status gains `closed`, a state no request, login or status change
 *   leaves again;
 * - users.closed_at says when, and is set exactly for closed accounts.
 *
 * Existing rows are all active or disabled and have no closed_at, so nothing
 * else moves. Going down, a closed account becomes a disabled one (the
 * tombstone stays: there is nothing to bring back).
 */
export class AccountClosing1765843200000 implements MigrationInterface {
  name = 'AccountClosing1765843200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN closed_at TIMESTAMPTZ`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_status_check`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN ('active', 'disabled', 'closed'))`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_closed_at_check CHECK ((status = 'closed') = (closed_at IS NOT NULL))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_closed_at_check`);
    await q.query(`UPDATE users SET status = 'disabled' WHERE status = 'closed'`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_status_check`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN ('active', 'disabled'))`);
    await q.query(`ALTER TABLE users DROP COLUMN closed_at`);
  }
}
