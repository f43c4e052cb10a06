import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../common/config/app-config';
import { JobRunner } from '../common/jobs/job-runner';
import { OrderMaintenanceService } from './order-maintenance.service';

/** The payment jobs, on the schedules of `jobs.*`: each takes its lock and calls an idempotent service method. */
@Injectable()
export class PaymentJobsTask implements OnApplicationBootstrap {
  constructor(
    private readonly maintenance: OrderMaintenanceService,
    private readonly jobs: JobRunner,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule('expire-orders', this.config.jobs.expireOrders, () => this.maintenance.expireDue());
    this.jobs.schedule('reconcile-orders', this.config.jobs.reconcileOrders, async () => {
      const report = await this.maintenance.reconcile();
      return report && report.settled + report.refundsFinished;
    });
  }
}
