import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import OrdersView from '../OrdersView.vue';
import { PROVIDERS, apiError, mountSignedIn, stubApi, type SeenRequest } from '../../__tests__/support';
import type { Order, OrderStatus } from '../../api/types';
import { QR_ORDERS_STORAGE_KEY, rememberQrOrder } from '../../utils/paymentDisplay';

const LIST = 'GET /api/payment/orders';

function order(orderNo: string, overrides: Partial<Order> = {}): Order {
  return {
    orderNo,
    status: 'pending',
    provider: 'sandbox',
    paymentMethod: 'alipay',
    amountCny: '100.00',
    amountUsd: '13.88888889',
    bonusUsd: '0.00000000',
    totalUsd: '13.88888889',
    exchangeRate: '7.2000',
    promotionTier: 0,
    paymentUrl: `https://pay.example/checkout/${orderNo}`,
    payCurrency: 'CNY',
    payAmount: '100.00',
    payAddress: null,
    payRate: null,
    campaigns: [],
    expireAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    paidAt: null,
    createdAt: '2026-11-23T01:02:03.000Z',
    ...overrides,
  };
}

function page(items: Order[], total = items.length, p = 1) {
  return { items, total, page: p, pageSize: 20 };
}

type Mounted = Awaited<ReturnType<typeof mountSignedIn>>;
type Wrapper = Mounted['wrapper'];

async function mountOrders(locale: 'en' | 'zh' = 'en'): Promise<Mounted> {
  const mounted = await mountSignedIn(OrdersView, '/orders', locale);
  await flushPromises();
  return mounted;
}

const row = (w: Wrapper, orderNo: string) => w.get(`[data-testid="order-row"][data-order-no="${orderNo}"]`);
const text = (w: Wrapper, id: string) => w.get(`[data-testid="${id}"]`).text();

