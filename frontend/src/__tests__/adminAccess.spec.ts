import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import App from '../App.vue';
import { apiError, me, mountSignedIn, stubApi } from './support';
import { useAuthStore } from '../stores/auth';

vi.mock('chart.js', () => {
  class Chart {
    static register(): void {}
    destroy(): void {}
  }
  return { Chart, BarController: {}, BarElement: {}, LineController: {}, LineElement: {}, PointElement: {}, CategoryScale: {}, LinearScale: {}, Tooltip: {}, Legend: {} };
});

const emptyPage = { items: [], total: 0, page: 1, pageSize: 20 };
const adminApi = {
  'GET /api/admin/payment/stats': {
    windows: [],
    daily: [],
    byStatus: [],
    promotion: { granted: 0, bonusUsd: '0.00000000' },
    referral: { invites: 0, rewarded: 0, rewardUsd: '0.00000000' },
  },
  'GET /api/admin/payment/orders': emptyPage,
  'GET /api/admin/recharge-records': emptyPage,
  'GET /api/admin/redeem-batches': emptyPage,
  'GET /api/admin/api-keys': [],
  'GET /api/admin/users': emptyPage,
  'GET /api/admin/referrals': emptyPage,
  'GET /api/admin/payment/unmatched-payments': emptyPage,
  'GET /api/admin/payment/providers': [],
  'GET /api/admin/webhook-endpoints': [],
  'GET /api/admin/promotions/stats': { enabled: true, byTier: [], totalBonusUsd: '0.00000000', grantedCount: 0, active: 0, used: 0, expired: 0 },
};

beforeEach(() => localStorage.clear());

describe('admin pages: route guard and navigation', () => {
  it('keeps a non-admin out of every admin page, and shows no admin link', async () => {
    const api = stubApi({ 'GET /api/users/me': me('user'), 'GET /api/users/promotion/status': { enabled: false }, ...adminApi });
    const { wrapper, router } = await mountSignedIn(App, '/admin');
    expect(router.currentRoute.value.name).toBe('home');

    for (const path of ['/admin', '/admin/orders', '/admin/unmatched-payments', '/admin/ledger', '/admin/redeem', '/admin/users', '/admin/growth', '/admin/webhooks']) {
      await router.push(path);
      expect(router.currentRoute.value.name).toBe('home');
    }
    await flushPromises();
    expect(wrapper.find('[data-testid="nav-home"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="nav-admin"]').exists()).toBe(false);
    expect(api.requests.filter((r) => r.path.startsWith('/api/admin'))).toHaveLength(0);
  });

  it('lets an admin in (after a reload the role is asked for once) with the admin link and every tab', async () => {
    const api = stubApi({ 'GET /api/users/me': me('admin'), ...adminApi });
    const { wrapper, router } = await mountSignedIn(App, '/admin');
    expect(router.currentRoute.value.name).toBe('admin-dashboard');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="admin-tab-dashboard"]').exists()).toBe(true));
    await flushPromises();

    expect(wrapper.get('[data-testid="nav-admin"]').attributes('href')).toBe('/admin');
    expect(wrapper.get('[data-testid="admin-tab-dashboard"]').attributes('href')).toBe('/admin');
    expect(wrapper.get('[data-testid="admin-tab-orders"]').attributes('href')).toBe('/admin/orders');
    expect(wrapper.get('[data-testid="admin-tab-unmatched"]').attributes('href')).toBe('/admin/unmatched-payments');
    expect(wrapper.get('[data-testid="admin-tab-unmatched"]').text()).toBe('Unmatched');
    expect(wrapper.get('[data-testid="admin-tab-ledger"]').attributes('href')).toBe('/admin/ledger');
    expect(wrapper.get('[data-testid="admin-tab-redeem"]').attributes('href')).toBe('/admin/redeem');
    expect(wrapper.get('[data-testid="admin-tab-users"]').attributes('href')).toBe('/admin/users');
    expect(wrapper.get('[data-testid="admin-tab-growth"]').attributes('href')).toBe('/admin/growth');
    expect(wrapper.get('[data-testid="admin-tab-webhooks"]').attributes('href')).toBe('/admin/webhooks');
    expect(wrapper.get('[data-testid="admin-tab-webhooks"]').text()).toBe('Webhooks');

    await wrapper.get('[data-testid="admin-tab-orders"]').trigger('click');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="admin-orders-search"]').exists()).toBe(true));
    expect(router.currentRoute.value.name).toBe('admin-orders');
    expect(wrapper.get('[data-testid="admin-tab-orders"]').classes()).toContain('active');
    expect(wrapper.get('[data-testid="nav-admin"]').classes()).toContain('active');
    expect(api.calls('GET /api/users/me')).toHaveLength(1);

    await wrapper.get('[data-testid="admin-tab-unmatched"]').trigger('click');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="unmatched-filter"]').exists()).toBe(true));
    expect(router.currentRoute.value.name).toBe('admin-unmatched');
    expect(wrapper.get('[data-testid="admin-tab-unmatched"]').classes()).toContain('active');
    await flushPromises();
    expect(api.calls('GET /api/admin/payment/unmatched-payments')).toHaveLength(1);

    await wrapper.get('[data-testid="admin-tab-redeem"]').trigger('click');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="batch-submit"]').exists()).toBe(true));
    expect(router.currentRoute.value.name).toBe('admin-redeem');
    expect(wrapper.get('[data-testid="admin-tab-redeem"]').classes()).toContain('active');
    await flushPromises();
    expect(api.calls('GET /api/admin/redeem-batches')).toHaveLength(1);
    expect(api.calls('GET /api/admin/api-keys')).toHaveLength(1);

    await wrapper.get('[data-testid="admin-tab-users"]').trigger('click');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="admin-users-search"]').exists()).toBe(true));
    expect(router.currentRoute.value.name).toBe('admin-users');
    expect(wrapper.get('[data-testid="admin-tab-users"]').classes()).toContain('active');

    await wrapper.get('[data-testid="admin-tab-growth"]').trigger('click');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="growth-search"]').exists()).toBe(true));
    expect(router.currentRoute.value.name).toBe('admin-growth');
    await flushPromises();
    expect(api.calls('GET /api/admin/promotions/stats')).toHaveLength(1);
    expect(api.calls('GET /api/admin/referrals')).toHaveLength(1);

    await wrapper.get('[data-testid="admin-tab-webhooks"]').trigger('click');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="webhook-new-submit"]').exists()).toBe(true));
    expect(router.currentRoute.value.name).toBe('admin-webhooks');
    expect(wrapper.get('[data-testid="admin-tab-webhooks"]').classes()).toContain('active');
    await flushPromises();
    expect(api.calls('GET /api/admin/webhook-endpoints')).toHaveLength(1);
  });

  it('sends a signed-out visitor to login, and home when the role cannot be checked', async () => {
    stubApi({ 'GET /api/users/me': apiError(500, 'INTERNAL', 'boom'), 'GET /api/users/promotion/status': { enabled: false } });
    const { router } = await mountSignedIn(App, '/admin/orders');
    expect(router.currentRoute.value.name).toBe('home');

    useAuthStore().logout();
    await router.push('/admin/ledger');
    expect(router.currentRoute.value.name).toBe('login');
    expect(router.currentRoute.value.query.redirect).toBe('/admin/ledger');
  });
});
