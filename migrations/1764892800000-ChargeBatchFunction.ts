import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Applies a batch of charges in one statement: `SELECT * FROM
 * apply_charge_batch(...)`, run on its own (autocommit), so the whole batch
 * costs one round trip and one commit however many charges it carries. The
 * hot path of the service API is latency-bound by round trips, not by work.
 *
 * For each charge, in the order given (the caller sends each key once):
 *  1. the Idempotency-Keys are claimed in (scope, key) order; a key another
 *     transaction holds is waited for, then left out ('elsewhere');
 *  2. the users are locked in id order;
 *  3. each claimed charge is accepted while its user's available balance
 *     (balance − held) covers it: a charges row, a `deduct` ledger row that
 *     continues the user's chain, and the key's answer; otherwise the key's
 *     answer is the refusal ('insufficient' with what is available, or
 *     'user_not_found');
 *  4. each user's balance moves once.
 * The stored answers are facts (the charge id and balance after, or what was
 * available), from which the application rebuilds the response body.
 */
export class ChargeBatchFunction1764892800000 implements MigrationInterface {
  name = 'ChargeBatchFunction1764892800000';

  public async up(q: QueryRunner): Promise<void> {
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
        u int;
        charge_id bigint;
        charge_created timestamptz;
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

        SELECT array_agg(l.id ORDER BY l.id), array_agg(l.balance ORDER BY l.id), array_agg(l.balance - l.held ORDER BY l.id)
          INTO user_ids, balances, lefts
          FROM (SELECT id, balance, held FROM users
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
              RETURNING id, created_at INTO charge_id, charge_created;
              INSERT INTO recharge_records (user_id, amount, type, operator, remark, related_id, balance_before, balance_after, created_at)
              VALUES (p_user[i], -p_amount[i], 'deduct', 'system', p_description[i], charge_id::text, balances[u], balances[u] - p_amount[i], clock_timestamp());
              balances[u] := balances[u] - p_amount[i];
              lefts[u] := lefts[u] - p_amount[i];
              UPDATE idempotency_keys SET status = 'done', response_status = 201,
                     response_body = jsonb_build_object('kind', 'charge', 'chargeId', charge_id::text, 'balanceAfter', balances[u]::text)
               WHERE scope = p_scope[i] AND key = p_key[i];
              o_outcome := 'charged';
              o_charge_id := charge_id;
              o_created_at := charge_created;
              o_balance_after := balances[u];
            END IF;
          END IF;
          RETURN NEXT;
        END LOOP;

        UPDATE users SET balance = m.balance, updated_at = NOW()
          FROM unnest(user_ids, balances) AS m(id, balance)
         WHERE users.id = m.id AND users.balance <> m.balance;
      END
      $fn$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS apply_charge_batch(varchar[], varchar[], char(64)[], bigint[], bigint[], numeric[], varchar[], jsonb[], varchar[], int)`);
  }
}
