import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../common/config/app-config';
import { JobRunner } from '../common/jobs/job-runner';
import { OrderMaintenanceService } from './order-maintenance.service';
import { PaymentProviderRegistry } from './payment-provider.registry';

/** The payment jobs, on the schedules of `jobs.*` and each polled gateway's interval: each takes its lock and calls an idempotent service method. */
@Injectable()
export class PaymentJobsTask implements OnApplicationBootstrap {
  constructor(
    private readonly maintenance: OrderMaintenanceService,
    private readonly jobs: JobRunner,
    private readonly providers: PaymentProviderRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule('expire-orders', this.config.jobs.expireOrders, () => this.maintenance.expireDue());
    this.jobs.schedule('reconcile-orders', this.config.jobs.reconcileOrders, async () => {
      const report = await this.maintenance.reconcile();
      return report && report.settled + report.refundsFinished;
    });
    // Gateways that do not call back are asked, each on its own interval.
    for (const provider of this.providers.polled()) {
      this.jobs.every(`poll-${provider.name}`, provider.pollSeconds!, () => this.maintenance.poll(provider));
    }
  }
}
