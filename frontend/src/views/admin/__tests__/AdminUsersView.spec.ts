import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminUsersView from '../AdminUsersView.vue';
import { apiError, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import { userFiltersToQuery } from '../../../composables/useAdminUsers';
import type { AdminOrder, AdminOrderDetail, AdminUser, RechargeRecord } from '../../../api/types';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function user(id: string, overrides: Partial<AdminUser> = {}): AdminUser {
  return {
    id,
    email: `user${id}@example.com`,
    username: `user${id}`,
    role: 'user',
    status: 'active',
    balance: '12.34567891',
    createdAt: '2026-11-20T08:00:00.000Z',
    ...overrides,
  };
}

function ledgerRow(id: string, amount: string, balanceAfter: string, overrides: Partial<RechargeRecord> = {}): RechargeRecord & { userId: string } {
  return {
    id,
    amount,
    type: 'admin',
    operator: 'admin@example.com',
    remark: 'Ticket 7',
    relatedId: null,
    balanceBefore: '0.00000000',
    balanceAfter,
    createdAt: '2026-11-23T01:02:03.000Z',
    campaignId: null,
    userId: '42',
    ...overrides,
  };
}

function order(orderNo: string): AdminOrder {
  return {
    orderNo,
    status: 'paid',
    provider: 'sandbox',
    paymentMethod: 'alipay',
    amountCny: '100.00',
    amountUsd: '13.88888889',
    bonusUsd: '4.16666667',
    totalUsd: '18.05555556',
    exchangeRate: '7.2000',
    promotionTier: 0,
    paymentUrl: null,
    payCurrency: 'CNY',
    payAmount: '100.00',
    payAddress: null,
    payRate: null,
    campaigns: [],
    expireAt: '2026-11-23T01:30:00.000Z',
    paidAt: '2026-11-23T01:05:00.000Z',
    createdAt: '2026-11-23T01:00:00.000Z',
    userId: '42',
    username: 'user42',
    userEmail: 'user42@example.com',
    tradeNo: 'T-1',
    clientIp: null,
    callbackAt: null,
    needsAttention: false,
  };
}

const ALICE = user('42');
const ADMIN = user('1', { role: 'admin', email: 'admin@example.com', username: 'admin', balance: '0.00000000' });

const LIST = 'GET /api/admin/users';
const ORDERS = 'GET /api/admin/payment/orders';
const LEDGER = 'GET /api/admin/recharge-records';
const STATUS = 'POST /api/admin/users/42/status';
const ADJUST = 'POST /api/admin/users/42/balance-adjustments';

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/users/me': me('admin'),
    [LIST]: (req: SeenRequest) => ({ items: [ALICE, ADMIN], total: 2, page: Number(req.query.get('page')), pageSize: 20 }),
    [ORDERS]: (req: SeenRequest) => ({ items: [order('PO-42')], total: 1, page: Number(req.query.get('page')), pageSize: 10 }),
    [LEDGER]: (req: SeenRequest) => ({
      items: [ledgerRow('9', '-2.50000000', '12.34567891', { relatedId: 'PO-42', type: 'payment', operator: 'system' })],
      total: 1,
      page: Number(req.query.get('page')),
      pageSize: 10,
    }),
    'GET /api/admin/payment/orders/PO-42': {
      order: order('PO-42'),
      callbackData: null,
      ledger: [],
      events: [],
      refunds: [],
      refundsByApi: true,
    } satisfies AdminOrderDetail,
    ...extra,
  };
}

async function mountView(locale: 'en' | 'zh' = 'en') {
  const { wrapper } = await mountSignedIn(AdminUsersView, '/admin/users', locale);
  await flushPromises();
  return wrapper;
}

async function openUser(wrapper: VueWrapper, id: string) {
  await wrapper.get(`[data-testid="admin-user-row"][data-user-id="${id}"]`).trigger('click');
  await flushPromises();
}

const rowOf = (wrapper: VueWrapper, id: string) => wrapper.get(`[data-testid="admin-user-row"][data-user-id="${id}"]`);

beforeEach(() => localStorage.clear());

describe('userFiltersToQuery', () => {
  it('leaves out blank fields and trims the search text', () => {
    expect(userFiltersToQuery({ q: '   ', status: '', role: '' })).toEqual({ q: undefined, status: undefined, role: undefined });
    expect(userFiltersToQuery({ q: ' 42 ', status: 'disabled', role: 'admin' })).toEqual({ q: '42', status: 'disabled', role: 'admin' });
  });
});

