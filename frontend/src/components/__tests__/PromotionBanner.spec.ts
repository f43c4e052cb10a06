import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import PromotionBanner from '../PromotionBanner.vue';
import { mountSignedIn, stubApi } from '../../__tests__/support';
import type { PromotionStatus } from '../../api/types';

function status(overrides: Partial<PromotionStatus>): PromotionStatus {
  return {
    enabled: true,
    status: 'active',
    activatedAt: '2026-11-23T00:00:00.000Z',
    expireAt: '2026-11-26T00:00:00.000Z',
    currentTier: 0,
    currentPercent: 30,
    secondsLeftInTier: 3,
    secondsLeftOverall: 200_000,
    minAmountCny: '1.00',
    usedTier: null,
    bonusAmount: null,
    tiers: [
      { tier: 0, hours: 24, percent: 30, endsAt: '2026-11-24T00:00:00.000Z' },
      { tier: 1, hours: 36, percent: 20, endsAt: '2026-11-24T12:00:00.000Z' },
      { tier: 2, hours: 48, percent: 15, endsAt: '2026-11-25T00:00:00.000Z' },
      { tier: 3, hours: 72, percent: 10, endsAt: '2026-11-26T00:00:00.000Z' },
    ],
    ...overrides,
  };
}

const KEY = 'GET /api/users/promotion/status';

beforeEach(() => {
  localStorage.clear();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => vi.useRealTimers());

describe('PromotionBanner', () => {
  it('counts down every second and loads the next tier when the current one ends', async () => {
    const answers = [status({}), status({ currentTier: 1, currentPercent: 20, secondsLeftInTier: 7200 })];
    const api = stubApi({ [KEY]: () => answers.shift() ?? status({ secondsLeftInTier: 0 }) });
    const { wrapper } = await mountSignedIn(PromotionBanner, '/');
    await flushPromises();

    const countdown = () => wrapper.get('[data-testid="promotion-countdown"]').text();
    expect(wrapper.get('[data-testid="promotion-banner"]').text()).toContain('+30%');
    expect(countdown()).toBe('00:03');
    await vi.advanceTimersByTimeAsync(1000);
    expect(countdown()).toBe('00:02');
    await vi.advanceTimersByTimeAsync(1000);
    expect(countdown()).toBe('00:01');
    expect(api.calls(KEY)).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1000); // reaches 0: refresh
    await flushPromises();
    expect(api.calls(KEY)).toHaveLength(2);
    expect(wrapper.get('[data-testid="promotion-banner"]').text()).toContain('+20%');
    expect(countdown()).toBe('2:00:00');
    expect(wrapper.emitted('tierEnded')).toHaveLength(1);
    expect(wrapper.get('li.current').text()).toContain('36 h');
    expect(wrapper.get('li.current').attributes('data-tier')).toBe('1');
    expect(wrapper.findAll('li.past').map((li) => li.attributes('data-tier'))).toEqual(['0']);
  });

  it('tiers are numbered from 0: with currentTier 0 the first row is current and none is past', async () => {
    stubApi({ [KEY]: status({ currentTier: 0, currentPercent: 30, secondsLeftInTier: 3600 }) });
    const { wrapper } = await mountSignedIn(PromotionBanner, '/');
    await flushPromises();

    // Shown, although 0 is falsy.
    const banner = wrapper.get('[data-testid="promotion-banner"]');
    expect(banner.text()).toContain('New-user bonus: +30%');
    const rows = wrapper.findAll('[data-testid="promotion-tier"]');
    expect(rows.map((r) => r.attributes('data-tier'))).toEqual(['0', '1', '2', '3']);
    expect(rows[0]!.classes()).toContain('current');
    expect(rows[0]!.text()).toContain('Within 24 h of sign-up');
    expect(rows[0]!.find('.promo-now').exists()).toBe(true);
    expect(wrapper.findAll('li.current')).toHaveLength(1);
    expect(wrapper.findAll('li.past')).toHaveLength(0);
    expect(wrapper.findAll('.promo-now')).toHaveLength(1);
  });

  it('the last tier (3, up to 72 h) is matched by its number, the three before it are past', async () => {
    stubApi({ [KEY]: status({ currentTier: 3, currentPercent: 10, secondsLeftInTier: 60 }) });
    const { wrapper } = await mountSignedIn(PromotionBanner, '/');
    await flushPromises();
    expect(wrapper.get('[data-testid="promotion-banner"]').text()).toContain('+10%');
    expect(wrapper.get('li.current').attributes('data-tier')).toBe('3');
    expect(wrapper.get('li.current').text()).toContain('72 h');
    expect(wrapper.findAll('li.past').map((li) => li.attributes('data-tier'))).toEqual(['0', '1', '2']);
  });

  it('tiers listed out of order are still matched by their tier field', async () => {
    const s = status({ currentTier: 0 });
    stubApi({ [KEY]: { ...s, tiers: [...s.tiers].reverse() } });
    const { wrapper } = await mountSignedIn(PromotionBanner, '/');
    await flushPromises();
    expect(wrapper.get('li.current').attributes('data-tier')).toBe('0');
    expect(wrapper.get('li.current').text()).toContain('24 h');
    expect(wrapper.findAll('li.past')).toHaveLength(0);
  });

  it.each([
    ['used', status({ status: 'used', currentTier: null, currentPercent: null, secondsLeftInTier: 0 })],
    ['expired', status({ status: 'expired', currentTier: null, currentPercent: null, secondsLeftInTier: 0 })],
    ['disabled', status({ enabled: false, status: 'none' })],
  ])('is hidden when the promotion is %s', async (_label, body) => {
    stubApi({ [KEY]: body });
    const { wrapper } = await mountSignedIn(PromotionBanner, '/');
    await flushPromises();
    expect(wrapper.find('[data-testid="promotion-banner"]').exists()).toBe(false);
  });
});
