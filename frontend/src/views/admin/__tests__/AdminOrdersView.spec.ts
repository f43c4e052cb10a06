import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminOrdersView from '../AdminOrdersView.vue';
import { PROVIDERS, apiError, json, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import { ORDER_STATUSES } from '../../../api/types';
import type { AdminProvider, AdminOrder, AdminOrderDetail, OrderStatus, RechargeRecord, Refund, RefundResult, WebhookEvent } from '../../../api/types';

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
    payCurrency: 'CNY',
    payAmount: '100.00',
    payAddress: null,
    payRate: null,
    campaigns: [],
    expireAt: '2026-11-23T01:30:00.000Z',
    paidAt: status === 'paid' ? '2026-11-23T01:05:00.000Z' : null,
    createdAt: '2026-11-23T01:00:00.000Z',
    userId: '42',
    username: 'alice',
    userEmail: 'alice@example.com',
    tradeNo: status === 'paid' ? '2026112322001' : null,
    clientIp: '203.0.113.9',
    callbackAt: status === 'paid' ? '2026-11-23T01:05:00.000Z' : null,
    needsAttention: false,
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
    campaignId: null,
  };
}

const PENDING = order('PO-PENDING', 'pending');
const PAID = order('PO-PAID', 'paid');

const paidDetail: AdminOrderDetail = {
  order: PAID,
  callbackData: '{"trade_status":"TRADE_SUCCESS","trade_no":"2026112322001","money":"100.00"}',
  ledger: [ledgerRow('7', '13.88888889', 'payment', '13.88888889'), ledgerRow('8', '4.16666667', 'promotion', '18.05555556')],
  events: [
    { eventId: 'zpay:2026112322001', outcome: 'credited', payload: null, createdAt: '2026-11-23T01:05:00.000Z', resolvedAt: null, resolvedBy: null },
  ],
  refunds: [],
  refundsByApi: true,
};
const pendingDetail: AdminOrderDetail = { order: PENDING, callbackData: null, ledger: [], events: [], refunds: [], refundsByApi: true };

function refund(overrides: Partial<Refund> = {}): Refund {
  return {
    id: '7',
    method: 'gateway',
    status: 'succeeded',
    amountCny: '100.00',
    debitedUsd: '18.05555556',
    shortfallUsd: '0.00000000',
    rewardReversed: false,
    rewardTakenUsd: '0.00000000',
    operator: 'admin@example.com',
    remark: 'Customer request #88',
    attempts: 1,
    gatewayReason: null,
    gatewayRefundId: null,
    gatewayStatus: null,
    createdAt: '2026-11-24T02:00:00.000Z',
    completedAt: '2026-11-24T02:00:05.000Z',
    ...overrides,
  };
}

function refundResult(status: OrderStatus, overrides: Partial<RefundResult> = {}): RefundResult {
  return {
    order: { ...PAID, status },
    debitedUsd: '18.05555556',
    shortfallUsd: '0.00000000',
    refund: refund({ status: status === 'refunding' ? 'pending' : 'succeeded', completedAt: status === 'refunding' ? null : '2026-11-24T02:00:05.000Z' }),
    ...overrides,
  };
}

const LIST = 'GET /api/admin/payment/orders';

