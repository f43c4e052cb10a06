import { DataSource } from 'typeorm';
import { AppConfig } from '../common/config/app-config';
import { JobRunner, LastRun } from '../common/jobs/job-runner';
import { MetricsService } from '../common/metrics/metrics.service';
import { LedgerAuditTask } from './ledger-audit.task';

describe('ledger_audit_violations', () => {
  /** The task's gauge over a job runner whose last runs are `runs` (changed between scrapes). */
  function exporter(runs: LastRun[]) {
    const metrics = new MetricsService();
    const jobs = { readLastRuns: async () => runs } as unknown as JobRunner;
    new LedgerAuditTask({} as DataSource, jobs, {} as AppConfig, metrics);
    return async () => (await metrics.registry.getSingleMetricAsString('ledger_audit_violations')).split('\n').pop();
  }
  const run = (outcome: LastRun['outcome'], changed: number | null, job = 'audit-ledger'): LastRun => ({ job, outcome, changed, finishedAt: new Date() });

  it('is the count the last finished audit found, whichever instance ran it', async () => {
    const runs = [run('done', 3), run('done', 9, 'expire-orders')];
    const scrape = exporter(runs);
    expect(await scrape()).toBe('ledger_audit_violations 3');
    runs[0] = run('done', 0);
    expect(await scrape()).toBe('ledger_audit_violations 0');
  });

  it('keeps what the last finished audit found when the next one fails', async () => {
    const runs = [run('done', 2)];
    const scrape = exporter(runs);
    expect(await scrape()).toBe('ledger_audit_violations 2');
    runs[0] = run('failed', null);
    expect(await scrape()).toBe('ledger_audit_violations 2');
  });
});
