import { JobRunner } from '../../src/common/jobs/job-runner';
import { LedgerAuditTask } from '../../src/ledger/ledger-audit.task';
import { registerUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** A sample's value in Prometheus text, or undefined when the series is absent. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('money signals in /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const scrape = async () => (await t.http.get('/metrics').expect(200)).text;

  it('counts open orders, refunds stuck and orders needing an admin, read from the database at each scrape', async () => {
    const user = await registerUser(t.http);
    const orderNos: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await t.http.post('/api/payment/orders').set('Authorization', `Bearer ${user.token}`).send({ amountCny: '20.00', provider: 'sandbox', method: 'alipay' });
      expect(res.status).toBe(201);
      orderNos.push(res.body.orderNo);
    }
    const before = await scrape();
    // The database is shared with other test files: at least this test's own orders are there.
    expect(sample(before, 'payment_orders_open{status="pending"}')).toBeGreaterThanOrEqual(2);
    const stuckBefore = sample(before, 'payment_refunds_stuck')!;
    const attentionBefore = sample(before, 'payment_orders_attention')!;

    // One of them refunding for 11 minutes without news.
    await t.db.query(`UPDATE payment_orders SET status = 'refunding', updated_at = NOW() - interval '11 minutes' WHERE order_no = $1`, [orderNos[0]]);
    try {
      const after = await scrape();
      expect(sample(after, 'payment_refunds_stuck')).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'payment_orders_open{status="refunding"}')).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'payment_refunds_stuck')! + sample(after, 'payment_orders_attention')!).toBeGreaterThan(stuckBefore + attentionBefore);
    } finally {
      await t.db.query(`UPDATE payment_orders SET status = 'cancelled' WHERE order_no = $1`, [orderNos[0]]);
    }
  });

  it('exports the scheduled ledger audit’s findings and each job’s last success', async () => {
    const startedAt = Date.now() / 1000;
    await t.app.get(JobRunner).run('audit-ledger', () => t.app.get(LedgerAuditTask).audit());
    const metrics = await scrape();
    // Every balance equals its ledger in the test database (tests that break one roll back).
    expect(sample(metrics, 'ledger_audit_violations')).toBe(0);
    const [row] = await t.db.query(`SELECT last_outcome, last_changed FROM scheduled_jobs WHERE name = 'audit-ledger'`);
    expect(row).toEqual({ last_outcome: 'done', last_changed: 0 });
    expect(sample(metrics, 'job_last_success_timestamp_seconds{job="audit-ledger"}')).toBeGreaterThanOrEqual(Math.floor(startedAt) - 1);
  });
});
