import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../common/config/app-config';
import { ReadinessProbes } from '../common/health/readiness-probes';
import { JobRunner } from '../common/jobs/job-runner';
import { MetricsService } from '../common/metrics/metrics.service';
import { EventBroker } from './broker/event-broker';
import { EventsSettings, WebhooksSettings } from './events.settings';
import { OutboxLag, OutboxRepository } from './outbox.repository';
import { WebhookDeliveries } from './webhooks/webhook-deliveries';
import { inSpan } from '../common/telemetry/telemetry';

/** Deleted per statement by the retention job. */
const PRUNE_BATCH = 5000;
/** How often the lag is measured for the metrics and readiness. */
const LAG_REFRESH_MS = 5000;
/** After a failed step, a loop waits this long, doubling to the maximum. */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

type Sink = 'rabbitmq' | 'webhooks';

/**
 * Delivers the outbox, on every instance at once (claims skip what another
 * instance holds):
 * - publish: claims the oldest unpublished events, publishes them to the
 *   broker, and marks them published only after the broker confirmed them,
 *   in the claim's transaction; a failure rolls the claim back, and the
 *   events are claimed again (at least once, the event id unchanged);
 * - route: creates each event's deliveries to the webhook endpoints that
 *   want it (see WebhookDeliveries for sending them);
 * - prune: a job deletes delivered events after events.retention_days.
 * An idle loop looks again every events.poll_ms.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  private readonly settings: EventsSettings;
  private readonly webhooks: WebhooksSettings;
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly wakeups = new Set<() => void>();
  private lagTimer: NodeJS.Timeout | null = null;
  private readonly lags = new Map<Sink, OutboxLag>();
  private readonly delivered: Counter<'sink'>;
  private readonly failures: Counter<'sink'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly broker: EventBroker,
    private readonly deliveries: WebhookDeliveries,
    private readonly jobs: JobRunner,
    private readonly probes: ReadinessProbes,
    metrics: MetricsService,
    config: AppConfig,
  ) {
    this.settings = config.section(EventsSettings);
    this.webhooks = config.section(WebhooksSettings);
    this.delivered = new Counter({
      name: 'outbox_delivered_total',
      help: 'Events handed to a sink: confirmed by the broker (rabbitmq), or webhook deliveries answered 2xx (webhooks)',
      labelNames: ['sink'],
      registers: [metrics.registry],
    });
    this.failures = new Counter({
      name: 'outbox_delivery_failures_total',
      help: 'Events a sink did not take: broker publishes not confirmed, webhook attempts without a 2xx (each is retried)',
      labelNames: ['sink'],
      registers: [metrics.registry],
    });
    const lags = this.lags;
    new Gauge({
      name: 'outbox_lag_seconds',
      help: 'Age of the oldest event a sink has not taken yet (0 when none waits)',
      labelNames: ['sink'],
      registers: [metrics.registry],
      collect() {
        for (const [sink, lag] of lags) this.set({ sink }, lag.oldestSeconds);
      },
    });
    new Gauge({
      name: 'outbox_pending_events',
      help: 'Events a sink has not taken yet',
      labelNames: ['sink'],
      registers: [metrics.registry],
      collect() {
        for (const [sink, lag] of lags) this.set({ sink }, lag.pending);
      },
    });
    this.deliveries.onAttempt((delivered) => (delivered ? this.delivered : this.failures).inc({ sink: 'webhooks' }));
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.probes.register({ component: 'events', check: () => this.readiness() });
    if (this.broker.enabled) this.loops.push(this.loop('publish', () => this.publishBatch()));
    this.loops.push(
      this.loop('route', () => this.bookkeeping((em) => this.outbox.route(em, this.settings.batchSize, this.webhooks.retryHours, this.broker.enabled))),
    );
    this.loops.push(this.loop('deliver', () => this.deliveries.deliverDue(), 1));
    this.jobs.every('prune-outbox', 3600, () => this.prune());
    this.lagTimer = setInterval(() => void this.refreshLag(), LAG_REFRESH_MS);
    void this.refreshLag();
  }

  /** Before the database closes: the loops stop, and the webhook attempts under way finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    if (this.lagTimer) clearInterval(this.lagTimer);
    for (const wake of this.wakeups) wake();
    await Promise.all(this.loops);
    await this.deliveries.drain();
  }

  /** One batch to the broker; answers how many events it published (0 while the broker is unreachable). */
  async publishBatch(): Promise<number> {
    if (!this.broker.isConnected()) return 0;
    const published = await this.bookkeeping(async (em) => {
      const events = await this.outbox.claimUnpublished(em, this.settings.batchSize);
      if (events.length === 0) return 0;
      try {
        await inSpan('outbox publish', { 'recharge.events': events.length }, () => this.broker.publish(events.map((e) => e.envelope)));
      } catch (error) {
        this.failures.inc({ sink: 'rabbitmq' }, events.length);
        throw error;
      }
      await this.outbox.markPublished(em, events.map((e) => e.position));
      return events.length;
    });
    if (published > 0) this.delivered.inc({ sink: 'rabbitmq' }, published);
    return published;
  }

  /**
   * A dispatcher's own transaction, committed without waiting for the WAL
   * flush: what it records (published, routed) is only ever lost with a
   * PostgreSQL crash, and then the events are delivered again, which at
   * least once allows. The money moves' commits keep the disk to themselves.
   */
  private bookkeeping<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SET LOCAL synchronous_commit = off');
      return work(em);
    });
  }

  /** Deletes every event past the retention period, a batch per statement; answers how many. */
  async prune(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = await this.outbox.prune(this.settings.retentionDays, this.broker.enabled, PRUNE_BATCH);
      deleted += batch;
      if (batch < PRUNE_BATCH) return deleted;
    }
  }

  /** `degraded` when an event has waited longer than events.lag_alert_seconds for a sink. */
  private readiness(): 'up' | 'degraded' {
    const worst = Math.max(0, ...[...this.lags.values()].map((lag) => lag.oldestSeconds));
    return worst > this.settings.lagAlertSeconds ? 'degraded' : 'up';
  }

  private async refreshLag(): Promise<void> {
    try {
      if (this.broker.enabled) this.lags.set('rabbitmq', await this.outbox.lag('broker'));
      this.lags.set('webhooks', await this.outbox.lag('webhooks'));
    } catch {
      // The database is away: readiness says so on its own, and the last figures stay.
    }
  }

  /**
   * Runs `step` until shutdown: again at once while it fills whole batches
   * (a backlog), after poll_ms once it has caught up (so a steady stream goes
   * out in a few batches a second, not one transaction per event), with
   * backoff after a failure.
   */
  private async loop(name: string, step: () => Promise<number>, fullBatch = this.settings.batchSize): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    while (this.running) {
      let pause = this.settings.pollMs;
      try {
        const done = await step();
        backoff = FIRST_BACKOFF_MS;
        if (done >= fullBatch) continue;
      } catch (error) {
        this.logger.warn({ step: name, reason: (error as Error).message, retryInMs: backoff }, 'outbox step failed; retrying');
        pause = backoff;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      await this.sleep(pause);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeups.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeups.add(wake);
    });
  }
}
