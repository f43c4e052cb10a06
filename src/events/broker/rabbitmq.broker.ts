import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { AmqpConnectionManager, ChannelWrapper, connect } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { EventEnvelope } from '../event-catalog';
import { EventsSettings } from '../events.settings';
import { EventBroker } from './event-broker';

/** The broker's address for logs: host and port, never the credentials in the URL. */
function describe(url: string): string {
  try {
    const { hostname, port, pathname } = new URL(url);
    return `${hostname}:${port || 5672}${pathname === '/' ? '' : pathname}`;
  } catch {
    return 'the broker';
  }
}

/**
 * RabbitMQ through amqp-connection-manager: one connection that reconnects by
 * itself, and a confirm channel whose setup declares the durable topic
 * exchange again after every reconnect. Messages are persistent, their
 * routing key is the event type, their message id the event id (consumers
 * de-duplicate by it: delivery is at least once).
 */
export class RabbitMqBroker extends EventBroker implements OnApplicationShutdown {
  readonly enabled = true;
  private readonly logger = new Logger('EventBroker');
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;
  private readonly exchange: string;
  private readonly timeoutMs: number;

  constructor(settings: EventsSettings) {
    super();
    this.exchange = settings.exchange;
    this.timeoutMs = settings.publishTimeoutMs;
    const where = describe(settings.amqpUrl);
    this.connection = connect([settings.amqpUrl], { heartbeatIntervalInSeconds: 10, reconnectTimeInSeconds: 2 });
    this.connection.on('connect', () => this.logger.log({ broker: where }, 'connected to the event broker'));
    this.connection.on('disconnect', ({ err }) => this.logger.warn({ broker: where, reason: err?.message }, 'event broker disconnected; events wait in the outbox'));
    this.connection.on('connectFailed', ({ err }) => this.logger.warn({ broker: where, reason: err?.message }, 'cannot reach the event broker; retrying'));
    this.channel = this.connection.createChannel({
      confirm: true,
      json: false,
      publishTimeout: this.timeoutMs,
      setup: (channel: ConfirmChannel) => channel.assertExchange(this.exchange, 'topic', { durable: true }).then(() => undefined),
    });
    this.channel.on('error', (err) => this.logger.warn({ reason: err.message }, 'event broker channel error'));
  }

  isConnected(): boolean {
    return this.connection.isConnected();
  }

  async publish(events: readonly EventEnvelope[]): Promise<void> {
    await Promise.all(
      events.map((event) =>
        this.channel.publish(this.exchange, event.type, Buffer.from(JSON.stringify(event)), {
          persistent: true,
          contentType: 'application/json',
          messageId: event.id,
          type: event.type,
          timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
          timeout: this.timeoutMs,
        }),
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
