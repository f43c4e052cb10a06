import { ConfigError } from './common/config/config.loader';
import { loadAppConfig } from './config';
import { SandboxSettings } from './payments/providers/sandbox/sandbox.settings';
import { UsdtTrc20Settings } from './payments/providers/usdt_trc20/usdt-trc20.settings';
import { ZpaySettings } from './payments/providers/zpay/zpay.settings';

const load = (env: Record<string, string>) => loadAppConfig({ NODE_ENV: 'unit', ...env });

/** The gateways' blocks, loaded with the rest of the configuration at boot. */
describe('loadAppConfig: the gateways’ configuration', () => {
  it('turns the sandbox on by itself only outside production with no other gateway enabled', () => {
    expect(load({}).section(SandboxSettings).enabled).toBe(true);
    const zpay = { ZPAY_ENABLED: 'true', ZPAY_PID: '1', ZPAY_KEY: 'k', ZPAY_API_URL: 'https://z.example' };
    expect(load(zpay).section(SandboxSettings).enabled).toBe(false);
    expect(load({ STRIPE_ENABLED: 'true', STRIPE_API_KEY: 'sk', STRIPE_WEBHOOK_SECRET: 'wh' }).section(SandboxSettings).enabled).toBe(false);
    expect(load({ ...zpay, SANDBOX_ENABLED: 'true' }).section(SandboxSettings).enabled).toBe(true);
  });

  it('turns the sandbox off in production unless asked for', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), METRICS_TOKEN: 'm'.repeat(16) };
    expect(load(production).section(SandboxSettings).enabled).toBe(false);
    expect(load({ ...production, SANDBOX_ENABLED: 'true' }).section(SandboxSettings).enabled).toBe(true);
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
    expect(load({ ...production, ZPAY_API_URL: 'http://127.0.0.1:9000' }).section(ZpaySettings).apiUrl).toBe('http://127.0.0.1:9000');
    expect(load({ ...production, ZPAY_API_URL: 'https://z.example' }).section(ZpaySettings).apiUrl).toBe('https://z.example');
  });

  const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), METRICS_TOKEN: 'm'.repeat(16) };
  it.each([
    [{ SANDBOX_ENABLED: 'maybe' }, 'payment.sandbox.enabled must be a boolean value'],
    [{ ZPAY_ENABLED: 'true' }, 'payment.zpay.api_url must be a URL address'],
    [{ ZPAY_ENABLED: 'true', ZPAY_API_URL: 'https://z.example' }, 'payment.zpay.pid and payment.zpay.key are required'],
    [{ STRIPE_ENABLED: 'true', STRIPE_API_KEY: 'sk' }, 'payment.stripe.api_key and payment.stripe.webhook_secret are required'],
    [
      { ...production, ZPAY_ENABLED: 'true', ZPAY_PID: '1', ZPAY_KEY: 'k', ZPAY_API_URL: 'http://z.example' },
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

describe('loadAppConfig: USDT-TRC20', () => {
  const address = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
  it('reads its block and variables', () => {
    const usdt = load({ USDT_TRC20_ENABLED: 'true', USDT_TRC20_ADDRESS: address, TRONGRID_API_KEY: 'k' }).section(UsdtTrc20Settings);
    expect(usdt).toMatchObject({ enabled: true, address, trongridApiKey: 'k', cnyPerUsdt: '7.2', confirmations: 19, pollSeconds: 15 });
  });

  it.each([
    [{ USDT_TRC20_ENABLED: 'true' }, 'usdt.address is required when usdt is enabled (USDT_TRC20_ADDRESS)'],
    [{ USDT_TRC20_ADDRESS: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u' }, 'usdt.address has a bad checksum (USDT_TRC20_ADDRESS)'],
    [{ USDT_TRC20_CONTRACT: '0xdAC17F958D2ee523a2206206994597C13D831ec7' }, 'usdt.contract'],
    [{ RECHARGE__USDT__CONFIRMATIONS: '3' }, 'usdt.confirmations must not be less than 19'],
    [{ RECHARGE__USDT__CNY_PER_USDT: '0' }, 'usdt.cny_per_usdt must be greater than 0'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), METRICS_TOKEN: 'm'.repeat(16), TRONGRID_API_URL: 'http://trongrid.example' }, 'usdt.trongrid_api_url must be https in production'],
  ])('rejects %j with one line naming the key', (env, expected) => {
    expect(() => load(env)).toThrow(expected);
  });
});
