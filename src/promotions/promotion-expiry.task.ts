import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../common/config/app-config';
import { JobRunner } from '../common/jobs/job-runner';
import { PromotionsService } from './promotions.service';

/** Active promotions past expire_at become expired, on the schedule of `jobs.expire_promotions` (hourly). */
@Injectable()
export class PromotionExpiryTask implements OnApplicationBootstrap {
  constructor(
    private readonly promotions: PromotionsService,
    private readonly jobs: JobRunner,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule('expire-promotions', this.config.jobs.expirePromotions, () => this.promotions.expireDue());
  }
}
