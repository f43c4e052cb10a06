import { createTestApp, TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** job_runs_total{job="expire-orders"} of one app, by outcome. */
async function expiryRuns(app: TestApp): Promise<Record<string, number>> {
  const text = (await app.http.get('/metrics')).text;
  const runs: Record<string, number> = {};
  for (const [, outcome, count] of text.matchAll(/^job_runs_total\{job="expire-orders",outcome="(\w+)"\} (\d+)/gm)) runs[outcome] = Number(count);
  return runs;
}

interface Snapshot {
  claimed: number;
  done: number;
  skipped: number;
  failed: number;
}

/**
 * The job's claims (scheduled_jobs.runs) and both instances' counters, read
 * while no tick is under way: the last claimed tick has finished (its
 * counter is incremented before its finish is recorded) and no new claim
 * came in while the counters were read.
 */
async function settled(apps: TestApp[]): Promise<Snapshot> {
  const runs = async () =>
    (await apps[0].db.query(`SELECT runs, last_finished_at IS NOT NULL AS finished FROM scheduled_jobs WHERE name = 'expire-orders'`))[0] ?? {
      runs: '0',
      finished: true,
    };
  for (;;) {
    const first = await runs();
    if (first.finished) {
      const counters = await Promise.all(apps.map(expiryRuns));
      const again = await runs();
      if (again.runs === first.runs) {
        const sum = (outcome: string) => counters.reduce((total, c) => total + (c[outcome] ?? 0), 0);
        return { claimed: Number(first.runs), done: sum('done'), skipped: sum('skipped'), failed: sum('failed') };
      }
    }
    await sleep(20);
  }
}

describe('scheduled jobs on two instances', () => {
  it('run once per tick: one instance claims each tick in scheduled_jobs, the other skips it', async () => {
    // Every second, so a few seconds hold several ticks.
    const env = { RECHARGE__JOBS__EXPIRE_ORDERS: '* * * * * *' };
    const [one, two] = [await createTestApp(env), await createTestApp(env)];
    try {
      const before = await settled([one, two]);
      await sleep(6_200);
      const after = await settled([one, two]);
      const claimed = after.claimed - before.claimed;
      const done = after.done - before.done;
      const skipped = after.skipped - before.skipped;
      // Both instances saw every tick (6 or 7 in 6.2 s; at least 4 even when a loaded machine's cron drops a tick or two);
      // each tick was claimed and done once, and skipped by the other
      // (whose skip may still be on its way for the last tick). Two instances running every tick would show twice as many done.
      expect(claimed).toBeGreaterThanOrEqual(4);
      expect(done).toBe(claimed);
      expect(Math.abs(skipped - done)).toBeLessThanOrEqual(1);
      expect(after.failed).toBe(0);
    } finally {
      await one.close();
      await two.close();
    }
  }, 30_000);

  it('refuses a schedule that is not a cron expression, naming the key', async () => {
    await expect(createTestApp({ RECHARGE__JOBS__RECONCILE_ORDERS: 'every minute' })).rejects.toThrow(/jobs\.reconcile_orders.*cron expression/);
  });
});
