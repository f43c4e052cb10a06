import { Injectable } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { JobRunner } from '../common/jobs/job-runner';
import { PromotionsService } from './promotions.service';

/** Hourly: active promotions past expire_at become expired (SPEC §5.6). */
@Injectable()
export class PromotionExpiryTask {
  constructor(
    private readonly promotions: PromotionsService,
    private readonly jobs: JobRunner,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'expire-promotions' })
  run(): Promise<void> {
    return this.jobs.run('expire-promotions', () => this.promotions.expireDue());
  }
}
