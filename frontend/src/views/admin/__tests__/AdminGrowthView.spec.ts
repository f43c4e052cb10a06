import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import AdminGrowthView from '../AdminGrowthView.vue';
import { apiError, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import { emptyInviteFilters, inviteFiltersToQuery, sortedTiers } from '../../../composables/useAdminGrowth';
import type { AdminInvite, PromotionStats } from '../../../api/types';

const STATS = 'GET /api/admin/promotions/stats';
const INVITES = 'GET /api/admin/referrals';

const stats: PromotionStats = {
  enabled: true,
  // Out of order on purpose: the page lists tiers first to last.
  byTier: [
    { tier: 2, count: 1, bonusUsd: '0.50000000', amountUsd: '5.00000000' },
    { tier: 0, count: 3, bonusUsd: '4.16666667', amountUsd: '13.88888889' },
    { tier: 1, count: 2, bonusUsd: '2.00000000', amountUsd: '10.00000000' },
  ],
  totalBonusUsd: '6.66666667',
  grantedCount: 6,
  active: 40,
  used: 6,
  expired: 7,
};

function invite(id: string, overrides: Partial<AdminInvite> = {}): AdminInvite {
  return {
    id,
    inviteeId: '43',
    inviteeUsername: 'alice',
    referrerId: '42',
    referrerUsername: 'bob',
    totalRechargeCny: '24.00',
    totalRechargeUsd: '3.33333334',
    status: 'rewarded',
    qualifiedAt: '2026-11-23T02:00:00.000Z',
    rewardIssuedAt: '2026-11-23T02:00:01.000Z',
    rewardAmountUsd: '10.00000000',
    createdAt: '2026-11-22T02:00:00.000Z',
    ...overrides,
  };
}

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/users/me': me('admin'),
    [STATS]: stats,
    [INVITES]: (req: SeenRequest) => ({
      items: [invite('8'), invite('7', { inviteeId: '44', inviteeUsername: 'carol', status: 'registered', qualifiedAt: null, rewardIssuedAt: null, rewardAmountUsd: '0.00000000', totalRechargeCny: '0.00', totalRechargeUsd: '0.00000000' })],
      total: 2,
      page: Number(req.query.get('page')),
      pageSize: 20,
    }),
    ...extra,
  };
}

async function mountView(locale: 'en' | 'zh' = 'en') {
  const { wrapper } = await mountSignedIn(AdminGrowthView, '/admin/growth', locale);
  await flushPromises();
  return wrapper;
}

beforeEach(() => localStorage.clear());

describe('sortedTiers', () => {
  it('orders tiers by number, tier 0 first, without dropping it', () => {
    expect(sortedTiers(stats.byTier).map((r) => r.tier)).toEqual([0, 1, 2]);
    expect(sortedTiers([{ tier: 0, count: 1, bonusUsd: '1', amountUsd: '1' }])).toHaveLength(1);
  });
});

describe('inviteFiltersToQuery', () => {
  it.each([
    ['registered', { qualified: false }],
    ['qualified', { qualified: true, rewarded: false }],
    ['rewarded', { rewarded: true }],
    ['', {}],
  ] as const)('status %j → %j', (status, flags) => {
    const q = inviteFiltersToQuery({ ...emptyInviteFilters(), status });
    expect({ qualified: q.qualified, rewarded: q.rewarded }).toEqual({ qualified: undefined, rewarded: undefined, ...flags });
  });

  it('trims ids, leaves blanks out and makes "to" include its whole day', () => {
    expect(inviteFiltersToQuery({ referrerId: ' 42 ', inviteeId: '', status: '', from: '2026-11-20', to: '2026-11-23' })).toEqual({
      referrerId: '42',
      inviteeId: undefined,
      from: new Date(2026, 10, 20).toISOString(),
      to: new Date(2026, 10, 24).toISOString(),
    });
  });
});

