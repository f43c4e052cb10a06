import { GATEWAYS } from './payments/providers';
import { loadAppConfig } from './config';

/** The app's configuration carries every gateway's block; each gateway's own rules are tested in its folder. */
describe('loadAppConfig', () => {
  it('loads and validates the block of every registered gateway', () => {
    const config = loadAppConfig({ NODE_ENV: 'unit' });
    for (const gateway of GATEWAYS) expect(config.section(gateway.config.schema)).toBeInstanceOf(gateway.config.schema);
  });

  it('keeps the defaults that do not belong to a gateway', () => {
    expect(loadAppConfig({ NODE_ENV: 'unit', PAYMENT_EXCHANGE_RATE: '7.1' }).payment.exchangeRate).toBe('7.1');
  });
});
