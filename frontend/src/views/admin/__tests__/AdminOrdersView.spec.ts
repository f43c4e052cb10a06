import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminOrdersView from '../AdminOrdersView.vue';
import { apiError, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import type { AdminOrder, AdminOrderDetail, OrderStatus, RechargeRecord } from '../../../api/types';

function order(orderNo: string, status: OrderStatus, overrides: Partial<AdminOrder> = {}): AdminOrder {
  return {
    orderNo,
    status,
    provider: 'zpay',
    paymentMethod: 'alipay',
    amountCny: '100.00',
    amountUsd: '13.88888889',
    bonusUsd: status === 'paid' ? '4.16666667' : '0.00000000',
    totalUsd: status === 'paid' ? '18.05555556' : '13.88888889',
    exchangeRate: '7.2000',
    promotionTier: 1,
    paymentUrl: null,
    expireAt: '2026-11-23T01:30:00.000Z',
    paidAt: status === 'paid' ? '2026-11-23T01:05:00.000Z' : null,
    createdAt: '2026-11-23T01:00:00.000Z',
    userId: '42',
    username: 'alice',
    userEmail: 'alice@example.com',
    tradeNo: status === 'paid' ? '2026112322001' : null,
    clientIp: '203.0.113.9',
    callbackAt: status === 'paid' ? '2026-11-23T01:05:00.000Z' : null,
    ...overrides,
  };
}

function ledgerRow(id: string, amount: string, type: RechargeRecord['type'], balanceAfter: string): RechargeRecord {
  return {
    id,
    amount,
    type,
    operator: 'system',
    remark: null,
    relatedId: 'PO-PAID',
    balanceBefore: '0.00000000',
    balanceAfter,
    createdAt: '2026-11-23T01:05:00.000Z',
  };
}

const PENDING = order('PO-PENDING', 'pending');
const PAID = order('PO-PAID', 'paid');

const paidDetail: AdminOrderDetail = {
  order: PAID,
  callbackData: '{"trade_status":"TRADE_SUCCESS","trade_no":"2026112322001","money":"100.00"}',
  ledger: [ledgerRow('7', '13.88888889', 'payment', '13.88888889'), ledgerRow('8', '4.16666667', 'promotion', '18.05555556')],
  events: [{ eventId: 'zpay:2026112322001', outcome: 'credited', createdAt: '2026-11-23T01:05:00.000Z' }],
};
const pendingDetail: AdminOrderDetail = { order: PENDING, callbackData: null, ledger: [], events: [] };

const LIST = 'GET /api/admin/payment/orders';

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/users/me': me('admin'),
    [LIST]: (req: SeenRequest) => ({ items: [PENDING, PAID], total: 2, page: Number(req.query.get('page')), pageSize: 20 }),
    'GET /api/admin/payment/orders/PO-PENDING': pendingDetail,
    'GET /api/admin/payment/orders/PO-PAID': paidDetail,
    ...extra,
  };
}

async function mountView() {
  const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders');
  await flushPromises();
  return wrapper;
}

async function openRow(wrapper: VueWrapper, orderNo: string) {
  await wrapper.get(`[data-testid="admin-order-row"][data-order-no="${orderNo}"]`).trigger('click');
  await flushPromises();
}

async function submitAction(wrapper: VueWrapper) {
  await wrapper.get('[data-testid="admin-action-submit"]').trigger('click');
  await flushPromises();
}

beforeEach(() => localStorage.clear());

