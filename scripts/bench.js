#!/usr/bin/env node
/* eslint-disable no-console */
// `npm run bench`: the performance figures, on this machine, with a real
// PostgreSQL (durable commits) and the built app in its own process.
//
//   1. the floor: the webhook's core transaction (order → paid, balance +=,
//      ledger row) from node:http + pg, no framework;
//   2. the app: Zpay notifies, each for a distinct pending order, verified,
//      settled and answered `success` (then: each credited exactly once, the
//      ledger audit clean, statements per webhook);
//   3. order creation with the sandbox gateway, against a floor of node:http
//      + pg running the same three statements (session user, promotion,
//      payment_order_insert);
//   4. a user's ledger page with 1 million rows in the table;
//   5. expiring 100,000 orders while webhooks keep arriving;
//   6. charges through the service API, on one hot account and over 10,000
//      accounts, each against a floor of node:http + pg running one
//      statement per charge (conditional balance update + ledger row);
//   7. the admin CSV exports: 100,000 and BENCH_EXPORT_ROWS orders, and the
//      whole ledger, streamed to a client that counts and discards, with the
//      app's resident memory sampled throughout;
//   8. events: what the outbox adds to a webhook credit (the floor with and
//      without the outbox's writes), and, where Debian's rabbitmq-server is
//      installed, the notify path with events published to RabbitMQ, and
//      events per second the dispatcher publishes with publisher confirms.
//
// Options (env): BENCH_ORDERS (default 10000), BENCH_CONNECTIONS (16), BENCH_CHARGES (20000),
// BENCH_LEDGER_ROWS (1000000), BENCH_EXPIRE_ORDERS (100000), BENCH_EXPORT_ROWS (1000000), BENCH_PROFILE_DIR
// (a folder for the app's CPU profile), BENCH_POOL_SIZE (the app's pool; as configured), BENCH_ONLY (the parts to run, comma-separated, of: notify,
// tracing, create, ledger, expire, charges, exports, events; all by default).

const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const http = require('node:http');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { Pool } = require('pg');
const { DataSource } = require('typeorm');

const root = join(__dirname, '..');
const dist = (p) => require(join(root, 'dist', 'src', p));
const { startEmbeddedPostgres } = dist('common/database/embedded-postgres');
const { runMigrations } = dist('common/database/migrate');
const { epaySign } = dist('payments/providers/epay/epay-signature');
const { auditLedger } = dist('ledger/ledger-audit');

const ORDERS = Number(process.env.BENCH_ORDERS ?? 10000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const USERS = 2000;
const LEDGER_ROWS = Number(process.env.BENCH_LEDGER_ROWS ?? 1_000_000);
const LEDGER_USERS = 1000;
const EXPIRE_ORDERS = Number(process.env.BENCH_EXPIRE_ORDERS ?? 100_000);
const EXPORT_ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const JWT_SECRET = 'bench-secret-of-at-least-thirty-two-characters';
const CHARGE_ACCOUNTS = 10_000;
const CHARGES = Number(process.env.BENCH_CHARGES ?? 20000);
// The app's connection pool: database.pool_size as configured, unless BENCH_POOL_SIZE says otherwise.
const POOL_SIZE = process.env.BENCH_POOL_SIZE;
// The floors' pool: the same size (10 is the configured default).
const FLOOR_POOL_SIZE = Number(POOL_SIZE ?? 10);
const PARTS = ['notify', 'tracing', 'create', 'ledger', 'expire', 'charges', 'exports', 'events'];
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((part) => part.trim()) : PARTS;
for (const part of ONLY) if (!PARTS.includes(part)) throw new Error(`BENCH_ONLY: ${part} is not one of ${PARTS.join(', ')}`);
const runs = (part) => ONLY.includes(part);
const API_KEY = 'rk_bench-key-0123456789abcdefghijklmnopqrstuvwxyzAB';

/** An HS256 access token, as the app issues them, for a seeded user. */
function token(userId) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: String(userId), role: 'user', iat: now, exp: now + 3600 })}`;
  return `${unsigned}.${require('node:crypto').createHmac('sha256', JWT_SECRET).update(unsigned).digest('base64url')}`;
}
const PID = '1001';
const KEY = 'bench-merchant-key';

function freePort() {
  return new Promise((resolve) => {
    const server = require('node:net').createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function seed(pool, prefix, count) {
  // Users 1..USERS exist; orders are spread over them so concurrent credits rarely share a user row.
  await pool.query(
    `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider,
                                 payment_method, expire_at)
     SELECT $1 || lpad(g::text, 10, '0'), u.id, u.username, 20.00, 2.77777778, 2.77777778, 7.2, 'zpay', 'alipay',
            NOW() + interval '1 hour'
       FROM generate_series(1, $2) g JOIN users u ON u.id = ((g - 1) % $3) + 1`,
    [prefix, count, USERS],
  );
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(10, '0')}`);
}

