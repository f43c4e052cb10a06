import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import PaymentResultView from '../PaymentResultView.vue';
import { apiError, mountSignedIn, stubApi } from '../../__tests__/support';
import type { Order, OrderStatus } from '../../api/types';

function order(status: OrderStatus): Order {
  const paid = status === 'paid';
  return {
    orderNo: 'PO42',
    status,
    provider: 'sandbox',
    paymentMethod: 'alipay',
    amountCny: '100.00',
    amountUsd: '13.88888889',
    bonusUsd: paid ? '4.16666667' : '0.00000000',
    totalUsd: paid ? '18.05555556' : '13.88888889',
    exchangeRate: '7.2000',
    promotionTier: 0,
    paymentUrl: 'https://pay.example/PO42',
    payCurrency: 'CNY',
    payAmount: '100.00',
    payAddress: null,
    payRate: null,
    campaigns: [],
    expireAt: '2030-01-01T00:30:00.000Z',
    paidAt: paid ? '2030-01-01T00:01:00.000Z' : null,
    createdAt: '2030-01-01T00:00:00.000Z',
  };
}

const KEY = 'GET /api/payment/orders/PO42';

beforeEach(() => {
  localStorage.clear();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => vi.useRealTimers());

describe('PaymentResultView', () => {
  it('names the campaigns the order got, each with its bonus', async () => {
    stubApi({ [KEY]: { ...order('paid'), campaigns: [{ id: '1', name: 'New-user bonus', bonusUsd: '4.16666667' }] } });
    const { wrapper } = await mountSignedIn(PaymentResultView, '/payment/result?out_trade_no=PO42');
    await flushPromises();

    expect(wrapper.get('[data-testid="order-campaigns"]').text()).toBe('New-user bonus +$4.17');
    expect(wrapper.get('.details').text()).toContain('Campaigns');
  });

  it('polls every 2 s until the order is paid, then shows the amounts and stops', async () => {
    const answers: OrderStatus[] = ['pending', 'pending', 'paid'];
    const api = stubApi({ [KEY]: () => order(answers.shift() ?? 'paid') });
    const { wrapper } = await mountSignedIn(PaymentResultView, '/payment/result?out_trade_no=PO42');
    await flushPromises();

    const status = () => wrapper.get('[data-testid="result-status"]').attributes('data-status');
    expect(api.calls(KEY)).toHaveLength(1);
    expect(status()).toBe('pending');

    await vi.advanceTimersByTimeAsync(1999);
    expect(api.calls(KEY)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.calls(KEY)).toHaveLength(2);
    expect(status()).toBe('pending');

    await vi.advanceTimersByTimeAsync(2000);
    expect(api.calls(KEY)).toHaveLength(3);
    expect(status()).toBe('paid');
    expect(wrapper.get('[data-testid="result-status"]').text()).toContain('Paid');
    // USD at 2 decimals rounded half-up; the exact amount is in the title, for hover.
    expect(wrapper.get('[data-testid="result-total"]').text()).toBe('18.06');
    expect(wrapper.get('[data-testid="result-total"]').attributes('title')).toBe('18.05555556');
    expect(wrapper.get('[data-testid="result-bonus"]').text()).toBe('+4.17 USD');
    expect(wrapper.get('[data-testid="result-bonus"] .money').attributes('title')).toBe('4.16666667');
    expect(wrapper.get('[data-testid="result-amount-usd"]').text()).toBe('13.89 USD');
    expect(wrapper.get('[data-testid="result-amount-usd"] .money').attributes('title')).toBe('13.88888889');
    expect(wrapper.get('[data-testid="result-amount-cny"]').text()).toBe('¥100.00');

    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.calls(KEY)).toHaveLength(3);
  });

  it.each(['failed', 'expired', 'cancelled', 'refunded'] as const)('stops at %s', async (final) => {
    const api = stubApi({ [KEY]: order(final) });
    const { wrapper } = await mountSignedIn(PaymentResultView, '/payment/result?out_trade_no=PO42');
    await flushPromises();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.calls(KEY)).toHaveLength(1);
    expect(wrapper.get('[data-testid="result-status"]').attributes('data-status')).toBe(final);
  });

  it('a cancelled order is labelled and says a payment made anyway is still credited', async () => {
    stubApi({ [KEY]: order('cancelled') });
    const { wrapper } = await mountSignedIn(PaymentResultView, '/payment/result?out_trade_no=PO42');
    await flushPromises();
    expect(wrapper.get('[data-testid="result-status"]').text()).toContain('Cancelled');
    expect(wrapper.get('[data-testid="result-note"]').text()).toBe(
      'You cancelled this order. If you paid it anyway, the payment is still credited.',
    );
  });

  it('a refunding order is labelled and keeps being checked until the refund is done', async () => {
    const answers: OrderStatus[] = ['refunding', 'refunding', 'refunded'];
    const api = stubApi({ [KEY]: () => order(answers.shift() ?? 'refunded') });
    const { wrapper } = await mountSignedIn(PaymentResultView, '/payment/result?out_trade_no=PO42', 'zh');
    await flushPromises();
    expect(wrapper.get('[data-testid="result-status"]').text()).toContain('退款中');
    expect(wrapper.get('[data-testid="result-note"]').text()).toBe('该订单正在退款中。');

    await vi.advanceTimersByTimeAsync(4000);
    expect(api.calls(KEY)).toHaveLength(3);
    expect(wrapper.get('[data-testid="result-status"]').attributes('data-status')).toBe('refunded');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.calls(KEY)).toHaveLength(3);
  });

  it('gives up after about two minutes and offers to check again', async () => {
    const api = stubApi({ [KEY]: () => order('pending') });
    const { wrapper } = await mountSignedIn(PaymentResultView, '/payment/result?out_trade_no=PO42');
    await flushPromises();

    await vi.advanceTimersByTimeAsync(130_000);
    const count = api.calls(KEY).length;
    expect(count).toBeGreaterThanOrEqual(60);
    expect(count).toBeLessThanOrEqual(62);
    expect(wrapper.text()).toContain('We have not received the payment confirmation yet');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.calls(KEY)).toHaveLength(count);

    const again = wrapper.findAll('button').find((b) => b.text() === 'Check again');
    expect(again).toBeDefined();
    await again!.trigger('click');
    await flushPromises();
    expect(api.calls(KEY)).toHaveLength(count + 1);
  });

  it('keeps polling through a network error, stops on 404', async () => {
    let n = 0;
    const api = stubApi({
      [KEY]: () => {
        n += 1;
        if (n === 1) throw new TypeError('offline');
        return apiError(404, 'PAYMENT_ORDER_NOT_FOUND', 'no such order');
      },
    });
    const { wrapper } = await mountSignedIn(PaymentResultView, '/payment/result?out_trade_no=PO42');
    await flushPromises();
    expect(wrapper.text()).toContain('Cannot reach the server');

    await vi.advanceTimersByTimeAsync(2000);
    expect(api.calls(KEY)).toHaveLength(2);
    expect(wrapper.text()).toContain('This order does not exist.');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.calls(KEY)).toHaveLength(2);
  });

  it('links to My orders', async () => {
    stubApi({ [KEY]: order('paid') });
    const { wrapper, router } = await mountSignedIn(PaymentResultView, '/payment/result?out_trade_no=PO42');
    await flushPromises();
    const link = wrapper.get('[data-testid="result-orders"]');
    expect(link.text()).toBe('My orders');
    expect(link.attributes('href')).toBe('/orders');
    await link.trigger('click');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('orders'));
  });

  it('without out_trade_no it says so and asks nothing', async () => {
    const api = stubApi({});
    const { wrapper } = await mountSignedIn(PaymentResultView, '/payment/result');
    await flushPromises();
    expect(wrapper.text()).toContain('No order was given');
    expect(api.requests).toHaveLength(0);
  });
});
