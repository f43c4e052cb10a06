import { IsBoolean, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { asBoolean, asInt } from '../common/config/app-config';
import { ConfigSection, SectionSettings } from '../common/config/config-section';

/** `events` in config/default.yaml: the outbox and its RabbitMQ sink. */
export class EventsSettings extends SectionSettings {
  /** amqp(s)://user:password@host:5672/vhost; empty: no broker (webhooks still get their events). */
  @Matches(/^(amqps?:\/\/\S+)?$/, { message: 'events.amqp_url must be empty or an amqp:// or amqps:// URL (AMQP_URL)' }) amqpUrl: string;
  /** The durable topic exchange; each event's routing key is its type. */
  @IsString() @Matches(/^[\w.:-]{1,255}$/) exchange: string;
  /** Delivered events are deleted after this long: the outbox is a queue, not the ledger. */
  @asInt() @IsInt() @Min(1) @Max(3650) retentionDays: number;
  /** Readiness says `degraded` when the oldest undelivered event is older than this. */
  @asInt() @IsInt() @Min(1) lagAlertSeconds: number;
  /** Events one dispatcher claims at a time. */
  @asInt() @IsInt() @Min(1) @Max(5000) batchSize: number;
  /** How often an idle dispatcher looks for new events (ms). */
  @asInt() @IsInt() @Min(10) @Max(60_000) pollMs: number;
  /** How long the broker may take to confirm a batch before it is tried again (ms). */
  @asInt() @IsInt() @Min(100) @Max(600_000) publishTimeoutMs: number;

  get brokerEnabled(): boolean {
    return this.amqpUrl !== '';
  }
}

export const EVENTS_CONFIG: ConfigSection<EventsSettings> = {
  path: 'events',
  schema: EventsSettings,
  env: { AMQP_URL: 'amqp_url', EVENTS_EXCHANGE: 'exchange' },
};

/** `webhooks` in config/default.yaml: deliveries of events to integrators' endpoints. */
export class WebhooksSettings extends SectionSettings {
  /** Endpoints on private, loopback or link-local addresses are refused unless this is true (SSRF). */
  @asBoolean() @IsBoolean() allowPrivate: boolean;
  /** An answer must come within this long; a 2xx is success, anything else is retried. */
  @asInt() @IsInt() @Min(1) @Max(60) timeoutSeconds: number;
  /** A delivery is retried for this long, then marked failed (an admin can resend it). */
  @asInt() @IsInt() @Min(1) @Max(24 * 30) retryHours: number;
  /** The first retry waits about this long; each next one twice as long (with jitter), at most max_backoff_minutes. */
  @asInt() @IsInt() @Min(1) @Max(3600) retryBaseSeconds: number;
  @asInt() @IsInt() @Min(1) @Max(24 * 60) maxBackoffMinutes: number;
  /** Deliveries one instance sends at once. */
  @asInt() @IsInt() @Min(1) @Max(256) concurrency: number;
}

export const WEBHOOKS_CONFIG: ConfigSection<WebhooksSettings> = {
  path: 'webhooks',
  schema: WebhooksSettings,
  env: { WEBHOOKS_ALLOW_PRIVATE: 'allow_private' },
};
