import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../common/config/app-config';
import { JobRunner } from '../common/jobs/job-runner';
import { MetricsService } from '../common/metrics/metrics.service';
import { auditLedger } from './ledger-audit';

const JOB = 'audit-ledger';

/**
 * The ledger audit (the same checks as `npm run cli -- audit`) on the
 * schedule `jobs.audit_ledger`, hourly by default. Its count of violations is
 * the run's result in `scheduled_jobs`, so every instance exports the same
 * `ledger_audit_violations`, whichever ran the audit.
 */
@Injectable()
export class LedgerAuditTask implements OnApplicationBootstrap {
  private readonly logger = new Logger('LedgerAudit');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobRunner,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    new Gauge({
      name: 'ledger_audit_violations',
      help: 'Ledger invariants the last scheduled audit found broken (0: every balance equals its ledger); any other value is money at risk',
      registers: [metrics.registry],
      async collect() {
        const last = (await jobs.readLastRuns()).find((run) => run.job === JOB && run.outcome === 'done');
        if (last) this.set(last.changed ?? 0);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.jobs.schedule(JOB, this.config.jobs.auditLedger, () => this.audit());
  }

  /** Runs the audit; answers how many violations it found. */
  async audit(): Promise<number> {
    const violations = await auditLedger(this.dataSource);
    if (violations.length > 0) {
      this.logger.error({ violations: violations.slice(0, 20), count: violations.length }, 'the ledger audit found broken invariants');
    }
    return violations.length;
  }
}
