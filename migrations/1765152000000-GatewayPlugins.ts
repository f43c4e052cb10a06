import { MigrationInterface, QueryRunner } from 'typeorm';

const OLD_INSERT_SIGNATURE = `payment_order_insert(VARCHAR, VARCHAR, BIGINT, VARCHAR, NUMERIC, NUMERIC, NUMERIC, VARCHAR,
  VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, VARCHAR, TIMESTAMPTZ, INT)`;

const NEW_INSERT_SIGNATURE = `payment_order_insert(VARCHAR, VARCHAR, BIGINT, VARCHAR, NUMERIC, NUMERIC, NUMERIC, VARCHAR,
  VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, NUMERIC, NUMERIC, VARCHAR)`;

/**
 * Gateways become plug-ins registered by name at start-up.
 *
 * - `payment_providers`: the lookup of gateway names. The app's registry adds
 *   every gateway it was built with at each start, so a new gateway needs no
 *   migration of its own for its name; `payment_orders.provider` references
 *   it instead of the closed CHECK list (zpay, stripe, sandbox) it had.
 * - What the payer is asked to pay, in the gateway's own currency, at a rate
 *   fixed when the order is created: `pay_currency`, `pay_amount`,
 *   `pay_rate` (CNY per unit; NULL for CNY) and `pay_address` (for gateways
 *   where the payer sends money to an address). Every existing order was
 *   priced in CNY, so it gets `CNY` and its `amount_cny`; so does an order
 *   inserted without them (by an instance of the previous version during a
 *   rolling deploy), through a trigger.
 * - payment_order_insert(...) takes the four new values.
 */