describe('AdminUsersView', () => {
  it('lists users with every digit of the balance, and sends search, status and role only on search', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();

    const rows = wrapper.findAll('[data-testid="admin-user-row"]');
    expect(rows.map((r) => r.attributes('data-user-id'))).toEqual(['42', '1']);
    expect(rowOf(wrapper, '42').text()).toContain('user42@example.com');
    expect(rowOf(wrapper, '42').get('[data-testid="admin-user-row-balance"]').text()).toBe('12.34567891');
    expect(rowOf(wrapper, '42').get('[data-testid="admin-user-row-status"]').text()).toBe('Active');
    expect(rowOf(wrapper, '1').text()).toContain('Admin');
    expect(wrapper.get('[data-testid="admin-users-total"]').text()).toBe('Users found: 2');
    expect([...api.calls(LIST)[0]!.query.keys()].sort()).toEqual(['page', 'pageSize']);

    await wrapper.get('[data-testid="admin-users-filter-q"]').setValue('  42 ');
    await wrapper.get('[data-testid="admin-users-filter-status"]').setValue('disabled');
    await wrapper.get('[data-testid="admin-users-filter-role"]').setValue('user');
    expect(api.calls(LIST)).toHaveLength(1); // nothing is sent before "search"
    await wrapper.get('[data-testid="admin-users-search"]').trigger('click');
    await flushPromises();
    const q = api.calls(LIST)[1]!.query;
    expect(q.get('q')).toBe('42');
    expect(q.get('status')).toBe('disabled');
    expect(q.get('role')).toBe('user');
    expect(q.get('page')).toBe('1');
    expect(q.get('pageSize')).toBe('20');

    await wrapper.get('[data-testid="admin-users-reset"]').trigger('click');
    await flushPromises();
    expect([...api.calls(LIST)[2]!.query.keys()].sort()).toEqual(['page', 'pageSize']);
    expect((wrapper.get('[data-testid="admin-users-filter-q"]').element as HTMLInputElement).value).toBe('');
  });

  it('shows the server’s error when the list fails, and an empty list as such', async () => {
    stubApi(routes({ [LIST]: apiError(503, 'DATABASE_UNAVAILABLE', 'database unavailable') }));
    const wrapper = await mountView();
    expect(wrapper.get('[role="alert"]').text()).toContain('database unavailable');

    stubApi(routes({ [LIST]: { items: [], total: 0, page: 1, pageSize: 20 } }));
    const empty = await mountView();
    expect(empty.get('[data-testid="admin-users-empty"]').text()).toBe('No users match these filters.');
  });

  it('opening a user shows their details, their orders and their ledger, asked for by user id', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();
    expect(wrapper.find('[data-testid="admin-user-detail"]').exists()).toBe(false);

    await openUser(wrapper, '42');
    const panel = wrapper.get('[data-testid="admin-user-detail"]');
    expect(panel.get('[data-testid="admin-user-email"]').text()).toBe('user42@example.com');
    expect(panel.get('[data-testid="admin-user-balance"]').text()).toBe('12.34567891');
    expect(panel.get('[data-testid="admin-user-status"]').text()).toBe('Active');
    expect(panel.find('[data-testid="adjust-user"]').exists()).toBe(false); // the user is fixed

    const orders = api.calls(ORDERS);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.query.get('userId')).toBe('42');
    expect(orders[0]!.query.get('page')).toBe('1');
    const orderRow = panel.get('[data-testid="admin-user-order-row"]');
    expect(orderRow.attributes('data-order-no')).toBe('PO-42');
    expect(orderRow.text()).toContain('¥100.00');
    expect(orderRow.text()).toContain('18.05555556 USD');

    expect(api.calls(LEDGER)[0]!.query.get('userId')).toBe('42');
    const amount = panel.get('[data-testid="admin-user-ledger-amount"]');
    expect(amount.text()).toBe('-2.50');
    expect(amount.classes()).toContain('amount-debit');
    expect(panel.get('[data-testid="admin-user-ledger-row"]').text()).toContain('Ref. PO-42');

    // An order opens the order panel over this one; closing it leaves the user open.
    await orderRow.trigger('click');
    await flushPromises();
    expect(api.calls('GET /api/admin/payment/orders/PO-42')).toHaveLength(1);
    expect(wrapper.get('[data-testid="admin-order-detail"]').attributes('data-order-no')).toBe('PO-42');
    await wrapper.get('[data-testid="admin-order-close"]').trigger('click');
    expect(wrapper.find('[data-testid="admin-order-detail"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="admin-user-detail"]').exists()).toBe(true);

    await wrapper.get('[data-testid="admin-user-close"]').trigger('click');
    expect(wrapper.find('[data-testid="admin-user-detail"]').exists()).toBe(false);
  });

  it('disabling asks first and needs a remark; then the row and the panel show the new status', async () => {
    const api = stubApi(routes({ [STATUS]: (req: SeenRequest) => ({ ...ALICE, status: (req.body as { status: string }).status }) }));
    const wrapper = await mountView();
    await openUser(wrapper, '42');

    await wrapper.get('[data-testid="admin-user-disable"]').trigger('click');
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.text()).toContain('Disable user42@example.com?');
    expect(api.calls(STATUS)).toHaveLength(0); // the button only asks

    // Cancel: nothing sent.
    await wrapper.get('[data-testid="confirm-cancel"]').trigger('click');
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(api.calls(STATUS)).toHaveLength(0);

    // No remark: refused before any request.
    await wrapper.get('[data-testid="admin-user-disable"]').trigger('click');
    await wrapper.get('[data-testid="admin-user-status-remark"]').setValue('   ');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('Enter a remark.');
    expect(wrapper.get('[data-testid="admin-user-status-remark"]').attributes('aria-invalid')).toBe('true');
    expect(api.calls(STATUS)).toHaveLength(0);

    await wrapper.get('[data-testid="admin-user-status-remark"]').setValue('  Chargeback fraud, ticket #88 ');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();

    expect(api.calls(STATUS)).toHaveLength(1);
    expect(api.calls(STATUS)[0]!.body).toEqual({ status: 'disabled', remark: 'Chargeback fraud, ticket #88' });
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    const panel = wrapper.get('[data-testid="admin-user-detail"]');
    expect(panel.attributes('data-status')).toBe('disabled');
    expect(panel.get('[data-testid="admin-user-status"]').text()).toBe('Disabled');
    expect(panel.get('[data-testid="admin-user-status-done"]').text()).toBe('The account is disabled.');
    expect(rowOf(wrapper, '42').attributes('data-status')).toBe('disabled');
    expect(rowOf(wrapper, '42').get('[data-testid="admin-user-row-status"]').text()).toBe('Disabled');

    // Enabling again sends status active.
    expect(panel.find('[data-testid="admin-user-disable"]').exists()).toBe(false);
    await panel.get('[data-testid="admin-user-enable"]').trigger('click');
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('Enable user42@example.com?');
    await wrapper.get('[data-testid="admin-user-status-remark"]').setValue('Cleared');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(api.calls(STATUS)[1]!.body).toEqual({ status: 'active', remark: 'Cleared' });
    expect(rowOf(wrapper, '42').attributes('data-status')).toBe('active');
    expect(wrapper.get('[data-testid="admin-user-status-done"]').text()).toBe('The account is enabled.');
  });

  it('a refused status change keeps the question open with the server’s message and changes nothing', async () => {
    stubApi(
      routes({
        'POST /api/admin/users/1/status': apiError(409, 'ADMIN_CANNOT_DISABLE_SELF', 'you cannot disable your own account'),
      }),
    );
    const wrapper = await mountView();
    await openUser(wrapper, '1');
    await wrapper.get('[data-testid="admin-user-disable"]').trigger('click');
    await wrapper.get('[data-testid="admin-user-status-remark"]').setValue('test');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('you cannot disable your own account');
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(true);
    expect(rowOf(wrapper, '1').attributes('data-status')).toBe('active');
    expect(wrapper.get('[data-testid="admin-user-detail"]').attributes('data-status')).toBe('active');
  });

  it('closing an account shows the balance left, needs a remark, then shows the account closed with no more actions', async () => {
    const CLOSE = 'POST /api/admin/users/42/close';
    let closedYet = false;
    const tombstone = user('42', { email: 'closed:42', username: 'closed:42', status: 'closed' });
    const api = stubApi(
      routes({
        [LIST]: (req: SeenRequest) => ({ items: [closedYet ? tombstone : ALICE, ADMIN], total: 2, page: Number(req.query.get('page')), pageSize: 20 }),
        [CLOSE]: () => {
          closedYet = true;
          return { id: '42', status: 'closed', closedAt: '2026-12-07T03:00:00.000Z', balanceUsd: '12.34567891', releasedHoldsUsd: '0.00000000', cancelledOrders: [] };
        },
      }),
    );
    const wrapper = await mountView();
    await openUser(wrapper, '42');
    await wrapper.get('[data-testid="admin-user-close-account"]').trigger('click');
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.text()).toContain('Close user42@example.com for good?');
    expect(dialog.get('[data-testid="admin-user-close-balance"]').text()).toContain('12.34567891');
    expect(api.calls(CLOSE)).toHaveLength(0);

    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('Enter a remark.');
    expect(api.calls(CLOSE)).toHaveLength(0);

    await wrapper.get('[data-testid="admin-user-close-remark"]').setValue(' Asked by email, ticket 7 ');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(api.calls(CLOSE)[0]!.body).toEqual({ remark: 'Asked by email, ticket 7' });
    const panel = wrapper.get('[data-testid="admin-user-detail"]');
    expect(panel.attributes('data-status')).toBe('closed');
    expect(panel.get('[data-testid="admin-user-status"]').text()).toBe('Closed');
    expect(panel.get('[data-testid="admin-user-closed-done"]').text()).toBe('The account is closed. Balance left: 12.34567891 USD.');
    expect(panel.find('[data-testid="admin-user-disable"]').exists()).toBe(false);
    expect(panel.find('[data-testid="admin-user-enable"]').exists()).toBe(false);
    expect(panel.find('[data-testid="admin-user-close-account"]').exists()).toBe(false);
    // The list was asked again and shows the tombstone.
    expect(rowOf(wrapper, '42').get('[data-testid="admin-user-row-email"]').text()).toBe('closed:42');
    expect(panel.get('[data-testid="admin-user-email"]').text()).toBe('closed:42');
  });

  it('an admin’s account offers no close action', async () => {
    stubApi(routes());
    const wrapper = await mountView();
    await openUser(wrapper, '1');
    expect(wrapper.find('[data-testid="admin-user-close-account"]').exists()).toBe(false);
  });

  it('an adjustment is sent with an Idempotency-Key for the open user, and the balance and the ledger follow', async () => {
    let ledgerCalls = 0;
    const api = stubApi(
      routes({
        [ADJUST]: ledgerRow('10', '5.12345678', '17.46913569'),
        [LEDGER]: (req: SeenRequest) => {
          ledgerCalls++;
          const rows = [ledgerRow('9', '-2.50000000', '12.34567891')];
          if (ledgerCalls > 1) rows.unshift(ledgerRow('10', '5.12345678', '17.46913569'));
          return { items: rows, total: rows.length, page: Number(req.query.get('page')), pageSize: 10 };
        },
      }),
    );
    const wrapper = await mountView();
    await openUser(wrapper, '42');

    await wrapper.get('[data-testid="adjust-amount"]').setValue('+5.12345678');
    await wrapper.get('[data-testid="adjust-remark"]').setValue(' Goodwill, ticket 9 ');
    await wrapper.get('[data-testid="adjust-submit"]').trigger('click');
    await flushPromises();

    const posts = api.calls(ADJUST);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ amount: '5.12345678', remark: 'Goodwill, ticket 9' });
    expect(posts[0]!.headers.get('Idempotency-Key')).toMatch(UUID_V4);
    expect(wrapper.get('[data-testid="adjust-result"]').text()).toContain('+5.12345678 USD for user 42');

    expect(wrapper.get('[data-testid="admin-user-balance"]').text()).toBe('17.46913569');
    expect(rowOf(wrapper, '42').get('[data-testid="admin-user-row-balance"]').text()).toBe('17.46913569');
    expect(api.calls(LEDGER)).toHaveLength(2);
    expect(api.calls(LEDGER)[1]!.query.get('page')).toBe('1');
    const amounts = wrapper.findAll('[data-testid="admin-user-ledger-amount"]');
    expect(amounts.map((a) => a.text())).toEqual(['+5.12345678', '-2.50']);
    expect(amounts[0]!.classes()).toContain('amount-credit');
  });

  it('an adjustment needs a remark and shows the server’s refusal without touching the balance', async () => {
    const api = stubApi(routes({ [ADJUST]: apiError(409, 'LEDGER_INSUFFICIENT_BALANCE', 'balance too low') }));
    const wrapper = await mountView();
    await openUser(wrapper, '42');

    await wrapper.get('[data-testid="adjust-amount"]').setValue('-500');
    await wrapper.get('[data-testid="adjust-submit"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="adjust-error"]').text()).toBe('Enter a remark.');
    expect(api.calls(ADJUST)).toHaveLength(0);

    await wrapper.get('[data-testid="adjust-remark"]').setValue('Take back');
    await wrapper.get('[data-testid="adjust-submit"]').trigger('click');
    await flushPromises();
    expect(api.calls(ADJUST)).toHaveLength(1);
    expect(wrapper.get('[data-testid="adjust-error"]').text()).toBe('The balance is too low for this debit.');
    expect(wrapper.get('[data-testid="admin-user-balance"]').text()).toBe('12.34567891');
  });

  it('in Chinese: headings, statuses and the dialog', async () => {
    stubApi(routes());
    const wrapper = await mountView('zh');
    expect(wrapper.text()).toContain('用户');
    expect(rowOf(wrapper, '42').get('[data-testid="admin-user-row-status"]').text()).toBe('正常');
    await openUser(wrapper, '42');
    await wrapper.get('[data-testid="admin-user-disable"]').trigger('click');
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('停用 user42@example.com？');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('请填写备注。');
  });
});
