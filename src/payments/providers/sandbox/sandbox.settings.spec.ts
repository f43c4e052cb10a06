import { ConfigError } from '../../../common/config/config.loader';
import { loadAppConfig } from '../../../config';
import { SandboxSettings } from './sandbox.settings';

const load = (env: Record<string, string>) => loadAppConfig({ NODE_ENV: 'unit', ...env });
const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), METRICS_TOKEN: 'm'.repeat(16) };

describe('the sandbox’s configuration', () => {
  it('is on by itself only outside production with no other gateway enabled', () => {
    expect(load({}).section(SandboxSettings).enabled).toBe(true);
    const zpay = { ZPAY_ENABLED: 'true', ZPAY_PID: '1', ZPAY_KEY: 'k', ZPAY_API_URL: 'https://z.example' };
    expect(load(zpay).section(SandboxSettings).enabled).toBe(false);
    expect(load({ STRIPE_ENABLED: 'true', STRIPE_API_KEY: 'sk', STRIPE_WEBHOOK_SECRET: 'wh' }).section(SandboxSettings).enabled).toBe(false);
    expect(load({ USDT_TRC20_ENABLED: 'true', USDT_TRC20_ADDRESS: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' }).section(SandboxSettings).enabled).toBe(false);
    expect(load({ ...zpay, SANDBOX_ENABLED: 'true' }).section(SandboxSettings)).toMatchObject({ enabled: true, besideRealGateway: true });
  });

  it('is off in production unless asked for', () => {
    expect(load(production).section(SandboxSettings).enabled).toBe(false);
    expect(load({ ...production, SANDBOX_ENABLED: 'true' }).section(SandboxSettings).enabled).toBe(true);
  });

  it.each([
    [{ SANDBOX_ENABLED: 'maybe' }, 'payment.sandbox.enabled must be a boolean value'],
    [
      { ZPAY_ENABLED: 'true', ZPAY_PID: '1', ZPAY_KEY: 'same-key', ZPAY_API_URL: 'https://z.example', RECHARGE__PAYMENT__SANDBOX__KEY: 'same-key' },
      'payment.sandbox.key must differ from every real gateway key',
    ],
    [
      { STRIPE_API_KEY: 'sk', STRIPE_WEBHOOK_SECRET: 'whsec_shared', RECHARGE__PAYMENT__SANDBOX__KEY: 'whsec_shared' },
      'payment.sandbox.key must differ from every real gateway key',
    ],
  ])('refuses %j with one line naming the key', (env, expected) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(expected);
  });
});
