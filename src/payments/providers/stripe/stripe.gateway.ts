import { GatewayPlugin } from '../../gateway-plugin';
import { StripeProvider } from './stripe.provider';
import { StripeSettings } from './stripe.settings';

const EVENT_SCHEMA = {
  type: 'object',
  required: ['id', 'type', 'data'],
  description: 'A Stripe event, verified with the Stripe-Signature header over these exact bytes',
  properties: {
    id: { type: 'string', maxLength: 255, example: 'evt_1Nx…' },
    type: { type: 'string', maxLength: 100, example: 'checkout.session.completed' },
    data: { type: 'object', properties: { object: { type: 'object', description: 'A Checkout Session, a Charge for charge.refunded, or a Refund for charge.refund.updated, refund.updated and refund.failed' } } },
  },
};

/** Cards through Stripe Checkout. */
export const stripeGateway: GatewayPlugin = {
  name: 'stripe',
  adapter: StripeProvider,
  config: {
    path: 'payment.stripe',
    schema: StripeSettings,
    env: { STRIPE_ENABLED: 'enabled', STRIPE_API_KEY: 'api_key', STRIPE_WEBHOOK_SECRET: 'webhook_secret', STRIPE_API_BASE: 'api_base' },
  },
  webhook: {
    routes: [
      {
        method: 'POST',
        summary: 'Stripe webhook',
        description:
          'Verified with the Stripe-Signature header over the raw body (5-minute tolerance). Uses checkout.session.completed, ' +
          'checkout.session.async_payment_succeeded, checkout.session.async_payment_failed, checkout.session.expired, charge.refunded, ' +
          'charge.refund.updated, refund.updated, refund.failed (a refund of an unknown id is answered 200 and ignored).',
        consumes: 'application/json',
        bodySchema: EVENT_SCHEMA,
      },
    ],
    produces: 'application/json',
    replySchema: {
      type: 'object',
      required: ['received'],
      properties: { received: { type: 'boolean' }, error: { type: 'string', description: 'Why the event was not taken' } },
    },
    okDescription: '{"received": true}',
    reply: (answer) => ({
      contentType: 'application/json; charset=utf-8',
      body: answer.httpStatus === 200 ? { received: true } : { received: false, error: answer.result },
    }),
  },
  logRedactions: ['req.headers["stripe-signature"]'],
};
