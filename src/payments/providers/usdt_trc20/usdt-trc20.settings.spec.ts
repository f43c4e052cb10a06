import { ConfigError } from '../../../common/config/config.loader';
import { loadAppConfig } from '../../../config';
import { UsdtTrc20Settings } from './usdt-trc20.settings';

const load = (env: Record<string, string>) => loadAppConfig({ NODE_ENV: 'unit', ...env });

describe('USDT-TRC20’s configuration', () => {
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
  ])('refuses %j with one line naming the key', (env, expected) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(expected);
  });
});
