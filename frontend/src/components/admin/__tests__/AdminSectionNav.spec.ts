import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import AdminSectionNav from '../AdminSectionNav.vue';
import { createAppI18n, type AppLocale } from '../../../i18n';

const Page = defineComponent({ render: () => h('div') });
const SECTIONS: [string, string, string][] = [
  ['dashboard', 'admin-dashboard', '/admin'],
  ['users', 'admin-users', '/admin/users'],
  ['orders', 'admin-orders', '/admin/orders'],
  ['unmatched', 'admin-unmatched', '/admin/unmatched-payments'],
  ['ledger', 'admin-ledger', '/admin/ledger'],
  ['growth', 'admin-growth', '/admin/growth'],
  ['campaigns', 'admin-campaigns', '/admin/campaigns'],
  ['redeem', 'admin-redeem', '/admin/redeem'],
  ['webhooks', 'admin-webhooks', '/admin/webhooks'],
  ['audit', 'admin-audit', '/admin/audit'],
];

async function mountAt(url: string, locale: AppLocale = 'en') {
  const router: Router = createRouter({
    history: createMemoryHistory(),
    routes: [
      ...SECTIONS.map(([, name, path]) => ({ name, path, component: Page })),
      { name: 'home', path: '/', component: Page },
    ],
  });
  await router.push(url);
  await router.isReady();
  const wrapper = mount(AdminSectionNav, { global: { plugins: [router, createAppI18n(locale)] }, attachTo: document.body });
  const toggle = () => wrapper.get('[data-testid="admin-nav-toggle"]');
  const isOpen = () => {
    const expanded = toggle().attributes('aria-expanded');
    expect(wrapper.get('nav').classes().includes('open')).toBe(expanded === 'true');
    return expanded === 'true';
  };
  return { wrapper, router, toggle, isOpen };
}

const escape = () => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));

beforeEach(() => localStorage.clear());

describe('AdminSectionNav', () => {
  it('links every section, marks the current one and names it on the menu button, which controls the list', async () => {
    const { wrapper, toggle, isOpen } = await mountAt('/admin/ledger');
    const links = wrapper.findAll('.admin-tab');
    expect(links.map((l) => l.attributes('data-testid'))).toEqual(SECTIONS.map(([id]) => `admin-tab-${id}`));
    expect(links.map((l) => l.attributes('href'))).toEqual(SECTIONS.map(([, , path]) => path));
    expect(wrapper.get('[data-testid="admin-tab-ledger"]').classes()).toContain('active');
    expect(wrapper.get('[data-testid="admin-tab-ledger"]').attributes('aria-current')).toBe('page');
    expect(wrapper.findAll('.admin-tab.active')).toHaveLength(1);

    expect(wrapper.get('nav').attributes('aria-label')).toBe('Admin sections');
    expect(toggle().element.tagName).toBe('BUTTON');
    expect(toggle().attributes('type')).toBe('button');
    expect(toggle().get('.admin-nav-current').text()).toBe('Ledger');
    expect(toggle().text()).toContain('Admin sections');
    expect(wrapper.get(`#${toggle().attributes('aria-controls')}`).classes()).toContain('admin-tabs');
    expect(isOpen()).toBe(false);
  });

  it('speaks Chinese in zh', async () => {
    const { wrapper, toggle } = await mountAt('/admin/audit', 'zh');
    expect(toggle().get('.admin-nav-current').text()).toBe('操作日志');
    expect(wrapper.get('nav').attributes('aria-label')).toBe('管理后台分区');
    expect(wrapper.findAll('.admin-tab').map((l) => l.text())).toEqual([
      '概览',
      '用户',
      '订单',
      '无主付款',
      '账本',
      '邀请与赠送',
      '充值活动',
      '兑换码与密钥',
      'Webhook',
      '操作日志',
    ]);
  });

  it('opens and closes with its button', async () => {
    const { toggle, isOpen } = await mountAt('/admin');
    await toggle().trigger('click');
    expect(isOpen()).toBe(true);
    await toggle().trigger('click');
    expect(isOpen()).toBe(false);
  });

  it('closes on Escape and gives the focus back to the button; Escape while closed leaves the focus alone', async () => {
    const { wrapper, toggle, isOpen } = await mountAt('/admin');
    await toggle().trigger('click');
    (wrapper.get('[data-testid="admin-tab-orders"]').element as HTMLElement).focus();
    escape();
    await flushPromises();
    expect(isOpen()).toBe(false);
    expect(document.activeElement).toBe(toggle().element);

    const link = wrapper.get('[data-testid="admin-tab-users"]').element as HTMLElement;
    link.focus();
    escape();
    await flushPromises();
    expect(isOpen()).toBe(false);
    expect(document.activeElement).toBe(link);
  });

  it('a picked section opens, the list closes, the button names it and has the focus', async () => {
    const { wrapper, router, toggle, isOpen } = await mountAt('/admin');
    await toggle().trigger('click');
    await wrapper.get('[data-testid="admin-tab-webhooks"]').trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.name).toBe('admin-webhooks');
    expect(isOpen()).toBe(false);
    expect(toggle().get('.admin-nav-current').text()).toBe('Webhooks');
    expect(document.activeElement).toBe(toggle().element);

    // The current section again: nothing to load, the list still closes.
    await toggle().trigger('click');
    await wrapper.get('[data-testid="admin-tab-webhooks"]').trigger('click');
    await flushPromises();
    expect(isOpen()).toBe(false);
  });

  it('closes when the page changes some other way (a link in a section, Back)', async () => {
    const { router, toggle, isOpen } = await mountAt('/admin/users');
    await toggle().trigger('click');
    await router.push('/admin/audit');
    await flushPromises();
    expect(isOpen()).toBe(false);
    expect(toggle().get('.admin-nav-current').text()).toBe('Audit log');
  });
});
