import { ConfigError } from '../../../common/config/config.loader';
import { loadAppConfig } from '../../../config';
import { ZpaySettings } from './zpay.settings';

const load = (env: Record<string, string>) => loadAppConfig({ NODE_ENV: 'unit', ...env });
const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), METRICS_TOKEN: 'm'.repeat(16) };

describe('Zpay’s configuration', () => {
  it('reads its block and variables', () => {
    const zpay = load({ ZPAY_ENABLED: 'true', ZPAY_PID: '1001', ZPAY_KEY: 'k', ZPAY_API_URL: 'https://z.example', ZPAY_REFUND_ENABLED: 'false' });
    expect(zpay.section(ZpaySettings)).toMatchObject({ enabled: true, pid: '1001', key: 'k', apiUrl: 'https://z.example', refundEnabled: false });
  });

  it('accepts a plain-http address in production only on loopback', () => {
    const enabled = { ...production, ZPAY_ENABLED: 'true', ZPAY_PID: '1', ZPAY_KEY: 'k' };
    expect(load({ ...enabled, ZPAY_API_URL: 'http://127.0.0.1:9000' }).section(ZpaySettings).apiUrl).toBe('http://127.0.0.1:9000');
    expect(load({ ...enabled, ZPAY_API_URL: 'https://z.example' }).section(ZpaySettings).apiUrl).toBe('https://z.example');
  });

  it.each([
    [{ ZPAY_ENABLED: 'true' }, 'payment.zpay.api_url must be a URL address'],
    [{ ZPAY_ENABLED: 'true', ZPAY_API_URL: 'https://z.example' }, 'payment.zpay.pid and payment.zpay.key are required'],
    [{ ...production, ZPAY_ENABLED: 'true', ZPAY_PID: '1', ZPAY_KEY: 'k', ZPAY_API_URL: 'http://z.example' }, 'payment.zpay.api_url must be https in production'],
  ])('refuses %j with one line naming the key', (env, expected) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(expected);
  });
});