function notifyPath(orderNo) {
  const fields = {
    pid: PID,
    trade_no: `T${orderNo}`,
    out_trade_no: orderNo,
    type: 'alipay',
    name: 'Recharge 20.00 CNY',
    money: '20.00',
    trade_status: 'TRADE_SUCCESS',
  };
  const query = new URLSearchParams({ ...fields, sign: epaySign(fields, KEY), sign_type: 'MD5' });
  return `/api/payment/webhook/zpay?${query}`;
}

/**
 * autocannon, timed from the start to the last response: its own `duration`
 * is in whole seconds, and a run of `amount` requests ends on its next
 * one-second tick, both too coarse for rates.
 */
async function timed(options) {
  const started = process.hrtime.bigint();
  let last = started;
  const run = autocannon(options);
  run.on('response', () => (last = process.hrtime.bigint()));
  const result = await run;
  return { ...result, seconds: Number(last - started) / 1e9 };
}

function load(url, paths, connections = CONNECTIONS) {
  let next = 0;
  return timed({
    url,
    connections,
    amount: paths.length,
    requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: paths[next++ % paths.length] }) }],
  });
}

/** `count` requests, each built by `build(i)` ({method, path, headers, body}). */
function loadEach(url, count, build, connections = CONNECTIONS) {
  let next = 0;
  return timed({ url, connections, amount: count, requests: [{ setupRequest: (req) => ({ ...req, ...build(next++) }) }] });
}

/**
 * Debian's rabbitmq-server on loopback, through the tests' own starter
 * (TypeScript, compiled on require by @swc/core, the tests' compiler); null
 * when it is not installed.
 */
