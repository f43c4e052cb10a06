import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/common/database/data-source.options';

describe('schema', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = await new DataSource(dataSourceOptions(process.env.DATABASE_URL!, 2)).initialize();
  });
  afterAll(() => db.destroy());

  it('has every table of the data model', async () => {
    const rows: { table_name: string }[] = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'users',
        'recharge_records',
        'user_promotions',
        'promotion_records',
        'referral_codes',
        'referral_invites',
        'payment_orders',
        'admin_audit_logs',
      ]),
    );
  });

  it('refuses to update, delete or truncate ledger rows', async () => {
    const [user] = await db.query(
      `INSERT INTO users (email, username, password_hash, balance) VALUES ('schema@test.dev', 'schema-user', 'x', 5) RETURNING id`,
    );
    const [row] = await db.query(
      `INSERT INTO recharge_records (user_id, amount, type, operator, balance_before, balance_after)
       VALUES ($1, 5, 'admin', 'system', 0, 5) RETURNING id`,
      [user.id],
    );
    await expect(db.query(`UPDATE recharge_records SET remark = 'x' WHERE id = $1`, [row.id])).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM recharge_records WHERE id = $1`, [row.id])).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE recharge_records CASCADE`)).rejects.toThrow(/append-only/);
    const [{ count }] = await db.query(`SELECT COUNT(*)::int AS count FROM recharge_records WHERE id = $1`, [row.id]);
    expect(count).toBe(1);
  });

  it('refuses a negative balance and a broken before/after row', async () => {
    await expect(
      db.query(`INSERT INTO users (email, username, password_hash, balance) VALUES ('neg@test.dev', 'neg', 'x', -1)`),
    ).rejects.toThrow(/check constraint/);
    const [user] = await db.query(`SELECT id FROM users WHERE email = 'schema@test.dev'`);
    await expect(
      db.query(
        `INSERT INTO recharge_records (user_id, amount, type, balance_before, balance_after) VALUES ($1, 1, 'admin', 5, 7)`,
        [user.id],
      ),
    ).rejects.toThrow(/recharge_records_balance_chain/);
  });
});
