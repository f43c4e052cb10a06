#!/usr/bin/env node
/* eslint-disable no-console */
// The floors of `npm run bench`: bare node:http + pg servers running the SQL
// of a path with no framework, each started by bench.js in a process of its
// own: `node scripts/bench-floors.js <kind> <database url> <pool size>`. It
// listens on a free loopback port and prints the port.
//
// Kinds: notify, notify-outbox, create, charge.

const http = require('node:http');
const { Pool } = require('pg');

/**
 * The floor: node:http + pg running the webhook's core transaction, nothing
 * else. With `outbox`, the same two statements also write the events the app
 * writes (order.paid through outbox_emit, balance.changed inline with the
 * ledger row), so the difference is what the outbox costs the database.
 */
function notifyFloor(pool, outbox) {
  const paid = outbox
    ? {
        name: 'floor-paid-outbox',
        text: `WITH paid AS (
                 UPDATE payment_orders SET status = 'paid', paid_at = NOW(), callback_at = NOW()
                  WHERE order_no = $1 AND status IN ('pending', 'expired')
                 RETURNING user_id, amount_usd, payment_order_event_data(payment_orders) AS data
               ), announced AS (SELECT outbox_emit('order.paid', paid.user_id, paid.data) FROM paid)
               SELECT user_id, amount_usd FROM paid, announced`,
      }
    : {
        name: 'floor-paid',
        text: `UPDATE payment_orders SET status = 'paid', paid_at = NOW(), callback_at = NOW()
                WHERE order_no = $1 AND status IN ('pending', 'expired') RETURNING user_id, amount_usd`,
      };
  const credit = outbox
    ? {
        name: 'floor-credit-outbox',
        text: `WITH moved AS (UPDATE users SET balance = balance + $2::numeric, event_sequence = event_sequence + 1 WHERE id = $1
                              RETURNING id, balance, event_sequence),
                    entry AS (INSERT INTO recharge_records (user_id, amount, type, operator, related_id, balance_before, balance_after)
                              SELECT id, $2::numeric, 'payment', 'system', $3, balance - $2::numeric, balance FROM moved
                              RETURNING id, user_id, amount, type, related_id, balance_before, balance_after)
               INSERT INTO outbox_events (type, user_id, sequence, data)
               SELECT 'balance.changed', entry.user_id, moved.event_sequence,
                      jsonb_build_object('entryId', entry.id::text, 'type', entry.type, 'amount', entry.amount::text,
                                         'balanceBefore', entry.balance_before::text, 'balanceAfter', entry.balance_after::text, 'relatedId', entry.related_id)
                 FROM entry, moved`,
      }
    : {
        name: 'floor-credit',
        text: `WITH moved AS (UPDATE users SET balance = balance + $2::numeric WHERE id = $1 RETURNING id, balance)
               INSERT INTO recharge_records (user_id, amount, type, operator, related_id, balance_before, balance_after)
               SELECT id, $2::numeric, 'payment', 'system', $3, balance - $2::numeric, balance FROM moved`,
      };
  const server = http.createServer(async (req, res) => {
    const orderNo = new URL(req.url, 'http://x').searchParams.get('out_trade_no');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query({ ...paid, values: [orderNo] });
      if (rows.length) await client.query({ ...credit, values: [rows[0].user_id, rows[0].amount_usd, orderNo] });
      await client.query('COMMIT');
      res.end('success');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      res.statusCode = 500;
      res.end('fail');
    } finally {
      client.release();
    }
  });
  return server;
}

/**
 * The order-creation floor: node:http + pg running what creating an order
 * reads and writes (the session user, what the campaigns' decision reads of them, payment_order_insert),
 * nothing else: no token check, no validation, no framework.
 */
function createFloor(pool) {
  let n = 0;
  const server = http.createServer(async (req, res) => {
    const userId = Number(new URL(req.url, 'http://x').searchParams.get('user'));
    try {
      const [{ rows: users }] = [await pool.query({ name: 'floor-user', text: 'SELECT id, email, username, role, status, token_version FROM users WHERE id = $1', values: [userId] })];
      // What the campaigns' decision reads of the user (the app keeps the list of running campaigns in memory).
      await pool.query({
        name: 'floor-campaign-facts',
        text: `SELECT u.created_at,
                      COALESCE((SELECT jsonb_object_agg(x.campaign_id::text, x.n)
                                  FROM (SELECT campaign_id, COUNT(*) AS n FROM campaign_grants
                                         WHERE user_id = u.id AND campaign_id = ANY ($2::bigint[]) GROUP BY campaign_id) x), '{}'::jsonb) AS grants
                 FROM users u WHERE u.id = $1`,
        values: [userId, [1]],
      });
      const now = new Date();
      const orderNo = `POF${now.getTime()}${String(n++).padStart(8, '0')}`;
      const { rows } = await pool.query({
        name: 'floor-order-insert',
        text: `SELECT payment_order_insert($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21::jsonb) AS id`,
        values: [orderNo, null, userId, users[0].username, '20.00', '2.77777778', '7.2000', 'sandbox', 'alipay', `http://x/${orderNo}`,
          new Date(now.getTime() + 1_800_000), null, '127.0.0.1', 'bench', now, 100_000_000, 'CNY', '20.00', null, null, '[]'],
      });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: rows[0].id, orderNo }));
    } catch {
      res.writeHead(500).end();
    }
  });
  return server;
}

/** The charge floor: node:http + pg, one statement per charge (the balance moves only when it covers the amount). */
function chargeFloor(pool) {
  const server = http.createServer(async (req, res) => {
    const userId = new URL(req.url, 'http://x').searchParams.get('user');
    try {
      const { rowCount } = await pool.query({
        name: 'floor-charge',
        text: `WITH moved AS (UPDATE users SET balance = balance - $2::numeric WHERE id = $1 AND balance - held >= $2::numeric RETURNING id, balance)
               INSERT INTO recharge_records (user_id, amount, type, operator, remark, balance_before, balance_after)
               SELECT id, -$2::numeric, 'admin', 'system', 'floor charge', balance + $2::numeric, balance FROM moved`,
        values: [userId, '0.01'],
      });
      res.statusCode = rowCount === 1 ? 201 : 402;
      res.end();
    } catch {
      res.statusCode = 500;
      res.end();
    }
  });
  return server;
}


const [kind, databaseUrl, poolSize] = process.argv.slice(2);
const pool = new Pool({ connectionString: databaseUrl, max: Number(poolSize) });
const servers = {
  notify: () => notifyFloor(pool, false),
  'notify-outbox': () => notifyFloor(pool, true),
  create: () => createFloor(pool),
  charge: () => chargeFloor(pool),
};
if (!servers[kind]) throw new Error(`no floor named ${kind}: one of ${Object.keys(servers).join(', ')}`);
const server = servers[kind]();
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => pool.end().then(() => process.exit(0)));
});
