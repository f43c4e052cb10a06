import { Injectable, Logger } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/**
 * What scheduled tasks share: each run is timed, counted by outcome and
 * logged, and a failing run never takes the process down.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('Jobs');
  private readonly runs: Counter<'job' | 'outcome'>;
  private readonly duration: Histogram<'job'>;

  constructor(metrics: MetricsService) {
    this.runs = new Counter({
      name: 'job_runs_total',
      help: 'Scheduled job runs by job and outcome (done, skipped: another instance held the lock, failed)',
      labelNames: ['job', 'outcome'],
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'job_duration_seconds',
      help: 'Scheduled job run time',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers: [metrics.registry],
    });
  }

  /** `work` answers null when another instance held the job's lock, else how many rows it changed. */
  async run(job: string, work: () => Promise<number | null>): Promise<void> {
    const stop = this.duration.startTimer({ job });
    try {
      const changed = await work();
      this.runs.inc({ job, outcome: changed === null ? 'skipped' : 'done' });
      if (changed) this.logger.log({ job, changed }, `${job}: ${changed} row(s)`);
    } catch (error) {
      this.runs.inc({ job, outcome: 'failed' });
      this.logger.error({ job, err: error }, `${job} failed`);
    } finally {
      stop();
    }
  }
}