describe('AdminOrdersView', () => {
  it('lists orders, one row each, and sends the filters as query parameters on search', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();

    const rows = wrapper.findAll('[data-testid="admin-order-row"]');
    expect(rows.map((r) => r.attributes('data-order-no'))).toEqual(['PO-PENDING', 'PO-PAID']);
    expect(rows[1]!.text()).toContain('alice@example.com');
    expect(rows[1]!.text()).toContain('¥100.00');
    const first = api.calls(LIST)[0]!;
    expect([...first.query.keys()].sort()).toEqual(['page', 'pageSize']);

    await wrapper.get('[data-testid="admin-orders-filter-q"]').setValue('  PO2026 ');
    await wrapper.get('[data-testid="admin-orders-filter-status"]').setValue('paid');
    await wrapper.get('[data-testid="admin-orders-filter-provider"]').setValue('stripe');
    await wrapper.get('[data-testid="admin-orders-filter-email"]').setValue('alice@example.com');
    await wrapper.get('[data-testid="admin-orders-filter-from"]').setValue('2026-11-01');
    await wrapper.get('[data-testid="admin-orders-filter-to"]').setValue('2026-11-02');
    expect(api.calls(LIST)).toHaveLength(1); // nothing is sent before "search"

    await wrapper.get('[data-testid="admin-orders-search"]').trigger('click');
    await flushPromises();

    expect(api.calls(LIST)).toHaveLength(2);
    const q = api.calls(LIST)[1]!.query;
    expect(q.get('q')).toBe('PO2026');
    expect(q.get('status')).toBe('paid');
    expect(q.get('provider')).toBe('stripe');
    expect(q.get('email')).toBe('alice@example.com');
    // local days: from the start of the 1st to the start of the 3rd (the 2nd included)
    expect(q.get('createdFrom')).toBe(new Date(2026, 10, 1).toISOString());
    expect(q.get('createdTo')).toBe(new Date(2026, 10, 3).toISOString());
    expect(q.get('page')).toBe('1');
    expect(q.get('pageSize')).toBe('20');

    await wrapper.get('[data-testid="admin-orders-filter-status"]').setValue('');
    await wrapper.get('[data-testid="admin-orders-filter-q"]').setValue('');
    await wrapper.get('[data-testid="admin-orders-search"]').trigger('click');
    await flushPromises();
    const last = api.calls(LIST).at(-1)!.query;
    expect(last.get('status')).toBeNull();
    expect(last.get('q')).toBeNull();
    expect(last.get('provider')).toBe('stripe');
  });

  it('opening a row loads its detail: fields, raw callback, coloured ledger rows, events and the allowed action', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();
    expect(wrapper.find('[data-testid="admin-order-detail"]').exists()).toBe(false);

    await openRow(wrapper, 'PO-PAID');

    expect(api.calls('GET /api/admin/payment/orders/PO-PAID')).toHaveLength(1);
    const panel = wrapper.get('[data-testid="admin-order-detail"]');
    expect(panel.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe('paid');
    expect(panel.text()).toContain('2026112322001');
    expect(panel.text()).toContain('18.05555556');
    const callback = panel.get('[data-testid="admin-callback"]');
    expect(callback.element.tagName).toBe('PRE');
    expect(callback.text()).toContain('"trade_status": "TRADE_SUCCESS"');
    const ledger = panel.findAll('[data-testid="admin-ledger-row"]');
    expect(ledger).toHaveLength(2);
    expect(ledger[0]!.get('[data-testid="admin-ledger-amount"]').text()).toBe('+13.88888889');
    expect(ledger[0]!.get('[data-testid="admin-ledger-amount"]').classes()).toContain('amount-credit');
    expect(panel.findAll('[data-testid="admin-event-row"]')).toHaveLength(1);
    expect(panel.find('[data-testid="admin-refund"]').exists()).toBe(true);
    expect(panel.find('[data-testid="admin-confirm"]').exists()).toBe(false);

    await openRow(wrapper, 'PO-PENDING');
    const pending = wrapper.get('[data-testid="admin-order-detail"]');
    expect(pending.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe('pending');
    expect(pending.find('[data-testid="admin-confirm"]').exists()).toBe(true);
    expect(pending.find('[data-testid="admin-refund"]').exists()).toBe(false);
    expect(pending.get('[data-testid="admin-callback"]').text()).toBe('No callback received.');

    await pending.get('[data-testid="admin-order-close"]').trigger('click');
    expect(wrapper.find('[data-testid="admin-order-detail"]').exists()).toBe(false);
  });

  it('confirm refuses an empty remark without a request, then posts the remark and refreshes detail and list', async () => {
    const confirmed: AdminOrderDetail = {
      ...paidDetail,
      order: { ...PAID, orderNo: 'PO-PENDING' },
    };
    const api = stubApi(routes({ 'POST /api/admin/payment/orders/PO-PENDING/confirm': confirmed }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PENDING');

    await wrapper.get('[data-testid="admin-confirm"]').trigger('click');
    await wrapper.get('[data-testid="admin-action-remark"]').setValue('   ');
    await submitAction(wrapper);
    expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe('Enter a remark.');
    expect(api.calls('POST /api/admin/payment/orders/PO-PENDING/confirm')).toHaveLength(0);

    const listCalls = api.calls(LIST).length;
    await wrapper.get('[data-testid="admin-action-remark"]').setValue('  Paid per bank statement 2026-11-23 ');
    await submitAction(wrapper);

    const posts = api.calls('POST /api/admin/payment/orders/PO-PENDING/confirm');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ remark: 'Paid per bank statement 2026-11-23' });
    expect(wrapper.find('[data-testid="admin-action-submit"]').exists()).toBe(false); // dialog closed
    expect(wrapper.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe('paid');
    expect(wrapper.findAll('[data-testid="admin-ledger-row"]')).toHaveLength(2);
    expect(api.calls(LIST).length).toBe(listCalls + 1);
  });

  it('a refund the balance no longer covers offers "refund anyway", which resends with force: true', async () => {
    const refundBodies: unknown[] = [];
    let detailCalls = 0;
    const api = stubApi(
      routes({
        'GET /api/admin/payment/orders/PO-PAID': () => {
          detailCalls++;
          return detailCalls === 1 ? paidDetail : { ...paidDetail, order: { ...PAID, status: 'refunded' } };
        },
        'POST /api/admin/payment/orders/PO-PAID/refund': (req: SeenRequest) => {
          refundBodies.push(req.body);
          if (!(req.body as { force?: boolean }).force) {
            return apiError(409, 'ADMIN_REFUND_BALANCE_TOO_LOW', 'refunding PO-PAID takes back 18.05555556 USD but the balance is 3.00000000');
          }
          return { order: { ...PAID, status: 'refunded' }, debitedUsd: '3.00000000', shortfallUsd: '15.05555556' };
        },
      }),
    );
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');

    await wrapper.get('[data-testid="admin-refund"]').trigger('click');
    expect(wrapper.find('[data-testid="admin-action-force"]').exists()).toBe(false);
    await submitAction(wrapper);
    expect(refundBodies).toHaveLength(0); // remark required
    expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe('Enter a remark.');

    await wrapper.get('[data-testid="admin-action-remark"]').setValue('Customer request #88');
    await submitAction(wrapper);
    expect(refundBodies).toEqual([{ remark: 'Customer request #88' }]);
    expect(wrapper.get('[data-testid="admin-action-error"]').text()).toContain('refund anyway');
    const force = wrapper.get('[data-testid="admin-action-force"]');
    expect((force.element as HTMLInputElement).checked).toBe(false);

    await force.setValue(true);
    await submitAction(wrapper);
    expect(refundBodies).toEqual([{ remark: 'Customer request #88' }, { remark: 'Customer request #88', force: true }]);
    expect(wrapper.find('[data-testid="admin-action-submit"]').exists()).toBe(false);
    expect(detailCalls).toBe(2); // the detail was loaded again
    expect(wrapper.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe('refunded');
    expect(wrapper.get('[data-testid="admin-action-done"]').text()).toContain('3.00 USD taken back');
    expect(wrapper.get('[data-testid="admin-action-done"]').text()).toContain('15.05555556 USD already spent');
    expect(api.calls(LIST)).toHaveLength(2);
  });

  it('shows a gateway failure and keeps the dialog open', async () => {
    stubApi(
      routes({
        'POST /api/admin/payment/orders/PO-PAID/refund': apiError(502, 'ADMIN_REFUND_GATEWAY_FAILED', 'stripe said no'),
      }),
    );
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    await wrapper.get('[data-testid="admin-refund"]').trigger('click');
    await wrapper.get('[data-testid="admin-action-remark"]').setValue('x');
    await submitAction(wrapper);
    expect(wrapper.get('[data-testid="admin-action-error"]').text()).toContain('did not refund');
    expect(wrapper.find('[data-testid="admin-action-force"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="admin-action-submit"]').exists()).toBe(true);
  });
});
