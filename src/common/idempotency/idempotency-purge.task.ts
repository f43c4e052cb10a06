import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { drainInLockedBatches, LockKey } from '../database/advisory-lock';
import { JobRunner } from '../jobs/job-runner';
import { IdempotencyStore } from './idempotency.store';

/** Keys deleted per transaction. */
const PURGE_BATCH = 1000;

/**
 * Idempotency-Keys older than 24 hours are deleted, in batches, on the
 * schedule of `jobs.purge_idempotency_keys` (hourly): a claim treats such a
 * key as unused already, and without the job they would stay until the same
 * key came back.
 */
@Injectable()
export class IdempotencyPurgeTask implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: IdempotencyStore,
    private readonly jobs: JobRunner,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.schedule('purge-idempotency-keys', this.config.jobs.purgeIdempotencyKeys, () => this.purge());
  }

  /** The keys deleted, or null when another instance holds the job's lock. */
  purge(batchSize = PURGE_BATCH): Promise<number | null> {
    return drainInLockedBatches(this.dataSource, LockKey.PurgeIdempotencyKeys, batchSize, (em) => this.store.deleteExpired(em, batchSize));
  }
}
