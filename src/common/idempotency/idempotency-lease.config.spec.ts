import 'reflect-metadata';
import { loadConfig } from '../config/config.loader';

const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'unit', ...env });

/** The lease of a claimed Idempotency-Key is configuration, validated at start-up like the rest. */
describe('idempotency.lease_seconds', () => {
  it('defaults to 60 seconds and is set by RECHARGE__IDEMPOTENCY__LEASE_SECONDS', () => {
    expect(load({}).idempotency.leaseSeconds).toBe(60);
    expect(load({ RECHARGE__IDEMPOTENCY__LEASE_SECONDS: '2' }).idempotency.leaseSeconds).toBe(2);
  });

  it('refuses a lease that is not a positive whole number of seconds, naming the key', () => {
    for (const bad of ['0', '-5', '1.5', 'soon']) {
      expect(() => load({ RECHARGE__IDEMPOTENCY__LEASE_SECONDS: bad })).toThrow(/idempotency\.lease_seconds/);
    }
  });

  it('schedules the purge of expired keys', () => {
    expect(load({}).jobs.purgeIdempotencyKeys).toBe('0 40 * * * *');
  });
});
