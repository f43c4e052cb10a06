import { ENVELOPE_SCHEMA, EVENT_CATALOG } from './event-catalog';
import { EVENT_ID_HEADER, SIGNATURE_HEADER } from './webhooks/webhook-signature';

/**
 * The AsyncAPI 3 document of the events (served at /api/docs/events.json):
 * one channel per event type on the RabbitMQ exchange (the routing key is
 * the type), each message the common envelope with that type's `data`.
 * Webhook deliveries carry the same JSON as their body.
 */
export function asyncApiDocument(exchange: string, version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const event of EVENT_CATALOG) {
    const key = event.type.replace('.', '_');
    messages[key] = {
      name: event.type,
      title: event.type,
      summary: event.when,
      contentType: 'application/json',
      payload: {
        ...ENVELOPE_SCHEMA,
        properties: { ...(ENVELOPE_SCHEMA.properties as object), type: { type: 'string', const: event.type }, data: event.data },
      },
      examples: [
        {
          name: event.type,
          payload: { id: '5b0c2f8e-8d0e-4a57-9a43-0f3c1f1d2b7e', type: event.type, occurredAt: '2026-12-06T12:01:10.000Z', userId: '42', sequence: 7, data: event.example },
        },
      ],
      bindings: { amqp: { contentEncoding: 'utf-8', messageType: event.type, bindingVersion: '0.3.0' } },
    };
    channels[key] = {
      address: event.type,
      description: `Routing key ${event.type} on the ${exchange} exchange`,
      messages: { [key]: { $ref: `#/components/messages/${key}` } },
      bindings: { amqp: { is: 'routingKey', exchange: { name: exchange, type: 'topic', durable: true, autoDelete: false, vhost: '/' }, bindingVersion: '0.3.0' } },
    };
    operations[`receive_${key}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${key}` },
      summary: event.when,
      messages: [{ $ref: `#/channels/${key}/messages/${key}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Recharge events',
      version,
      description:
        'Every money move publishes events, written in the move\'s own transaction and delivered at least once: de-duplicate by `id`, ' +
        "order a user's events by `sequence` (1, 2, 3, … in commit order; a gap means one is still on its way). " +
        `On RabbitMQ: persistent messages on the durable topic exchange \`${exchange}\`, routing key = type, message id = event id. ` +
        `To webhook endpoints: POST of the same JSON with \`${SIGNATURE_HEADER}: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>\` and \`${EVENT_ID_HEADER}\`.`,
    },
    defaultContentType: 'application/json',
    servers: { rabbitmq: { host: 'broker:5672', protocol: 'amqp', description: 'The broker of AMQP_URL' } },
    channels,
    operations,
    components: { messages },
  };
}
