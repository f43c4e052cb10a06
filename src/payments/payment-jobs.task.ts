import { Injectable } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { JobRunner } from '../common/jobs/job-runner';
import { OrderMaintenanceService } from './order-maintenance.service';

/** The payment jobs of SPEC §5.6; each one takes its lock and calls an idempotent service method. */
@Injectable()
export class PaymentJobsTask {
  constructor(
    private readonly maintenance: OrderMaintenanceService,
    private readonly jobs: JobRunner,
  ) {}

  @Cron(CronExpression.EVERY_5_MINUTES, { name: 'expire-orders' })
  expireOrders(): Promise<void> {
    return this.jobs.run('expire-orders', () => this.maintenance.expireDue());
  }

  // Every two minutes, at second 30 so it does not coincide with the expiry job.
  @Cron('30 */2 * * * *', { name: 'reconcile-orders' })
  reconcileOrders(): Promise<void> {
    return this.jobs.run('reconcile-orders', async () => {
      const report = await this.maintenance.reconcile();
      return report && report.settled + report.refundsFinished;
    });
  }
}
