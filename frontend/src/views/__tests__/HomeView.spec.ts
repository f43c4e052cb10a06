import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import HomeView from '../HomeView.vue';
import { me, mountSignedIn, stubApi } from '../../__tests__/support';

beforeEach(() => localStorage.clear());

describe('HomeView', () => {
  it('shows the balance at 2 decimals rounded half-up, the exact balance on hover', async () => {
    stubApi({
      'GET /api/users/me': { ...me('user'), balance: '13.88888889' },
      'GET /api/users/promotion/status': { enabled: false },
    });
    const { wrapper } = await mountSignedIn(HomeView, '/');
    await flushPromises();
    const balance = wrapper.get('[data-testid="balance"]');
    expect(balance.text()).toBe('13.89');
    expect(balance.attributes('title')).toBe('13.88888889');
    expect(balance.classes()).toContain('balance-amount');
  });

  it('a balance with nothing past the cents has no title', async () => {
    stubApi({
      'GET /api/users/me': { ...me('user'), balance: '1234.50000000' },
      'GET /api/users/promotion/status': { enabled: false },
    });
    const { wrapper } = await mountSignedIn(HomeView, '/', 'zh');
    await flushPromises();
    const balance = wrapper.get('[data-testid="balance"]');
    expect(balance.text()).toBe('1,234.50');
    expect(balance.attributes('title')).toBeUndefined();
  });
});
