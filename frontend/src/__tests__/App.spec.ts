import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import App from '../App.vue';
import { mountSignedIn, stubApi } from './support';
import { useAuthStore } from '../stores/auth';

beforeEach(() => localStorage.clear());

describe('App shell', () => {
  it('signed in: one nav with every page, the language selector and sign out', async () => {
    stubApi({
      'GET /api/users/me': {
        id: '1',
        email: 'a@example.com',
        username: 'a',
        role: 'user',
        status: 'active',
        balance: '0.00000000',
        createdAt: '2026-11-23T00:00:00.000Z',
      },
      'GET /api/users/promotion/status': { enabled: false },
    });
    const { wrapper, router } = await mountSignedIn(App, '/');
    await flushPromises();

    for (const [id, path] of [
      ['nav-home', '/'],
      ['nav-recharge', '/recharge'],
      ['nav-records', '/records'],
      ['nav-orders', '/orders'],
      ['nav-referral', '/referral'],
    ] as const) {
      expect(wrapper.findAll(`[data-testid="${id}"]`)).toHaveLength(1);
      expect(wrapper.get(`[data-testid="${id}"]`).attributes('href')).toBe(path);
    }
    expect(wrapper.findAll('[data-testid="logout"]')).toHaveLength(1);
    expect(wrapper.findAll('[data-testid="locale-select"]')).toHaveLength(1);

    await wrapper.get('[data-testid="logout"]').trigger('click');
    await flushPromises();
    expect(useAuthStore().token).toBeNull();
    // login is a lazily loaded route: wait for the navigation to settle
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('login'));
    expect(wrapper.find('[data-testid="nav-recharge"]').exists()).toBe(false);
  });

  it('every page but /login needs a session', async () => {
    stubApi({});
    const { router } = await mountSignedIn(App, '/login'); // signed in: /login sends home
    expect(router.currentRoute.value.name).toBe('home');
    useAuthStore().logout();
    for (const path of ['/recharge', '/records', '/orders', '/referral', '/payment/result?out_trade_no=PO1']) {
      await router.push(path);
      expect(router.currentRoute.value.name).toBe('login');
      expect(router.currentRoute.value.query.redirect).toBe(path);
    }
  });
});