describe('AdminGrowthView', () => {
  it('shows the bonus statistics: on, tiers from "Tier 0" with every digit, the total and promotions by status', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();

    expect([...api.calls(STATS)[0]!.query.keys()]).toEqual([]);
    expect(wrapper.get('[data-testid="growth-enabled"]').attributes('data-enabled')).toBe('true');
    expect(wrapper.get('[data-testid="growth-enabled"]').text()).toBe('On');
    const rows = wrapper.findAll('[data-testid="growth-tier-row"]');
    expect(rows.map((r) => r.attributes('data-tier'))).toEqual(['0', '1', '2']);
    expect(rows.map((r) => r.get('[data-testid="growth-tier-label"]').text())).toEqual(['Tier 0', 'Tier 1', 'Tier 2']);
    expect(rows[0]!.get('[data-testid="growth-tier-count"]').text()).toBe('3');
    expect(rows[0]!.get('[data-testid="growth-tier-bonus"]').text()).toBe('4.16666667');
    expect(rows[0]!.get('[data-testid="growth-tier-amount"]').text()).toBe('13.88888889');
    expect(wrapper.get('[data-testid="growth-granted"]').text()).toBe('6');
    expect(wrapper.get('[data-testid="growth-total-bonus"]').text()).toBe('6.66666667');
    expect(wrapper.get('[data-testid="growth-tier-total"]').text()).toContain('6.66666667');
    const byStatus = wrapper.findAll('[data-testid="growth-promotion-status"]');
    expect(byStatus.map((s) => [s.attributes('data-status'), s.get('dd').text()])).toEqual([
      ['active', '40'],
      ['used', '6'],
      ['expired', '7'],
    ]);
  });

  it('labels tier 0 in Chinese too, and a switched-off bonus with no grants as such', async () => {
    stubApi(routes());
    const zh = await mountView('zh');
    expect(zh.get('[data-testid="growth-tier-row"][data-tier="0"] [data-testid="growth-tier-label"]').text()).toBe('第 0 档');

    stubApi(routes({ [STATS]: { ...stats, enabled: false, byTier: [], totalBonusUsd: '0.00000000', grantedCount: 0 } }));
    const off = await mountView();
    expect(off.get('[data-testid="growth-enabled"]').text()).toBe('Switched off');
    expect(off.get('[data-testid="growth-no-tiers"]').text()).toBe('No bonuses granted in this period.');
    expect(off.find('[data-testid="growth-tier-row"]').exists()).toBe(false);
  });

  it('asks for the statistics of a date range, "to" included', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();
    await wrapper.get('[data-testid="growth-stats-from"]').setValue('2026-11-01');
    await wrapper.get('[data-testid="growth-stats-to"]').setValue('2026-11-02');
    expect(api.calls(STATS)).toHaveLength(1);
    await wrapper.get('[data-testid="growth-stats-apply"]').trigger('click');
    await flushPromises();
    const q = api.calls(STATS)[1]!.query;
    expect(q.get('from')).toBe(new Date(2026, 10, 1).toISOString());
    expect(q.get('to')).toBe(new Date(2026, 10, 3).toISOString());
  });

  it('lists invites with both users, totals, status, dates and reward', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();
    expect([...api.calls(INVITES)[0]!.query.keys()].sort()).toEqual(['page', 'pageSize']);
    const rows = wrapper.findAll('[data-testid="growth-invite-row"]');
    expect(rows.map((r) => [r.attributes('data-invite-id'), r.attributes('data-status')])).toEqual([
      ['8', 'rewarded'],
      ['7', 'registered'],
    ]);
    expect(rows[0]!.get('[data-testid="growth-invite-invitee"]').text()).toContain('alice');
    expect(rows[0]!.get('[data-testid="growth-invite-invitee"]').text()).toContain('#43');
    expect(rows[0]!.get('[data-testid="growth-invite-referrer"]').text()).toContain('bob');
    expect(rows[0]!.get('[data-testid="growth-invite-recharged"]').text()).toContain('¥24.00');
    expect(rows[0]!.get('[data-testid="growth-invite-recharged"]').text()).toContain('3.33333334 USD');
    expect(rows[0]!.get('[data-testid="growth-invite-status"]').text()).toBe('Rewarded');
    expect(rows[0]!.get('[data-testid="growth-invite-reward"]').text()).toBe('10.00');
    expect(rows[1]!.get('[data-testid="growth-invite-status"]').text()).toBe('Signed up');
    expect(rows[1]!.text()).toContain('—'); // never qualified
    expect(wrapper.get('[data-testid="growth-invites-total"]').text()).toBe('Invites found: 2');
  });

  it('sends the invite filters on search, and never an id that is not a number', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();
    await wrapper.get('[data-testid="growth-filter-referrer"]').setValue('42');
    await wrapper.get('[data-testid="growth-filter-invitee"]').setValue(' 43 ');
    await wrapper.get('[data-testid="growth-filter-status"]').setValue('qualified');
    await wrapper.get('[data-testid="growth-filter-from"]').setValue('2026-11-20');
    await wrapper.get('[data-testid="growth-filter-to"]').setValue('2026-11-23');
    await wrapper.get('[data-testid="growth-search"]').trigger('click');
    await flushPromises();
    const q = api.calls(INVITES)[1]!.query;
    expect(q.get('referrerId')).toBe('42');
    expect(q.get('inviteeId')).toBe('43');
    expect(q.get('qualified')).toBe('true');
    expect(q.get('rewarded')).toBe('false');
    expect(q.get('from')).toBe(new Date(2026, 10, 20).toISOString());
    expect(q.get('to')).toBe(new Date(2026, 10, 24).toISOString());
    expect(q.get('page')).toBe('1');

    await wrapper.get('[data-testid="growth-filter-referrer"]').setValue('bob');
    expect(wrapper.get('[data-testid="growth-filter-error"]').text()).toBe('A user ID is a positive whole number.');
    expect(wrapper.get('[data-testid="growth-filter-referrer"]').attributes('aria-invalid')).toBe('true');
    await wrapper.get('[data-testid="growth-search"]').element.closest('form')!.requestSubmit();
    await flushPromises();
    expect(api.calls(INVITES)).toHaveLength(2);

    await wrapper.get('[data-testid="growth-reset"]').trigger('click');
    await flushPromises();
    expect([...api.calls(INVITES)[2]!.query.keys()].sort()).toEqual(['page', 'pageSize']);
  });

  it('shows each part’s error on its own', async () => {
    stubApi(
      routes({
        [STATS]: apiError(503, 'DATABASE_UNAVAILABLE', 'database unavailable'),
        [INVITES]: apiError(400, 'VALIDATION_FAILED', 'referrerId must be a positive whole number'),
      }),
    );
    const wrapper = await mountView();
    const alerts = wrapper.findAll('[role="alert"]').map((a) => a.text());
    expect(alerts.some((a) => a.includes('database unavailable'))).toBe(true);
    expect(alerts.some((a) => a.includes('Some of the values are not valid.'))).toBe(true);
    expect(wrapper.find('[data-testid="growth-tier-row"]').exists()).toBe(false);
  });
});
