import { ConfigError } from '../../../common/config/config.loader';
import { loadAppConfig } from '../../../config';
import { StripeSettings } from './stripe.settings';

const load = (env: Record<string, string>) => loadAppConfig({ NODE_ENV: 'unit', ...env });

describe('Stripe’s configuration', () => {
  it('reads its block and variables', () => {
    const config = load({ STRIPE_ENABLED: 'true', STRIPE_API_KEY: 'sk_test', STRIPE_WEBHOOK_SECRET: 'whsec', STRIPE_API_BASE: 'http://127.0.0.1:12111' });
    expect(config.section(StripeSettings)).toMatchObject({ enabled: true, apiKey: 'sk_test', webhookSecret: 'whsec', apiBase: 'http://127.0.0.1:12111', currency: 'cny' });
  });

  it.each([
    [{ STRIPE_ENABLED: 'true', STRIPE_API_KEY: 'sk' }, 'payment.stripe.api_key and payment.stripe.webhook_secret are required'],
    [{ RECHARGE__PAYMENT__STRIPE__CURRENCY: 'usd' }, 'payment.stripe.currency must be cny: orders are priced in CNY'],
    [{ STRIPE_API_BASE: 'not a url' }, 'payment.stripe.api_base must be a URL address'],
  ])('refuses %j with one line naming the key', (env, expected) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(expected);
  });
});