async function startBroker() {
  require.extensions['.ts'] ??= (module, filename) => {
    const { code } = require('@swc/core').transformFileSync(filename, {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    module._compile(code, filename);
  };
  const { startRabbitMqServer } = require(join(root, 'test', 'support', 'rabbitmq-server.ts'));
  return startRabbitMqServer().catch((error) => {
    console.log(`(no RabbitMQ: ${error.message.split('\n')[0]})`);
    return null;
  });
}

/**
 * Waits until the outbox has nothing left for the broker (`published_at`),
 * or for webhook routing (`routed_at`); answers the seconds it took.
 */
async function untilPublished(pool, timeoutMs = 300_000, column = 'published_at') {
  const started = process.hrtime.bigint();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query(`SELECT COUNT(*)::int AS waiting FROM outbox_events WHERE ${column} IS NULL`);
    if (rows[0].waiting === 0) return Number(process.hrtime.bigint() - started) / 1e9;
    if (Date.now() > deadline) throw new Error(`${rows[0].waiting} events still unpublished`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A floor in a process of its own (scripts/bench-floors.js), so it shares no
 * event loop with the load generator and its CPU per request is measured as
 * the app's is.
 */
function startFloorProcess(kind, databaseUrl) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'bench-floors.js'), kind, databaseUrl, String(FLOOR_POOL_SIZE)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the ${kind} floor stopped (${code})`)));
    child.stdout.once('data', (line) => {
      const port = Number(String(line).trim());
      resolve({
        child,
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => (child.removeAllListeners('exit'), child.once('exit', done), child.kill('SIGTERM'))),
      });
    });
  });
}

/** A process's CPU time (user + system) in microseconds, from /proc (Linux; 10 ms resolution). */
function cpuMicrosOf(pid) {
  const fields = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Runs a load against the app (or a floor) and adds that process's CPU microseconds per request. */
async function withAppCpu(app, run) {
  const before = cpuMicrosOf(app.child.pid);
  const result = await run();
  return { ...result, cpuPerRequest: (cpuMicrosOf(app.child.pid) - before) / result.requests.total };
}

/** Users with a balance of 1,000 each, credited through ledger rows so the audit holds. */
async function fundedUsers(pool, prefix, count) {
  const { rows } = await pool.query(
    `WITH u AS (INSERT INTO users (email, username, password_hash, balance)
                SELECT $1 || g || '@example.test', $1 || g, 'x', 1000 FROM generate_series(1, $2) g RETURNING id)
     INSERT INTO recharge_records (user_id, amount, type, operator, remark, balance_before, balance_after)
     SELECT id, 1000, 'admin', 'system', 'bench funds', 0, 1000 FROM u RETURNING user_id AS id`,
    [prefix, count],
  );
  return rows.map((r) => r.id);
}

async function startApp(env) {
  // BENCH_PROFILE_DIR: the app writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, join(root, 'dist', 'src', 'main.js')], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (d) => (errors += d));
  const url = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { child, url };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`the app did not start: ${errors}`);
}

const ms = (v) => `${v.toFixed(1)} ms`;

/** A process's resident memory in bytes, from /proc (Linux). */
function rssOf(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * Downloads a CSV export as a client saving it would, counting lines and
 * bytes without keeping them, while the app's resident memory is sampled.
 */
async function timedExport(app, path, authorization) {
  const before = rssOf(app.child.pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(app.child.pid))), 25);
  const started = process.hrtime.bigint();
  const { lines, bytes } = await new Promise((resolve, reject) => {
    http
      .get(`${app.url}${path}`, { headers: { authorization } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`${path} answered ${res.statusCode}`));
        let count = 0;
        let size = 0;
        res.on('data', (chunk) => {
          size += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
        });
        res.on('end', () => resolve({ lines: count, bytes: size }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  return { rows: lines - 1, bytes, seconds, before, peak };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'recharge-bench-pg-'));
  const postgres = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    database: 'recharge_bench',
    settings: ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'max_connections=200'],
  });
  const pool = new Pool({ connectionString: postgres.url, max: CONNECTIONS + 4 });
  let app;
  try {
    await runMigrations(postgres.url);
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await pool.query(
      `INSERT INTO users (email, username, password_hash)
       SELECT 'bench' || g || '@example.test', 'bench' || g, 'x' FROM generate_series(1, $1) g`,
      [USERS],
    );

    console.log(`Recharge bench: ${ORDERS} orders per run, ${CONNECTIONS} connections, PostgreSQL with durable commits\n`);

    const rate = (r) => r.requests.total / r.seconds;
    const row = (name, r) =>
      `${name.padEnd(34)} ${String(Math.round(rate(r))).padStart(6)} req/s   p50 ${ms(r.latency.p50).padStart(8)}   p99 ${ms(
        r.latency.p99,
      ).padStart(8)}   errors ${r.errors + r.non2xx}${r.cpuPerRequest === undefined ? '' : `   CPU ${Math.round(r.cpuPerRequest)} µs/req`}`;

    const runFloor = async (prefix, outbox) => {
      const orders = await seed(pool, prefix, ORDERS);
      const floor = await startFloorProcess(outbox ? 'notify-outbox' : 'notify', postgres.url);
      await load(floor.url, orders.slice(0, 500).map((o) => `/?out_trade_no=${o}`));
      const run = await withAppCpu(floor, () => load(floor.url, orders.slice(500).map((o) => `/?out_trade_no=${o}`)));
      await floor.close();
      return run;
    };
    const env = {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(await freePort()),
      DATABASE_URL: postgres.url,
      JWT_SECRET,
      METRICS_TOKEN: 'bench-metrics-token-0123456789',
      RECHARGE__RATE_LIMIT__GLOBAL_PER_MINUTE: '100000000',
      RECHARGE__PAYMENT__MAX_ORDERS_PER_MINUTE: '100000000',
      RECHARGE__PAYMENT__MAX_PENDING_ORDERS: '100000000',
      LOG_LEVEL: 'warn',
      ZPAY_ENABLED: 'true',
      SANDBOX_ENABLED: 'true',
      ZPAY_PID: PID,
      ZPAY_KEY: KEY,
      ZPAY_API_URL: 'http://127.0.0.1:9',
      ...(POOL_SIZE ? { RECHARGE__DATABASE__POOL_SIZE: POOL_SIZE } : {}),
    };
    app = await startApp(env);
    let appRun;
    if (runs('notify')) {
      const floorRun = await runFloor('POFLOOR', false);
      const floorOutboxRun = await runFloor('POFLOOROUT', true);
      const appOrders = await seed(pool, 'POAPP', ORDERS);
      await load(app.url, appOrders.slice(0, 500).map(notifyPath));
      await pool.query('SELECT pg_stat_statements_reset()');
      appRun = await withAppCpu(app, () => load(app.url, appOrders.slice(500).map(notifyPath)));
      const [{ statements }] = (
        await pool.query(
          `SELECT SUM(calls)::bigint AS statements FROM pg_stat_statements
            WHERE query NOT ILIKE '%pg_stat_statements%' AND query NOT ILIKE 'SELECT 1%'`,
        )
      ).rows;

      const measured = ORDERS - 500;
      const [check] = (
        await pool.query(
          `SELECT COUNT(*) FILTER (WHERE o.status = 'paid')::int AS paid,
                  (SELECT COUNT(*)::int FROM recharge_records r WHERE r.type = 'payment' AND r.related_id LIKE 'POAPP%') AS credits
             FROM payment_orders o WHERE o.order_no LIKE 'POAPP%'`,
        )
      ).rows;
      const ds = await new DataSource({ type: 'postgres', url: postgres.url }).initialize();
      const violations = await auditLedger(ds);
      await ds.destroy();

      console.log(row('floor: node:http + pg (named)', floorRun));
      console.log(row('floor + outbox writes', floorOutboxRun));
      console.log(row('app: Zpay notify → credit', appRun));
      console.log(`\napp / floor throughput             ${((rate(appRun) / rate(floorRun)) * 100).toFixed(0)} %`);
      console.log(`app / floor + outbox                ${((rate(appRun) / rate(floorOutboxRun)) * 100).toFixed(0)} %`);
      console.log(`outbox cost on the floor            ${((1 - rate(floorOutboxRun) / rate(floorRun)) * 100).toFixed(0)} % of throughput`);
      console.log(`statements per webhook (incl. BEGIN/COMMIT) ${(Number(statements) / measured).toFixed(2)}`);
      console.log(`orders paid ${check.paid}/${ORDERS}, payment ledger rows ${check.credits}, audit violations ${violations.length}`);
      if (check.paid !== ORDERS || check.credits !== ORDERS || violations.length) process.exitCode = 1;

      // The dispatcher routes the notify run's events first: its work would otherwise count against the next run's CPU.
      await untilPublished(pool, 300_000, 'routed_at');
    }

    // 2b. The notify path again with tracing on: a second app exporting its spans over OTLP to a collector
    // stand-in that takes each batch and answers 200, against the run above (tracing off: no SDK loaded).
    if (runs('tracing')) {
      let spans = 0;
      const collector = http.createServer((req, res) => {
        req.on('data', () => undefined).on('end', () => {
          spans++;
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise((resolve) => collector.listen(0, '127.0.0.1', resolve));
      const traced = await startApp({ ...env, PORT: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.address().port}` });
      try {
        const tracedOrders = await seed(pool, 'POTRACE', ORDERS);
        await load(traced.url, tracedOrders.slice(0, 500).map(notifyPath));
        const tracedRun = await withAppCpu(traced, () => load(traced.url, tracedOrders.slice(500).map(notifyPath)));
        console.log('\nTracing (OpenTelemetry, spans exported over OTLP/HTTP to a local stand-in)');
        if (appRun) console.log(row('app: notify, tracing off', appRun));
        console.log(row('app: notify, tracing on', tracedRun));
        if (appRun) console.log(`tracing on / off                    ${((rate(tracedRun) / rate(appRun)) * 100).toFixed(0)} % of throughput, ${Math.round(tracedRun.cpuPerRequest - appRun.cpuPerRequest)} µs more CPU per request (${spans} exports taken)`);
      } finally {
        const exited = new Promise((resolve) => traced.child.once('exit', resolve));
        traced.child.kill('SIGTERM');
        await exited;
        collector.close();
      }
      await untilPublished(pool, 300_000, 'routed_at');
    }

    // 3. Order creation through the API with the sandbox gateway.
    if (runs('create')) {
      const createBody = JSON.stringify({ amountCny: '20.00', provider: 'sandbox', method: 'alipay' });
      const create = (i) => ({
        method: 'POST',
        path: '/api/payment/orders',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token((i % USERS) + 1)}` },
        body: createBody,
      });
      const probe = create(0);
      const probed = await fetch(app.url + probe.path, { method: 'POST', headers: probe.headers, body: probe.body });
      if (probed.status !== 201) throw new Error(`order creation answered ${probed.status}: ${await probed.text()}`);
      await loadEach(app.url, 300, create);
      const createRun = await withAppCpu(app, () => loadEach(app.url, 4000, create));
      const createFloor = await startFloorProcess('create', postgres.url);
      const floorCreate = (i) => ({ method: 'POST', path: `/?user=${(i % USERS) + 1}` });
      await loadEach(createFloor.url, 300, floorCreate);
      const createFloorRun = await withAppCpu(createFloor, () => loadEach(createFloor.url, 4000, floorCreate));
      await createFloor.close();
      console.log('\n' + row('floor: create order (3 statements)', createFloorRun));
      console.log(row('app: create order (sandbox)', createRun));
      console.log(`app / floor throughput             ${((rate(createRun) / rate(createFloorRun)) * 100).toFixed(0)} %   (targets: ≥ 1,000/s and ≥ 60 %)`);
    }

    // 4. A user's ledger page with LEDGER_ROWS rows in the table: LEDGER_USERS users, each with an unbroken chain.
    if (runs('ledger')) {
      const { rows: ledgerUsers } = await pool.query(
        `INSERT INTO users (email, username, password_hash, balance)
         SELECT 'ledger' || g || '@example.test', 'ledger' || g, 'x', $1 FROM generate_series(1, $2) g RETURNING id`,
        [LEDGER_ROWS / LEDGER_USERS, LEDGER_USERS],
      );
      await pool.query(
        `INSERT INTO recharge_records (user_id, amount, type, operator, balance_before, balance_after, created_at)
         SELECT u.id, 1, 'admin', 'system', k - 1, k, NOW() - (($2 - k) * interval '1 minute')
           FROM unnest($1::bigint[]) AS u(id), generate_series(1, $2) k`,
        [ledgerUsers.map((u) => u.id), LEDGER_ROWS / LEDGER_USERS],
      );
      await pool.query('ANALYZE recharge_records');
      const [{ rows: total }] = [(await pool.query('SELECT COUNT(*)::int AS rows FROM recharge_records')).rows[0]];
      const ledgerPage = (i) => ({
        method: 'GET',
        path: '/api/users/recharge-records?page=1&pageSize=20',
        headers: { authorization: `Bearer ${token(ledgerUsers[i % LEDGER_USERS].id)}` },
      });
      await loadEach(app.url, 500, ledgerPage, 4);
      const ledgerRun = await loadEach(app.url, 4000, ledgerPage, 4);
      console.log(row(`app: ledger page, 4 conns (${(total / 1e6).toFixed(2)}M rows)`, ledgerRun));
    }

    // 5. Expire EXPIRE_ORDERS orders while webhooks keep arriving.
    if (runs('expire')) {
      await pool.query(
        `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider, expire_at)
         SELECT 'POEXP' || lpad(g::text, 10, '0'), u.id, u.username, 20.00, 2.77777778, 2.77777778, 7.2, 'zpay', NOW() - interval '1 minute'
           FROM generate_series(1, $1) g JOIN users u ON u.id = ((g - 1) % $2) + 1`,
        [EXPIRE_ORDERS, USERS],
      );
      const duringOrders = await seed(pool, 'PODURING', 3000);
      const { OrderMaintenanceService } = dist('payments/order-maintenance.service');
      const { PaymentOrdersRepository } = dist('payments/payment-orders.repository');
      const jobDs = await new DataSource({ type: 'postgres', url: postgres.url, extra: { max: 2 } }).initialize();
      // Only the expiry job runs here: it needs the orders' repository and a counter, nothing of the gateways.
      // (dataSource, orders, providers, settlement, refunds, news, cache, metrics, config)
      const maintenance = new OrderMaintenanceService(jobDs, new PaymentOrdersRepository(jobDs), null, null, null, null, null, {
        ordersExpired: { inc() {} },
      }, null);
      const webhooksDuring = load(app.url, duringOrders.map(notifyPath), 4);
      const expireStart = Date.now();
      const expired = await maintenance.expireDue();
      const expireSeconds = (Date.now() - expireStart) / 1000;
      const during = await webhooksDuring;
      await jobDs.destroy();
      console.log(
        `expire ${expired} orders                 ${expireSeconds.toFixed(1)} s; webhooks meanwhile: p99 ${ms(during.latency.p99)}, max ${ms(
          during.latency.max,
        )}, errors ${during.errors + during.non2xx}`,
      );
    }

    // 6. Charges: one hot account, then many accounts; each against its floor, in this run.
    if (runs('charges')) {
      await pool.query(`INSERT INTO api_keys (name, prefix, key_hash, scopes) VALUES ('bench', $1, $2, ARRAY['charges:write'])`, [
        API_KEY.slice(0, 10),
        require('node:crypto').createHash('sha256').update(API_KEY).digest('hex'),
      ]);
      const [floorHot] = await fundedUsers(pool, 'floorhot', 1);
      const [appHot] = await fundedUsers(pool, 'apphot', 1);
      const floorMany = await fundedUsers(pool, 'floormany', CHARGE_ACCOUNTS);
      const appMany = await fundedUsers(pool, 'appmany', CHARGE_ACCOUNTS);
      await pool.query('ANALYZE users');
      const chargeFloor = await startFloorProcess('charge', postgres.url);
      const floorUrl = chargeFloor.url;
      const floorCharge = (users) => (i) => ({ method: 'POST', path: `/?user=${users[i % users.length]}` });
      let key = 0;
      const appCharge = (users) => () => {
        const i = key++;
        return {
          method: 'POST',
          path: '/api/v1/charges',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, 'idempotency-key': `bench-${i}` },
          body: JSON.stringify({ userId: String(users[i % users.length]), amountUsd: '0.01', description: 'bench call' }),
        };
      };
      await loadEach(floorUrl, 300, floorCharge([floorHot]));
      const floorHotRun = await withAppCpu(chargeFloor, () => loadEach(floorUrl, CHARGES, floorCharge([floorHot])));
      await loadEach(app.url, 300, appCharge([appHot]));
      const appHotRun = await withAppCpu(app, () => loadEach(app.url, CHARGES, appCharge([appHot])));
      await loadEach(floorUrl, 300, floorCharge(floorMany));
      const floorManyRun = await withAppCpu(chargeFloor, () => loadEach(floorUrl, CHARGES, floorCharge(floorMany)));
      await loadEach(app.url, 300, appCharge(appMany));
      const appManyRun = await withAppCpu(app, () => loadEach(app.url, CHARGES, appCharge(appMany)));
      await chargeFloor.close();

      const [charged] = (
        await pool.query(
          `SELECT COUNT(*)::int AS charges, (SELECT COUNT(*)::int FROM recharge_records WHERE type = 'deduct') AS rows FROM charges`,
        )
      ).rows;
      const auditDs = await new DataSource({ type: 'postgres', url: postgres.url }).initialize();
      const chargeViolations = await auditLedger(auditDs);
      await auditDs.destroy();
      console.log('\ncharges of 0.01 USD, 16 connections');
      console.log(row('floor: one account (1 stmt each)', floorHotRun));
      console.log(row('app: one hot account (batched)', appHotRun));
      console.log(row(`floor: ${CHARGE_ACCOUNTS} accounts`, floorManyRun));
      console.log(row(`app: ${CHARGE_ACCOUNTS} accounts`, appManyRun));
      console.log(`\nhot account: app / floor             ${(rate(appHotRun) / rate(floorHotRun)).toFixed(2)}x   (target ≥ 2x)`);
      console.log(`many accounts: app / floor           ${((rate(appManyRun) / rate(floorManyRun)) * 100).toFixed(0)} %   (target ≥ 75 %)`);
      const expectedCharges = 2 * (CHARGES + 300);
      console.log(`charges ${charged.charges}/${expectedCharges}, deduct rows ${charged.rows}, audit violations ${chargeViolations.length}`);
      if (charged.charges !== expectedCharges || charged.rows !== expectedCharges || chargeViolations.length) process.exitCode = 1;
    }

    // 7. CSV exports: 100,000 and EXPORT_ROWS orders of one user each, then the whole ledger.
    if (runs('exports')) {
      const { rows: exporters } = await pool.query(
        `INSERT INTO users (email, username, password_hash, role)
         VALUES ('export-small@example.test', 'export_small', 'x', 'user'), ('export-large@example.test', 'export_large', 'x', 'user'),
                ('export-admin@example.test', 'export_admin', 'x', 'admin')
         RETURNING id, username`,
      );
      for (const [owner, count] of [[exporters[0], 100_000], [exporters[1], EXPORT_ROWS]]) {
        await pool.query(
          `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider, payment_method,
                                       status, expire_at, created_at)
           SELECT $4 || lpad(g::text, 9, '0'), $1, $2, 20.00, 2.77777778, 2.77777778, 7.2, 'zpay', 'alipay', 'expired',
                  NOW() - interval '1 day', NOW() - interval '2 days' + g * interval '1 millisecond'
             FROM generate_series(1, $3) g`,
          [owner.id, owner.username, count, `POX${owner.id}-`],
        );
    }
    await pool.query('ANALYZE payment_orders');
    const adminAuth = `Bearer ${token(exporters[2].id)}`;
    const exportRow = (name, r) =>
      `${name.padEnd(34)} ${String(r.rows).padStart(9)} rows  ${(r.bytes / 2 ** 20).toFixed(0).padStart(4)} MB  ${r.seconds
        .toFixed(1)
        .padStart(6)} s  ${String(Math.round(r.rows / r.seconds)).padStart(7)} rows/s   app RSS ${(r.before / 2 ** 20).toFixed(0)} → peak ${(
        r.peak / 2 ** 20
      ).toFixed(0)} MB`;
    console.log('\nCSV exports (streamed; the client counts and discards)');
    const small = await timedExport(app, `/api/admin/payment/orders.csv?userId=${exporters[0].id}`, adminAuth);
    console.log(exportRow('orders.csv, 100,000 orders', small));
    const large = await timedExport(app, `/api/admin/payment/orders.csv?userId=${exporters[1].id}`, adminAuth);
    console.log(exportRow(`orders.csv, ${EXPORT_ROWS.toLocaleString('en')} orders`, large));
    const ledgerExport = await timedExport(app, '/api/admin/recharge-records.csv', adminAuth);
    console.log(exportRow('recharge-records.csv, whole ledger', ledgerExport));
    const [{ ledgerRows }] = (await pool.query('SELECT COUNT(*)::int AS "ledgerRows" FROM recharge_records')).rows;
    if (small.rows !== 100_000 || large.rows !== EXPORT_ROWS || ledgerExport.rows !== ledgerRows) {
      console.log(`export row counts wrong: ${small.rows}, ${large.rows}, ${ledgerExport.rows} (ledger has ${ledgerRows})`);
      process.exitCode = 1;
    }
    }

    // 8. Events to RabbitMQ: the notify path with a broker taking the events, then the dispatcher's own rate.
    const broker = runs('events') ? await startBroker() : null;
    if (broker) {
      try {
        const stopApp = async (running) => {
          const exited = new Promise((resolve) => running.child.once('exit', resolve));
          running.child.kill('SIGTERM');
          await exited;
        };
        await stopApp(app);
        app = null;
        // Everything so far counts as published: the broker run starts from an empty queue.
        await pool.query('UPDATE outbox_events SET published_at = NOW() WHERE published_at IS NULL');
        const brokerApp = await startApp({ ...env, PORT: String(await freePort()), AMQP_URL: broker.url });
        const brokerOrders = await seed(pool, 'POAMQP', ORDERS);
        await load(brokerApp.url, brokerOrders.slice(0, 500).map(notifyPath));
        const brokerRun = await withAppCpu(brokerApp, () => load(brokerApp.url, brokerOrders.slice(500).map(notifyPath)));
        const drainSeconds = await untilPublished(pool);
        console.log('\nEvents (RabbitMQ with publisher confirms, the app publishing while it credits)');
        if (appRun) console.log(row('app: notify → credit, no broker', appRun));
        console.log(row('app: notify → credit + RabbitMQ', brokerRun));
        console.log(`last event published                ${drainSeconds.toFixed(2)} s after the last credit`);
        await stopApp(brokerApp);

        // The dispatcher alone: BENCH_EVENTS events waiting, one instance publishing them.
        const backlog = Number(process.env.BENCH_EVENTS ?? 100_000);
        const [{ last }] = (await pool.query('SELECT COALESCE(MAX(position), 0)::bigint AS last FROM outbox_events')).rows;
        await pool.query(
          `SELECT outbox_emit('balance.changed', ((g - 1) % $2) + 1, jsonb_build_object('entryId', g::text, 'type', 'admin', 'amount', '1.00000000',
                  'balanceBefore', '0.00000000', 'balanceAfter', '1.00000000', 'relatedId', NULL))
             FROM generate_series(1, $1) g`,
          [backlog, USERS],
        );
        await pool.query('UPDATE outbox_events SET routed_at = NOW() WHERE routed_at IS NULL');
        const drainApp = await startApp({ ...env, PORT: String(await freePort()), AMQP_URL: broker.url });
        await untilPublished(pool);
        // From the first batch's claim to the last one's: the app's start-up is not counted.
        const [{ span }] = (await pool.query(`SELECT EXTRACT(EPOCH FROM MAX(published_at) - MIN(published_at))::float AS span FROM outbox_events WHERE position > $1`, [last])).rows;
        const backlogSeconds = span;
        console.log(`dispatcher: ${backlog.toLocaleString('en')} waiting events published in ${backlogSeconds.toFixed(1)} s   ${Math.round(backlog / backlogSeconds)} events/s`);
        await stopApp(drainApp);
      } finally {
        await broker.destroy();
      }
    }
  } finally {
    if (app) {
      const exited = new Promise((resolve) => app.child.once('exit', resolve));
      app.child.kill('SIGTERM');
      await exited;
    }
    await pool.end();
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