const adminProvider = (p: (typeof PROVIDERS)[keyof typeof PROVIDERS], overrides: Partial<AdminProvider> = {}): AdminProvider => ({
  ...p,
  enabled: true,
  configured: true,
  refundsByApi: true,
  ...overrides,
});
/** Every registered gateway: one switched off (its old orders still exist). */
const ADMIN_PROVIDERS: AdminProvider[] = [
  adminProvider(PROVIDERS.qrCapable),
  { name: 'stripe', labels: { zh: '银行卡', en: 'Card' }, methods: ['card'], display: 'redirect', offersQrCode: false, enabled: false, configured: true, refundsByApi: true },
  adminProvider(PROVIDERS.address, { refundsByApi: false }),
];

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/users/me': me('admin'),
    'GET /api/admin/payment/providers': ADMIN_PROVIDERS,
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
          return refundResult('refunded', { debitedUsd: '3.00000000', shortfallUsd: '15.05555556' });
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

  it('a gateway refusal says the order is paid again, quotes the gateway, keeps the dialog open and reloads the refund history', async () => {
    let detailCalls = 0;
    const reversed = refund({ status: 'reversed', gatewayReason: 'charge_already_refunded', completedAt: '2026-11-24T02:00:03.000Z' });
    stubApi(
      routes({
        'GET /api/admin/payment/orders/PO-PAID': () => (++detailCalls === 1 ? paidDetail : { ...paidDetail, refunds: [reversed] }),
        'POST /api/admin/payment/orders/PO-PAID/refund': apiError(502, 'ADMIN_REFUND_GATEWAY_FAILED', 'stripe refused: charge_already_refunded'),
      }),
    );
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    expect(wrapper.findAll('[data-testid="admin-refund-row"]')).toHaveLength(0);
    await wrapper.get('[data-testid="admin-refund"]').trigger('click');
    await wrapper.get('[data-testid="admin-action-remark"]').setValue('x');
    await submitAction(wrapper);
    const error = wrapper.get('[data-testid="admin-action-error"]').text();
    expect(error).toContain('The gateway refused the refund; the order is paid again and the balance was restored.');
    expect(error).toContain('Gateway: stripe refused: charge_already_refunded');
    expect(wrapper.find('[data-testid="admin-action-force"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="admin-action-submit"]').exists()).toBe(true);
    expect(detailCalls).toBe(2);
    const rows = wrapper.findAll('[data-testid="admin-refund-row"]');
    expect(rows.map((r) => r.attributes('data-status'))).toEqual(['reversed']);
    expect(rows[0]!.get('[data-testid="admin-refund-reason"]').text()).toBe('Gateway: charge_already_refunded');
  });

  it('"needs attention" is sent as attention=true only while ticked, and flagged orders carry a badge', async () => {
    const DUP = order('PO-DUP', 'paid', { needsAttention: true });
    const api = stubApi(
      routes({ [LIST]: (req: SeenRequest) => ({ items: [PENDING, DUP], total: 2, page: Number(req.query.get('page')), pageSize: 20 }) }),
    );
    const wrapper = await mountView();

    const badgeOf = (no: string) => wrapper.get(`[data-testid="admin-order-row"][data-order-no="${no}"]`).find('[data-testid="admin-attention-badge"]');
    expect(badgeOf('PO-DUP').exists()).toBe(true);
    expect(badgeOf('PO-DUP').text()).toBe('Needs attention');
    expect(badgeOf('PO-PENDING').exists()).toBe(false);
    expect(api.calls(LIST)[0]!.query.has('attention')).toBe(false);

    const box = wrapper.get('[data-testid="admin-orders-filter-attention"]');
    expect((box.element as HTMLInputElement).checked).toBe(false);
    await box.setValue(true);
    await wrapper.get('[data-testid="admin-orders-search"]').trigger('click');
    await flushPromises();
    expect(api.calls(LIST)).toHaveLength(2);
    expect(api.calls(LIST)[1]!.query.get('attention')).toBe('true');

    await box.setValue(false);
    await wrapper.get('[data-testid="admin-orders-search"]').trigger('click');
    await flushPromises();
    expect(api.calls(LIST)[2]!.query.has('attention')).toBe(false); // unticked: every order, not "attention=false"
  });

  it('the detail lists refunds with their state, method, amounts, reward, operator and gateway reason, and shows a second payment’s callback', async () => {
    const rawDuplicate = '{"trade_status":"TRADE_SUCCESS","trade_no":"2026112322999","money":"100.00"}';
    const detail: AdminOrderDetail = {
      ...paidDetail,
      order: { ...PAID, status: 'refunding', needsAttention: true },
      events: [
        ...paidDetail.events,
        {
          eventId: 'zpay:2026112322999',
          outcome: 'duplicate_payment',
          payload: rawDuplicate,
          createdAt: '2026-11-23T02:00:00.000Z',
          resolvedAt: null,
          resolvedBy: null,
        },
        {
          eventId: 'zpay:2026112322777',
          outcome: 'duplicate_payment',
          payload: '{"trade_no":"2026112322777"}',
          createdAt: '2026-11-23T01:30:00.000Z',
          resolvedAt: '2026-11-23T03:00:00.000Z',
          resolvedBy: 'ops@example.com',
        },
      ],
      refunds: [
        refund({ id: '7', status: 'reversed', attempts: 1, gatewayReason: 'insufficient merchant funds' }),
        refund({
          id: '8',
          status: 'pending',
          debitedUsd: '10.00000000',
          shortfallUsd: '8.05555556',
          rewardReversed: true,
          rewardTakenUsd: '5.00000000',
          attempts: 3,
          remark: 'Second try',
          completedAt: null,
        }),
      ],
    };
    stubApi(routes({ 'GET /api/admin/payment/orders/PO-PAID': detail }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    const panel = wrapper.get('[data-testid="admin-order-detail"]');

    expect(panel.get('[data-testid="admin-order-status"]').text()).toBe('Refund in progress');
    expect(panel.get('[data-testid="admin-attention-badge"]').text()).toBe('Needs attention');
    const note = panel.get('[data-testid="admin-attention-note"]').text();
    expect(note).toContain('A second payment arrived for this order and was not credited');
    expect(note).toContain('more than 10 minutes');
    expect(panel.get('[data-testid="admin-refunding-note"]').text()).toContain('retried automatically');
    expect(panel.find('[data-testid="admin-refund"]').exists()).toBe(false); // refunding: neither action
    expect(panel.find('[data-testid="admin-confirm"]').exists()).toBe(false);

    const rows = panel.findAll('[data-testid="admin-refund-row"]');
    expect(rows.map((r) => [r.attributes('data-refund-id'), r.attributes('data-status'), r.attributes('data-method')])).toEqual([
      ['7', 'reversed', 'gateway'],
      ['8', 'pending', 'gateway'],
    ]);
    expect(rows[0]!.get('[data-testid="admin-refund-status"]').text()).toBe('Reversed');
    expect(rows[0]!.get('[data-testid="admin-refund-method"]').text()).toBe('Through the gateway');
    expect(rows[0]!.get('[data-testid="admin-refund-reason"]').text()).toBe('Gateway: insufficient merchant funds');
    expect(rows[0]!.get('[data-testid="admin-refund-reward"]').text()).toBe('Not reversed');
    const second = rows[1]!;
    expect(second.get('[data-testid="admin-refund-status"]').text()).toBe('Waiting for the gateway');
    expect(second.get('[data-testid="admin-refund-debited"]').text()).toBe('10.00');
    expect(second.get('[data-testid="admin-refund-shortfall"]').text()).toBe('8.05555556');
    expect(second.get('[data-testid="admin-refund-reward"]').text()).toBe('Reversed, 5.00 USD taken back');
    expect(second.get('[data-testid="admin-refund-attempts"]').text()).toBe('3');
    expect(second.get('[data-testid="admin-refund-remark"]').text()).toBe('Second try');
    expect(second.text()).toContain('admin@example.com');
    expect(second.find('[data-testid="admin-refund-reason"]').exists()).toBe(false);

    const events = panel.findAll('[data-testid="admin-event-row"]');
    expect(events.map((e) => e.attributes('data-outcome'))).toEqual(['credited', 'duplicate_payment', 'duplicate_payment']);
    expect(events[0]!.find('[data-testid="admin-event-payload"]').exists()).toBe(false);
    expect(events[1]!.get('[data-testid="admin-event-outcome"]').text()).toBe('Second payment, not credited');
    const payload = events[1]!.get('[data-testid="admin-event-payload"]');
    expect(payload.element.tagName).toBe('PRE');
    expect(payload.text()).toContain('"trade_no": "2026112322999"');
    expect(events[1]!.find('[data-testid="admin-event-resolved"]').exists()).toBe(false);
    expect(events[2]!.get('[data-testid="admin-event-resolved"]').text()).toContain('ops@example.com');
  });

  it('a second payment already marked refunded at the gateway is not given as the reason for attention', async () => {
    const detail: AdminOrderDetail = {
      ...paidDetail,
      order: { ...PAID, status: 'refunding', needsAttention: true },
      events: [
        {
          eventId: 'zpay:2026112322777',
          outcome: 'duplicate_payment',
          payload: null,
          createdAt: '2026-11-23T01:30:00.000Z',
          resolvedAt: '2026-11-23T03:00:00.000Z',
          resolvedBy: 'ops@example.com',
        },
      ],
    };
    stubApi(routes({ 'GET /api/admin/payment/orders/PO-PAID': detail }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    const note = wrapper.get('[data-testid="admin-attention-note"]').text();
    expect(note).not.toContain('second payment');
    expect(note).toContain('more than 10 minutes');
  });

  it('an order without refunds says so and has no attention badge', async () => {
    stubApi(routes());
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    const panel = wrapper.get('[data-testid="admin-order-detail"]');
    expect(panel.get('[data-testid="admin-no-refunds"]').text()).toBe('No refunds.');
    expect(panel.find('[data-testid="admin-attention-badge"]').exists()).toBe(false);
    expect(panel.find('[data-testid="admin-attention-note"]').exists()).toBe(false);
  });

  it('a 202 refund says the refund is under way and will be finished automatically', async () => {
    let refunded = false;
    stubApi(
      routes({
        'GET /api/admin/payment/orders/PO-PAID': () =>
          refunded ? { ...paidDetail, order: { ...PAID, status: 'refunding' }, refunds: [refundResult('refunding').refund] } : paidDetail,
        'POST /api/admin/payment/orders/PO-PAID/refund': () => {
          refunded = true;
          const result = refundResult('refunding', {
            refund: { ...refundResult('refunding').refund, rewardReversed: true, rewardTakenUsd: '10.00000000' },
          });
          return json(202, result);
        },
      }),
    );
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    await wrapper.get('[data-testid="admin-refund"]').trigger('click');
    await wrapper.get('[data-testid="admin-action-remark"]').setValue('Customer request #88');
    await submitAction(wrapper);

    expect(wrapper.find('[data-testid="admin-action-submit"]').exists()).toBe(false);
    const notice = wrapper.get('[data-testid="admin-action-done"]');
    expect(notice.attributes('data-outcome')).toBe('refunding');
    expect(notice.text()).toContain('Refund under way: 18.05555556 USD taken back from the user');
    expect(notice.text()).toContain('finished automatically');
    expect(notice.text()).toContain('Invite reward reversed: 10.00 USD taken back from the referrer.');
    expect(wrapper.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe('refunding');
    expect(wrapper.find('[data-testid="admin-refunding-note"]').exists()).toBe(false); // the notice already says it
    expect(wrapper.get('[data-testid="admin-refund-row"]').attributes('data-status')).toBe('pending');
  });

  it('a 200 refund says refunded, not under way', async () => {
    stubApi(routes({ 'POST /api/admin/payment/orders/PO-PAID/refund': refundResult('refunded') }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    await wrapper.get('[data-testid="admin-refund"]').trigger('click');
    await wrapper.get('[data-testid="admin-action-remark"]').setValue('Customer request #88');
    await submitAction(wrapper);
    const notice = wrapper.get('[data-testid="admin-action-done"]');
    expect(notice.attributes('data-outcome')).toBe('refunded');
    expect(notice.text()).toContain('Refunded: 18.05555556 USD taken back');
    expect(notice.text()).not.toContain('under way');
    expect(notice.text()).not.toContain('Invite reward');
  });

  it('without a refund API the dialog records a refund made outside, remark required, with its own wording', async () => {
    const refundBodies: unknown[] = [];
    stubApi(
      routes({
        'GET /api/admin/payment/orders/PO-PAID': { ...paidDetail, refundsByApi: false },
        'POST /api/admin/payment/orders/PO-PAID/refund': (req: SeenRequest) => {
          refundBodies.push(req.body);
          return refundResult('refunded', { refund: refund({ method: 'manual', remark: 'Zpay console RF-123' }) });
        },
      }),
    );
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    await wrapper.get('[data-testid="admin-refund"]').trigger('click');

    const dialog = wrapper.get('[data-testid="admin-action-dialog"]');
    expect(dialog.get('#order-action-title').text()).toBe('Record a refund made outside');
    const hint = dialog.get('[data-testid="admin-action-hint"]');
    expect(hint.attributes('data-manual')).toBe('true');
    expect(hint.text()).toContain('refund the payment in its console first');
    expect(hint.text()).toContain('Nothing is sent to the gateway.');
    expect(dialog.get('[data-testid="admin-action-remark"]').attributes('placeholder')).toContain('refund reference');
    expect(dialog.get('[data-testid="admin-action-submit"]').text()).toBe('Record refund');

    await submitAction(wrapper);
    expect(refundBodies).toHaveLength(0);
    expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe('Enter a remark.');

    await wrapper.get('[data-testid="admin-action-remark"]').setValue('Zpay console RF-123');
    await submitAction(wrapper);
    expect(refundBodies).toEqual([{ remark: 'Zpay console RF-123' }]);
    expect(wrapper.get('[data-testid="admin-action-done"]').text()).toContain('Refund recorded: 18.05555556 USD taken back');
  });

  it('with a refund API the dialog refunds through the gateway', async () => {
    stubApi(routes());
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    await wrapper.get('[data-testid="admin-refund"]').trigger('click');
    const dialog = wrapper.get('[data-testid="admin-action-dialog"]');
    expect(dialog.get('#order-action-title').text()).toBe('Refund order');
    expect(dialog.get('[data-testid="admin-action-hint"]').attributes('data-manual')).toBe('false');
    expect(dialog.get('[data-testid="admin-action-hint"]').text()).toContain('reverses the invite reward');
    expect(dialog.get('[data-testid="admin-action-submit"]').text()).toBe('Refund');
    expect(dialog.find('[data-testid="admin-confirm-grant-bonus"]').exists()).toBe(false);
  });

  it.each(['pending', 'expired', 'cancelled', 'failed'] as const)('a %s order can be confirmed, not refunded', async (status) => {
    stubApi(routes({ 'GET /api/admin/payment/orders/PO-PENDING': { ...pendingDetail, order: { ...PENDING, status } } }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PENDING');
    expect(wrapper.find('[data-testid="admin-confirm"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="admin-refund"]').exists()).toBe(false);
  });

  it.each(['refunding', 'refunded'] as const)('a %s order offers neither confirm nor refund', async (status) => {
    stubApi(routes({ 'GET /api/admin/payment/orders/PO-PAID': { ...paidDetail, order: { ...PAID, status } } }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    expect(wrapper.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe(status);
    expect(wrapper.find('[data-testid="admin-confirm"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="admin-refund"]').exists()).toBe(false);
  });

  it('confirming a cancelled order can grant the new-user bonus to a late payment', async () => {
    const CANCELLED = order('PO-PENDING', 'cancelled');
    const posts: unknown[] = [];
    stubApi(
      routes({
        'GET /api/admin/payment/orders/PO-PENDING': { ...pendingDetail, order: CANCELLED },
        'POST /api/admin/payment/orders/PO-PENDING/confirm': (req: SeenRequest) => {
          posts.push(req.body);
          return { ...paidDetail, order: { ...PAID, orderNo: 'PO-PENDING' } };
        },
      }),
    );
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PENDING');
    expect(wrapper.get('[data-testid="admin-order-status"]').text()).toBe('Cancelled');

    await wrapper.get('[data-testid="admin-confirm"]').trigger('click');
    const box = wrapper.get('[data-testid="admin-confirm-grant-bonus"]');
    expect((box.element as HTMLInputElement).checked).toBe(false);
    expect(wrapper.get('[data-testid="admin-action-dialog"]').text()).toContain('Grant the new-user bonus even if paid late');
    await box.setValue(true);
    await wrapper.get('[data-testid="admin-action-remark"]').setValue('Paid per bank statement');
    await submitAction(wrapper);

    expect(posts).toEqual([{ remark: 'Paid per bank statement', grantBonus: true }]);
    expect(wrapper.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe('paid');

    // A new dialog starts unticked.
    await openRow(wrapper, 'PO-PAID');
    await openRow(wrapper, 'PO-PENDING');
    await wrapper.get('[data-testid="admin-confirm"]').trigger('click');
    expect((wrapper.get('[data-testid="admin-confirm-grant-bonus"]').element as HTMLInputElement).checked).toBe(false);
  });

  describe('a second payment refunded at the gateway', () => {
    const RESOLVE = 'POST /api/admin/payment/orders/PO-PAID/duplicate-payments/resolve';
    const secondPayment = (overrides: Partial<WebhookEvent> = {}): WebhookEvent => ({
      eventId: 'zpay:2026112322999',
      outcome: 'duplicate_payment',
      payload: '{"trade_status":"TRADE_SUCCESS","trade_no":"2026112322999","money":"100.00"}',
      createdAt: '2026-11-23T02:00:00.000Z',
      resolvedAt: null,
      resolvedBy: null,
      ...overrides,
    });
    const flagged = (status: OrderStatus = 'paid'): AdminOrderDetail => ({
      ...paidDetail,
      order: { ...PAID, status, needsAttention: true },
      events: [...paidDetail.events, secondPayment()],
    });
    const resolvedAnswer: AdminOrderDetail = {
      ...paidDetail,
      order: { ...PAID, needsAttention: false },
      events: [...paidDetail.events, secondPayment({ resolvedAt: '2026-11-24T03:00:00.000Z', resolvedBy: 'admin@example.com' })],
    };

    it.each([
      ['no second payment', false, paidDetail],
      [
        'a second payment already marked refunded',
        false,
        { ...paidDetail, events: [...paidDetail.events, secondPayment({ resolvedAt: '2026-11-23T03:00:00.000Z', resolvedBy: 'ops@example.com' })] },
      ],
      ['an unresolved second payment on a paid order', true, flagged('paid')],
      ['an unresolved second payment on a refunded order', true, flagged('refunded')],
      ['an unresolved second payment on a refunding order', true, flagged('refunding')],
    ] as const)('with %s the action is offered: %s', async (_label, offered, detail) => {
      stubApi(routes({ 'GET /api/admin/payment/orders/PO-PAID': detail }));
      const wrapper = await mountView();
      await openRow(wrapper, 'PO-PAID');
      expect(wrapper.find('[data-testid="admin-order-detail"]').exists()).toBe(true);
      expect(wrapper.find('[data-testid="admin-resolve-duplicates"]').exists()).toBe(offered);
    });

    it('explains the second payment was not credited, requires a remark, posts it trimmed and shows the answer', async () => {
      const bodies: unknown[] = [];
      let detailCalls = 0;
      const api = stubApi(
        routes({
          'GET /api/admin/payment/orders/PO-PAID': () => {
            detailCalls++;
            return flagged();
          },
          [RESOLVE]: (req: SeenRequest) => {
            bodies.push(req.body);
            return resolvedAnswer;
          },
        }),
      );
      const wrapper = await mountView();
      await openRow(wrapper, 'PO-PAID');
      expect(wrapper.get('[data-testid="admin-order-detail"] [data-testid="admin-attention-badge"]').text()).toBe('Needs attention');

      await wrapper.get('[data-testid="admin-resolve-duplicates"]').trigger('click');
      const dialog = wrapper.get('[data-testid="admin-action-dialog"]');
      expect(dialog.attributes('data-kind')).toBe('resolveDuplicates');
      expect(dialog.get('#order-action-title').text()).toBe('Mark the second payment refunded');
      const hint = dialog.get('[data-testid="admin-action-hint"]').text();
      expect(hint).toContain('Order PO-PAID');
      expect(hint).toContain('was not credited');
      expect(hint).toContain('Refund it yourself in the gateway’s own console first');
      expect(dialog.findAll('[data-testid="admin-resolve-duplicates-item"]').map((li) => li.text())).toEqual([
        expect.stringContaining('zpay:2026112322999'),
      ]);
      expect(dialog.get('[data-testid="admin-action-remark"]').attributes('placeholder')).toContain('refund reference');
      expect(dialog.get('[data-testid="admin-action-submit"]').text()).toBe('Mark refunded');
      expect(dialog.find('[data-testid="admin-confirm-grant-bonus"]').exists()).toBe(false);
      expect(dialog.find('[data-testid="admin-action-force"]').exists()).toBe(false);

      await wrapper.get('[data-testid="admin-action-remark"]').setValue('   ');
      await submitAction(wrapper);
      expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe('Enter a remark.');
      expect(api.calls(RESOLVE)).toHaveLength(0);

      const listCalls = api.calls(LIST).length;
      await wrapper.get('[data-testid="admin-action-remark"]').setValue('  Refunded in Zpay console RF-456 ');
      await submitAction(wrapper);

      expect(bodies).toEqual([{ remark: 'Refunded in Zpay console RF-456' }]);
      expect(api.calls(RESOLVE)).toHaveLength(1);
      expect(wrapper.find('[data-testid="admin-action-dialog"]').exists()).toBe(false);
      expect(detailCalls).toBe(1); // the answer is the fresh detail: no second GET
      const panel = wrapper.get('[data-testid="admin-order-detail"]');
      expect(panel.find('[data-testid="admin-attention-badge"]').exists()).toBe(false);
      expect(panel.find('[data-testid="admin-attention-note"]').exists()).toBe(false);
      expect(panel.find('[data-testid="admin-resolve-duplicates"]').exists()).toBe(false);
      expect(panel.get('[data-testid="admin-action-done"]').text()).toBe('The second payment is marked as refunded at the gateway.');
      const events = panel.findAll('[data-testid="admin-event-row"]');
      expect(events[1]!.get('[data-testid="admin-event-resolved"]').text()).toContain('admin@example.com');
      expect(api.calls(LIST).length).toBe(listCalls + 1); // the list's badge is refreshed too
    });

    it('a 409 says nothing is left to resolve, keeps the dialog open and reloads the detail', async () => {
      let detailCalls = 0;
      stubApi(
        routes({
          'GET /api/admin/payment/orders/PO-PAID': () => (++detailCalls === 1 ? flagged() : resolvedAnswer),
          [RESOLVE]: apiError(409, 'PAYMENT_NO_DUPLICATE_PAYMENT', 'order PO-PAID has no unresolved duplicate payment'),
        }),
      );
      const wrapper = await mountView();
      await openRow(wrapper, 'PO-PAID');
      await wrapper.get('[data-testid="admin-resolve-duplicates"]').trigger('click');
      await wrapper.get('[data-testid="admin-action-remark"]').setValue('RF-456');
      await submitAction(wrapper);

      expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe(
        'This order has no payment left to mark dealt with; another admin may have done it already.',
      );
      expect(wrapper.find('[data-testid="admin-action-submit"]').exists()).toBe(true);
      expect(wrapper.find('[data-testid="admin-action-done"]').exists()).toBe(false);
      expect(detailCalls).toBe(2);
      expect(wrapper.find('[data-testid="admin-resolve-duplicates"]').exists()).toBe(false);
    });

    it('the dialog speaks Chinese in the zh locale', async () => {
      stubApi(
        routes({
          'GET /api/admin/payment/orders/PO-PAID': flagged(),
          [RESOLVE]: apiError(409, 'PAYMENT_NO_DUPLICATE_PAYMENT', 'order PO-PAID has no unresolved duplicate payment'),
        }),
      );
      const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders', 'zh');
      await flushPromises();
      await openRow(wrapper, 'PO-PAID');
      await wrapper.get('[data-testid="admin-resolve-duplicates"]').trigger('click');
      expect(wrapper.get('[data-testid="admin-action-hint"]').text()).toContain('没有入账');
      await wrapper.get('[data-testid="admin-action-remark"]').setValue('RF-456');
      await submitAction(wrapper);
      expect(wrapper.get('[data-testid="admin-action-error"]').text()).toContain('没有待标记为已处理的付款');
    });
  });

  describe('a refund the gateway never confirmed', () => {
    const SETTLE = 'POST /api/admin/payment/orders/PO-PAID/refund/resolve';
    const DETAIL = 'GET /api/admin/payment/orders/PO-PAID';
    const stuck: AdminOrderDetail = {
      ...paidDetail,
      order: { ...PAID, status: 'refunding', needsAttention: true },
      refunds: [
        refund({ id: '7', status: 'reversed', gatewayReason: 'insufficient merchant funds' }),
        refund({ id: '8', status: 'pending', attempts: 4, gatewayReason: 'HTTP 502 from the gateway', completedAt: null }),
      ],
    };
    const settled = (outcome: 'refunded' | 'not_refunded'): AdminOrderDetail => ({
      ...stuck,
      order: { ...PAID, status: outcome === 'refunded' ? 'refunded' : 'paid', needsAttention: false },
      refunds: [stuck.refunds[0]!, { ...stuck.refunds[1]!, status: outcome === 'refunded' ? 'succeeded' : 'reversed', completedAt: '2026-11-24T04:00:00.000Z' }],
    });

    it.each(ORDER_STATUSES.map((s) => [s, s === 'refunding'] as const))('a %s order offers to settle a refund: %s', async (status, offered) => {
      stubApi(routes({ [DETAIL]: { ...stuck, order: { ...PAID, status } } }));
      const wrapper = await mountView();
      await openRow(wrapper, 'PO-PAID');
      expect(wrapper.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe(status);
      expect(wrapper.find('[data-testid="admin-resolve-refund"]').exists()).toBe(offered);
    });

    it('explains when to use it, shows the waiting refund, and sends nothing without a choice or a remark', async () => {
      const api = stubApi(routes({ [DETAIL]: stuck, [SETTLE]: settled('refunded') }));
      const wrapper = await mountView();
      await openRow(wrapper, 'PO-PAID');
      await wrapper.get('[data-testid="admin-resolve-refund"]').trigger('click');

      const dialog = wrapper.get('[data-testid="admin-action-dialog"]');
      expect(dialog.attributes('data-kind')).toBe('resolveRefund');
      expect(dialog.get('#order-action-title').text()).toBe('Settle a refund the gateway never confirmed');
      const hint = dialog.get('[data-testid="admin-action-hint"]').text();
      expect(hint).toContain('order PO-PAID was never confirmed by the gateway');
      expect(hint).toContain('Look the payment up in the gateway’s own console first');
      const pending = dialog.get('[data-testid="admin-resolve-refund-pending"]').text();
      expect(pending).toContain('¥100.00');
      expect(pending).toContain('4 gateway calls');
      expect(pending).toContain('Gateway: HTTP 502 from the gateway'); // the pending refund's reason, not the reversed one's
      expect(pending).not.toContain('insufficient merchant funds');
      const refunded = dialog.get('[data-testid="admin-resolve-refund-refunded"]');
      const notRefunded = dialog.get('[data-testid="admin-resolve-refund-not-refunded"]');
      expect(refunded.attributes('type')).toBe('radio');
      expect(dialog.get('label:has([data-testid="admin-resolve-refund-refunded"])').text()).toContain('The gateway refunded it');
      expect(dialog.get('label:has([data-testid="admin-resolve-refund-not-refunded"])').text()).toContain(
        'The gateway did not refund it (give the money back)',
      );
      expect((refunded.element as HTMLInputElement).checked).toBe(false); // no default
      expect((notRefunded.element as HTMLInputElement).checked).toBe(false);
      expect(dialog.get('[data-testid="admin-action-submit"]').text()).toBe('Settle refund');
      expect(dialog.find('[data-testid="admin-action-force"]').exists()).toBe(false);
      expect(dialog.find('[data-testid="admin-confirm-grant-bonus"]').exists()).toBe(false);

      // A remark but no choice.
      await wrapper.get('[data-testid="admin-action-remark"]').setValue('Checked in the Zpay console');
      await submitAction(wrapper);
      expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe('Choose what the gateway’s console shows.');
      expect(api.calls(SETTLE)).toHaveLength(0);

      // A choice but a blank remark.
      await wrapper.get('[data-testid="admin-resolve-refund-refunded"]').setValue();
      await wrapper.get('[data-testid="admin-action-remark"]').setValue('   ');
      await submitAction(wrapper);
      expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe('Enter a remark.');
      expect(api.calls(SETTLE)).toHaveLength(0);

      // A new dialog starts without a choice.
      await wrapper.get('[data-testid="admin-action-dialog"] .button.ghost').trigger('click');
      expect(wrapper.find('[data-testid="admin-action-dialog"]').exists()).toBe(false);
      await wrapper.get('[data-testid="admin-resolve-refund"]').trigger('click');
      expect((wrapper.get('[data-testid="admin-resolve-refund-refunded"]').element as HTMLInputElement).checked).toBe(false);
      expect(api.calls(SETTLE)).toHaveLength(0);
    });

    it.each([
      ['refunded', 'admin-resolve-refund-refunded', 'refunded', 'Refund settled: the gateway refunded it, and the order is refunded.', 'succeeded'],
      [
        'not_refunded',
        'admin-resolve-refund-not-refunded',
        'paid',
        'Refund settled as not made: the order is paid again, and what was taken back was given back.',
        'reversed',
      ],
    ] as const)('"%s" posts the outcome and the trimmed remark, then shows the answer', async (outcome, radio, status, notice, refundStatus) => {
      let detailCalls = 0;
      const bodies: unknown[] = [];
      const api = stubApi(
        routes({
          [DETAIL]: () => {
            detailCalls++;
            return stuck;
          },
          [SETTLE]: (req: SeenRequest) => {
            bodies.push(req.body);
            return settled(outcome);
          },
        }),
      );
      const wrapper = await mountView();
      await openRow(wrapper, 'PO-PAID');
      expect(wrapper.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe('refunding');

      await wrapper.get('[data-testid="admin-resolve-refund"]').trigger('click');
      await wrapper.get(`[data-testid="${radio}"]`).setValue();
      await wrapper.get('[data-testid="admin-action-remark"]').setValue('  Zpay console shows RF-789 ');
      const listCalls = api.calls(LIST).length;
      await submitAction(wrapper);

      expect(api.calls(SETTLE)).toHaveLength(1);
      expect(bodies).toEqual([{ outcome, remark: 'Zpay console shows RF-789' }]);
      expect(wrapper.find('[data-testid="admin-action-dialog"]').exists()).toBe(false);
      expect(detailCalls).toBe(1); // the answer is the fresh detail: no second GET
      const panel = wrapper.get('[data-testid="admin-order-detail"]');
      expect(panel.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe(status);
      expect(panel.find('[data-testid="admin-attention-badge"]').exists()).toBe(false);
      expect(panel.find('[data-testid="admin-resolve-refund"]').exists()).toBe(false);
      expect(panel.findAll('[data-testid="admin-refund-row"]').map((r) => r.attributes('data-status'))).toEqual(['reversed', refundStatus]);
      const done = panel.get('[data-testid="admin-action-done"]');
      expect(done.attributes('data-outcome')).toBe(outcome);
      expect(done.text()).toBe(notice);
      expect(api.calls(LIST).length).toBe(listCalls + 1);
    });

    it('a 409 says no refund is under way, keeps the dialog open and reloads the detail and the list', async () => {
      let detailCalls = 0;
      const api = stubApi(
        routes({
          [DETAIL]: () => (++detailCalls === 1 ? stuck : settled('refunded')),
          [SETTLE]: apiError(409, 'PAYMENT_NO_REFUND_UNDER_WAY', 'order PO-PAID has no refund under way'),
        }),
      );
      const wrapper = await mountView();
      await openRow(wrapper, 'PO-PAID');
      await wrapper.get('[data-testid="admin-resolve-refund"]').trigger('click');
      await wrapper.get('[data-testid="admin-resolve-refund-not-refunded"]').setValue();
      await wrapper.get('[data-testid="admin-action-remark"]').setValue('Not in the console');
      const listCalls = api.calls(LIST).length;
      await submitAction(wrapper);

      expect(api.calls(SETTLE)).toHaveLength(1);
      expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe(
        'This order has no refund under way any more; it may have been finished automatically or settled by another admin.',
      );
      expect(wrapper.find('[data-testid="admin-action-submit"]').exists()).toBe(true);
      expect(wrapper.find('[data-testid="admin-action-done"]').exists()).toBe(false);
      expect(detailCalls).toBe(2);
      expect(wrapper.get('[data-testid="admin-order-status"]').attributes('data-status')).toBe('refunded');
      expect(wrapper.find('[data-testid="admin-resolve-refund"]').exists()).toBe(false);
      expect(api.calls(LIST).length).toBe(listCalls + 1);
    });

    it('the dialog speaks Chinese in the zh locale', async () => {
      stubApi(
        routes({
          [DETAIL]: stuck,
          [SETTLE]: apiError(409, 'PAYMENT_NO_REFUND_UNDER_WAY', 'order PO-PAID has no refund under way'),
        }),
      );
      const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders', 'zh');
      await flushPromises();
      await openRow(wrapper, 'PO-PAID');
      await wrapper.get('[data-testid="admin-resolve-refund"]').trigger('click');
      const dialog = wrapper.get('[data-testid="admin-action-dialog"]');
      expect(dialog.get('[data-testid="admin-action-hint"]').text()).toContain('未获支付网关确认');
      expect(dialog.get('label:has([data-testid="admin-resolve-refund-refunded"])').text()).toContain('网关已退款');
      expect(dialog.get('label:has([data-testid="admin-resolve-refund-not-refunded"])').text()).toContain('网关未退款（退回扣款）');
      await submitAction(wrapper);
      expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe('请选择网关后台显示的结果。');
      await wrapper.get('[data-testid="admin-resolve-refund-refunded"]').setValue();
      await wrapper.get('[data-testid="admin-action-remark"]').setValue('RF-789');
      await submitAction(wrapper);
      expect(wrapper.get('[data-testid="admin-action-error"]').text()).toContain('该订单已没有进行中的退款');
    });
  });

  it('a status filter offers the new statuses', async () => {
    stubApi(routes());
    const wrapper = await mountView();
    const options = wrapper.get('[data-testid="admin-orders-filter-status"]').findAll('option');
    expect(options.map((o) => o.attributes('value'))).toEqual(['', 'pending', 'paid', 'expired', 'cancelled', 'failed', 'refunding', 'refunded']);
    expect(options.map((o) => o.text())).toContain('Refund in progress');
  });
});

describe('AdminOrdersView: gateways from the API', () => {
  const ADDRESS = 'TQ7c2ZbM4vHn9X2wG6r1dE5sYp8kLmN3aB';
  const USDT = order('PO-USDT', 'paid', {
    provider: 'usdt_trc20',
    paymentMethod: 'usdt',
    amountCny: '20.00',
    payCurrency: 'USDT',
    payAmount: '2.781',
    payAddress: ADDRESS,
    payRate: '7.2',
  });
  const usdtDetail: AdminOrderDetail = { order: USDT, callbackData: null, ledger: [], events: [], refunds: [], refundsByApi: false };

  it('the provider filter lists every registered gateway by its label, a switched-off one marked so; rows show labels', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();
    expect(api.calls('GET /api/admin/payment/providers')).toHaveLength(1);
    const options = wrapper.get('[data-testid="admin-orders-filter-provider"]').findAll('option');
    expect(options.map((o) => o.attributes('value'))).toEqual(['', 'zpay', 'stripe', 'usdt_trc20']);
    expect(options.map((o) => o.text())).toEqual(['All providers', 'Alipay / WeChat Pay', 'Card (switched off)', 'TRON (TRC20)']);
    const row = wrapper.get('[data-testid="admin-order-row"][data-order-no="PO-PAID"]');
    expect(row.text()).toContain('Alipay / WeChat Pay');
  });

  it('an order paid in USDT shows the pay currency, the exact amount, the rate (CNY per unit) and the address', async () => {
    stubApi(routes({ [LIST]: { items: [USDT, PAID], total: 2, page: 1, pageSize: 20 }, 'GET /api/admin/payment/orders/PO-USDT': usdtDetail }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-USDT');
    const panel = wrapper.get('[data-testid="admin-order-detail"]');
    expect(panel.get('[data-testid="admin-order-provider"]').text()).toBe('TRON (TRC20)');
    expect(panel.get('[data-testid="admin-order-pay-currency"]').text()).toBe('USDT');
    expect(panel.get('[data-testid="admin-order-pay-amount"]').text()).toBe('2.781 USDT');
    expect(panel.get('[data-testid="admin-order-pay-rate"]').text()).toBe('7.2');
    expect(panel.text()).toContain('Rate (CNY per USDT)');
    expect(panel.get('[data-testid="admin-order-pay-address"]').text()).toBe(ADDRESS);
    expect(panel.text()).toContain('USDT (TRC20)'); // the method

    await openRow(wrapper, 'PO-PAID');
    const cny = wrapper.get('[data-testid="admin-order-detail"]');
    expect(cny.attributes('data-order-no')).toBe('PO-PAID');
    expect(cny.find('[data-testid="admin-order-pay-currency"]').exists()).toBe(false);
    expect(cny.find('[data-testid="admin-order-pay-address"]').exists()).toBe(false);
  });

  it('in Chinese, with the gateway’s Chinese label', async () => {
    stubApi(routes({ 'GET /api/admin/payment/orders/PO-USDT': usdtDetail, [LIST]: { items: [USDT], total: 1, page: 1, pageSize: 20 } }));
    const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders', 'zh');
    await flushPromises();
    await openRow(wrapper, 'PO-USDT');
    const panel = wrapper.get('[data-testid="admin-order-detail"]');
    expect(panel.get('[data-testid="admin-order-provider"]').text()).toBe('USDT（TRON TRC20）');
    expect(panel.text()).toContain('支付币种');
    expect(panel.text()).toContain('汇率（每 USDT 合人民币）');
  });

  it('when the gateways cannot be listed, the page still works and shows gateway names', async () => {
    stubApi(routes({ 'GET /api/admin/payment/providers': apiError(500, 'INTERNAL', 'boom') }));
    const wrapper = await mountView();
    expect(wrapper.findAll('[data-testid="admin-order-row"]')).toHaveLength(2);
    expect(wrapper.get('[data-testid="admin-order-row"][data-order-no="PO-PAID"]').text()).toContain('zpay');
    expect(wrapper.get('[data-testid="admin-orders-filter-provider"]').findAll('option')).toHaveLength(1);
  });
});

describe('AdminOrdersView: a payment of another amount than the order asks for', () => {
  const ADDRESS = 'TQ7c2ZbM4vHn9X2wG6r1dE5sYp8kLmN3aB';
  const RESOLVE = 'POST /api/admin/payment/orders/PO-USDT/duplicate-payments/resolve';
  const DETAIL = 'GET /api/admin/payment/orders/PO-USDT';
  const USDT = order('PO-USDT', 'pending', {
    provider: 'usdt_trc20',
    paymentMethod: 'usdt',
    amountCny: '20.00',
    payCurrency: 'USDT',
    payAmount: '2.781',
    payAddress: ADDRESS,
    payRate: '7.2',
    needsAttention: true,
  });
  const transfer = (amount: string, id: string) =>
    JSON.stringify({
      transaction_id: id,
      from: 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb',
      to: ADDRESS,
      token: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
      value: String(Number(amount) * 1e6),
      amount,
      block_timestamp: 1795395600000,
    });
  const wrongAmount = (outcome: 'underpaid' | 'overpaid', amount: string, overrides: Partial<WebhookEvent> = {}): WebhookEvent => ({
    eventId: `tx-${outcome}`,
    outcome,
    payload: transfer(amount, `tx-${outcome}`),
    createdAt: '2026-11-23T01:10:00.000Z',
    resolvedAt: null,
    resolvedBy: null,
    ...overrides,
  });
  const detailWith = (events: WebhookEvent[], needsAttention = true): AdminOrderDetail => ({
    order: { ...USDT, needsAttention },
    callbackData: null,
    ledger: [],
    events,
    refunds: [],
    refundsByApi: false,
  });
  const listed = { [LIST]: { items: [USDT], total: 1, page: 1, pageSize: 20 } };

  it('labels underpaid and overpaid events, shows what was paid next to what the order asks for, and flags the order', async () => {
    stubApi(routes({ ...listed, [DETAIL]: detailWith([wrongAmount('underpaid', '2.5'), wrongAmount('overpaid', '3')]) }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-USDT');
    const panel = wrapper.get('[data-testid="admin-order-detail"]');

    const events = panel.findAll('[data-testid="admin-event-row"]');
    expect(events.map((e) => e.attributes('data-outcome'))).toEqual(['underpaid', 'overpaid']);
    expect(events.map((e) => e.get('[data-testid="admin-event-outcome"]').text())).toEqual(['Underpaid, not credited', 'Overpaid, not credited']);
    const underpaid = events[0]!.get('[data-testid="admin-event-amount"]');
    expect(underpaid.attributes('data-paid')).toBe('2.5');
    expect(underpaid.attributes('data-asked')).toBe('2.781');
    expect(underpaid.text()).toBe('Paid 2.5 USDT; the order asks for 2.781 USDT');
    expect(events[1]!.get('[data-testid="admin-event-amount"]').text()).toBe('Paid 3 USDT; the order asks for 2.781 USDT');
    expect(events[0]!.get('[data-testid="admin-event-outcome"]').classes()).toContain('event-underpaid');

    const note = panel.get('[data-testid="admin-attention-note"]').findAll('p').map((p) => p.text());
    expect(note).toEqual([
      expect.stringContaining('Less than this order asks for arrived (2.5 USDT instead of 2.781 USDT)'),
      expect.stringContaining('More than this order asks for arrived (3 USDT instead of 2.781 USDT)'),
    ]);
    expect(note.join(' ')).not.toContain('second payment');
    expect(note.join(' ')).not.toContain('An admin must look at this order.');

    // Both ways out are offered: confirming the (pending) order by hand, and marking the payment dealt with.
    expect(panel.find('[data-testid="admin-confirm"]').exists()).toBe(true);
    expect(panel.get('[data-testid="admin-resolve-duplicates"]').text()).toBe('Mark payment dealt with…');
  });

  it('a wrong amount already dealt with neither flags the order nor offers the action, and says who dealt with it', async () => {
    const handled = wrongAmount('underpaid', '2.5', { resolvedAt: '2026-11-24T03:00:00.000Z', resolvedBy: 'ops@example.com' });
    stubApi(routes({ ...listed, [DETAIL]: detailWith([handled], false) }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-USDT');
    const panel = wrapper.get('[data-testid="admin-order-detail"]');
    expect(panel.find('[data-testid="admin-resolve-duplicates"]').exists()).toBe(false);
    expect(panel.find('[data-testid="admin-attention-note"]').exists()).toBe(false);
    const resolved = panel.get('[data-testid="admin-event-resolved"]').text();
    expect(resolved).toContain('Marked dealt with');
    expect(resolved).toContain('ops@example.com');
    expect(resolved).not.toContain('refunded at the gateway');
  });

  it('marks it dealt with through the same endpoint as second payments: remark required, sent trimmed, the fresh detail shown', async () => {
    const bodies: unknown[] = [];
    const resolvedAnswer = detailWith(
      [wrongAmount('underpaid', '2.5', { resolvedAt: '2026-11-24T03:00:00.000Z', resolvedBy: 'admin@example.com' })],
      false,
    );
    const api = stubApi(
      routes({
        ...listed,
        [DETAIL]: detailWith([wrongAmount('underpaid', '2.5')]),
        [RESOLVE]: (req: SeenRequest) => {
          bodies.push(req.body);
          return resolvedAnswer;
        },
      }),
    );
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-USDT');
    await wrapper.get('[data-testid="admin-resolve-duplicates"]').trigger('click');

    const dialog = wrapper.get('[data-testid="admin-action-dialog"]');
    expect(dialog.attributes('data-kind')).toBe('resolveDuplicates');
    expect(dialog.get('#order-action-title').text()).toBe('Mark the payment dealt with');
    const hint = dialog.get('[data-testid="admin-action-hint"]').text();
    expect(hint).toContain('Order PO-USDT received a payment of another amount');
    expect(hint).toContain('Confirming the order by hand credits the order’s own amount and marks this payment dealt with by itself');
    expect(hint).not.toContain('second payment');
    const items = dialog.findAll('[data-testid="admin-resolve-duplicates-item"]');
    expect(items.map((li) => li.attributes('data-outcome'))).toEqual(['underpaid']);
    expect(items[0]!.text()).toContain('Underpaid, not credited');
    expect(items[0]!.text()).toContain('Paid 2.5 USDT; the order asks for 2.781 USDT');
    expect(dialog.get('[data-testid="admin-action-submit"]').text()).toBe('Mark dealt with');

    await wrapper.get('[data-testid="admin-action-remark"]').setValue('  ');
    await submitAction(wrapper);
    expect(wrapper.get('[data-testid="admin-action-error"]').text()).toBe('Enter a remark.');
    expect(api.calls(RESOLVE)).toHaveLength(0);

    await wrapper.get('[data-testid="admin-action-remark"]').setValue('  Sent 2.5 USDT back, tx 9f0c ');
    await submitAction(wrapper);
    expect(bodies).toEqual([{ remark: 'Sent 2.5 USDT back, tx 9f0c' }]);
    const panel = wrapper.get('[data-testid="admin-order-detail"]');
    expect(panel.get('[data-testid="admin-action-done"]').text()).toBe('The payment is marked as dealt with.');
    expect(panel.find('[data-testid="admin-resolve-duplicates"]').exists()).toBe(false);
    expect(panel.find('[data-testid="admin-attention-badge"]').exists()).toBe(false);
    expect(panel.get('[data-testid="admin-event-resolved"]').text()).toContain('admin@example.com');
  });

  it('with a second payment and a wrong amount both open, the dialog lists both and speaks of payments dealt with', async () => {
    const second: WebhookEvent = {
      eventId: 'tx-second',
      outcome: 'duplicate_payment',
      payload: transfer('2.781', 'tx-second'),
      createdAt: '2026-11-23T01:20:00.000Z',
      resolvedAt: null,
      resolvedBy: null,
    };
    stubApi(routes({ ...listed, [DETAIL]: detailWith([second, wrongAmount('overpaid', '3')]) }));
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-USDT');
    const note = wrapper.get('[data-testid="admin-attention-note"]').text();
    expect(note).toContain('A second payment arrived');
    expect(note).toContain('More than this order asks for arrived');
    await wrapper.get('[data-testid="admin-resolve-duplicates"]').trigger('click');
    const dialog = wrapper.get('[data-testid="admin-action-dialog"]');
    expect(dialog.get('#order-action-title').text()).toBe('Mark the payment dealt with');
    expect(dialog.findAll('[data-testid="admin-resolve-duplicates-item"]').map((li) => li.attributes('data-outcome'))).toEqual([
      'duplicate_payment',
      'overpaid',
    ]);
  });

  it('in Chinese', async () => {
    stubApi(routes({ ...listed, [DETAIL]: detailWith([wrongAmount('underpaid', '2.5')]) }));
    const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders', 'zh');
    await flushPromises();
    await openRow(wrapper, 'PO-USDT');
    const panel = wrapper.get('[data-testid="admin-order-detail"]');
    expect(panel.get('[data-testid="admin-event-outcome"]').text()).toBe('少付，未入账');
    expect(panel.get('[data-testid="admin-event-amount"]').text()).toBe('实付 2.5 USDT；订单应付 2.781 USDT');
    expect(panel.get('[data-testid="admin-resolve-duplicates"]').text()).toBe('标记付款已处理…');
  });

  it('an unmatched payment’s outcome and an outcome the web app does not know are labelled (the latter as sent)', async () => {
    stubApi(
      routes({
        ...listed,
        [DETAIL]: detailWith(
          [
            { ...wrongAmount('underpaid', '1'), eventId: 'tx-unmatched', outcome: 'unmatched_payment' },
            { ...wrongAmount('underpaid', '1'), eventId: 'tx-new', outcome: 'something_new' },
          ],
          false,
        ),
      }),
    );
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-USDT');
    const outcomes = wrapper.findAll('[data-testid="admin-event-outcome"]').map((o) => o.text());
    expect(outcomes).toEqual(['Matches no order, not credited', 'something_new']);
    expect(wrapper.find('[data-testid="admin-event-amount"]').exists()).toBe(false); // only for a payment of another amount
    expect(wrapper.find('[data-testid="admin-resolve-duplicates"]').exists()).toBe(false);
  });
});

describe('AdminOrdersView: a refund the gateway failed after confirming it', () => {
  const DETAIL = 'GET /api/admin/payment/orders/PO-PAID';
  const RESOLVE = 'POST /api/admin/payment/orders/PO-PAID/duplicate-payments/resolve';
  const FLAGGED = { ...PAID, provider: 'stripe', needsAttention: true };
  const failedEvent: WebhookEvent = {
    eventId: 'evt_refund_failed',
    outcome: 'refund_failed',
    payload: '{"type":"refund.failed"}',
    createdAt: '2026-11-26T09:00:00.000Z',
    resolvedAt: null,
    resolvedBy: null,
  };
  const failedRefund = refund({
    status: 'failed',
    gatewayStatus: 'failed',
    gatewayRefundId: 're_3Nx',
    gatewayReason: 'stripe: refund failed (expired_or_canceled_card)',
  });
  const detailWith = (events: WebhookEvent[], needsAttention: boolean): AdminOrderDetail => ({
    order: { ...FLAGGED, needsAttention },
    callbackData: null,
    ledger: [],
    events,
    refunds: [failedRefund],
    refundsByApi: true,
  });
  const listed = { [LIST]: { items: [FLAGGED], total: 1, page: 1, pageSize: 20 } };

  it('says why the order is flagged with the gateway’s reason, shows the failed refund, and marks it dealt with', async () => {
    const bodies: unknown[] = [];
    stubApi(
      routes({
        ...listed,
        [DETAIL]: detailWith([failedEvent], true),
        [RESOLVE]: (req: SeenRequest) => {
          bodies.push(req.body);
          return detailWith([{ ...failedEvent, resolvedAt: '2026-11-26T10:00:00.000Z', resolvedBy: 'admin@example.com' }], false);
        },
      }),
    );
    const wrapper = await mountView();
    await openRow(wrapper, 'PO-PAID');
    const panel = wrapper.get('[data-testid="admin-order-detail"]');
    const note = panel.get('[data-testid="admin-attention-note"]').text();
    expect(note).toContain('The gateway failed this refund after it had confirmed it (stripe: refund failed (expired_or_canceled_card))');
    expect(note).not.toContain('second payment');
    expect(panel.get('[data-testid="admin-refund-status"]').text()).toBe('Failed after it was confirmed');
    expect(panel.get('[data-testid="admin-event-outcome"]').text()).toBe('Refund failed after it was confirmed');
    // The order is paid again: it can be refunded again.
    expect(panel.find('[data-testid="admin-refund"]').exists()).toBe(true);

    expect(panel.get('[data-testid="admin-resolve-duplicates"]').text()).toBe('Mark failed refund dealt with…');
    await panel.get('[data-testid="admin-resolve-duplicates"]').trigger('click');
    const dialog = wrapper.get('[data-testid="admin-action-dialog"]');
    expect(dialog.get('#order-action-title').text()).toBe('Mark the failed refund dealt with');
    expect(dialog.get('[data-testid="admin-action-hint"]').text()).toContain('The gateway failed the refund of order PO-PAID after it had confirmed it');
    await wrapper.get('[data-testid="admin-action-remark"]').setValue('Refunded again by bank transfer');
    await submitAction(wrapper);
    expect(bodies).toEqual([{ remark: 'Refunded again by bank transfer' }]);
    expect(wrapper.get('[data-testid="admin-action-done"]').text()).toBe('The failed refund is marked as dealt with.');
  });

  it('in Chinese', async () => {
    stubApi(routes({ ...listed, [DETAIL]: detailWith([failedEvent], true) }));
    const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders', 'zh');
    await flushPromises();
    await openRow(wrapper, 'PO-PAID');
    const panel = wrapper.get('[data-testid="admin-order-detail"]');
    expect(panel.get('[data-testid="admin-attention-note"]').text()).toContain('网关在确认这笔退款之后又报告退款失败');
    expect(panel.get('[data-testid="admin-resolve-duplicates"]').text()).toBe('标记失败的退款已处理…');
  });
});
