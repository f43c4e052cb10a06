import { Controller, Get, HttpCode, Post, Req, Res, Type } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExcludeEndpoint, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BodyLimit, MAX_BODY_LIMIT } from '../common/http/input.guard';
import { Public } from '../common/http/public.decorator';
import { NoRateLimit } from '../common/http/throttler.guard';
import { GatewayWebhook, WebhookRoute } from './gateway-plugin';
import { WebhookRequest } from './payment-provider';
import { WebhooksService } from './webhooks.service';

/** Flattens a query or form object; a repeated field is passed as an array and then fails verification. */
function fieldsOf(source: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (source && typeof source === 'object' && !Buffer.isBuffer(source)) {
    for (const [key, value] of Object.entries(source)) fields[key] = typeof value === 'string' ? value : '';
  }
  return fields;
}

type RawRequest = FastifyRequest & { rawBody?: Buffer };

/**
 * The callback controller of one gateway, at /api/payment/webhook/<name>,
 * with the HTTP methods and API description the gateway declares. Public,
 * not rate limited (gateways retry), answered in the gateway's protocol;
 * everything else is WebhooksService's, the same for every gateway.
 */
export function webhookController(name: string, webhook: GatewayWebhook): Type<unknown> {
  @ApiTags('webhooks')
  @BodyLimit(MAX_BODY_LIMIT)
  @Public()
  @NoRateLimit()
  @Controller(`payment/webhook/${name}`)
  class GatewayWebhookController {
    constructor(readonly webhooks: WebhooksService) {}

    receiveGet(@Req() request: RawRequest, @Res() reply: FastifyReply) {
      return this.receive({ fields: fieldsOf(request.query), rawBody: request.rawBody, headers: request.headers }, reply);
    }

    receivePost(@Req() request: RawRequest, @Res() reply: FastifyReply) {
      return this.receive({ fields: fieldsOf(request.body), rawBody: request.rawBody, headers: request.headers }, reply);
    }

    async receive(request: WebhookRequest, reply: FastifyReply) {
      const answer = await this.webhooks.handle(name, request);
      const { contentType, body } = webhook.reply(answer);
      return reply.status(answer.httpStatus).header('content-type', contentType).send(body);
    }
  }

  for (const route of webhook.routes) {
    const key = route.method === 'GET' ? 'receiveGet' : 'receivePost';
    const descriptor = Object.getOwnPropertyDescriptor(GatewayWebhookController.prototype, key)!;
    for (const decorate of routeDecorators(route, webhook)) decorate(GatewayWebhookController.prototype, key, descriptor);
  }
  const pascal = name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  Object.defineProperty(GatewayWebhookController, 'name', { value: `${pascal}WebhookController` });
  return GatewayWebhookController;
}

/**
 * Every answer WebhooksService gives a gateway, in the gateway's protocol.
 * A 400, 500 or 503 can also come from the app's edge before the callback is
 * read (a NUL in a field, malformed JSON, an error nothing caught): that one
 * is the app's error shape.
 */
const WEBHOOK_STATUSES = [
  { status: 200, description: 'Taken', edgeToo: false },
  {
    status: 400,
    description: 'Refused: the signature does not verify, or the news contradicts the order (the gateway need not retry); or the request is malformed',
    edgeToo: true,
  },
  { status: 404, description: 'The gateway is not configured here', edgeToo: false },
  { status: 500, description: 'Not taken because of an error; the gateway retries', edgeToo: true },
  { status: 503, description: 'The database is unreachable for a moment; the gateway retries', edgeToo: true },
];

const ERROR_SHAPE = { $ref: '#/components/schemas/ErrorDto' };

/** The gateway's own answer, or the app's error shape from the edge. */
function answerOrEdgeError(webhook: GatewayWebhook): Record<string, { schema: object }> {
  if (webhook.produces === 'application/json') return { 'application/json': { schema: { oneOf: [webhook.replySchema, ERROR_SHAPE] } } };
  return { [webhook.produces]: { schema: webhook.replySchema }, 'application/json': { schema: ERROR_SHAPE } };
}

function routeDecorators(route: WebhookRoute, webhook: GatewayWebhook): MethodDecorator[] {
  const http = route.method === 'GET' ? Get() : Post();
  if (route.hidden) return [http, HttpCode(200), ApiExcludeEndpoint()];
  return [
    http,
    HttpCode(200),
    ApiOperation({ summary: route.summary, ...(route.description && { description: route.description }) }),
    ...(route.consumes ? [ApiConsumes(route.consumes)] : []),
    ...(route.bodySchema ? [ApiBody({ schema: route.bodySchema })] : []),
    ApiProduces(webhook.produces),
    ...WEBHOOK_STATUSES.map(({ status, description, edgeToo }) =>
      ApiResponse({
        status,
        description: status === 200 ? webhook.okDescription : description,
        content: edgeToo ? answerOrEdgeError(webhook) : { [webhook.produces]: { schema: webhook.replySchema } },
      }),
    ),
  ];
}
