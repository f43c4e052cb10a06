import { MigrationInterface, QueryRunner } from 'typeorm';

const INSERT_SIGNATURE = `payment_order_insert(VARCHAR, VARCHAR, BIGINT, VARCHAR, NUMERIC, NUMERIC, NUMERIC, VARCHAR,
  VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, VARCHAR, TIMESTAMPTZ, INT, VARCHAR, NUMERIC, NUMERIC, VARCHAR)`;
const CHARGE_BATCH_SIGNATURE = `apply_charge_batch(varchar[], varchar[], char(64)[], bigint[], bigint[], numeric[], varchar[], jsonb[], varchar[], int)`;

/** A timestamptz as the API writes times (UTC, to the millisecond). */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Events out: the transactional outbox, and the webhook endpoints of
 * integrators with their deliveries (owned by src/events/).
 *
 * - `outbox_events`: one row per event, written by the owner of a money move
 *   in the move's own transaction, so an event exists exactly when its move
 *   committed. Each carries the user's next `sequence` (users.event_sequence,
 *   taken under the user's row lock, so a user's sequence order is commit
 *   order and has no gaps). `published_at` is set once the broker confirmed
 *   it (or at dispatch when no broker is configured), `routed_at` once its
 *   webhook deliveries were created; the two partial indexes hold only the
 *   rows still to do, so they stay small however long the table grows.
 * - `outbox_emit(type, user, data)`: how SQL writes an event (the ledger's
 *   own statement and the charge batch number theirs inline, because they
 *   already update the user's row).
 * - `payment_order_event_data(order)`: the `data` of every order.* event.
 * - `payment_order_insert` and `apply_charge_batch` emit their events.
 */
export class OutboxEvents1765324800000 implements MigrationInterface {
  name = 'OutboxEvents1765324800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN event_sequence BIGINT NOT NULL DEFAULT 0 CHECK (event_sequence >= 0)`);
    await q.query(`
      CREATE TABLE outbox_events (
        position     BIGSERIAL PRIMARY KEY,
        id           UUID NOT NULL DEFAULT gen_random_uuid(),
        type         VARCHAR(40) NOT NULL,
        user_id      BIGINT NOT NULL,
        sequence     BIGINT NOT NULL CHECK (sequence > 0),
        occurred_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        data         JSONB NOT NULL,
        published_at TIMESTAMPTZ,
        routed_at    TIMESTAMPTZ,
        UNIQUE (user_id, sequence)
      )`);
    await q.query(`CREATE INDEX idx_outbox_events_unpublished ON outbox_events (position) WHERE published_at IS NULL`);
    await q.query(`CREATE INDEX idx_outbox_events_unrouted ON outbox_events (position) WHERE routed_at IS NULL`);

    await q.query(`
      CREATE FUNCTION outbox_emit(p_type VARCHAR, p_user_id BIGINT, p_data JSONB) RETURNS BIGINT
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        next_sequence BIGINT;
      BEGIN
        UPDATE users SET event_sequence = event_sequence + 1 WHERE id = p_user_id RETURNING event_sequence INTO next_sequence;
        IF next_sequence IS NULL THEN
          RAISE EXCEPTION 'outbox_emit: no user %', p_user_id USING ERRCODE = 'foreign_key_violation';
        END IF;
        INSERT INTO outbox_events (type, user_id, sequence, data) VALUES (p_type, p_user_id, next_sequence, p_data);
        RETURN next_sequence;
      END $$`);

    await q.query(`
      CREATE FUNCTION payment_order_event_data(o payment_orders) RETURNS JSONB LANGUAGE sql STABLE AS $$
        SELECT jsonb_build_object(
          'orderNo', o.order_no, 'status', o.status, 'provider', o.provider, 'method', o.payment_method,
          'amountCny', o.amount_cny::text, 'amountUsd', o.amount_usd::text, 'bonusUsd', o.bonus_usd::text,
          'totalUsd', o.total_usd::text, 'payCurrency', o.pay_currency, 'payAmount', o.pay_amount::text,
          'tradeNo', o.trade_no, 'createdAt', ${iso('o.created_at')}, 'expiresAt', ${iso('o.expire_at')},
          'paidAt', ${iso('o.paid_at')})
      $$`);

    await q.query(`
      CREATE TABLE webhook_endpoints (
        id          BIGSERIAL PRIMARY KEY,
        url         VARCHAR(2048) NOT NULL,
        description VARCHAR(200) NOT NULL DEFAULT '',
        -- The event types sent to it; '*' is every type.
        event_types VARCHAR(40)[] NOT NULL CHECK (cardinality(event_types) > 0),
        enabled     BOOLEAN NOT NULL DEFAULT TRUE,
        -- Signs each delivery (HMAC-SHA256); shown to the admin once, never answered again.
        secret      VARCHAR(100) NOT NULL,
        -- After a rotation, deliveries are signed with the old secret too until it expires, so receivers can switch without a gap.
        previous_secret            VARCHAR(100),
        previous_secret_expires_at TIMESTAMPTZ,
        created_by  VARCHAR(255) NOT NULL,
        created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id               BIGSERIAL PRIMARY KEY,
        endpoint_id      BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event_position   BIGINT NOT NULL REFERENCES outbox_events(position) ON DELETE CASCADE,
        status           VARCHAR(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        give_up_at       TIMESTAMPTZ NOT NULL,
        last_attempt_at  TIMESTAMPTZ,
        last_status_code INTEGER,
        last_error       VARCHAR(300),
        delivered_at     TIMESTAMPTZ,
        created_at       TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        UNIQUE (endpoint_id, event_position),
        CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX idx_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id DESC)`);
    await q.query(`CREATE INDEX idx_webhook_deliveries_event ON webhook_deliveries (event_position)`);

    await q.query(`DROP FUNCTION ${INSERT_SIGNATURE}`);
    await q.query(`
      CREATE FUNCTION payment_order_insert(
        p_order_no VARCHAR, p_trade_no VARCHAR, p_user_id BIGINT, p_username VARCHAR, p_amount_cny NUMERIC,
        p_amount_usd NUMERIC, p_exchange_rate NUMERIC, p_provider VARCHAR, p_payment_method VARCHAR,
        p_payment_url VARCHAR, p_expire_at TIMESTAMPTZ, p_promotion_tier INT, p_client_ip VARCHAR,
        p_user_agent VARCHAR, p_created_at TIMESTAMPTZ, p_max_pending INT,
        p_pay_currency VARCHAR, p_pay_amount NUMERIC, p_pay_rate NUMERIC, p_pay_address VARCHAR
      ) RETURNS BIGINT LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        created payment_orders;
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
        RETURNING * INTO created;
        PERFORM outbox_emit('order.created', p_user_id, payment_order_event_data(created));
        RETURN created.id;
      END $$`);

    await q.query(`DROP FUNCTION ${CHARGE_BATCH_SIGNATURE}`);
    await q.query(`
      CREATE FUNCTION apply_charge_batch(
        p_scope varchar[], p_key varchar[], p_hash char(64)[], p_user bigint[], p_api_key bigint[],
        p_amount numeric[], p_description varchar[], p_metadata jsonb[], p_request_id varchar[], p_key_ttl_hours int
      ) RETURNS TABLE (o_outcome varchar, o_charge_id bigint, o_created_at timestamptz, o_balance_after numeric, o_available numeric)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        n int := cardinality(p_key);
        claimed boolean[] := array_fill(false, ARRAY[n]);
        claimed_at int;
        user_ids bigint[];
        balances numeric[];
        lefts numeric[];
        sequences bigint[];
        u int;
        charge charges;
        entry recharge_records;
      BEGIN
        FOR claimed_at IN
          WITH taken AS (
            INSERT INTO idempotency_keys AS k (scope, key, request_hash, status)
            SELECT s.scope, s.key, s.hash, 'in_progress' FROM unnest(p_scope, p_key, p_hash) AS s(scope, key, hash) ORDER BY s.scope, s.key
            ON CONFLICT (scope, key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, status = 'in_progress', response_status = NULL, response_body = NULL, created_at = NOW()
             WHERE k.created_at < NOW() - make_interval(hours => p_key_ttl_hours)
            RETURNING k.scope, k.key
          )
          SELECT o.n FROM unnest(p_scope, p_key) WITH ORDINALITY AS o(scope, key, n) JOIN taken t ON t.scope = o.scope AND t.key = o.key
        LOOP
          claimed[claimed_at] := true;
        END LOOP;

        SELECT array_agg(l.id ORDER BY l.id), array_agg(l.balance ORDER BY l.id), array_agg(l.balance - l.held ORDER BY l.id),
               array_agg(l.event_sequence ORDER BY l.id)
          INTO user_ids, balances, lefts, sequences
          FROM (SELECT id, balance, held, event_sequence FROM users
                 WHERE id IN (SELECT p_user[i] FROM generate_subscripts(p_user, 1) AS i WHERE claimed[i])
                 ORDER BY id FOR UPDATE) l;

        FOR i IN 1..n LOOP
          o_outcome := NULL; o_charge_id := NULL; o_created_at := NULL; o_balance_after := NULL; o_available := NULL;
          IF NOT claimed[i] THEN
            o_outcome := 'elsewhere';
          ELSE
            u := array_position(user_ids, p_user[i]);
            IF u IS NULL THEN
              o_outcome := 'user_not_found';
              UPDATE idempotency_keys SET status = 'done', response_status = 404,
                     response_body = jsonb_build_object('kind', 'charge-refused', 'requestId', p_request_id[i])
               WHERE scope = p_scope[i] AND key = p_key[i];
            ELSIF lefts[u] < p_amount[i] THEN
              o_outcome := 'insufficient';
              o_available := lefts[u];
              UPDATE idempotency_keys SET status = 'done', response_status = 402,
                     response_body = jsonb_build_object('kind', 'charge-refused', 'requestId', p_request_id[i], 'available', lefts[u]::text)
               WHERE scope = p_scope[i] AND key = p_key[i];
            ELSE
              INSERT INTO charges (user_id, api_key_id, amount_usd, description, metadata)
              VALUES (p_user[i], p_api_key[i], p_amount[i], p_description[i], p_metadata[i])
              RETURNING * INTO charge;
              INSERT INTO recharge_records (user_id, amount, type, operator, remark, related_id, balance_before, balance_after, created_at)
              VALUES (p_user[i], -p_amount[i], 'deduct', 'system', p_description[i], charge.id::text, balances[u], balances[u] - p_amount[i], clock_timestamp())
              RETURNING * INTO entry;
              balances[u] := balances[u] - p_amount[i];
              lefts[u] := lefts[u] - p_amount[i];
              INSERT INTO outbox_events (type, user_id, sequence, data) VALUES
                ('balance.changed', p_user[i], sequences[u] + 1, jsonb_build_object(
                   'entryId', entry.id::text, 'type', entry.type, 'amount', entry.amount::text,
                   'balanceBefore', entry.balance_before::text, 'balanceAfter', entry.balance_after::text,
                   'relatedId', entry.related_id)),
                ('charge.created', p_user[i], sequences[u] + 2, jsonb_build_object(
                   'chargeId', charge.id::text, 'amountUsd', charge.amount_usd::text, 'description', charge.description,
                   'metadata', charge.metadata, 'apiKeyId', charge.api_key_id::text, 'holdId', NULL,
                   'balanceAfter', entry.balance_after::text));
              sequences[u] := sequences[u] + 2;
              UPDATE idempotency_keys SET status = 'done', response_status = 201,
                     response_body = jsonb_build_object('kind', 'charge', 'chargeId', charge.id::text, 'balanceAfter', balances[u]::text)
               WHERE scope = p_scope[i] AND key = p_key[i];
              o_outcome := 'charged';
              o_charge_id := charge.id;
              o_created_at := charge.created_at;
              o_balance_after := balances[u];
            END IF;
          END IF;
          RETURN NEXT;
        END LOOP;

        UPDATE users SET balance = m.balance, event_sequence = m.sequence, updated_at = NOW()
          FROM unnest(user_ids, balances, sequences) AS m(id, balance, sequence)
         WHERE users.id = m.id AND users.event_sequence <> m.sequence;
      END
      $fn$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // The functions go back to their earlier bodies, which emit nothing.
    await q.query(`DROP FUNCTION ${CHARGE_BATCH_SIGNATURE}`);
    const { ChargeBatchFunction1764892800000 } = await import('./1764892800000-ChargeBatchFunction');
    await new ChargeBatchFunction1764892800000().up(q);
    await q.query(`
      CREATE OR REPLACE FUNCTION payment_order_insert(
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
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_endpoints`);
    await q.query(`DROP FUNCTION payment_order_event_data(payment_orders)`);
    await q.query(`DROP FUNCTION outbox_emit(VARCHAR, BIGINT, JSONB)`);
    await q.query(`DROP TABLE outbox_events`);
    await q.query(`ALTER TABLE users DROP COLUMN event_sequence`);
  }
}
