import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminAuditView from '../AdminAuditView.vue';
import { apiError, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import { AUDIT_ACTIONS, AUDIT_TARGETS, type AuditLog } from '../../../api/types';
import { auditActionKey, auditFiltersFromUrl, auditFiltersToUrl } from '../../../composables/useAdminAuditLogs';
import en from '../../../i18n/locales/en';
import zh from '../../../i18n/locales/zh';

function log(id: string, overrides: Partial<AuditLog> = {}): AuditLog {
  return {
    id,
    adminId: '7',
    adminEmail: 'ops@example.com',
    action: 'balance.adjust',
    targetType: 'user',
    targetId: '42',
    remark: 'Goodwill credit, ticket #88',
    before: { balance: '12.50000000' },
    after: { balance: '17.50000000', rechargeRecordId: '1042', amount: '5.00000000' },
    createdAt: '2026-11-23T10:15:00.000Z',
    ...overrides,
  };
}

const ADJUST = log('311');
const DISABLE = log('310', { action: 'user.status', remark: 'Chargeback fraud', before: { status: 'active' }, after: { status: 'disabled' } });
const EXPORT = log('309', {
  action: 'orders.export',
  targetType: 'export',
  targetId: 'payment_orders',
  remark: null,
  before: null,
  after: { filter: { userId: '42', status: 'paid', attention: true } },
});
const REFUND = log('308', {
  action: 'order.refund',
  targetType: 'payment_order',
  targetId: 'PO20261123010203A1B2C3D4E5F60718',
  remark: 'Customer request',
  before: { status: 'paid' },
  after: { status: 'refunded', method: 'gateway' },
});

const LIST = 'GET /api/admin/audit-logs';

function routes(extra: Record<string, unknown> = {}, items: AuditLog[] = [ADJUST, DISABLE, EXPORT, REFUND], total = items.length) {
  return {
    'GET /api/users/me': me('admin'),
    [LIST]: (req: SeenRequest) => ({ items, total, page: Number(req.query.get('page')), pageSize: 20 }),
    ...extra,
  };
}

async function mountView(url = '/admin/audit', locale: 'en' | 'zh' = 'en') {
  const mounted = await mountSignedIn(AdminAuditView, url, locale);
  await flushPromises();
  return mounted;
}

const row = (wrapper: VueWrapper, id: string) => wrapper.get(`[data-testid="audit-row"][data-id="${id}"]`);

beforeEach(() => localStorage.clear());

describe('audit-log filters and the URL', () => {
  it('reads the filters from a link, leaving out what cannot be a filter', () => {
    expect(
      auditFiltersFromUrl({ targetType: 'user', targetId: ' 42 ', action: 'bogus.action', adminId: 'abc', from: '2026-11-01', to: 'yesterday' }),
    ).toEqual({ adminId: '', action: '', targetType: 'user', targetId: '42', from: '2026-11-01', to: '' });
    expect(auditFiltersFromUrl({ action: ['order.refund', 'user.status'], adminId: '7' })).toMatchObject({ action: 'order.refund', adminId: '7' });
  });

  it('writes only the filters set, and the page past the first', () => {
    const f = { adminId: ' 7 ', action: 'order.refund' as const, targetType: '' as const, targetId: '', from: '', to: '2026-11-02' };
    expect(auditFiltersToUrl(f)).toEqual({ adminId: '7', action: 'order.refund', to: '2026-11-02' });
    expect(auditFiltersToUrl(f, 3)).toEqual({ adminId: '7', action: 'order.refund', to: '2026-11-02', page: '3' });
  });
});

describe('audit-log labels', () => {
  it('every action and target kind has words in en and in zh', () => {
    expect(AUDIT_ACTIONS).toHaveLength(26);
    expect(AUDIT_TARGETS).toEqual(['user', 'payment_order', 'payment_event', 'api_key', 'redeem_batch', 'webhook_endpoint', 'campaign', 'export']);
    for (const messages of [en, zh]) {
      const { actions, targets } = messages.admin.auditLog;
      expect(AUDIT_ACTIONS.filter((a) => typeof (actions as Record<string, string>)[auditActionKey(a)] !== 'string')).toEqual([]);
      expect(AUDIT_TARGETS.filter((ty) => typeof targets[ty] !== 'string')).toEqual([]);
    }
    expect(auditActionKey('order.refund_recorded')).toBe('order_refund_recorded');
  });
});

describe('AdminAuditView', () => {
  it('a linked URL fills the filters and is what is asked for', async () => {
    const api = stubApi(routes());
    const { wrapper } = await mountView('/admin/audit?targetType=user&targetId=42&action=balance.adjust&page=2');

    const q = api.calls(LIST)[0]!.query;
    expect(Object.fromEntries(q)).toEqual({ targetType: 'user', targetId: '42', action: 'balance.adjust', page: '2', pageSize: '20' });
    expect((wrapper.get('[data-testid="audit-filter-target-type"]').element as HTMLSelectElement).value).toBe('user');
    expect((wrapper.get('[data-testid="audit-filter-target-id"]').element as HTMLInputElement).value).toBe('42');
    expect((wrapper.get('[data-testid="audit-filter-action"]').element as HTMLSelectElement).value).toBe('balance.adjust');
  });

  it('without filters only the page is asked for; an unknown action in the URL is not sent', async () => {
    const api = stubApi(routes());
    await mountView('/admin/audit?action=drop.tables&adminId=1%3B');
    expect([...api.calls(LIST)[0]!.query.keys()].sort()).toEqual(['page', 'pageSize']);
  });

  it('search puts the filters in the URL and sends them; "to" includes its whole day', async () => {
    const api = stubApi(routes());
    const { wrapper, router } = await mountView();
    expect(api.calls(LIST)).toHaveLength(1);

    await wrapper.get('[data-testid="audit-filter-action"]').setValue('user.status');
    await wrapper.get('[data-testid="audit-filter-admin"]').setValue('7');
    await wrapper.get('[data-testid="audit-filter-target-type"]').setValue('user');
    await wrapper.get('[data-testid="audit-filter-target-id"]').setValue(' 42 ');
    await wrapper.get('[data-testid="audit-filter-from"]').setValue('2026-11-01');
    await wrapper.get('[data-testid="audit-filter-to"]').setValue('2026-11-02');
    expect(api.calls(LIST)).toHaveLength(1); // nothing is sent before "search"

    await wrapper.get('[data-testid="audit-search"]').trigger('click');
    await flushPromises();

    expect(router.currentRoute.value.name).toBe('admin-audit');
    expect(router.currentRoute.value.query).toEqual({
      action: 'user.status',
      adminId: '7',
      targetType: 'user',
      targetId: '42',
      from: '2026-11-01',
      to: '2026-11-02',
    });
    expect(api.calls(LIST)).toHaveLength(2);
    const q = api.calls(LIST)[1]!.query;
    expect(q.get('action')).toBe('user.status');
    expect(q.get('adminId')).toBe('7');
    expect(q.get('targetType')).toBe('user');
    expect(q.get('targetId')).toBe('42');
    expect(q.get('from')).toBe(new Date(2026, 10, 1).toISOString());
    expect(q.get('to')).toBe(new Date(2026, 10, 3).toISOString());
    expect(q.get('page')).toBe('1');

    // Back: the URL before the search, and the list it names.
    router.back();
    await new Promise((r) => setTimeout(r, 0));
    await flushPromises();
    expect(router.currentRoute.value.fullPath).toBe('/admin/audit');
    expect(api.calls(LIST)).toHaveLength(3);
    expect([...api.calls(LIST)[2]!.query.keys()].sort()).toEqual(['page', 'pageSize']);
    expect((wrapper.get('[data-testid="audit-filter-action"]').element as HTMLSelectElement).value).toBe('');

    // Search again with the same filters: the URL does not change, the list is reloaded all the same.
    await wrapper.get('[data-testid="audit-search"]').trigger('click');
    await flushPromises();
    expect(api.calls(LIST)).toHaveLength(4);
  });

  it('an admin id that is not a number is refused without a request', async () => {
    const api = stubApi(routes());
    const { wrapper, router } = await mountView();
    await wrapper.get('[data-testid="audit-filter-admin"]').setValue('ops');
    await wrapper.get('[data-testid="audit-search"]').element.closest('form')!.requestSubmit();
    await flushPromises();
    expect(api.calls(LIST)).toHaveLength(1);
    expect(router.currentRoute.value.fullPath).toBe('/admin/audit');
    expect(wrapper.text()).toContain('An admin ID is a positive whole number.');
    expect(wrapper.get('[data-testid="audit-search"]').attributes('disabled')).toBeDefined();
  });

  it('lists each entry: action in words, admin, target, remark, time', async () => {
    stubApi(routes());
    const { wrapper } = await mountView();

    const rows = wrapper.findAll('[data-testid="audit-row"]');
    expect(rows.map((r) => r.attributes('data-id'))).toEqual(['311', '310', '309', '308']);
    expect(rows.map((r) => r.get('[data-testid="audit-action"]').text())).toEqual([
      'Balance adjusted',
      'Account enabled or disabled',
      'Orders exported (CSV)',
      'Order refunded',
    ]);
    expect(row(wrapper, '311').get('[data-testid="audit-admin"]').text()).toBe('ops@example.com');
    expect(row(wrapper, '311').get('[data-testid="audit-remark"]').text()).toBe('Goodwill credit, ticket #88');
    expect(row(wrapper, '309').find('[data-testid="audit-remark"]').exists()).toBe(false);
    expect(row(wrapper, '309').text()).toContain('No remark');
    expect(row(wrapper, '311').get('[data-testid="audit-time"]').attributes('datetime')).toBe('2026-11-23T10:15:00.000Z');
    expect(wrapper.get('[data-testid="audit-total"]').text()).toBe('Entries found: 4');

    // A user target links to the users page; an order target is shown as it is.
    const userTarget = row(wrapper, '311').get('[data-testid="audit-target"]');
    expect(userTarget.element.tagName).toBe('A');
    expect(userTarget.attributes('href')).toBe('/admin/users?q=42');
    expect(row(wrapper, '311').text()).toContain('User');
    const orderTarget = row(wrapper, '308').get('[data-testid="audit-target"]');
    expect(orderTarget.text()).toBe('PO20261123010203A1B2C3D4E5F60718');
    expect(row(wrapper, '308').text()).toContain('Order');

    // The admin's email filters the log by that admin.
    expect(row(wrapper, '311').get('[data-testid="audit-admin"]').attributes('href')).toBe('/admin/audit?adminId=7');
  });

  it('every action has words in the select, in both languages', async () => {
    stubApi(routes());
    const { wrapper } = await mountView('/admin/audit', 'zh');
    const options = wrapper.get('[data-testid="audit-filter-action"]').findAll('option');
    expect(options.map((o) => o.attributes('value'))).toEqual(['', ...AUDIT_ACTIONS]);
    for (const o of options) expect(o.text()).not.toMatch(/admin\.auditLog|\w+\.\w+/);
    expect(row(wrapper, '311').get('[data-testid="audit-action"]').text()).toBe('调整余额');
    expect(wrapper.get('[data-testid="audit-total"]').text()).toBe('共 4 条');
  });

  it('opens an entry’s before/after: the changed value old → new, added fields marked', async () => {
    stubApi(routes());
    const { wrapper } = await mountView();
    expect(wrapper.find('[data-testid="audit-diff"]').exists()).toBe(false);

    const toggle = row(wrapper, '311').get('[data-testid="audit-diff-toggle"]');
    expect(toggle.attributes('aria-expanded')).toBe('false');
    await toggle.trigger('click');
    expect(toggle.attributes('aria-expanded')).toBe('true');
    expect(toggle.text()).toBe('Hide changes');

    const diff = row(wrapper, '311').get('[data-testid="audit-diff"]');
    const rows = diff.findAll('[data-testid="audit-diff-row"]');
    expect(rows.map((r) => [r.attributes('data-key'), r.attributes('data-change')])).toEqual([
      ['balance', 'changed'],
      ['rechargeRecordId', 'added'],
      ['amount', 'added'],
    ]);
    expect(rows[0]!.get('[data-testid="audit-diff-before"]').text()).toBe('12.50000000');
    expect(rows[0]!.get('[data-testid="audit-diff-after"]').text()).toBe('17.50000000');
    expect(rows[0]!.classes()).toContain('diff-changed');
    expect(rows[0]!.get('[data-testid="audit-diff-mark"]').text()).toBe('changed');
    expect(rows[2]!.get('[data-testid="audit-diff-before"]').text()).toBe('not set');
    expect(rows[2]!.get('[data-testid="audit-diff-after"]').text()).toBe('5.00000000');
    expect(rows[2]!.get('[data-testid="audit-diff-mark"]').text()).toBe('added');
    // only the opened entry shows its diff
    expect(wrapper.findAll('[data-testid="audit-diff"]')).toHaveLength(1);

    await toggle.trigger('click');
    expect(row(wrapper, '311').find('[data-testid="audit-diff"]').exists()).toBe(false);
  });

  it('an export’s filter is shown flattened; an unchanged field is plain', async () => {
    const SAME = log('300', { before: { status: 'active', note: 'vip' }, after: { status: 'disabled', note: 'vip' } });
    stubApi(routes({}, [EXPORT, SAME]));
    const { wrapper } = await mountView();

    await row(wrapper, '309').get('[data-testid="audit-diff-toggle"]').trigger('click');
    const keys = row(wrapper, '309')
      .findAll('[data-testid="audit-diff-row"]')
      .map((r) => [r.attributes('data-key'), r.attributes('data-change'), r.get('[data-testid="audit-diff-after"]').text()]);
    expect(keys).toEqual([
      ['filter.userId', 'added', '42'],
      ['filter.status', 'added', 'paid'],
      ['filter.attention', 'added', 'true'],
    ]);

    await row(wrapper, '300').get('[data-testid="audit-diff-toggle"]').trigger('click');
    const note = row(wrapper, '300').get('[data-testid="audit-diff-row"][data-key="note"]');
    expect(note.attributes('data-change')).toBe('unchanged');
    expect(note.classes()).not.toContain('diff-changed');
    expect(note.find('[data-testid="audit-diff-mark"]').exists()).toBe(false);
  });

  it('an entry without before or after says nothing was recorded', async () => {
    stubApi(routes({}, [log('1', { before: null, after: null })]));
    const { wrapper } = await mountView();
    await row(wrapper, '1').get('[data-testid="audit-diff-toggle"]').trigger('click');
    expect(row(wrapper, '1').get('[data-testid="audit-diff"]').text()).toBe('No fields were recorded.');
  });

  it('paging goes through the URL and keeps the filters searched', async () => {
    const api = stubApi(routes({}, [ADJUST], 45));
    const { wrapper, router } = await mountView('/admin/audit?action=balance.adjust');
    await wrapper.get('[data-testid="audit-filter-target-id"]').setValue('typed-but-not-searched');

    await wrapper.get('[data-testid="page-next"]').trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.query).toEqual({ action: 'balance.adjust', page: '2' });
    const q = api.calls(LIST).at(-1)!.query;
    expect(q.get('page')).toBe('2');
    expect(q.get('action')).toBe('balance.adjust');
    expect(q.get('targetId')).toBeNull();
    expect(wrapper.text()).toContain('Page 2 of 3');
  });

  it('shows an empty state, and an error with a retry', async () => {
    let fail = true;
    const api = stubApi(
      routes({
        [LIST]: (req: SeenRequest) =>
          fail ? apiError(500, 'INTERNAL', 'boom') : { items: [], total: 0, page: Number(req.query.get('page')), pageSize: 20 },
      }),
    );
    const { wrapper } = await mountView();
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('Something went wrong on our side. Please try again.');
    expect(wrapper.find('[data-testid="audit-empty"]').exists()).toBe(false);
    expect(wrapper.findAll('[data-testid="audit-row"]')).toHaveLength(0);

    fail = false;
    await alert.get('button').trigger('click');
    await flushPromises();
    expect(api.calls(LIST)).toHaveLength(2);
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="audit-empty"]').text()).toBe('No admin actions match these filters.');
  });

  it('shows the server’s reason for a refused filter', async () => {
    stubApi(routes({ [LIST]: apiError(400, 'VALIDATION_FAILED', 'targetId must be shorter than or equal to 100 characters') }));
    const { wrapper } = await mountView('/admin/audit?targetId=x');
    expect(wrapper.get('[role="alert"]').text()).toContain('targetId must be shorter than or equal to 100 characters');
  });
});
