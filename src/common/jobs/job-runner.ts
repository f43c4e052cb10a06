import { Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob } from 'cron';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';
import { sharedWhileRunning } from '../metrics/shared-read';
import { inSpan } from '../telemetry/telemetry';

/** `work` answers null when another instance held the job's lock, else how many rows it changed. */
export type JobWork = () => Promise<number | null>;

/** How a run ended, as counted and recorded. */
type Outcome = 'done' | 'skipped' | 'failed';

/** A job's last finished run, as `scheduled_jobs` holds it for every instance. */
export interface LastRun {
  job: string;
  finishedAt: Date;
  outcome: Outcome;
  changed: number | null;
}

/**
 * What scheduled tasks share. Every instance keeps the same schedule; at
 * each tick one instance claims the run in `scheduled_jobs` (the only owner
 * of that table) and the others skip it, so a job runs once per tick however
 * many instances there are. Each run is timed, counted by outcome and
 * logged, and a failing run never takes the process down.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('Jobs');
  private readonly runs: Counter<'job' | 'outcome'>;
  private readonly duration: Histogram<'job'>;
  /** Per job: half the shortest gap between two ticks; a claim newer than that is this tick's. */
  private readonly claimWindowsMs = new Map<string, number>();
  /** The last runs read, kept while a run is under way (its row is then blank) or the database is away. */
  private readonly lastRuns = new Map<string, LastRun>();
  /** The job-lag gauge and the audit's gauge both read the last runs: once per scrape. */
  readonly readLastRuns = sharedWhileRunning(() => this.queryLastRuns());

  constructor(
    metrics: MetricsService,
    private readonly scheduler: SchedulerRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.runs = new Counter({
      name: 'job_runs_total',
      help: 'Scheduled job ticks by job and outcome (done; skipped: another instance ran this tick or held the lock; failed)',
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
    const runner = this;
    new Gauge({
      name: 'job_last_success_timestamp_seconds',
      help: 'When each scheduled job last finished without failing, on any instance (Unix time): time() minus it is the job lag',
      labelNames: ['job'],
      registers: [metrics.registry],
      async collect() {
        for (const run of await runner.readLastRuns()) {
          if (run.outcome !== 'failed') this.set({ job: run.job }, run.finishedAt.getTime() / 1000);
        }
      },
    });
  }

  /**
   * Every job's last finished run, whichever instance ran it (read at each
   * scrape). A run under way, or a database that does not answer, leaves the
   * runs read before.
   */
  private async queryLastRuns(): Promise<LastRun[]> {
    try {
      const rows: { job: string; finishedAt: Date; outcome: Outcome; changed: number | null }[] = await this.dataSource.query(
        `SELECT name AS job, last_finished_at AS "finishedAt", last_outcome AS outcome, last_changed AS changed
           FROM scheduled_jobs WHERE last_finished_at IS NOT NULL`,
      );
      for (const row of rows) this.lastRuns.set(row.job, row);
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'could not read the last job runs for the metrics');
    }
    return [...this.lastRuns.values()];
  }

  /** Runs `work` on the cron schedule (with seconds), started at once. */
  schedule(job: string, cronExpression: string, work: JobWork): void {
    const cron = CronJob.from({ cronTime: cronExpression, onTick: () => this.run(job, work), start: false });
    const [first, ...next] = cron.nextDates(6).map((date) => date.toMillis());
    const gaps = next.map((at, i) => at - (i === 0 ? first : next[i - 1]));
    this.claimWindowsMs.set(job, Math.min(...gaps) / 2);
    // Registered so that @nestjs/schedule stops it at shutdown.
    this.scheduler.addCronJob(job, cron);
    cron.start();
  }

  /**
   * Runs `work` every `seconds` (for intervals a cron expression cannot
   * say, like every 45 s), first after one interval. Ticks are claimed like
   * cron ticks, so on several instances each interval's work is done once.
   */
  every(job: string, seconds: number, work: JobWork): void {
    this.claimWindowsMs.set(job, (seconds * 1000) / 2);
    let running = false;
    const timer = setInterval(() => {
      // A run longer than the interval is not overlapped by the next tick of this instance.
      if (running) return;
      running = true;
      void this.run(job, work).finally(() => (running = false));
    }, seconds * 1000);
    // Registered so that @nestjs/schedule clears it at shutdown.
    this.scheduler.addInterval(job, timer);
  }

  /** One tick of `job`: claimed here or skipped, then run and recorded, in a span of its own. */
  run(job: string, work: JobWork): Promise<void> {
    return inSpan(`job ${job}`, { 'recharge.job': job }, () => this.tick(job, work));
  }

  private async tick(job: string, work: JobWork): Promise<void> {
    const stop = this.duration.startTimer({ job });
    let outcome: Outcome = 'skipped';
    let changed: number | null = null;
    try {
      if (!(await this.claim(job))) return;
      changed = await work();
      outcome = changed === null ? 'skipped' : 'done';
      if (changed) this.logger.log({ job, changed }, `${job}: ${changed} row(s)`);
    } catch (error) {
      outcome = 'failed';
      this.logger.error({ job, err: error }, `${job} failed`);
    } finally {
      this.runs.inc({ job, outcome });
      stop();
    }
    await this.record(job, outcome, changed).catch((error) => this.logger.error({ job, err: error }, `${job}: recording the run failed`));
  }

  /**
   * Moves the job's last start to now unless another instance did so within
   * the claim window (this tick). The database's clock decides, so instances
   * with slightly different clocks still agree. A job run by hand (no
   * schedule) always claims.
   */
  private async claim(job: string): Promise<boolean> {
    const windowMs = this.claimWindowsMs.get(job) ?? 0;
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO scheduled_jobs AS j (name, last_started_at) VALUES ($1, now())
       ON CONFLICT (name) DO UPDATE SET last_started_at = now(), last_finished_at = NULL, last_outcome = NULL, last_changed = NULL, runs = j.runs + 1
       WHERE j.last_started_at <= now() - make_interval(secs => $2::float8 / 1000)
       RETURNING name`,
      [job, windowMs],
    );
    return rows.length === 1;
  }

  private async record(job: string, outcome: Outcome, changed: number | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE scheduled_jobs SET last_finished_at = now(), last_outcome = $2, last_changed = $3 WHERE name = $1 AND last_finished_at IS NULL`,
      [job, outcome, changed],
    );
  }
}
