import { Module } from '@nestjs/common';
import { AppConfig } from '../common/config/app-config';
import { EventBroker, NoBroker } from './broker/event-broker';
import { RabbitMqBroker } from './broker/rabbitmq.broker';
import { EventsController } from './events.controller';
import { EventsSettings } from './events.settings';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxRepository } from './outbox.repository';
import { WebhookDeliveries } from './webhooks/webhook-deliveries';
import { WebhookEndpointsRepository } from './webhooks/webhook-endpoints.repository';
import { WebhookEndpointsService } from './webhooks/webhook-endpoints.service';

/**
 * Events out: the outbox's dispatchers, the RabbitMQ sink (when AMQP_URL is
 * set), integrators' webhook endpoints and the events' AsyncAPI document.
 * Writing events is OutboxModule's (every money-moving feature uses it).
 */
@Module({
  controllers: [EventsController],
  providers: [
    OutboxRepository,
    OutboxDispatcher,
    WebhookEndpointsRepository,
    WebhookEndpointsService,
    WebhookDeliveries,
    {
      provide: EventBroker,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const settings = config.section(EventsSettings);
        return settings.brokerEnabled ? new RabbitMqBroker(settings) : new NoBroker();
      },
    },
  ],
  exports: [WebhookEndpointsService, OutboxRepository, OutboxDispatcher],
})
export class EventsModule {}