export class GatewayPlugins1765152000000 implements MigrationInterface {
  name = 'GatewayPlugins1765152000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payment_providers (
        name          VARCHAR(20) PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{1,19}$'),
        registered_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      )`);
    await q.query(`INSERT INTO payment_providers (name) VALUES ('zpay'), ('stripe'), ('sandbox')`);
    await q.query(`INSERT INTO payment_providers (name) SELECT DISTINCT provider FROM payment_orders ON CONFLICT DO NOTHING`);
    await q.query(`ALTER TABLE payment_orders DROP CONSTRAINT payment_orders_provider_check`);
    await q.query(`ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_provider_fkey FOREIGN KEY (provider) REFERENCES payment_providers (name)`);

    await q.query(`
      ALTER TABLE payment_orders
        ADD COLUMN pay_currency VARCHAR(10),
        ADD COLUMN pay_amount   NUMERIC(20,8),
        ADD COLUMN pay_rate     NUMERIC(20,8),
        ADD COLUMN pay_address  VARCHAR(100)`);
    await q.query(`UPDATE payment_orders SET pay_currency = 'CNY', pay_amount = amount_cny`);
    await q.query(`
      ALTER TABLE payment_orders
        ALTER COLUMN pay_currency SET NOT NULL,
        ALTER COLUMN pay_amount SET NOT NULL,
        ADD CONSTRAINT payment_orders_pay_amount_check CHECK (pay_amount > 0),
        ADD CONSTRAINT payment_orders_pay_rate_check CHECK (pay_rate IS NULL OR pay_rate > 0)`);
    await q.query(`
      CREATE FUNCTION payment_orders_pay_in_cny() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.pay_currency IS NULL THEN
          NEW.pay_currency := 'CNY';
          NEW.pay_amount := COALESCE(NEW.pay_amount, NEW.amount_cny);
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER payment_orders_pay_in_cny BEFORE INSERT ON payment_orders
        FOR EACH ROW WHEN (NEW.pay_currency IS NULL) EXECUTE FUNCTION payment_orders_pay_in_cny()`);
    // A payment to an address is matched to its order by address and exact amount.
    await q.query(`
      CREATE INDEX idx_payment_orders_pay_address ON payment_orders (pay_address, pay_amount, created_at DESC)
       WHERE pay_address IS NOT NULL`);

    await q.query(`DROP FUNCTION ${OLD_INSERT_SIGNATURE}`);
    await q.query(`
      CREATE FUNCTION payment_order_insert(
        p_order_no VARCHAR, p_trade_no VARCHAR, p_user_id BIGINT, p_username VARCHAR, p_amount_cny NUMERIC,
        p_amount_usd NUMERIC, p_exchange_rate NUMERIC, p_provider VARCHAR, p_payment_method VARCHAR,
        p_payment_url VARCHAR, p_expire_at TIMESTAMPTZ, p_promotion_tier INT, p_client_ip VARCHAR,
        p_user_agent VARCHAR, p_created_at TIMESTAMPTZ, p_max_pending INT,
        p_pay_currency VARCHAR, p_pay_amount NUMERIC, p_pay_rate NUMERIC, p_pay_address VARCHAR
      ) RETURNS BIGINT LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        new_id BIGINT;
      BEGIN
        PERFORM pg_advisory_xact_lock(7342, hashtext(p_user_id::text));
        IF (SELECT COUNT(*) FROM payment_orders
             WHERE user_id = p_user_id AND status = 'pending' AND expire_at > NOW()) >= p_max_pending THEN
          RETURN NULL;
        END IF;
        INSERT INTO payment_orders
               (order_no, trade_no, user_id, username, amount_cny, amount_usd, bonus_usd, total_usd, exchange_rate,
                provider, payment_method, payment_url, status, expire_at, promotion_tier, client_ip, user_agent,
                created_at, updated_at, pay_currency, pay_amount, pay_rate, pay_address)
        VALUES (p_order_no, p_trade_no, p_user_id, p_username, p_amount_cny, p_amount_usd, 0, p_amount_usd, p_exchange_rate,
                p_provider, p_payment_method, p_payment_url, 'pending', p_expire_at, p_promotion_tier, p_client_ip, p_user_agent,
                p_created_at, p_created_at, p_pay_currency, p_pay_amount, p_pay_rate, p_pay_address)
        RETURNING id INTO new_id;
        RETURN new_id;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ${NEW_INSERT_SIGNATURE}`);
    await q.query(`
      CREATE FUNCTION payment_order_insert(
        p_order_no VARCHAR, p_trade_no VARCHAR, p_user_id BIGINT, p_username VARCHAR, p_amount_cny NUMERIC,
        p_amount_usd NUMERIC, p_exchange_rate NUMERIC, p_provider VARCHAR, p_payment_method VARCHAR,
        p_payment_url VARCHAR, p_expire_at TIMESTAMPTZ, p_promotion_tier INT, p_client_ip VARCHAR,
        p_user_agent VARCHAR, p_created_at TIMESTAMPTZ, p_max_pending INT
      ) RETURNS BIGINT LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        new_id BIGINT;
      BEGIN
        PERFORM pg_advisory_xact_lock(7342, hashtext(p_user_id::text));
        IF (SELECT COUNT(*) FROM payment_orders
             WHERE user_id = p_user_id AND status = 'pending' AND expire_at > NOW()) >= p_max_pending THEN
          RETURN NULL;
        END IF;
        INSERT INTO payment_orders
               (order_no, trade_no, user_id, username, amount_cny, amount_usd, bonus_usd, total_usd, exchange_rate,
                provider, payment_method, payment_url, status, expire_at, promotion_tier, client_ip, user_agent,
                created_at, updated_at)
        VALUES (p_order_no, p_trade_no, p_user_id, p_username, p_amount_cny, p_amount_usd, 0, p_amount_usd, p_exchange_rate,
                p_provider, p_payment_method, p_payment_url, 'pending', p_expire_at, p_promotion_tier, p_client_ip, p_user_agent,
                p_created_at, p_created_at)
        RETURNING id INTO new_id;
        RETURN new_id;
      END $$`);
    // Orders of a gateway the old CHECK does not know make the last step fail: those orders cannot go back.
    await q.query(`DROP TRIGGER payment_orders_pay_in_cny ON payment_orders`);
    await q.query(`DROP FUNCTION payment_orders_pay_in_cny()`);
    await q.query(`DROP INDEX idx_payment_orders_pay_address`);
    await q.query(`ALTER TABLE payment_orders DROP COLUMN pay_currency, DROP COLUMN pay_amount, DROP COLUMN pay_rate, DROP COLUMN pay_address`);
    await q.query(`ALTER TABLE payment_orders DROP CONSTRAINT payment_orders_provider_fkey`);
    await q.query(`ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_provider_check CHECK (provider IN ('zpay', 'stripe', 'sandbox'))`);
    await q.query(`DROP TABLE payment_providers`);
  }
}