beforeEach(() => {
  localStorage.clear();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => vi.useRealTimers());

describe('OrdersView: the list', () => {
  it('an order lists the campaigns it got with their bonuses; one without shows none', async () => {
    stubApi({
      [LIST]: page([
        order('PO2', {
          status: 'paid',
          campaigns: [
            { id: '1', name: 'New-user bonus', bonusUsd: '4.16666667' },
            { id: '4', name: 'Spring festival', bonusUsd: '2.00000000' },
          ],
        }),
        order('PO1'),
      ]),
    });
    const { wrapper } = await mountOrders();

    const items = row(wrapper, 'PO2').findAll('[data-testid="order-campaign"]');
    expect(items.map((i) => i.text())).toEqual(['New-user bonus +$4.17', 'Spring festival +$2.00']);
    expect(items[0]!.get('.money').attributes('title')).toBe('4.16666667');
    expect(row(wrapper, 'PO1').find('[data-testid="order-campaigns"]').exists()).toBe(false);
  });

  it('lists the orders with status, amounts and a link to each result page; only pending ones can be paid or cancelled', async () => {
    const api = stubApi({
      [LIST]: page([
        order('PO3'),
        order('PO2', { status: 'paid', bonusUsd: '4.16666667', totalUsd: '18.05555556', paidAt: '2026-11-23T01:03:00.000Z' }),
        order('PO1', { status: 'cancelled', amountCny: '1234.5', amountUsd: '171.45833333', totalUsd: '171.45833333' }),
      ]),
    });
    const { wrapper, router } = await mountOrders();

    const first = api.calls(LIST)[0]!;
    expect(first.query.get('page')).toBe('1');
    expect(first.query.get('pageSize')).toBe('20');
    expect(first.query.get('status')).toBeNull();

    const rows = wrapper.findAll('[data-testid="order-row"]');
    expect(rows.map((r) => r.attributes('data-order-no'))).toEqual(['PO3', 'PO2', 'PO1']);
    expect(rows.map((r) => r.get('[data-testid="order-status"]').text())).toEqual(['Waiting for payment', 'Paid', 'Cancelled']);
    expect(row(wrapper, 'PO3').text()).toContain('Alipay');

    // CNY at 2; USD at 2 rounded half-up, the exact amount in the title
    const paid = row(wrapper, 'PO2');
    expect(paid.get('[data-testid="order-amount-cny"]').text()).toBe('100.00');
    expect(paid.get('[data-testid="order-total-usd"]').text()).toBe('18.06');
    expect(paid.get('[data-testid="order-total-usd"]').attributes('title')).toBe('18.05555556');
    expect(row(wrapper, 'PO1').get('[data-testid="order-amount-cny"]').text()).toBe('1,234.50');
    expect(row(wrapper, 'PO1').get('[data-testid="order-total-usd"]').text()).toBe('171.46');
    expect(row(wrapper, 'PO1').get('[data-testid="order-total-usd"]').attributes('title')).toBe('171.45833333');

    expect(row(wrapper, 'PO3').find('[data-testid="order-resume"]').exists()).toBe(true);
    expect(row(wrapper, 'PO3').find('[data-testid="order-cancel"]').exists()).toBe(true);
    for (const done of ['PO2', 'PO1']) {
      expect(row(wrapper, done).find('[data-testid="order-resume"]').exists()).toBe(false);
      expect(row(wrapper, done).find('[data-testid="order-cancel"]').exists()).toBe(false);
    }

    const link = paid.get('[data-testid="order-link"]');
    expect(link.text()).toBe('PO2');
    expect(link.attributes('href')).toBe('/payment/result?out_trade_no=PO2');
    await link.trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/payment/result?out_trade_no=PO2'));
  });

  it('filters by status (every status of the API), starting again at page 1', async () => {
    const all = [order('PO3'), order('PO2', { status: 'paid' }), order('PO1', { status: 'expired' })];
    const api = stubApi({
      [LIST]: (req: SeenRequest) => {
        const status = req.query.get('status');
        const items = status ? all.filter((o) => o.status === status) : all;
        return page(items, status ? items.length : 45, Number(req.query.get('page')));
      },
    });
    const { wrapper } = await mountOrders();

    const options = wrapper.findAll('[data-testid="orders-status-filter"] option');
    expect(options.map((o) => o.attributes('value'))).toEqual([
      '',
      'pending',
      'paid',
      'expired',
      'cancelled',
      'failed',
      'refunding',
      'refunded',
    ]);
    expect(options.map((o) => o.text())[0]).toBe('All statuses');

    await wrapper.get('[data-testid="page-next"]').trigger('click');
    await flushPromises();
    expect(api.calls(LIST).at(-1)!.query.get('page')).toBe('2');

    await wrapper.get('[data-testid="orders-status-filter"]').setValue('paid');
    await flushPromises();
    const last = api.calls(LIST).at(-1)!;
    expect(last.query.get('status')).toBe('paid');
    expect(last.query.get('page')).toBe('1');
    expect(wrapper.findAll('[data-testid="order-row"]').map((r) => r.attributes('data-order-no'))).toEqual(['PO2']);

    await wrapper.get('[data-testid="orders-status-filter"]').setValue('refunded');
    await flushPromises();
    expect(text(wrapper, 'orders-empty')).toBe('No orders with this status.');

    await wrapper.get('[data-testid="orders-status-filter"]').setValue('');
    await flushPromises();
    expect(api.calls(LIST).at(-1)!.query.get('status')).toBeNull();
    expect(wrapper.findAll('[data-testid="order-row"]')).toHaveLength(3);
  });

  it('says so when there are no orders, in Chinese too', async () => {
    stubApi({ [LIST]: page([]) });
    const { wrapper } = await mountOrders('zh');
    expect(wrapper.get('h1').text()).toBe('我的订单');
    expect(text(wrapper, 'orders-empty')).toBe('还没有订单。');
    expect(wrapper.findAll('[data-testid="order-row"]')).toHaveLength(0);
  });

  it('a failed load says why and retries', async () => {
    let n = 0;
    const api = stubApi({
      [LIST]: () => (++n === 1 ? apiError(500, 'INTERNAL', 'boom') : page([order('PO1', { status: 'paid' })])),
    });
    const { wrapper } = await mountOrders();
    expect(wrapper.get('[role="alert"]').text()).toContain('Something went wrong on our side.');
    expect(wrapper.find('[data-testid="orders-empty"]').exists()).toBe(false);

    const retry = wrapper.findAll('button').find((b) => b.text() === 'Retry');
    await retry!.trigger('click');
    await flushPromises();
    expect(api.calls(LIST)).toHaveLength(2);
    expect(wrapper.findAll('[data-testid="order-row"]')).toHaveLength(1);
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });

  it('a pending order past its expiry cannot be paid any more, only cancelled', async () => {
    stubApi({ [LIST]: page([order('PO1', { expireAt: new Date(Date.now() - 1000).toISOString() })]) });
    const { wrapper } = await mountOrders();
    expect(row(wrapper, 'PO1').find('[data-testid="order-resume"]').exists()).toBe(false);
    expect(row(wrapper, 'PO1').find('[data-testid="order-cancel"]').exists()).toBe(true);
  });
});

describe('OrdersView: paying a pending order again', () => {
  it('a payment page: a button to it and the countdown; polls, and goes to the result page once paid', async () => {
    const statuses: OrderStatus[] = ['pending', 'pending', 'paid'];
    let polls = 0;
    const api = stubApi({
      [LIST]: page([order('PO1')]),
      'GET /api/payment/orders/PO1': () => order('PO1', { status: statuses[Math.min(polls++, 2)] }),
    });
    const { wrapper, router } = await mountOrders();
    expect(wrapper.find('[data-testid="pay-panel"]').exists()).toBe(false);

    await row(wrapper, 'PO1').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    const panel = wrapper.get('[data-testid="pay-panel"]');
    expect(panel.attributes('data-display')).toBe('redirect');
    expect(panel.text()).toContain('Pay ¥100.00');
    expect(wrapper.get('[data-testid="pay-link"]').attributes('href')).toBe('https://pay.example/checkout/PO1');
    expect(wrapper.get('[data-testid="pay-link"]').text()).toBe('Go to the payment page');
    expect(wrapper.find('[data-testid="qr-code"]').exists()).toBe(false);
    expect(text(wrapper, 'pay-countdown')).toBe('30:00');
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(3000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(2);
    expect(text(wrapper, 'pay-countdown')).toBe('29:57');
    expect(router.currentRoute.value.path).toBe('/orders');

    await vi.advanceTimersByTimeAsync(3000);
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/payment/result?out_trade_no=PO1'));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(3); // stopped
  });

  it('QR content: the QR code, as the recharge page shows it', async () => {
    stubApi({
      [LIST]: page([order('PO1', { provider: 'zpay', paymentMethod: 'wxpay', paymentUrl: 'weixin://wxpay/bizpayurl?pr=abc' })]),
      'GET /api/payment/orders/PO1': () => order('PO1'),
    });
    const { wrapper } = await mountOrders();
    await row(wrapper, 'PO1').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();

    const panel = wrapper.get('[data-testid="pay-panel"]');
    expect(panel.attributes('data-display')).toBe('qrcode');
    expect(panel.text()).toContain('Scan to pay ¥100.00');
    expect(panel.text()).toContain('Scan the code with WeChat Pay.');
    const qr = wrapper.get('[data-testid="qr-code"]');
    expect(qr.attributes('data-value')).toBe('weixin://wxpay/bizpayurl?pr=abc');
    expect(qr.attributes('src')).toMatch(/^data:image\/svg\+xml/);
    expect(wrapper.find('[data-testid="pay-link"]').exists()).toBe(false);
    expect(text(wrapper, 'pay-countdown')).toBe('30:00');
  });

  it('a web address created as a QR code on this device is shown as a QR code again', async () => {
    rememberQrOrder('PO1');
    expect(localStorage.getItem(QR_ORDERS_STORAGE_KEY)).toContain('PO1');
    stubApi({
      [LIST]: page([order('PO1', { provider: 'zpay', paymentUrl: 'https://qr.alipay.com/bax0123' }), order('PO2')]),
      'GET /api/payment/orders/PO1': () => order('PO1'),
      'GET /api/payment/orders/PO2': () => order('PO2'),
    });
    const { wrapper } = await mountOrders();
    await row(wrapper, 'PO1').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="qr-code"]').attributes('data-value')).toBe('https://qr.alipay.com/bax0123');

    await row(wrapper, 'PO2').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="pay-panel"]').attributes('data-order-no')).toBe('PO2');
    expect(wrapper.find('[data-testid="qr-code"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="pay-link"]').attributes('href')).toBe('https://pay.example/checkout/PO2');
  });

  it('when the countdown reaches zero the panel says the order expired and the list is fetched again', async () => {
    let listed = 0;
    const api = stubApi({
      [LIST]: () => {
        listed += 1;
        return page([order('PO1', listed === 1 ? { expireAt: new Date(Date.now() + 5000).toISOString() } : { status: 'expired' })]);
      },
      'GET /api/payment/orders/PO1': () => order('PO1'),
    });
    const { wrapper } = await mountOrders();
    await row(wrapper, 'PO1').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    expect(text(wrapper, 'pay-countdown')).toBe('00:05');
    expect(api.calls(LIST)).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(5000);
    await flushPromises();
    expect(wrapper.find('[data-testid="pay-countdown"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="pay-link"]').exists()).toBe(false);
    expect(text(wrapper, 'pay-note')).toBe('This order has expired. Create a new one to pay.');
    expect(api.calls(LIST)).toHaveLength(2);
    expect(row(wrapper, 'PO1').attributes('data-status')).toBe('expired');

    await wrapper.get('[data-testid="pay-close"]').trigger('click');
    expect(wrapper.find('[data-testid="pay-panel"]').exists()).toBe(false);
  });

  it('an order that expired while the list was open is not shown again: the list is refreshed instead', async () => {
    const api = stubApi({ [LIST]: page([order('PO1', { expireAt: new Date(Date.now() + 60_000).toISOString() })]) });
    const { wrapper } = await mountOrders();
    vi.setSystemTime(Date.now() + 61_000);
    await row(wrapper, 'PO1').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="pay-panel"]').exists()).toBe(false);
    expect(text(wrapper, 'orders-notice')).toBe('Order PO1 has expired and can no longer be paid. Create a new order to recharge.');
    expect(api.calls(LIST)).toHaveLength(2);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(0);
  });

  it('closing the panel stops asking about the order', async () => {
    const api = stubApi({ [LIST]: page([order('PO1')]), 'GET /api/payment/orders/PO1': () => order('PO1') });
    const { wrapper } = await mountOrders();
    await row(wrapper, 'PO1').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    await wrapper.get('[data-testid="pay-close"]').trigger('click');
    expect(wrapper.find('[data-testid="pay-panel"]').exists()).toBe(false);
    const polls = api.calls('GET /api/payment/orders/PO1').length;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(polls);
  });
});

