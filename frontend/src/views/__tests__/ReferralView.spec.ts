import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import ReferralView from '../ReferralView.vue';
import { mountSignedIn, stubApi } from '../../__tests__/support';
import type { ReferralInfo } from '../../api/types';

const info: ReferralInfo = {
  enabled: true,
  code: 'K7QX2M9P',
  link: 'http://localhost:3000/login?code=K7QX2M9P',
  invitedCount: 3,
  qualifiedCount: 1,
  rewardedCount: 1,
  totalRewardUsd: '10.00000000',
  rewardUsd: '10.00',
  qualifiedRechargeCny: '20.00',
};

const invitees = {
  items: [
    { username: 'al***ce', status: 'rewarded', joinedAt: '2026-11-20T00:00:00.000Z', qualifiedAt: '2026-11-21T00:00:00.000Z', rewardUsd: '10.00000000' },
    { username: 'bo***b', status: 'registered', joinedAt: '2026-11-22T00:00:00.000Z', qualifiedAt: null, rewardUsd: '0.00000000' },
  ],
  total: 2,
  page: 1,
  pageSize: 20,
};

beforeEach(() => localStorage.clear());

describe('ReferralView', () => {
  it('shows code, link, counts, rules and invitees with status badges', async () => {
    stubApi({ 'GET /api/users/referral/info': info, 'GET /api/users/referral/invitees': invitees });
    const { wrapper } = await mountSignedIn(ReferralView, '/referral');
    await flushPromises();

    expect(wrapper.get('[data-testid="referral-code"]').text()).toBe('K7QX2M9P');
    expect(wrapper.get('[data-testid="referral-link"]').text()).toBe(info.link);
    expect(wrapper.get('[data-testid="referral-invited-count"]').text()).toBe('3');
    expect(wrapper.text()).toContain('has paid ¥20.00 or more in total, you get 10.00 USD');
    const badges = wrapper.findAll('.status-badge');
    expect(badges.map((b) => b.attributes('data-status'))).toEqual(['rewarded', 'registered']);
    expect(badges.map((b) => b.text())).toEqual(['Rewarded', 'Signed up']);
  });

  it('shows USD amounts at 2 decimals with the exact value on hover', async () => {
    stubApi({
      'GET /api/users/referral/info': { ...info, totalRewardUsd: '12.34567891', rewardUsd: '2.5' },
      'GET /api/users/referral/invitees': { ...invitees, items: [{ ...invitees.items[0], rewardUsd: '2.22222222' }] },
    });
    const { wrapper } = await mountSignedIn(ReferralView, '/referral');
    await flushPromises();

    const total = wrapper.get('[data-testid="referral-total-reward"]');
    expect(total.text()).toBe('12.35 USD');
    expect(total.get('.money').attributes('title')).toBe('12.34567891');
    const reward = wrapper.get('[data-testid="invitee-reward"]');
    expect(reward.text()).toBe('+2.22 USD');
    expect(reward.get('.money').attributes('title')).toBe('2.22222222');
    expect(wrapper.get('[data-testid="referral-rules"]').text()).toContain('has paid ¥20.00 or more in total, you get 2.50 USD');
  });

  it('copies the link with the Clipboard API', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    stubApi({ 'GET /api/users/referral/info': info, 'GET /api/users/referral/invitees': invitees });
    const { wrapper } = await mountSignedIn(ReferralView, '/referral');
    await flushPromises();

    await wrapper.get('[data-testid="referral-copy"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledExactlyOnceWith(info.link);
    expect(wrapper.get('[data-testid="referral-copy"]').text()).toBe('Copied!');
  });

  it('falls back to execCommand when the Clipboard API is refused', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: vi.fn().mockRejectedValue(new Error('denied')) } });
    const execCommand = vi.fn().mockReturnValue(true);
    Object.defineProperty(document, 'execCommand', { value: execCommand, configurable: true });
    stubApi({ 'GET /api/users/referral/info': info, 'GET /api/users/referral/invitees': invitees });
    const { wrapper } = await mountSignedIn(ReferralView, '/referral');
    await flushPromises();

    await wrapper.get('[data-testid="referral-copy"]').trigger('click');
    await flushPromises();
    expect(execCommand).toHaveBeenCalledWith('copy');
    expect(wrapper.get('[data-testid="referral-copy"]').text()).toBe('Copied!');
    Reflect.deleteProperty(document, 'execCommand');
  });

  it('shows a short note when referrals are switched off', async () => {
    const api = stubApi({
      'GET /api/users/referral/info': { ...info, enabled: false, code: null, link: null },
    });
    const { wrapper } = await mountSignedIn(ReferralView, '/referral');
    await flushPromises();
    expect(wrapper.get('[data-testid="referral-unavailable"]').text()).toBe('Invites are not available right now.');
    expect(wrapper.find('[data-testid="referral-code"]').exists()).toBe(false);
    expect(api.calls('GET /api/users/referral/invitees')).toHaveLength(0);
  });
});
