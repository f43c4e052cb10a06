import { nextAttemptAt } from './webhook-deliveries';

describe('webhook retry schedule', () => {
  const settings = { retryBaseSeconds: 10, maxBackoffMinutes: 360 };
  const now = Date.UTC(2026, 11, 6);
  const threeDays = new Date(now + 72 * 3600_000);
  const middle = () => 0.5;

  it('doubles from the base, at most the maximum', () => {
    const waits = [1, 2, 3, 4, 13, 20].map((n) => (nextAttemptAt(n, threeDays, settings, now, middle)!.getTime() - now) / 1000);
    expect(waits).toEqual([10, 20, 40, 80, 6 * 3600, 6 * 3600]);
  });

  it('spreads retries by ±25 %', () => {
    expect(nextAttemptAt(3, threeDays, settings, now, () => 0)!.getTime() - now).toBe(30_000);
    expect(nextAttemptAt(3, threeDays, settings, now, () => 0.999999)!.getTime() - now).toBeCloseTo(50_000, -1);
  });

  it('tries once more at the deadline, and gives up after it', () => {
    const soon = new Date(now + 5_000);
    expect(nextAttemptAt(5, soon, settings, now, middle)).toEqual(soon);
    expect(nextAttemptAt(5, soon, settings, soon.getTime(), middle)).toBeNull();
  });

  it('retries for three days in about 20 attempts', () => {
    let at = now;
    let attempts = 0;
    for (let next = nextAttemptAt(1, threeDays, settings, at, middle); next; next = nextAttemptAt(++attempts + 1, threeDays, settings, at, middle)) at = next.getTime();
    expect(attempts).toBeGreaterThan(12);
    expect(attempts).toBeLessThan(25);
  });
});