describe('OrdersView: cancelling a pending order', () => {
  const CANCEL = 'POST /api/payment/orders/PO1/cancel';

  function listing(statusAfter: OrderStatus) {
    let n = 0;
    return () => page([order('PO1', n++ === 0 ? {} : { status: statusAfter })]);
  }

  async function askAndConfirm(wrapper: Wrapper) {
    await row(wrapper, 'PO1').get('[data-testid="order-cancel"]').trigger('click');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
  }

  it('asks first; "Cancel" in the dialog leaves the order alone', async () => {
    const api = stubApi({ [LIST]: page([order('PO1')]), [CANCEL]: order('PO1', { status: 'cancelled' }) });
    const { wrapper } = await mountOrders();
    await row(wrapper, 'PO1').get('[data-testid="order-cancel"]').trigger('click');
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.text()).toContain('Cancel this order?');
    expect(dialog.text()).toContain('Order PO1 for ¥100.00 will be cancelled and can no longer be paid.');
    expect(wrapper.get('[data-testid="confirm-ok"]').text()).toBe('Yes, cancel order');

    await wrapper.get('[data-testid="confirm-cancel"]').trigger('click');
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(api.calls(CANCEL)).toHaveLength(0);
  });

  it('cancelled: says so and shows the new status', async () => {
    const api = stubApi({ [LIST]: listing('cancelled'), [CANCEL]: order('PO1', { status: 'cancelled' }) });
    const { wrapper } = await mountOrders();
    await askAndConfirm(wrapper);

    expect(api.calls(CANCEL)).toHaveLength(1);
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(text(wrapper, 'orders-notice')).toBe('Order PO1 was cancelled.');
    expect(api.calls(LIST)).toHaveLength(2);
    expect(row(wrapper, 'PO1').attributes('data-status')).toBe('cancelled');
    expect(row(wrapper, 'PO1').get('[data-testid="order-status"]').text()).toBe('Cancelled');
    expect(row(wrapper, 'PO1').find('[data-testid="order-cancel"]').exists()).toBe(false);
  });

  it('answered paid (the gateway had been paid meanwhile): says the payment was credited', async () => {
    stubApi({ [LIST]: listing('paid'), [CANCEL]: order('PO1', { status: 'paid' }) });
    const { wrapper } = await mountOrders();
    await askAndConfirm(wrapper);
    const notice = wrapper.get('[data-testid="orders-notice"]');
    expect(notice.text()).toBe('Order PO1 had already been paid, so it was not cancelled. The payment was credited to your balance.');
    expect(notice.classes()).toContain('success');
    expect(row(wrapper, 'PO1').attributes('data-status')).toBe('paid');
  });

  it('409 not pending: says what the order is now', async () => {
    const api = stubApi({
      [LIST]: listing('expired'),
      [CANCEL]: apiError(409, 'PAYMENT_ORDER_NOT_PENDING', 'order is not pending'),
      'GET /api/payment/orders/PO1': order('PO1', { status: 'expired' }),
    });
    const { wrapper } = await mountOrders();
    await askAndConfirm(wrapper);
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(text(wrapper, 'orders-notice')).toBe(
      'Order PO1 is no longer waiting for payment, so it was not cancelled. Its status is now: Expired.',
    );
    expect(api.calls(LIST)).toHaveLength(2);
    expect(row(wrapper, 'PO1').attributes('data-status')).toBe('expired');
  });

  it('409 not pending, in Chinese, when the order cannot be read either', async () => {
    stubApi({
      [LIST]: listing('cancelled'),
      [CANCEL]: apiError(409, 'PAYMENT_ORDER_NOT_PENDING', 'order is not pending'),
      'GET /api/payment/orders/PO1': apiError(500, 'INTERNAL', 'boom'),
    });
    const { wrapper } = await mountOrders('zh');
    await askAndConfirm(wrapper);
    expect(text(wrapper, 'orders-notice')).toBe('订单 PO1 已不在等待支付，因此没有取消。');
  });

  it('no answer: the dialog stays open with the reason, and trying again works', async () => {
    let n = 0;
    const api = stubApi({
      [LIST]: listing('cancelled'),
      [CANCEL]: () => {
        if (++n === 1) throw new TypeError('offline');
        return order('PO1', { status: 'cancelled' });
      },
    });
    const { wrapper } = await mountOrders();
    await askAndConfirm(wrapper);
    expect(text(wrapper, 'confirm-error')).toBe('Cannot reach the server. Check your connection and try again.');
    expect(wrapper.find('[data-testid="orders-notice"]').exists()).toBe(false);

    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(api.calls(CANCEL)).toHaveLength(2);
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(text(wrapper, 'orders-notice')).toBe('Order PO1 was cancelled.');
  });

  it('from the payment panel: after confirming, the panel closes and polling stops', async () => {
    const api = stubApi({
      [LIST]: listing('cancelled'),
      [CANCEL]: order('PO1', { status: 'cancelled' }),
      'GET /api/payment/orders/PO1': () => order('PO1'),
    });
    const { wrapper } = await mountOrders();
    await row(wrapper, 'PO1').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    await wrapper.get('[data-testid="pay-cancel"]').trigger('click');
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('Order PO1');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();

    expect(api.calls(CANCEL)).toHaveLength(1);
    expect(wrapper.find('[data-testid="pay-panel"]').exists()).toBe(false);
    expect(text(wrapper, 'orders-notice')).toBe('Order PO1 was cancelled.');
    const polls = api.calls('GET /api/payment/orders/PO1').length;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(polls);
  });
});

