import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory } from 'vue-router';
import AddressPayPanel from '../AddressPayPanel.vue';
import { createAppRouter } from '../../router';
import { createAppI18n, type AppLocale } from '../../i18n';
import type { Order, OrderStatus } from '../../api/types';

const ADDRESS = 'TQ7c2ZbM4vHn9X2wG6r1dE5sYp8kLmN3aB';

function order(overrides: Partial<Order> = {}): Order {
  return {
    orderNo: 'PO9',
    status: 'pending',
    provider: 'usdt_trc20',
    paymentMethod: 'usdt',
    amountCny: '20.00',
    amountUsd: '2.77777778',
    bonusUsd: '0.00000000',
    totalUsd: '2.77777778',
    exchangeRate: '7.2000',
    promotionTier: null,
    paymentUrl: null,
    payCurrency: 'USDT',
    payAmount: '2.781',
    payAddress: ADDRESS,
    payRate: '7.2',
    campaigns: [],
    expireAt: new Date(Date.now() + 90_000).toISOString(),
    paidAt: null,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

function mountPanel(props: { order: Order; status?: OrderStatus | null; closable?: boolean }, locale: AppLocale = 'en') {
  const pinia = createPinia();
  setActivePinia(pinia); // the router's guards read the session
  const router = createAppRouter(createMemoryHistory());
  return mount(AddressPayPanel, {
    props: { network: 'TRON (TRC20)', closeLabel: 'Back', ...props },
    global: { plugins: [pinia, router, createAppI18n(locale)] },
    attachTo: document.body,
  });
}

type Wrapper = ReturnType<typeof mountPanel>;
const text = (w: Wrapper, id: string) => w.get(`[data-testid="${id}"]`).text();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  window.getSelection()?.removeAllRanges();
});

