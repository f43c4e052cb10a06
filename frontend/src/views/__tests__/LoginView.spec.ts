import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { createMemoryHistory } from 'vue-router';
import LoginView from '../LoginView.vue';
import { createAppRouter } from '../../router';
import { createAppI18n, type AppLocale } from '../../i18n';
import { useAuthStore } from '../../stores/auth';

let pinia: Pinia;

async function mountAt(url: string, locale: AppLocale = 'en') {
  const router = createAppRouter(createMemoryHistory());
  await router.push(url);
  await router.isReady();
  const wrapper = mount(LoginView, { global: { plugins: [pinia, router, createAppI18n(locale)] } });
  return { wrapper, router };
}

beforeEach(() => {
  localStorage.clear();
  pinia = createPinia();
  setActivePinia(pinia);
});

describe('LoginView', () => {
  it('starts in login mode without username or invite code fields', async () => {
    const { wrapper } = await mountAt('/login');

    expect(wrapper.find('[data-testid="email"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="password"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="username"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="invite-code"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="auth-mode-login"]').attributes('aria-selected')).toBe('true');
  });

  it('toggling to register shows the username field, and back hides it', async () => {
    const { wrapper } = await mountAt('/login');

    await wrapper.get('[data-testid="auth-mode-register"]').trigger('click');
    expect(wrapper.find('[data-testid="username"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="invite-code"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="auth-submit"]').text()).toBe('Create account');

    await wrapper.get('[data-testid="auth-mode-login"]').trigger('click');
    expect(wrapper.find('[data-testid="username"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="auth-submit"]').text()).toBe('Sign in');
  });

  it('?code=ABC switches to register mode and pre-fills the invite code', async () => {
    const { wrapper } = await mountAt('/login?code=ABC');

    expect(wrapper.find('[data-testid="username"]').exists()).toBe(true);
    const invite = wrapper.get<HTMLInputElement>('[data-testid="invite-code"]');
    expect(invite.element.value).toBe('ABC');
    expect(wrapper.get('[data-testid="auth-mode-register"]').attributes('aria-selected')).toBe('true');
  });

  it('shows a client-side validation error without calling the API', async () => {
    const fetchMock = vi.fn<typeof fetch>();
    vi.stubGlobal('fetch', fetchMock);
    const { wrapper } = await mountAt('/login?code=ABC');

    await wrapper.get('[data-testid="email"]').setValue('new@example.com');
    await wrapper.get('[data-testid="username"]').setValue('newbie');
    await wrapper.get('[data-testid="password"]').setValue('short');
    await wrapper.get('form').trigger('submit');

    expect(wrapper.get('[data-testid="auth-error"]').text()).toBe('The password must be 8–72 characters long.');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('registers with the invite code and maps a known error code to a translated message', async () => {
    const fetchMock = vi.fn<typeof fetch>().mockResolvedValue(
      new Response(
        JSON.stringify({
          statusCode: 409,
          error: 'Conflict',
          message: 'email already registered',
          requestId: 'r1',
          code: 'USER_EMAIL_TAKEN',
        }),
        { status: 409, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    vi.stubGlobal('fetch', fetchMock);
    const { wrapper } = await mountAt('/login?code=ABC', 'zh');

    await wrapper.get('[data-testid="email"]').setValue('new@example.com');
    await wrapper.get('[data-testid="username"]').setValue('newbie');
    await wrapper.get('[data-testid="password"]').setValue('long-enough-password');
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    const body = JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body)) as Record<string, unknown>;
    expect(body).toEqual({
      email: 'new@example.com',
      username: 'newbie',
      password: 'long-enough-password',
      inviteCode: 'ABC',
    });
    expect(wrapper.get('[data-testid="auth-error"]').text()).toBe('该邮箱已注册。');
    expect(useAuthStore().token).toBeNull();
  });

  it('shows the server message when the code is unknown, then signs in and goes home', async () => {
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'bad login', requestId: 'r' }), {
          status: 401,
        }),
      )
      .mockResolvedValueOnce(
        new Response(
          JSON.stringify({ accessToken: 'tok', user: { id: '1', email: 'a@example.com', username: 'a', role: 'user' } }),
          { status: 200 },
        ),
      );
    vi.stubGlobal('fetch', fetchMock);
    const { wrapper, router } = await mountAt('/login');

    await wrapper.get('[data-testid="email"]').setValue('a@example.com');
    await wrapper.get('[data-testid="password"]').setValue('whatever1');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="auth-error"]').text()).toBe('bad login');

    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(useAuthStore().token).toBe('tok');
    // home is a lazily loaded route: wait for the navigation to settle
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('home'));
  });
});
