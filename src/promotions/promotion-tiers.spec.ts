import { tierAt } from './promotion-tiers';

const TIERS = [
  { hours: 24, percent: 30 },
  { hours: 36, percent: 20 },
  { hours: 48, percent: 10 },
  { hours: 72, percent: 5 },
];
const activatedAt = new Date('2026-11-01T00:00:00.000Z');
const after = (hours: number, ms = 0) => new Date(activatedAt.getTime() + hours * 3_600_000 + ms);

describe('tierAt', () => {
  it.each([
    ['at registration', after(0), 0, 30],
    ['a minute in', after(0, 60_000), 0, 30],
    ['1 ms before 24 h', after(24, -1), 0, 30],
    ['exactly 24 h', after(24), 1, 20],
    ['30 h', after(30), 1, 20],
    ['1 ms before 36 h', after(36, -1), 1, 20],
    ['exactly 36 h', after(36), 2, 10],
    ['exactly 48 h', after(48), 3, 5],
    ['1 ms before 72 h', after(72, -1), 3, 5],
    ['before activation (clock skew)', after(0, -5_000), 0, 30],
  ])('%s → tier %i at %i %%', (_, at, tier, percent) => {
    expect(tierAt(TIERS, activatedAt, at)).toMatchObject({ tier, percent });
  });

  it.each([
    ['exactly 72 h', after(72)],
    ['a week later', after(24 * 7)],
  ])('%s → no tier', (_, at) => {
    expect(tierAt(TIERS, activatedAt, at)).toBeNull();
  });

  it('says when the tier ends', () => {
    expect(tierAt(TIERS, activatedAt, after(30))?.endsAt.toISOString()).toBe('2026-11-02T12:00:00.000Z');
  });

  it('works with a single tier', () => {
    expect(tierAt([{ hours: 1, percent: 50 }], activatedAt, after(0, 3_599_999))).toMatchObject({ tier: 0, percent: 50 });
    expect(tierAt([{ hours: 1, percent: 50 }], activatedAt, after(1))).toBeNull();
  });
});