describe('AddressPayPanel', () => {
  it('shows the amount exactly as sent (never rounded or padded), the address whole, its QR code and the network', async () => {
    const wrapper = mountPanel({ order: order({ payAmount: '12.10', payCurrency: 'USDT' }) });
    await flushPromises();
    expect(text(wrapper, 'address-pay-amount')).toBe('12.10 USDT');
    expect(wrapper.get('h2').text()).toBe('Send 12.10 USDT');
    expect(text(wrapper, 'address-pay-address')).toBe(ADDRESS);
    expect(wrapper.get('[data-testid="address-pay-qr"] img').attributes('data-value')).toBe(ADDRESS);
    expect(wrapper.get('[data-testid="address-pay-qr"] img').attributes('src')).toMatch(/^data:image\/svg\+xml/);
    expect(text(wrapper, 'address-pay-network')).toBe('TRON (TRC20)');
    expect(text(wrapper, 'address-pay-warning')).toBe(
      'Send exactly 12.10 USDT, including every decimal. A different amount cannot be matched to your order automatically.',
    );
    wrapper.unmount();

    const three = mountPanel({ order: order({ payAmount: '1234.567' }) });
    expect(text(three, 'address-pay-amount')).toBe('1234.567 USDT'); // no thousands separator either: typed into a wallet
  });

  it('Copy puts the exact strings on the clipboard and says "Copied" for a moment', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const wrapper = mountPanel({ order: order() });

    await wrapper.get('[data-testid="address-pay-copy-amount"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledExactlyOnceWith('2.781');
    expect(text(wrapper, 'address-pay-copy-amount')).toBe('Copied');
    expect(text(wrapper, 'address-pay-copy-address')).toBe('Copy address');

    await wrapper.get('[data-testid="address-pay-copy-address"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenLastCalledWith(ADDRESS);
    expect(text(wrapper, 'address-pay-copy-address')).toBe('Copied');
    expect(text(wrapper, 'address-pay-copy-amount')).toBe('Copy amount');

    await vi.advanceTimersByTimeAsync(2500);
    expect(text(wrapper, 'address-pay-copy-address')).toBe('Copy address');
    expect(wrapper.find('[data-testid="address-pay-copy-failed"]').exists()).toBe(false);
  });

  it('without a clipboard, selects the address for copying by hand and says so', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    const execCommand = vi.fn().mockReturnValue(false); // the old copy command does not work either
    const original = document.execCommand;
    document.execCommand = execCommand;
    try {
      const wrapper = mountPanel({ order: order() });
      await wrapper.get('[data-testid="address-pay-copy-address"]').trigger('click');
      await flushPromises();
      expect(execCommand).toHaveBeenCalledWith('copy');
      expect(window.getSelection()?.toString()).toBe(ADDRESS);
      expect(text(wrapper, 'address-pay-copy-failed')).toBe('Could not copy automatically. The text is selected: copy it by hand.');
      expect(text(wrapper, 'address-pay-copy-address')).toBe('Copy address');

      await wrapper.get('[data-testid="address-pay-copy-amount"]').trigger('click');
      await flushPromises();
      expect(window.getSelection()?.toString()).toBe('2.781 USDT');
    } finally {
      document.execCommand = original;
    }
  });

  it('counts down to expireAt; at zero it says the order expired and emits expired', async () => {
    const wrapper = mountPanel({ order: order({ expireAt: new Date(Date.now() + 65_000).toISOString() }), closable: true });
    expect(text(wrapper, 'address-pay-countdown')).toBe('01:05');
    await vi.advanceTimersByTimeAsync(5000);
    expect(text(wrapper, 'address-pay-countdown')).toBe('01:00');
    expect(wrapper.emitted('expired')).toBeUndefined();

    await vi.advanceTimersByTimeAsync(60_000);
    expect(wrapper.emitted('expired')).toHaveLength(1);
    expect(wrapper.find('[data-testid="address-pay-address"]').exists()).toBe(false); // nothing to send to any more
    expect(text(wrapper, 'address-pay-note')).toBe('This order has expired. Do not send anything for it; create a new order to pay.');
    await wrapper.get('[data-testid="address-pay-close"]').trigger('click');
    expect(wrapper.emitted('close')).toHaveLength(1);
  });

  it('paid: "We found your payment" with what was credited and a link to the result page', async () => {
    const wrapper = mountPanel({ order: order({ status: 'paid', totalUsd: '3.61111111' }) });
    const found = wrapper.get('[data-testid="address-pay-found"]');
    expect(found.get('h2').text()).toBe('We found your payment');
    expect(text(wrapper, 'address-pay-credited')).toBe('3.61 USD was added to your balance.');
    expect(found.get('[data-testid="address-pay-credited"] .money').attributes('title')).toBe('3.61111111');
    expect(found.get('[data-testid="address-pay-result"]').attributes('href')).toBe('/payment/result?out_trade_no=PO9');
    expect(wrapper.find('[data-testid="address-pay-countdown"]').exists()).toBe(false);
  });

  it('the status passed in wins over the order’s own; a cancelled order says so', async () => {
    const wrapper = mountPanel({ order: order(), status: 'cancelled' });
    expect(wrapper.get('[data-testid="address-pay-panel"]').attributes('data-status')).toBe('cancelled');
    expect(text(wrapper, 'address-pay-note')).toBe('This order is Cancelled.');
  });

  it('cancel and close are offered while the order can be paid (close only when asked for)', async () => {
    const wrapper = mountPanel({ order: order() });
    expect(wrapper.find('[data-testid="address-pay-close"]').exists()).toBe(false);
    await wrapper.get('[data-testid="address-pay-cancel"]').trigger('click');
    expect(wrapper.emitted('cancel')).toHaveLength(1);
    await wrapper.setProps({ closable: true });
    await wrapper.get('[data-testid="address-pay-close"]').trigger('click');
    expect(wrapper.emitted('close')).toHaveLength(1);
  });

  it('in Chinese', async () => {
    const wrapper = mountPanel({ order: order() }, 'zh');
    expect(wrapper.get('h2').text()).toBe('转账 2.781 USDT');
    expect(text(wrapper, 'address-pay-copy-amount')).toBe('复制金额');
    expect(text(wrapper, 'address-pay-copy-address')).toBe('复制地址');
    expect(text(wrapper, 'address-pay-warning')).toBe('请准确转账 2.781 USDT，包括全部小数位。金额不一致将无法自动匹配到您的订单。');
    expect(text(wrapper, 'address-pay-order')).toBe('订单金额 ¥20.00 · 1 USDT = ¥7.2');
    await wrapper.setProps({ status: 'paid' });
    expect(wrapper.get('[data-testid="address-pay-found"] h2').text()).toBe('已收到您的付款');
  });
});
