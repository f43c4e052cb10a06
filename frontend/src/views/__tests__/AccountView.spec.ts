import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AccountView from '../AccountView.vue';
import { apiError, json, me, mountSignedIn, stubApi } from '../../__tests__/support';
import { useAuthStore } from '../../stores/auth';
import { TOKEN_STORAGE_KEY } from '../../stores/auth';

const CLOSE = 'POST /api/users/me/close';
const EXPORT = 'GET /api/users/me/export';
const ME = { ...me('user'), email: 'alice@example.com', username: 'alice', balance: '12.34567891' };

const closed = {
  id: '2',
  status: 'closed',
  closedAt: '2026-12-07T03:00:00.000Z',
  balanceUsd: '12.34567891',
  releasedHoldsUsd: '0.00000000',
  cancelledOrders: [],
};

// jsdom has no object URLs: put in place for each test, taken away after.
const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
let saved: { download: string }[];
let blobs: Blob[];

beforeEach(() => {
  localStorage.clear();
  saved = [];
  blobs = [];
  URL.createObjectURL = vi.fn((b: Blob) => {
    blobs.push(b);
    return `blob:test/${blobs.length}`;
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ download: this.download });
  });
});

afterEach(() => {
  URL.createObjectURL = original.create;
  URL.revokeObjectURL = original.revoke;
});

async function mountView(locale: 'en' | 'zh' = 'en') {
  const mounted = await mountSignedIn(AccountView, '/account', locale);
  await flushPromises();
  return mounted;
}

async function askToClose(wrapper: VueWrapper) {
  await wrapper.get('[data-testid="account-close"]').trigger('click');
  await flushPromises();
}

describe('AccountView', () => {
  it('shows who is signed in and the balance', async () => {
    stubApi({ 'GET /api/users/me': ME });
    const { wrapper } = await mountView();
    expect(wrapper.get('[data-testid="account-email"]').text()).toBe('alice@example.com');
    expect(wrapper.get('[data-testid="account-balance"]').text()).toContain('12.35');
  });

  it('downloads the data export under the server’s file name', async () => {
    const api = stubApi({
      'GET /api/users/me': ME,
      [EXPORT]: () =>
        new Response('{"profile":{}}', {
          status: 200,
          headers: { 'Content-Type': 'application/json', 'Content-Disposition': 'attachment; filename="recharge-data-2-20261207T030000Z.json"' },
        }),
    });
    const { wrapper } = await mountView();
    await wrapper.get('[data-testid="account-export"]').trigger('click');
    await flushPromises();
    expect(api.calls(EXPORT)).toHaveLength(1);
    expect(api.calls(EXPORT)[0]!.headers.get('Authorization')).toBe('Bearer test-token');
    expect(saved).toEqual([{ download: 'recharge-data-2-20261207T030000Z.json' }]);
    expect(await blobs[0]!.text()).toBe('{"profile":{}}');
    expect(wrapper.get('[data-testid="account-export-done"]').text()).toContain('recharge-data-2-20261207T030000Z.json');
  });

  it('closing shows the balance left behind, needs the password, keeps the session on a wrong one', async () => {
    const api = stubApi({
      'GET /api/users/me': ME,
      [CLOSE]: apiError(403, 'USER_PASSWORD_MISMATCH', 'the password is wrong'),
    });
    const { wrapper, router } = await mountView();
    await askToClose(wrapper);
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.get('[data-testid="account-close-balance"]').text()).toContain('12.35');
    expect(api.calls(CLOSE)).toHaveLength(0); // the button only asks

    // No password: refused before any request.
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('Enter your password.');
    expect(api.calls(CLOSE)).toHaveLength(0);

    await wrapper.get('[data-testid="account-close-password"]').setValue('not it');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(api.calls(CLOSE)[0]!.body).toEqual({ password: 'not it' });
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('The password is wrong.');
    expect((wrapper.get('[data-testid="account-close-password"]').element as HTMLInputElement).value).toBe('');
    expect(useAuthStore().token).toBe('test-token');
    expect(router.currentRoute.value.name).toBe('account');

    // Cancel closes the question; nothing more is sent.
    await wrapper.get('[data-testid="confirm-cancel"]').trigger('click');
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(api.calls(CLOSE)).toHaveLength(1);
  });

  it('with the right password: closes, ends the session and lands on the sign-in page with a notice', async () => {
    const api = stubApi({ 'GET /api/users/me': ME, [CLOSE]: () => json(200, closed) });
    const { wrapper, router } = await mountView();
    await askToClose(wrapper);
    await wrapper.get('[data-testid="account-close-password"]').setValue('correct horse battery');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(api.calls(CLOSE)[0]!.body).toEqual({ password: 'correct horse battery' });
    expect(useAuthStore().token).toBeNull();
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('login'));
    expect(router.currentRoute.value.query.closed).toBe('1');
  });

  it('an admin is told their account cannot be closed here, and gets no close button', async () => {
    stubApi({ 'GET /api/users/me': { ...me('admin'), balance: '0.00000000' } });
    const { wrapper } = await mountView();
    expect(wrapper.find('[data-testid="account-close"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="account-close-admin"]').text()).toContain('cannot be closed');
  });

  it('in Chinese', async () => {
    stubApi({ 'GET /api/users/me': ME, [CLOSE]: apiError(429, 'USER_TOO_MANY_PASSWORD_FAILURES', 'too many', { 'Retry-After': '60' }) });
    const { wrapper } = await mountView('zh');
    expect(wrapper.get('h1').text()).toBe('账户');
    expect(wrapper.get('[data-testid="account-export"]').text()).toBe('下载我的数据');
    await askToClose(wrapper);
    await wrapper.get('[data-testid="account-close-password"]').setValue('x');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toContain('密码错误次数过多');
  });
});
