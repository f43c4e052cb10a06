import { createTestApp, TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** job_runs_total{job="expire-orders"} of one app, by outcome. */
async function expiryRuns(app: TestApp): Promise<Record<string, number>> {
  const text = (await app.http.get('/metrics')).text;
  const runs: Record<string, number> = {};
  for (const [, outcome, count] of text.matchAll(/^job_runs_total\{job="expire-orders",outcome="(\w+)"\} (\d+)/gm)) runs[outcome] = Number(count);
  return runs;
}

describe('scheduled jobs on two instances', () => {
  it('run once per tick: one instance claims each tick in scheduled_jobs, the other skips it', async () => {
    // Every second, so a few seconds hold several ticks.
    const env = { RECHARGE__JOBS__EXPIRE_ORDERS: '* * * * * *' };
    const [one, two] = [await createTestApp(env), await createTestApp(env)];
    try {
      const before = (await one.db.query(`SELECT coalesce((SELECT runs FROM scheduled_jobs WHERE name = 'expire-orders'), 0) AS runs`))[0];
      await sleep(4_200);
      const after = (await one.db.query(`SELECT runs, last_outcome FROM scheduled_jobs WHERE name = 'expire-orders'`))[0];
      const [a, b] = [await expiryRuns(one), await expiryRuns(two)];
      const claimed = Number(after.runs) - Number(before.runs);
      const done = (a.done ?? 0) + (b.done ?? 0);
      const skipped = (a.skipped ?? 0) + (b.skipped ?? 0);
      // Both instances saw every tick (4 or 5 in 4.2 s); each tick was claimed and done once, and skipped by the other.
      // The tick under way when the counters were read may be claimed but not yet done (or skipped): hence the 1 of slack.
      // Two instances running every tick would show twice as many done as claimed.
      expect(claimed).toBeGreaterThanOrEqual(4);
      expect(done).toBeLessThanOrEqual(claimed);
      expect(done).toBeGreaterThanOrEqual(claimed - 1);
      expect(Math.abs(skipped - done)).toBeLessThanOrEqual(2);
      expect(a.failed ?? 0).toBe(0);
      expect(b.failed ?? 0).toBe(0);
    } finally {
      await one.close();
      await two.close();
    }
  }, 30_000);

  it('refuses a schedule that is not a cron expression, naming the key', async () => {
    await expect(createTestApp({ RECHARGE__JOBS__RECONCILE_ORDERS: 'every minute' })).rejects.toThrow(/jobs\.reconcile_orders.*cron expression/);
  });
});
