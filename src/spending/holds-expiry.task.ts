import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../common/config/app-config';
import { JobRunner } from '../common/jobs/job-runner';
import { HoldsService } from './holds.service';

/** Active holds past their time give their reservation back, on the schedule of `jobs.expire_holds` (every minute). */
@Injectable()
export class HoldsExpiryTask implements OnApplicationBootstrap {
  constructor(
    private readonly holds: HoldsService,
    private readonly jobs: JobRunner,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule('expire-holds', this.config.jobs.expireHolds, () => this.holds.expireDue());
  }
}