describe('OrdersView: how a pending order is paid comes from its gateway', () => {
  const PROVIDERS_ROUTE = 'GET /api/payment/providers';
  const ADDRESS = 'TQ7c2ZbM4vHn9X2wG6r1dE5sYp8kLmN3aB';
  const usdt = (overrides: Partial<Order> = {}) =>
    order('PO9', {
      provider: PROVIDERS.address.name,
      paymentMethod: 'usdt',
      amountCny: '20.00',
      amountUsd: '2.77777778',
      totalUsd: '2.77777778',
      paymentUrl: null,
      payCurrency: 'USDT',
      payAmount: '2.781',
      payAddress: ADDRESS,
      payRate: '7.2',
      ...overrides,
    });

  it('an address order resumes into the address panel; polling finds the payment, then the result page', async () => {
    const expireAt = new Date(Date.now() + 20 * 60_000).toISOString();
    const statuses: OrderStatus[] = ['pending', 'paid'];
    let polls = 0;
    const api = stubApi({
      [PROVIDERS_ROUTE]: [PROVIDERS.redirectOnly, PROVIDERS.address],
      [LIST]: page([usdt({ expireAt })]),
      'GET /api/payment/orders/PO9': () => {
        const status = statuses[Math.min(polls++, 1)]!;
        return usdt(status === 'paid' ? { status, expireAt, totalUsd: '3.61111111' } : { status, expireAt });
      },
    });
    const { wrapper, router } = await mountOrders();
    expect(api.calls(PROVIDERS_ROUTE)).toHaveLength(1);
    expect(row(wrapper, 'PO9').text()).toContain('USDT (TRC20)');

    await row(wrapper, 'PO9').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="pay-panel"]').exists()).toBe(false);
    const panel = wrapper.get('[data-testid="address-pay-panel"]');
    expect(panel.attributes('data-order-no')).toBe('PO9');
    expect(text(wrapper, 'address-pay-amount')).toBe('2.781 USDT');
    expect(text(wrapper, 'address-pay-address')).toBe(ADDRESS);
    expect(text(wrapper, 'address-pay-network')).toBe('TRON (TRC20)');
    expect(text(wrapper, 'address-pay-countdown')).toBe('20:00');
    expect(wrapper.find('[data-testid="address-pay-close"]').exists()).toBe(true); // My orders can leave it open

    await vi.advanceTimersByTimeAsync(3000);
    expect(api.calls('GET /api/payment/orders/PO9')).toHaveLength(2);
    expect(wrapper.get('[data-testid="address-pay-found"]').text()).toContain('3.61 USD was added to your balance.');
    expect(router.currentRoute.value.path).toBe('/orders');
    await vi.advanceTimersByTimeAsync(3000);
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/payment/result?out_trade_no=PO9'));
  });

  it('in Chinese: the found state says 已收到您的付款', async () => {
    const expireAt = new Date(Date.now() + 20 * 60_000).toISOString();
    stubApi({
      [PROVIDERS_ROUTE]: [PROVIDERS.address],
      [LIST]: page([usdt({ expireAt })]),
      'GET /api/payment/orders/PO9': () => usdt({ status: 'paid', expireAt }),
    });
    const { wrapper } = await mountOrders('zh');
    await row(wrapper, 'PO9').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    const found = wrapper.get('[data-testid="address-pay-found"]');
    expect(found.text()).toContain('已收到您的付款');
    expect(found.get('[data-testid="address-pay-result"]').text()).toBe('查看结果');
  });

  it('closing the address panel stops polling and never opens the result page', async () => {
    const api = stubApi({
      [PROVIDERS_ROUTE]: [PROVIDERS.address],
      [LIST]: page([usdt()]),
      'GET /api/payment/orders/PO9': () => usdt(),
    });
    const { wrapper, router } = await mountOrders();
    await row(wrapper, 'PO9').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    await wrapper.get('[data-testid="address-pay-close"]').trigger('click');
    expect(wrapper.find('[data-testid="address-pay-panel"]').exists()).toBe(false);
    const polls = api.calls('GET /api/payment/orders/PO9').length;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(api.calls('GET /api/payment/orders/PO9')).toHaveLength(polls);
    expect(router.currentRoute.value.path).toBe('/orders');
  });

  it('a gateway whose display is qrcode: a web address is shown as a QR code, not a link', async () => {
    const scanOnly = { name: 'scanpay', labels: { zh: '扫码付', en: 'Scan Pay' }, methods: ['alipay'], display: 'qrcode', offersQrCode: false };
    stubApi({
      [PROVIDERS_ROUTE]: [scanOnly],
      [LIST]: page([order('PO1', { provider: 'scanpay', paymentUrl: 'https://qr.alipay.com/bax777' })]),
      'GET /api/payment/orders/PO1': () => order('PO1'),
    });
    const { wrapper } = await mountOrders();
    await row(wrapper, 'PO1').get('[data-testid="order-resume"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="pay-panel"]').attributes('data-display')).toBe('qrcode');
    expect(wrapper.get('[data-testid="qr-code"]').attributes('data-value')).toBe('https://qr.alipay.com/bax777');
    expect(wrapper.find('[data-testid="pay-link"]').exists()).toBe(false);
  });

  it('an order without a method is named by its gateway’s label', async () => {
    stubApi({
      [PROVIDERS_ROUTE]: [PROVIDERS.redirectOnly],
      [LIST]: page([order('PO1', { paymentMethod: null, status: 'paid' })]),
    });
    const { wrapper } = await mountOrders();
    expect(row(wrapper, 'PO1').text()).toContain('Sandbox ·');
  });
});
