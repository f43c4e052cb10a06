import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/http/public.decorator';
import { ProviderName } from './payment-order.entity';
import { WebhookRequest } from './payment-provider';
import { WebhooksService } from './webhooks.service';
import { NoRateLimit } from '../common/http/throttler.guard';
import { BodyLimit, MAX_BODY_LIMIT } from '../common/http/input.guard';

/** Flattens a query or form object; a repeated field is passed as an array and then fails verification. */
function fieldsOf(source: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (source && typeof source === 'object') {
    for (const [key, value] of Object.entries(source)) fields[key] = typeof value === 'string' ? value : '';
  }
  return fields;
}

function webhookRequest(request: FastifyRequest & { rawBody?: Buffer }, source: unknown): WebhookRequest {
  return { fields: fieldsOf(source), rawBody: request.rawBody, headers: request.headers };
}

const ZPAY_NOTIFY_SCHEMA = {
  type: 'object',
  required: ['pid', 'trade_no', 'out_trade_no', 'type', 'name', 'money', 'trade_status', 'sign'],
  properties: {
    pid: { type: 'string', maxLength: 64, description: 'The merchant id' },
    trade_no: { type: 'string', maxLength: 100, description: 'The gateway’s transaction id' },
    out_trade_no: { type: 'string', maxLength: 50, description: 'Our order number' },
    type: { type: 'string', enum: ['alipay', 'wxpay'] },
    name: { type: 'string', maxLength: 200 },
    money: { type: 'string', pattern: '^\\d+(\\.\\d{1,2})?$', example: '20.00' },
    trade_status: { type: 'string', maxLength: 50, example: 'TRADE_SUCCESS' },
    param: { type: 'string', maxLength: 200 },
    sign: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'MD5 over the sorted fields and the merchant key' },
    sign_type: { type: 'string', enum: ['MD5'] },
  },
};

const STRIPE_EVENT_SCHEMA = {
  type: 'object',
  required: ['id', 'type', 'data'],
  description: 'A Stripe event, verified with the Stripe-Signature header over these exact bytes',
  properties: {
    id: { type: 'string', maxLength: 255, example: 'evt_1Nx…' },
    type: { type: 'string', maxLength: 100, example: 'checkout.session.completed' },
    data: { type: 'object', properties: { object: { type: 'object', description: 'A Checkout Session, or a Charge for charge.refunded' } } },
  },
};

/**
 * Gateway callbacks. Public, not rate limited (gateways retry),
 * and answered in each gateway's own protocol.
 */
@ApiTags('webhooks')
@BodyLimit(MAX_BODY_LIMIT)
@Public()
@NoRateLimit()
@Controller('payment/webhook')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get('zpay')
  @ApiOperation({
    summary: 'Zpay notify (GET query string)',
    description: 'Fields pid, trade_no, out_trade_no, type, name, money, trade_status, param?, sign, sign_type. Answers plain text success or fail.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: '"success": taken (or already taken)' })
  zpayGet(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.epay(ProviderName.Zpay, webhookRequest(request, request.query), reply);
  }

  @Post('zpay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Zpay notify (POST form)', description: 'The same fields as the GET form, as application/x-www-form-urlencoded.' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ schema: ZPAY_NOTIFY_SCHEMA })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: '"success": taken (or already taken)' })
  zpayPost(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.epay(ProviderName.Zpay, webhookRequest(request, request.body), reply);
  }

  @Post('sandbox')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sandbox notify: the Zpay protocol, signed with the sandbox key (sent by this app’s own checkout page)' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ schema: ZPAY_NOTIFY_SCHEMA })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: '"success"' })
  sandbox(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.epay(ProviderName.Sandbox, webhookRequest(request, request.body), reply);
  }

  @Get('sandbox')
  @ApiExcludeEndpoint()
  sandboxGet(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.epay(ProviderName.Sandbox, webhookRequest(request, request.query), reply);
  }

  @Post('stripe')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Stripe webhook',
    description:
      'Verified with the Stripe-Signature header over the raw body (5-minute tolerance). Uses checkout.session.completed, ' +
      'checkout.session.async_payment_succeeded, checkout.session.async_payment_failed, checkout.session.expired, charge.refunded.',
  })
  @ApiBody({ schema: STRIPE_EVENT_SCHEMA })
  @ApiOkResponse({ description: '{"received": true}' })
  async stripe(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const answer = await this.webhooks.handle(ProviderName.Stripe, webhookRequest(request, {}));
    return reply
      .status(answer.httpStatus)
      .send(answer.httpStatus === 200 ? { received: true } : { received: false, error: answer.result });
  }

  private async epay(name: ProviderName, request: WebhookRequest, reply: FastifyReply) {
    const answer = await this.webhooks.handle(name, request);
    return reply
      .status(answer.httpStatus)
      .header('content-type', 'text/plain; charset=utf-8')
      .send(answer.httpStatus === 200 ? 'success' : 'fail');
  }
}
