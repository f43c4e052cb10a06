import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * payment_order_insert(...): stores a pending order unless its user already
 * has `max_pending` unexpired pending orders, in one statement.
 *
 * The limit must hold under concurrency, so the user's creations are
 * serialised by a transaction-level advisory lock, and the count must run
 * after the lock is held (a statement's snapshot is taken when it starts, so
 * a lock taken inside the same plain statement would not help). Inside a
 * PL/pgSQL function every query takes a fresh snapshot: lock, count and
 * insert are one round trip and, sent outside a transaction, one commit —
 * instead of BEGIN, lock, insert, COMMIT. Returns the new id, or NULL when
 * the user has too many pending orders.
 */
export class OrderInsertFunction1764201600000 implements MigrationInterface {
  name = 'OrderInsertFunction1764201600000';

  public async up(q: QueryRunner): Promise<void> {
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
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS payment_order_insert(VARCHAR, VARCHAR, BIGINT, VARCHAR, NUMERIC, NUMERIC, NUMERIC, VARCHAR,
      VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, VARCHAR, TIMESTAMPTZ, INT)`);
  }
}
