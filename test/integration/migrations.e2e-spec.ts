import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { PromotionTiersFromZero1764979200000 } from '../../migrations/1764979200000-PromotionTiersFromZero';
import { GatewayPlugins1765152000000 } from '../../migrations/1765152000000-GatewayPlugins';
import { ChargeBatchLocksUsersByIndex1765411200000 } from '../../migrations/1765411200000-ChargeBatchLocksUsersByIndex';
import { dataSourceOptions } from '../../src/common/database/data-source.options';

/**
 * Migrations that move data, run against data written before them: a database
 * of its own is migrated up to the migration under test, filled the way the
 * code of that time wrote it, then migrated to the end.
 */
describe('migrations that move existing data', () => {
  const name = `recharge_migrations_${randomBytes(4).toString('hex')}`;
  let admin: DataSource;
  let url: string;

  beforeAll(async () => {
    admin = await new DataSource(dataSourceOptions(process.env.DATABASE_URL!, 1)).initialize();
    await admin.query(`CREATE DATABASE ${name}`);
    const target = new URL(process.env.DATABASE_URL!);
    target.pathname = `/${name}`;
    url = target.toString();
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
  });

  async function migrateUpTo(migrations: typeof MIGRATIONS): Promise<DataSource> {
    const db = await new DataSource({ ...dataSourceOptions(url, 2), migrations, migrationsTransactionMode: 'each' }).initialize();
    await db.runMigrations();
    return db;
  }

  it('renumbers promotion tiers from 0: granted bonuses, their records and the tier previewed on orders', async () => {
    const at = MIGRATIONS.indexOf(PromotionTiersFromZero1764979200000);
    const before = MIGRATIONS.slice(0, at);
    const old = await migrateUpTo(before);
    // Tiers numbered from 1, as the code before this migration wrote them.
    const [alice] = await old.query(`INSERT INTO users (email, username, password_hash) VALUES ('a@example.test', 'alice', 'x') RETURNING id`);
    const [bob] = await old.query(`INSERT INTO users (email, username, password_hash) VALUES ('b@example.test', 'bob', 'x') RETURNING id`);
    await old.query(
      `INSERT INTO user_promotions (user_id, username, activated_at, expire_at, status, used_tier, used_at, used_amount, bonus_amount)
       VALUES ($1, 'alice', NOW() - interval '2 days', NOW() + interval '1 day', 'used', 2, NOW(), '10.00000000', '2.00000000'),
              ($2, 'bob', NOW(), NOW() + interval '3 days', 'active', NULL, NULL, NULL, NULL)`,
      [alice.id, bob.id],
    );
    await old.query(`INSERT INTO promotion_records (user_id, username, tier, amount, bonus, order_no) VALUES ($1, 'alice', 2, '10', '2', 'PO-A')`, [
      alice.id,
    ]);
    await old.query(
      `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider, status, expire_at, promotion_tier)
       VALUES ('PO-A', $1, 'alice', '72.00', '10.00000000', '10.00000000', '7.2', 'sandbox', 'paid', NOW(), 2),
              ('PO-B', $2, 'bob', '20.00', '2.77777778', '2.77777778', '7.2', 'sandbox', 'pending', NOW() + interval '30 minutes', 1),
              ('PO-C', $2, 'bob', '20.00', '2.77777778', '2.77777778', '7.2', 'sandbox', 'expired', NOW(), 4),
              ('PO-D', $2, 'bob', '20.00', '2.77777778', '2.77777778', '7.2', 'sandbox', 'expired', NOW(), NULL)`,
      [alice.id, bob.id],
    );
    await old.destroy();

    const db = await migrateUpTo(MIGRATIONS.slice(0, at + 1));
    try {
      expect(await db.query(`SELECT username, used_tier FROM user_promotions ORDER BY username`)).toEqual([
        { username: 'alice', used_tier: 1 },
        { username: 'bob', used_tier: null },
      ]);
      expect(await db.query(`SELECT order_no, tier FROM promotion_records`)).toEqual([{ order_no: 'PO-A', tier: 1 }]);
      expect(await db.query(`SELECT order_no, promotion_tier FROM payment_orders ORDER BY order_no`)).toEqual([
        { order_no: 'PO-A', promotion_tier: 1 },
        { order_no: 'PO-B', promotion_tier: 0 },
        { order_no: 'PO-C', promotion_tier: 3 },
        { order_no: 'PO-D', promotion_tier: null },
      ]);
      // A number below 0 can no longer be stored.
      await expect(db.query(`UPDATE promotion_records SET tier = -1`)).rejects.toThrow(/promotion_records_tier_from_zero/);

      // And back down: the old numbering returns.
      await db.undoLastMigration({ transaction: 'each' });
      expect(await db.query(`SELECT order_no, promotion_tier FROM payment_orders WHERE order_no = 'PO-B'`)).toEqual([
        { order_no: 'PO-B', promotion_tier: 1 },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('gateway plug-ins: every order before them asked for its CNY amount, names a registered gateway, and goes back down', async () => {
    const at = MIGRATIONS.indexOf(GatewayPlugins1765152000000);
    const old = await migrateUpTo(MIGRATIONS.slice(0, at));
    const [carol] = await old.query(`INSERT INTO users (email, username, password_hash) VALUES ('c@example.test', 'carol', 'x') RETURNING id`);
    // As the code before this migration wrote orders: no pay columns, a provider from the closed list.
    await old.query(
      `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider, status, expire_at)
       VALUES ('PO-GP-1', $1, 'carol', '20.00', '2.77777778', '2.77777778', '7.2', 'zpay', 'paid', NOW()),
              ('PO-GP-2', $1, 'carol', '123.45', '17.14583333', '17.14583333', '7.2', 'stripe', 'pending', NOW() + interval '30 minutes')`,
      [carol.id],
    );
    await expect(
      old.query(
        `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider, expire_at)
         VALUES ('PO-GP-X', $1, 'carol', '1.00', '0.1', '0.1', '7.2', 'usdt_trc20', NOW())`,
        [carol.id],
      ),
    ).rejects.toThrow(/payment_orders_provider_check/);
    await old.destroy();

    const db = await migrateUpTo(MIGRATIONS.slice(0, at + 1));
    try {
      expect(await db.query(`SELECT order_no, pay_currency, pay_amount::text, pay_rate, pay_address FROM payment_orders WHERE order_no LIKE 'PO-GP-%' ORDER BY order_no`)).toEqual([
        { order_no: 'PO-GP-1', pay_currency: 'CNY', pay_amount: '20.00000000', pay_rate: null, pay_address: null },
        { order_no: 'PO-GP-2', pay_currency: 'CNY', pay_amount: '123.45000000', pay_rate: null, pay_address: null },
      ]);
      const providers = (await db.query(`SELECT name FROM payment_providers ORDER BY name`)).map((r: { name: string }) => r.name);
      expect(providers).toEqual(expect.arrayContaining(['sandbox', 'stripe', 'zpay']));
      // A name is registered, not listed in a CHECK: an unregistered one is refused by the foreign key, a registered one taken.
      const insert = (provider: string) =>
        db.query(
          `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider, expire_at)
           VALUES ('PO-GP-' || $2, $1, 'carol', '1.00', '0.1', '0.1', '7.2', $2, NOW())`,
          [carol.id, provider],
        );
      await expect(insert('nowhere_pay')).rejects.toThrow(/payment_orders_provider_fkey/);
      await db.query(`INSERT INTO payment_providers (name) VALUES ('nowhere_pay')`);
      await insert('nowhere_pay');
      // An instance of the previous version inserting without pay columns still gets the CNY defaults.
      expect(await db.query(`SELECT pay_currency, pay_amount::text FROM payment_orders WHERE order_no = 'PO-GP-nowhere_pay'`)).toEqual([
        { pay_currency: 'CNY', pay_amount: '1.00000000' },
      ]);
      await db.query(`DELETE FROM payment_orders WHERE order_no = 'PO-GP-nowhere_pay'`);

      await db.undoLastMigration({ transaction: 'each' });
      const columns = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'payment_orders' AND column_name IN ('pay_currency', 'pay_amount', 'pay_rate', 'pay_address')`);
      expect(columns).toEqual([]);
      await expect(insert('usdt_trc20')).rejects.toThrow(/payment_orders_provider_check/);
      expect(await db.query(`SELECT order_no, provider FROM payment_orders WHERE order_no LIKE 'PO-GP-%' ORDER BY order_no`)).toEqual([
        { order_no: 'PO-GP-1', provider: 'zpay' },
        { order_no: 'PO-GP-2', provider: 'stripe' },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('the charge batch locks its users through the index instead of reading every user, and goes back down', async () => {
    const db = await migrateUpTo(MIGRATIONS.slice(0, MIGRATIONS.indexOf(ChargeBatchLocksUsersByIndex1765411200000) + 1));
    // One connection throughout: the scan counters below are flushed per connection.
    const connection = db.createQueryRunner();
    try {
      await connection.query(
        `INSERT INTO users (email, username, password_hash, balance) SELECT 'scan' || g || '@example.test', 'scan' || g, 'x', 10 FROM generate_series(1, 3000) g`,
      );
      const [{ id: user }] = await connection.query(`SELECT id FROM users WHERE username = 'scan1'`);
      const [{ id: apiKey }] = await connection.query(`INSERT INTO api_keys (name, prefix, key_hash, scopes) VALUES ('scan', 'rk_scan', 'h', ARRAY['charges:write']) RETURNING id`);
      let n = 0;
      const charge = () =>
        connection.query(`SELECT o_outcome AS outcome FROM apply_charge_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
          ['apikey:scan'], [`scan-${n++}`], ['0'.repeat(64)], [user], [apiKey], ['0.01'], ['scan test'], [null], ['req'], 24,
        ]);
      const usersRead = async () => {
        await connection.query('SELECT pg_stat_force_next_flush()');
        const [{ rows }] = await connection.query(`SELECT seq_tup_read::int AS rows FROM pg_stat_user_tables WHERE relname = 'users'`);
        return rows as number;
      };

      const before = await usersRead();
      expect(await charge()).toEqual([{ outcome: 'charged' }]);
      expect((await usersRead()) - before).toBe(0);

      await db.undoLastMigration({ transaction: 'each' });
      const undone = await usersRead();
      expect(await charge()).toEqual([{ outcome: 'charged' }]);
      // The clause it had before: every user read to find one.
      expect((await usersRead()) - undone).toBeGreaterThanOrEqual(3000);
      expect(await connection.query(`SELECT balance::text FROM users WHERE id = $1`, [user])).toEqual([{ balance: '9.98000000' }]);
    } finally {
      await connection.release();
      await db.destroy();
    }
  });
});
