import { Pool } from 'pg';
import { AppProcess, startAppProcess } from '../support/app-process';
import { FakeZpay } from '../support/fake-gateways';
import { freePort } from '../support/free-port';
import { RunningRedis, startRedisServer } from '../support/redis-server';
import { appEnv, checkMoney, createOrders, deliverUntilTaken, report, sendNotify, sleep } from './support/harness';

/** job_runs_total{job="expire-orders"} of one instance, by outcome. */
async function expiryRuns(app: AppProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  const runs: Record<string, number> = {};
  for (const [, outcome, count] of text.matchAll(/^job_runs_total\{job="expire-orders",outcome="(\w+)"\} (\d+)/gm)) runs[outcome] = Number(count);
  return runs;
}

/**
 * The job's claims and each instance's counters, read while no tick is under
 * way: the last claimed tick has finished (its counter is incremented before
 * its finish is recorded) and no claim came in while the counters were read.
 */
async function settled(db: Pool, apps: AppProcess[]): Promise<{ claimed: number; counters: Record<string, number>[] }> {
  const runs = async () =>
    (await db.query(`SELECT runs, last_finished_at IS NOT NULL AS finished FROM scheduled_jobs WHERE name = 'expire-orders'`)).rows[0] ?? {
      runs: '0',
      finished: true,
    };
  for (;;) {
    const first = await runs();
    if (first.finished) {
      const counters = await Promise.all(apps.map(expiryRuns));
      if ((await runs()).runs === first.runs) return { claimed: Number(first.runs), counters };
    }
    await sleep(20);
  }
}

describe('two app instances on one database', () => {
  let zpay: FakeZpay;
  let redis: RunningRedis | null;
  let db: Pool;
  let instances: AppProcess[];

  beforeAll(async () => {
    zpay = await new FakeZpay().start();
    redis = await startRedisServer(await freePort());
    db = new Pool({ connectionString: process.env.DATABASE_URL!, max: 2 });
    // The expiry job every second, so a few seconds hold several ticks.
    const env = appEnv(process.env.DATABASE_URL!, zpay, {
      ...(redis && { REDIS_URL: redis.url }),
      RECHARGE__JOBS__EXPIRE_ORDERS: '* * * * * *',
    });
    instances = await Promise.all([startAppProcess(env), startAppProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all((instances ?? []).map((app) => app.stop()));
    await redis?.stop();
    await zpay.stop();
    await db.end();
  });

  it('webhooks split across both (and the same notify to both at once) credit each order once', async () => {
    const [a, b] = instances;
    const orders = await createOrders(a.baseUrl, 20, 15);
    // Every order's notify reaches both instances at the same moment, then the gateway's redelivery alternates between them.
    const racing = await Promise.all(orders.map((order) => Promise.all([sendNotify(a.baseUrl, order), sendNotify(b.baseUrl, order)])));
    const redelivery = await deliverUntilTaken(orders, (attempt) => instances[attempt % 2].baseUrl, { concurrency: 16, deadlineMs: 60_000 });
    const money = await checkMoney(process.env.DATABASE_URL!, orders);
    const notSuccess = racing.flat().filter((answer) => answer !== 'success').length;
    report('two instances: webhooks', {
      orders: orders.length,
      racingPairs: racing.length,
      notSuccess,
      redeliveries: redelivery.requests,
      ...money,
    });
    expect(notSuccess).toBe(0);
    expect(redelivery.undelivered).toEqual([]);
    expect(money).toEqual({ credited: orders.length, lost: 0, doubled: 0, wrongBalances: 0, violations: 0 });
  });

  it('each job runs once per tick: one instance claims it, the other skips it', async () => {
    const [a, b] = instances;
    // Orders already past their expiry, for the job to find.
    const due = await createOrders(a.baseUrl, 5, 10);
    await db.query(`UPDATE payment_orders SET expire_at = now() - interval '1 minute' WHERE order_no = ANY($1)`, [due.map((o) => o.orderNo)]);
    const { claimed: runsBefore, counters: [beforeA, beforeB] } = await settled(db, [a, b]);
    await sleep(6_500);
    const { claimed: runsAfter, counters: [afterA, afterB] } = await settled(db, [a, b]);
    const delta = (after: Record<string, number>, before: Record<string, number>, outcome: string) => (after[outcome] ?? 0) - (before[outcome] ?? 0);
    const done = delta(afterA, beforeA, 'done') + delta(afterB, beforeB, 'done');
    const skipped = delta(afterA, beforeA, 'skipped') + delta(afterB, beforeB, 'skipped');
    const failed = delta(afterA, beforeA, 'failed') + delta(afterB, beforeB, 'failed');
    const ticks = runsAfter - runsBefore;
    const { rows } = await db.query(`SELECT status, count(*)::int AS n FROM payment_orders WHERE order_no = ANY($1) GROUP BY status`, [
      due.map((o) => o.orderNo),
    ]);
    report('two instances: jobs', {
      seconds: 6.5,
      ticksClaimed: ticks,
      done,
      skipped,
      failed,
      doneByA: delta(afterA, beforeA, 'done'),
      doneByB: delta(afterB, beforeB, 'done'),
      dueOrdersExpired: rows.find((r) => r.status === 'expired')?.n ?? 0,
    });
    expect(ticks).toBeGreaterThanOrEqual(5);
    // Every claimed tick was done by exactly one instance; the other saw it and skipped it (its skip of the last tick
    // may still be on its way). Both instances running every tick would show twice as many done as claimed.
    expect(done).toBe(ticks);
    expect(Math.abs(skipped - ticks)).toBeLessThanOrEqual(1);
    expect(failed).toBe(0);
    expect(rows).toEqual([{ status: 'expired', n: due.length }]);
  });
});
