import { ConfigError, loadConfig } from './config.loader';

const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'unit', ...env });

describe('loadConfig', () => {
  it('reads the documented defaults into a typed object', () => {
    const config = load({});
    expect(config.payment.exchangeRate).toBe('7.2');
    expect(config.payment.maxOrdersPerMinute).toBe(3);
    expect(config.promotion.tiers.map((t) => [t.hours, t.percent])).toEqual([
      [24, 30],
      [36, 20],
      [48, 10],
      [72, 5],
    ]);
    expect(config.referral.rewardUsd).toBe('10.00');
    expect(config.referral.maxInviteesPerUser).toBe(50);
    expect(config.referral.rewardSameIp).toBe(false);
    expect(config.payment.sandbox.enabled).toBe(true);
  });

  it('applies named and generic environment overrides with types', () => {
    const config = load({
      PORT: '4000',
      PROMOTION_ENABLED: 'false',
      PAYMENT_EXCHANGE_RATE: '7.1',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      RECHARGE__PAYMENT__DISCOUNT_RATE: '1.05',
    });
    expect(config.app.port).toBe(4000);
    expect(config.promotion.enabled).toBe(false);
    expect(config.payment.exchangeRate).toBe('7.1');
    expect(config.payment.discountRate).toBe('1.05');
    expect(config.app.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('points public links at its own port unless PUBLIC_BASE_URL says otherwise', () => {
    expect(load({ PORT: '8080' }).app.publicBaseUrl).toBe('http://localhost:8080');
    expect(load({}).app.publicBaseUrl).toBe('http://localhost:3000');
    expect(load({ PORT: '8080', PUBLIC_BASE_URL: 'https://pay.example' }).app.publicBaseUrl).toBe('https://pay.example');
  });

  it('accepts a plain-http Zpay address in production only on loopback', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      METRICS_TOKEN: 'm'.repeat(16),
      ZPAY_ENABLED: 'true',
      ZPAY_PID: '1',
      ZPAY_KEY: 'k',
    };
    expect(load({ ...production, ZPAY_API_URL: 'http://127.0.0.1:9000' }).payment.zpay.apiUrl).toBe('http://127.0.0.1:9000');
    expect(load({ ...production, ZPAY_API_URL: 'https://z.example' }).payment.zpay.apiUrl).toBe('https://z.example');
  });

  it.each([
    ['', false],
    ['false', false],
    ['true', true],
    ['1', 1],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
  ])('reads TRUST_PROXY=%j as %j', (raw, expected) => {
    expect(load({ TRUST_PROXY: raw }).app.trustProxy).toEqual(expected);
  });

  it('turns the sandbox off when a real gateway is enabled, unless asked for', () => {
    const zpay = { ZPAY_ENABLED: 'true', ZPAY_PID: '1', ZPAY_KEY: 'k', ZPAY_API_URL: 'https://z.example' };
    expect(load(zpay).payment.sandbox.enabled).toBe(false);
    expect(load({ STRIPE_ENABLED: 'true', STRIPE_API_KEY: 'sk', STRIPE_WEBHOOK_SECRET: 'wh' }).payment.sandbox.enabled).toBe(false);
    expect(load({ ...zpay, SANDBOX_ENABLED: 'true' }).payment.sandbox.enabled).toBe(true);
  });

  it('turns the sandbox off in production unless asked for', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), METRICS_TOKEN: 'm'.repeat(16) };
    expect(load(production).payment.sandbox.enabled).toBe(false);
    expect(load({ ...production, SANDBOX_ENABLED: 'true' }).payment.sandbox.enabled).toBe(true);
  });

  it.each([
    [{ PAYMENT_EXCHANGE_RATE: '0' }, 'payment.exchange_rate must be greater than 0, got "0" (from PAYMENT_EXCHANGE_RATE)'],
    [{ PAYMENT_EXCHANGE_RATE: 'abc' }, 'payment.exchange_rate must be a decimal number'],
    [{ PORT: 'eighty' }, 'app.port must be an integer number'],
    [{ SANDBOX_ENABLED: 'maybe' }, 'payment.sandbox.enabled must be a boolean value'],
    [{ RECHARGE__PROMOTION__DURATION_HOURS: '48' }, 'promotion.tiers must end within promotion.duration_hours'],
    [{ JWT_SECRET: 'short' }, 'auth.jwt_secret must be at least 32 characters'],
    [{ NODE_ENV: 'production' }, 'auth.jwt_secret is required in production'],
    [{ ZPAY_ENABLED: 'true' }, 'payment.zpay.api_url must be a URL address'],
    [{ ZPAY_ENABLED: 'true', ZPAY_API_URL: 'https://z.example' }, 'payment.zpay.pid and payment.zpay.key are required'],
    [{ ADMIN_EMAIL: 'a@b.c' }, 'auth.admin_email and auth.admin_password must be set together'],
    [{ RECHARGE__PAYMENT__MIN_AMOUNT: '20000' }, 'payment.min_amount must not be greater than payment.max_amount'],
    [{ REFERRAL_REWARD_USD: '0' }, 'referral.reward_usd must be greater than 0 while referrals are enabled'],
    [{ TRUST_PROXY: 'everyone' }, 'app.trust_proxy must be false, a hop count'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, 'metrics.token is required in production'],
    [
      {
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(32),
        METRICS_TOKEN: 'm'.repeat(16),
        ZPAY_ENABLED: 'true',
        ZPAY_PID: '1',
        ZPAY_KEY: 'k',
        ZPAY_API_URL: 'http://z.example',
      },
      'payment.zpay.api_url must be https in production',
    ],
    [
      { ZPAY_ENABLED: 'true', ZPAY_PID: '1', ZPAY_KEY: 'same-key', ZPAY_API_URL: 'https://z.example', RECHARGE__PAYMENT__SANDBOX__KEY: 'same-key' },
      'payment.sandbox.key must differ from every real gateway key',
    ],
  ])('rejects %j with one line naming the key', (env, expected) => {
    let error: unknown;
    try {
      load(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(expected);
    expect((error as Error).message).not.toContain('\n');
  });
});
