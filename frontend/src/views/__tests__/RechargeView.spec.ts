import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import RechargeView from '../RechargeView.vue';
import { PROVIDERS, apiError, json, me, mountSignedIn, stubApi, type SeenRequest } from '../../__tests__/support';
import { useAuthStore } from '../../stores/auth';
import type { Offers, Order, PaymentConfig, PromotionStatus } from '../../api/types';

const config: PaymentConfig = {
  enabled: true,
  providers: [PROVIDERS.qrCapable, PROVIDERS.redirectOnly],
  packages: [
    { amountCny: '10.00', amountUsd: '1.38888889', popular: false },
    { amountCny: '50.00', amountUsd: '6.94444444', popular: false },
    { amountCny: '100.00', amountUsd: '13.88888889', popular: true },
    { amountCny: '500.00', amountUsd: '69.44444444', popular: false },
  ],
  minAmountCny: '1.00',
  maxAmountCny: '10000.00',
  exchangeRate: '7.2',
  discountRate: '1',
  orderExpireMinutes: 30,
  promotion: { tier: 0, percent: 30, endsAt: '2030-01-01T00:00:00.000Z', minAmountCny: '20.00' },
};

const promotionStatus: PromotionStatus = {
  enabled: true,
  status: 'active',
  activatedAt: '2026-11-23T00:00:00.000Z',
  expireAt: '2026-11-26T00:00:00.000Z',
  currentTier: 0,
  currentPercent: 30,
  secondsLeftInTier: 3600,
  secondsLeftOverall: 259200,
  minAmountCny: '20.00',
  usedTier: null,
  bonusAmount: null,
  tiers: [
    { tier: 0, hours: 24, percent: 30, endsAt: '2026-11-24T00:00:00.000Z' },
    { tier: 1, hours: 36, percent: 20, endsAt: '2026-11-24T12:00:00.000Z' },
  ],
};

function order(overrides: Partial<Order> = {}): Order {
  return {
    orderNo: 'PO1',
    status: 'pending',
    provider: 'sandbox',
    paymentMethod: 'alipay',
    amountCny: '50.00',
    amountUsd: '6.94444444',
    bonusUsd: '0.00000000',
    totalUsd: '6.94444444',
    exchangeRate: '7.2000',
    promotionTier: 0,
    paymentUrl: 'https://pay.example/checkout/PO1',
    payCurrency: 'CNY',
    payAmount: '50.00',
    payAddress: null,
    payRate: null,
    campaigns: [],
    expireAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    paidAt: null,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

function routes(extra: Record<string, unknown> = {}) {
  return stubApi({
    'GET /api/payment/config': config,
    'GET /api/users/promotion/status': promotionStatus,
    ...extra,
  });
}

async function mountRecharge() {
  const mounted = await mountSignedIn(RechargeView, '/recharge');
  await flushPromises();
  return mounted;
}

type Wrapper = Awaited<ReturnType<typeof mountRecharge>>['wrapper'];
const text = (w: Wrapper, id: string) => w.get(`[data-testid="${id}"]`).text();
/** The exact amount a rounded one carries for hover. */
const exact = (w: Wrapper, id: string) => w.get(`[data-testid="${id}"] .money`).attributes('title');

beforeEach(() => localStorage.clear());
afterEach(() => vi.useRealTimers());

describe('RechargeView', () => {
  it('preselects the popular package and previews USD, bonus and total with the promotion', async () => {
    routes();
    const { wrapper } = await mountRecharge();

    expect(wrapper.get('[data-testid="package-100.00"]').classes()).toContain('selected');
    expect(wrapper.get('[data-testid="package-100.00"]').classes()).toContain('popular');
    const pkg = wrapper.get('[data-testid="package-100.00"]');
    expect(pkg.text()).toContain('¥100.00');
    expect(pkg.text()).toContain('≈ 13.89 USD');
    expect(pkg.get('.package-usd .money').attributes('title')).toBe('13.88888889');
    expect(pkg.get('.package-cny .money').attributes('title')).toBeUndefined(); // CNY has 2 decimals: nothing hidden
    // Shown at 2 decimals rounded half-up, the exact value on hover.
    expect(text(wrapper, 'preview-usd')).toBe('13.89');
    expect(exact(wrapper, 'preview-usd')).toBe('13.88888889');
    expect(text(wrapper, 'preview-bonus')).toBe('+4.17');
    expect(exact(wrapper, 'preview-bonus')).toBe('4.16666667');
    expect(text(wrapper, 'preview-total')).toBe('18.06');
    expect(exact(wrapper, 'preview-total')).toBe('18.05555556');
    expect(wrapper.get('[data-testid="promotion-banner"]').text()).toContain('+30%');
    // Tier 0 (the first 24 h) is the current one.
    expect(wrapper.get('li.current').attributes('data-tier')).toBe('0');
  });

  it('choosing a package updates the preview; below the promotion minimum there is no bonus', async () => {
    routes();
    const { wrapper } = await mountRecharge();

    await wrapper.get('[data-testid="package-10.00"]').trigger('click');
    expect(text(wrapper, 'preview-usd')).toBe('1.39');
    expect(exact(wrapper, 'preview-usd')).toBe('1.38888889');
    expect(wrapper.find('[data-testid="preview-bonus"]').exists()).toBe(false); // 10 < minAmountCny 20
    expect(text(wrapper, 'preview-total')).toBe('1.39');

    await wrapper.get('[data-testid="custom-amount"]').setValue('20');
    expect(wrapper.get('[data-testid="package-10.00"]').classes()).not.toContain('selected');
    expect(text(wrapper, 'preview-usd')).toBe('2.78');
    expect(exact(wrapper, 'preview-usd')).toBe('2.77777778');
    expect(text(wrapper, 'preview-bonus')).toBe('+0.83');
    expect(exact(wrapper, 'preview-bonus')).toBe('0.83333333');
    expect(text(wrapper, 'preview-total')).toBe('3.61');
    expect(exact(wrapper, 'preview-total')).toBe('3.61111111');
    expect(text(wrapper, 'recharge-submit')).toBe('Pay ¥20.00');
  });

  it('an amount above the maximum shows the error and does not call the API', async () => {
    const api = routes({ 'POST /api/payment/orders': order() });
    const { wrapper } = await mountRecharge();

    await wrapper.get('[data-testid="custom-amount"]').setValue('10000.01');
    expect(text(wrapper, 'recharge-error')).toBe('The amount must be between ¥1.00 and ¥10000.00.');
    expect(text(wrapper, 'preview-usd')).toBe('—');

    await wrapper.get('[data-testid="recharge-submit"]').trigger('click');
    await flushPromises();
    expect(api.calls('POST /api/payment/orders')).toHaveLength(0);
    expect(text(wrapper, 'recharge-error')).toBe('The amount must be between ¥1.00 and ¥10000.00.');

    await wrapper.get('[data-testid="custom-amount"]').setValue('12.345');
    expect(text(wrapper, 'recharge-error')).toBe('Enter an amount in yuan with at most 2 decimals.');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(api.calls('POST /api/payment/orders')).toHaveLength(0);
  });

  it('submits the chosen amount, provider and method, then goes to the payment URL', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const api = routes({ 'POST /api/payment/orders': (req: SeenRequest) => order({ amountCny: String((req.body as { amountCny: string }).amountCny) }) });
    const { wrapper } = await mountRecharge();

    await wrapper.get('[data-testid="package-50.00"]').trigger('click');
    await wrapper.get('[data-testid="provider-sandbox"]').trigger('click');
    expect(wrapper.find('[data-testid="method-wxpay"]').exists()).toBe(false); // sandbox offers alipay only
    await wrapper.get('[data-testid="method-alipay"]').trigger('click');
    expect(wrapper.find('[data-testid="recharge-qr"]').exists()).toBe(false); // this gateway does not offer a QR code
    await wrapper.get('[data-testid="recharge-submit"]').trigger('click');
    await flushPromises();

    const posts = api.calls('POST /api/payment/orders');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toEqual({ amountCny: '50.00', provider: 'sandbox', method: 'alipay', display: 'redirect' });
    expect(assign).toHaveBeenCalledExactlyOnceWith('https://pay.example/checkout/PO1');
    expect(wrapper.find('[data-testid="recharge-error"]').exists()).toBe(false);
  });

  it('sends a typed amount with 2 decimals and the switched method', async () => {
    vi.stubGlobal('location', { ...window.location, assign: vi.fn() });
    const api = routes({ 'POST /api/payment/orders': order() });
    const { wrapper } = await mountRecharge();

    await wrapper.get('[data-testid="custom-amount"]').setValue('7.5');
    await wrapper.get('[data-testid="method-wxpay"]').trigger('click');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(api.calls('POST /api/payment/orders')[0]?.body).toEqual({
      amountCny: '7.50',
      provider: 'zpay',
      method: 'wxpay',
      display: 'redirect',
    });
  });

  it.each([
    [
      apiError(429, 'PAYMENT_TOO_MANY_ORDERS', 'too many', { 'Retry-After': '42' }),
      'You have created several orders in the last minute. Please wait a little before trying again. Try again in 42 s.',
    ],
    [
      apiError(409, 'PAYMENT_TOO_MANY_PENDING', 'pending'),
      'You have too many unpaid orders. Pay or cancel one of them, or wait for them to expire.',
    ],
    [
      apiError(502, 'PAYMENT_GATEWAY_FAILED', 'gateway'),
      'The payment service did not respond. Nothing was charged — please try again.',
    ],
    // a 400 about the amount: the server's own words, which name the limit
    [apiError(400, 'PAYMENT_AMOUNT_OUT_OF_RANGE', 'amountCny must be at most 5000.00'), 'amountCny must be at most 5000.00'],
  ])('shows a friendly message for an error answer (%#)', async (response, message) => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    routes({ 'POST /api/payment/orders': response });
    const { wrapper } = await mountRecharge();

    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(text(wrapper, 'recharge-error')).toBe(message);
    expect(assign).not.toHaveBeenCalled();
  });

  it('QR code (a gateway offering it): renders the code, polls every 3 s and goes to the result page once paid', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const statuses = ['pending', 'pending', 'paid'] as const;
    let polls = 0;
    const api = routes({
      'POST /api/payment/orders': order({ provider: 'zpay', paymentUrl: 'weixin://wxpay/bizpayurl?pr=abc' }),
      'GET /api/payment/orders/PO1': () => order({ provider: 'zpay', status: statuses[Math.min(polls++, 2)] }),
    });
    const { wrapper, router } = await mountRecharge();

    await wrapper.get('[data-testid="provider-zpay"]').trigger('click');
    await wrapper.get('[data-testid="recharge-qr"]').trigger('click');
    await flushPromises();

    expect(api.calls('POST /api/payment/orders')[0]?.body).toMatchObject({ provider: 'zpay', display: 'qrcode' });
    const qr = wrapper.get('[data-testid="qr-code"]');
    expect(qr.attributes('data-value')).toBe('weixin://wxpay/bizpayurl?pr=abc');
    expect(qr.attributes('src')).toMatch(/^data:image\/svg\+xml/);
    expect(text(wrapper, 'pay-countdown')).toBe('30:00');
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(1); // first check right away: pending

    await vi.advanceTimersByTimeAsync(2999);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(2); // still pending
    expect(text(wrapper, 'pay-countdown')).toBe('29:57');
    expect(router.currentRoute.value.path).toBe('/recharge');

    await vi.advanceTimersByTimeAsync(3000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(3); // paid
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/payment/result?out_trade_no=PO1'));

    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(3); // stopped
  });

  it.each([
    ['cancelled', '/recharge'],
    ['paid', '/payment/result?out_trade_no=PO1'],
  ] as const)('cancelling the QR order answered %s leads to %s', async (answer, path) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const api = routes({
      'POST /api/payment/orders': order({ provider: 'zpay', paymentUrl: 'weixin://wxpay/bizpayurl?pr=abc' }),
      'GET /api/payment/orders/PO1': order({ provider: 'zpay' }),
      'POST /api/payment/orders/PO1/cancel': order({ provider: 'zpay', status: answer }),
    });
    const { wrapper, router } = await mountRecharge();
    await wrapper.get('[data-testid="provider-zpay"]').trigger('click');
    await wrapper.get('[data-testid="recharge-qr"]').trigger('click');
    await flushPromises();

    await wrapper.get('[data-testid="pay-cancel"]').trigger('click');
    await flushPromises();
    expect(api.calls('POST /api/payment/orders/PO1/cancel')).toHaveLength(1);
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(path));
    expect(wrapper.find('[data-testid="qr-code"]').exists()).toBe(false);

    const polls = api.calls('GET /api/payment/orders/PO1').length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(polls); // polling stopped
  });

  it('shows a note instead of the form when payments are switched off', async () => {
    routes({ 'GET /api/payment/config': { ...config, enabled: false } });
    const { wrapper } = await mountRecharge();
    expect(wrapper.text()).toContain('Recharge is not available right now.');
    expect(wrapper.find('[data-testid="recharge-submit"]').exists()).toBe(false);
  });
});

describe('RechargeView: one Idempotency-Key per attempt', () => {
  const POST = 'POST /api/payment/orders';
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const keys = (api: ReturnType<typeof routes>) => api.calls(POST).map((r) => r.headers.get('Idempotency-Key'));

  async function pay(wrapper: Wrapper) {
    await wrapper.get('form').trigger('submit');
    await flushPromises();
  }

  it('sends a fresh key with each order once the previous one was answered', async () => {
    vi.stubGlobal('location', { ...window.location, assign: vi.fn() });
    const answers = [apiError(429, 'PAYMENT_TOO_MANY_ORDERS', 'too many'), json(201, order()), json(201, order())];
    const api = routes({ [POST]: () => answers.shift() });
    const { wrapper } = await mountRecharge();

    await pay(wrapper); // answered (a refusal): that attempt is over
    expect(text(wrapper, 'recharge-error')).toContain('several orders in the last minute');
    await pay(wrapper); // a new click: a new attempt
    expect(keys(api)).toHaveLength(2);
    expect(keys(api)[0]).toMatch(UUID);
    expect(keys(api)[1]).toMatch(UUID);
    expect(keys(api)[1]).not.toBe(keys(api)[0]);
  });

  it('resends the same attempt with the same key after no answer, a new key once the order changed', async () => {
    vi.stubGlobal('location', { ...window.location, assign: vi.fn() });
    let n = 0;
    const api = routes({
      [POST]: () => {
        n += 1;
        if (n <= 2) throw new TypeError('Failed to fetch'); // the request may or may not have arrived
        return json(201, order());
      },
    });
    const { wrapper } = await mountRecharge();

    await pay(wrapper);
    expect(text(wrapper, 'recharge-error')).toBe('Cannot reach the server. Check your connection and try again.');
    await pay(wrapper); // the same order again: the same key, so the server creates it at most once
    expect(keys(api)).toHaveLength(2);
    expect(keys(api)[0]).toMatch(UUID);
    expect(keys(api)[1]).toBe(keys(api)[0]);

    await wrapper.get('[data-testid="package-50.00"]').trigger('click'); // another amount: another attempt
    await pay(wrapper);
    expect(keys(api)).toHaveLength(3);
    expect(keys(api)[2]).toMatch(UUID);
    expect(keys(api)[2]).not.toBe(keys(api)[0]);
    expect(api.calls(POST)[2]?.body).toMatchObject({ amountCny: '50.00' });
    expect(wrapper.find('[data-testid="recharge-error"]').exists()).toBe(false);
  });

  it('keeps the key while the server says the first request with it is still running', async () => {
    vi.stubGlobal('location', { ...window.location, assign: vi.fn() });
    const answers = [apiError(409, 'IDEMPOTENCY_KEY_IN_USE', 'a request with this Idempotency-Key is still running'), json(201, order())];
    const api = routes({ [POST]: () => answers.shift() });
    const { wrapper } = await mountRecharge();
    await pay(wrapper);
    await pay(wrapper);
    expect(keys(api)).toHaveLength(2);
    expect(keys(api)[1]).toBe(keys(api)[0]);
  });
});

describe('RechargeView: redeem a code', () => {
  const REDEEM = 'POST /api/users/redeem';
  const ME = 'GET /api/users/me';

  async function enter(wrapper: Awaited<ReturnType<typeof mountRecharge>>['wrapper'], code: string) {
    await wrapper.get('[data-testid="redeem-code"]').setValue(code);
    await wrapper.get('[data-testid="redeem-submit"]').trigger('click');
    await flushPromises();
  }

  it('the input is a plain code field, and Redeem is disabled while it is empty or blank', async () => {
    const api = routes();
    const { wrapper } = await mountRecharge();
    const input = wrapper.get('[data-testid="redeem-code"]');
    expect(input.attributes('placeholder')).toBe('XXXX-XXXX-XXXX-XXXX');
    expect(input.attributes('autocomplete')).toBe('off');
    expect(input.attributes('spellcheck')).toBe('false');
    const button = wrapper.get('[data-testid="redeem-submit"]');
    expect(button.attributes('disabled')).toBeDefined();

    await input.setValue('   ');
    expect(button.attributes('disabled')).toBeDefined();
    await wrapper.get('.redeem-form').trigger('submit'); // Enter in the empty field
    await flushPromises();
    expect(api.calls(REDEEM)).toHaveLength(0);

    await input.setValue('abcd');
    expect(button.attributes('disabled')).toBeUndefined();
  });

  it('redeems with a fresh Idempotency-Key, shows the amount added and refreshes the balance', async () => {
    const api = routes({
      [REDEEM]: { amountUsd: '5.00000000', balance: '17.50000000' },
      [ME]: { ...me('user'), balance: '17.50000000' },
    });
    const { wrapper } = await mountRecharge();
    expect(api.calls(ME)).toHaveLength(0);

    await enter(wrapper, ' abcd-efgh-jkmn-pqrs ');

    const posts = api.calls(REDEEM);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ code: 'ABCD-EFGH-JKMN-PQRS' });
    const key = posts[0]!.headers.get('Idempotency-Key');
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(text(wrapper, 'redeem-success')).toBe('5.00 USD was added to your balance. Your balance is now 17.50 USD.');
    expect(api.calls(ME)).toHaveLength(1); // the balance everyone shows is asked for again
    expect(useAuthStore().profile?.balance).toBe('17.50000000');
    expect((wrapper.get('[data-testid="redeem-code"]').element as HTMLInputElement).value).toBe('');

    // the next submission is a new one, with its own key
    await enter(wrapper, 'WXYZ-2345-6789-ABCD');
    expect(api.calls(REDEEM)).toHaveLength(2);
    expect(api.calls(REDEEM)[1]!.headers.get('Idempotency-Key')).not.toBe(key);
  });

  it('says what was added at 2 decimals, with the exact amounts on hover', async () => {
    routes({ [REDEEM]: { amountUsd: '2.77777778', balance: '15.55555556' }, [ME]: me('user') });
    const { wrapper } = await mountRecharge();
    await enter(wrapper, 'ABCD-EFGH-JKMN-PQRS');
    const success = wrapper.get('[data-testid="redeem-success"]');
    expect(success.text()).toBe('2.78 USD was added to your balance. Your balance is now 15.56 USD.');
    expect(success.findAll('.money').map((m) => m.attributes('title'))).toEqual(['2.77777778', '15.55555556']);
  });

  it('disables the button while the request is under way', async () => {
    let answer!: (r: Response) => void;
    routes({ [REDEEM]: () => new Promise<Response>((resolve) => (answer = resolve)), [ME]: me('user') });
    const { wrapper } = await mountRecharge();
    await wrapper.get('[data-testid="redeem-code"]').setValue('ABCD');
    await wrapper.get('[data-testid="redeem-submit"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="redeem-submit"]').attributes('disabled')).toBeDefined();
    expect(text(wrapper, 'redeem-submit')).toBe('Redeeming…');
    answer(json(200, { amountUsd: '1.00000000', balance: '1.00000000' }));
    await flushPromises();
    expect(wrapper.get('[data-testid="redeem-submit"]').attributes('disabled')).toBeDefined(); // the field was emptied
    expect(text(wrapper, 'redeem-submit')).toBe('Redeem');
  });

  it.each([
    [
      apiError(404, 'REDEEM_CODE_INVALID', 'this code cannot be redeemed: it is wrong, used up, disabled or expired'),
      'This code cannot be redeemed. Check it for typos; a code that is used up, disabled or expired cannot be redeemed either.',
    ],
    [apiError(409, 'REDEEM_CODE_ALREADY_REDEEMED', 'you have already redeemed this code'), 'You have already redeemed this code.'],
    [
      apiError(429, 'REDEEM_TOO_MANY_FAILURES', 'too many wrong codes; try again in 900 s', { 'Retry-After': '900' }),
      'Too many wrong codes. Try again in 15 minutes.',
    ],
    [
      apiError(429, 'REDEEM_TOO_MANY_FAILURES', 'too many wrong codes; try again in 61 s', { 'Retry-After': '61' }),
      'Too many wrong codes. Try again in 2 minutes.',
    ],
    [
      apiError(429, 'REDEEM_TOO_MANY_FAILURES', 'too many wrong codes; try again in 30 s', { 'Retry-After': '30' }),
      'Too many wrong codes. Try again in 1 minute.',
    ],
    [apiError(400, 'VALIDATION_CODE_SHAPE', 'code must be shorter than or equal to 64 characters'), 'code must be shorter than or equal to 64 characters'],
  ])('maps the error answer to its message (%#)', async (response, message) => {
    const api = routes({ [REDEEM]: () => response.clone(), [ME]: me('user') });
    const { wrapper } = await mountRecharge();
    await enter(wrapper, 'ABCD-EFGH-JKMN-PQRS');
    expect(text(wrapper, 'redeem-error')).toBe(message);
    expect(wrapper.find('[data-testid="redeem-success"]').exists()).toBe(false);
    expect(api.calls(ME)).toHaveLength(0); // nothing changed: no balance refresh
    // the code stays for correcting it
    expect((wrapper.get('[data-testid="redeem-code"]').element as HTMLInputElement).value).toBe('ABCD-EFGH-JKMN-PQRS');
  });

  it('says the wait in minutes in Chinese too', async () => {
    routes({ [REDEEM]: apiError(429, 'REDEEM_TOO_MANY_FAILURES', 'x', { 'Retry-After': '600' }) });
    const { wrapper } = await mountSignedIn(RechargeView, '/recharge', 'zh');
    await flushPromises();
    await enter(wrapper, 'ABCD');
    expect(text(wrapper, 'redeem-error')).toBe('输错兑换码的次数过多，请 10 分钟后再试。');
  });
});

describe('RechargeView: the gateways come from the API', () => {
  const ADDRESS = 'TQ7c2ZbM4vHn9X2wG6r1dE5sYp8kLmN3aB';
  const usdtOrder = (overrides: Partial<Order> = {}) =>
    order({
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
  const withProviders = (providers: PaymentConfig['providers']) => ({ 'GET /api/payment/config': { ...config, providers } });

  it.each([
    ['en', ['Alipay / WeChat Pay', 'Sandbox'], 'Alipay'],
    ['zh', ['支付宝 / 微信支付', '沙箱（测试）'], '支付宝'],
  ] as const)('provider buttons show the API’s labels in the current language (%s)', async (locale, labels, method) => {
    routes();
    const { wrapper } = await mountSignedIn(RechargeView, '/recharge', locale);
    await flushPromises();
    expect(text(wrapper, 'provider-zpay')).toBe(labels[0]);
    expect(text(wrapper, 'provider-sandbox')).toBe(labels[1]);
    expect(text(wrapper, 'method-alipay')).toBe(method);
  });

  it('a gateway the web app has never heard of: its English label when there is none in the language, a method shown as sent', async () => {
    routes(
      withProviders([
        { name: 'newpay', labels: { zh: '', en: 'New Pay' }, methods: ['paypal', 'usdt'], display: 'redirect', offersQrCode: false },
      ]),
    );
    const { wrapper } = await mountSignedIn(RechargeView, '/recharge', 'zh');
    await flushPromises();
    expect(text(wrapper, 'provider-newpay')).toBe('New Pay');
    expect(text(wrapper, 'method-paypal')).toBe('paypal');
    expect(text(wrapper, 'method-usdt')).toBe('USDT (TRC20)');
  });

  it('the QR button follows offersQrCode, whatever the gateway is called', async () => {
    routes(
      withProviders([
        { ...PROVIDERS.qrCapable, offersQrCode: false },
        { ...PROVIDERS.redirectOnly, offersQrCode: true },
      ]),
    );
    const { wrapper } = await mountRecharge();
    expect(wrapper.get('[data-testid="provider-zpay"]').classes()).toContain('selected');
    expect(wrapper.find('[data-testid="recharge-qr"]').exists()).toBe(false);
    await wrapper.get('[data-testid="provider-sandbox"]').trigger('click');
    expect(wrapper.find('[data-testid="recharge-qr"]').exists()).toBe(true);
  });

  it('a gateway whose display is qrcode: paying asks for QR content and shows the QR panel', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const scanOnly = { name: 'scanpay', labels: { zh: '扫码付', en: 'Scan Pay' }, methods: ['wxpay'], display: 'qrcode' as const, offersQrCode: false };
    const api = routes({
      ...withProviders([scanOnly]),
      'POST /api/payment/orders': order({ provider: 'scanpay', paymentUrl: 'weixin://wxpay/bizpayurl?pr=xyz' }),
      'GET /api/payment/orders/PO1': order({ provider: 'scanpay' }),
    });
    const { wrapper } = await mountRecharge();
    expect(wrapper.find('[data-testid="recharge-qr"]').exists()).toBe(false); // the main button already shows one
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(api.calls('POST /api/payment/orders')[0]?.body).toEqual({ amountCny: '100.00', provider: 'scanpay', method: 'wxpay', display: 'qrcode' });
    expect(wrapper.get('[data-testid="pay-panel"]').attributes('data-display')).toBe('qrcode');
    expect(wrapper.get('[data-testid="qr-code"]').attributes('data-value')).toBe('weixin://wxpay/bizpayurl?pr=xyz');
    expect(assign).not.toHaveBeenCalled();
  });

  it('an address gateway: the exact amount and the address, copy, countdown; polling finds the payment, then the result page', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const statuses = ['pending', 'pending', 'paid'] as const;
    let polls = 0;
    const expireAt = new Date(Date.now() + 30 * 60_000).toISOString();
    const api = routes({
      ...withProviders([PROVIDERS.redirectOnly, PROVIDERS.address]),
      'POST /api/payment/orders': usdtOrder({ expireAt }),
      'GET /api/payment/orders/PO1': () => {
        const status = statuses[Math.min(polls++, 2)]!;
        return usdtOrder(status === 'paid' ? { status, expireAt, bonusUsd: '0.83333333', totalUsd: '3.61111111' } : { status, expireAt });
      },
    });
    const { wrapper, router } = await mountRecharge();

    await wrapper.get('[data-testid="provider-usdt_trc20"]').trigger('click');
    expect(text(wrapper, 'provider-usdt_trc20')).toBe('TRON (TRC20)');
    expect(wrapper.get('[data-testid="method-usdt"]').classes()).toContain('selected');
    await wrapper.get('[data-testid="custom-amount"]').setValue('20');
    await wrapper.get('[data-testid="recharge-submit"]').trigger('click');
    await flushPromises();

    // Nothing to ask for but the gateway's own way: no display in the request.
    expect(api.calls('POST /api/payment/orders')[0]?.body).toEqual({ amountCny: '20.00', provider: 'usdt_trc20', method: 'usdt' });
    expect(assign).not.toHaveBeenCalled();
    const panel = wrapper.get('[data-testid="address-pay-panel"]');
    expect(panel.attributes('data-status')).toBe('pending');
    expect(text(wrapper, 'address-pay-amount')).toBe('2.781 USDT');
    expect(text(wrapper, 'address-pay-address')).toBe(ADDRESS);
    expect(wrapper.get('[data-testid="address-pay-qr"] [data-testid="qr-code"]').attributes('data-value')).toBe(ADDRESS);
    expect(text(wrapper, 'address-pay-network')).toBe('TRON (TRC20)');
    expect(text(wrapper, 'address-pay-warning')).toContain('Send exactly 2.781 USDT, including every decimal.');
    expect(text(wrapper, 'address-pay-order')).toBe('For your order of ¥20.00 · 1 USDT = ¥7.2');
    expect(text(wrapper, 'address-pay-countdown')).toBe('30:00');
    expect(wrapper.find('[data-testid="pay-panel"]').exists()).toBe(false);

    await wrapper.get('[data-testid="address-pay-copy-amount"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenLastCalledWith('2.781');
    expect(text(wrapper, 'address-pay-copy-amount')).toBe('Copied');
    await wrapper.get('[data-testid="address-pay-copy-address"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenLastCalledWith(ADDRESS);
    expect(text(wrapper, 'address-pay-copy-address')).toBe('Copied');
    expect(text(wrapper, 'address-pay-copy-amount')).toBe('Copy amount');

    await vi.advanceTimersByTimeAsync(3000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(2); // still pending
    expect(text(wrapper, 'address-pay-countdown')).toBe('29:57');
    expect(text(wrapper, 'address-pay-copy-address')).toBe('Copy address'); // "Copied" lasts 2.5 s

    await vi.advanceTimersByTimeAsync(3000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(3); // paid
    const found = wrapper.get('[data-testid="address-pay-found"]');
    expect(found.text()).toContain('We found your payment');
    expect(found.get('[data-testid="address-pay-credited"]').text()).toBe('3.61 USD was added to your balance.');
    expect(found.get('[data-testid="address-pay-result"]').attributes('href')).toBe('/payment/result?out_trade_no=PO1');
    expect(wrapper.find('[data-testid="address-pay-amount"]').exists()).toBe(false);
    expect(router.currentRoute.value.path).toBe('/recharge'); // the found state is shown for a moment

    await vi.advanceTimersByTimeAsync(3000);
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/payment/result?out_trade_no=PO1'));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(3); // stopped
  });

  it('an address order answered without an address is an error, not an empty panel', async () => {
    routes({ ...withProviders([PROVIDERS.address]), 'POST /api/payment/orders': usdtOrder({ payAddress: null }) });
    const { wrapper } = await mountRecharge();
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-testid="address-pay-panel"]').exists()).toBe(false);
    expect(text(wrapper, 'recharge-error')).toBe('The payment service did not respond. Nothing was charged — please try again.');
  });

  it('cancelling an address order cancels it and goes back to the form, and polling stops', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const api = routes({
      ...withProviders([PROVIDERS.address]),
      'POST /api/payment/orders': usdtOrder(),
      'GET /api/payment/orders/PO1': usdtOrder(),
      'POST /api/payment/orders/PO1/cancel': usdtOrder({ status: 'cancelled' }),
    });
    const { wrapper } = await mountRecharge();
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    await wrapper.get('[data-testid="address-pay-cancel"]').trigger('click');
    await flushPromises();
    expect(api.calls('POST /api/payment/orders/PO1/cancel')).toHaveLength(1);
    expect(wrapper.find('[data-testid="address-pay-panel"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="recharge-submit"]').exists()).toBe(true);
    const polls = api.calls('GET /api/payment/orders/PO1').length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.calls('GET /api/payment/orders/PO1')).toHaveLength(polls);
  });
});

const OFFERS = 'GET /api/payment/offers';

/** The offers for an amount: the campaigns named, each with its bonus; none for an amount not listed. */
function offers(amountCny: string, campaigns: [name: string, bonusUsd: string][] = [], bonusUsd?: string): Offers {
  return {
    amountCny,
    amountUsd: '0.00000000',
    bonusUsd: bonusUsd ?? (campaigns.length === 1 ? campaigns[0]![1] : '0.00000000'),
    campaigns: campaigns.map(([name, bonus], i) => ({ id: String(i + 1), name, bonusUsd: bonus })),
  };
}

/** GET /api/payment/offers answered from a table by amountCny ("no campaign" for any other). */
function offersFrom(table: Record<string, Offers | Response | Promise<Offers | Response>>) {
  return (req: SeenRequest) => table[req.query.get('amountCny') ?? ''] ?? offers(req.query.get('amountCny') ?? '');
}

const PACKAGE_OFFERS = {
  '10.00': offers('10.00'),
  '50.00': { ...offers('50.00', [['New-user bonus', '1.38888889']]), amountUsd: '6.94444444' },
  '100.00': { ...offers('100.00', [['New-user bonus', '4.16666667']]), amountUsd: '13.88888889' },
  '500.00': apiError(500, 'INTERNAL', 'boom'),
};

describe('RechargeView: campaign offers', () => {
  it('each package shows its bonus, from one offers call per package amount at load (none: nothing shown)', async () => {
    const api = routes({ [OFFERS]: offersFrom(PACKAGE_OFFERS) });
    const { wrapper } = await mountRecharge();

    const asked = api.calls(OFFERS).map((r) => r.query.get('amountCny'));
    expect(asked.slice(0, 4)).toEqual(['10.00', '50.00', '100.00', '500.00']);
    expect(text(wrapper, 'package-bonus-50.00')).toBe('+$1.39');
    expect(text(wrapper, 'package-bonus-100.00')).toBe('+$4.17');
    expect(wrapper.find('[data-testid="package-bonus-10.00"]').exists()).toBe(false); // no campaign
    expect(wrapper.find('[data-testid="package-bonus-500.00"]').exists()).toBe(false); // its call failed
    // The preselected package's offer is at hand: shown at once, in place of the bonus worked out here.
    expect(text(wrapper, 'offer-preview')).toBe('Recharge ¥100, get $4.17 more (New-user bonus)');
    expect(text(wrapper, 'preview-bonus')).toBe('+4.17');
    expect(text(wrapper, 'preview-total')).toBe('18.06');
  });

  it('a typed amount is asked for once typing pauses for 300 ms, and its offer names each stacked campaign', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = routes({
      [OFFERS]: offersFrom({
        ...PACKAGE_OFFERS,
        '200.00': {
          ...offers('200.00', [
            ['New-user bonus', '8.33333333'],
            ['Spring festival', '2.00000000'],
          ], '10.33333333'),
          amountUsd: '27.77777778',
        },
      }),
    });
    const { wrapper } = await mountRecharge();
    const before = api.calls(OFFERS).length;

    const input = wrapper.get('[data-testid="custom-amount"]');
    await input.setValue('2');
    await vi.advanceTimersByTimeAsync(100);
    await input.setValue('20');
    await vi.advanceTimersByTimeAsync(100);
    await input.setValue('200');
    await vi.advanceTimersByTimeAsync(299);
    expect(api.calls(OFFERS)).toHaveLength(before);
    expect(wrapper.find('[data-testid="offer-preview"]').exists()).toBe(false); // the package's offer is not this amount's
    await vi.advanceTimersByTimeAsync(1);
    await flushPromises();

    expect(api.calls(OFFERS).slice(before).map((r) => r.query.get('amountCny'))).toEqual(['200.00']);
    expect(text(wrapper, 'offer-preview')).toBe('Recharge ¥200, get $10.33 more: New-user bonus +$8.33, Spring festival +$2.00');
    expect(text(wrapper, 'preview-bonus')).toBe('+10.33');
    expect(exact(wrapper, 'preview-bonus')).toBe('10.33333333');
    expect(text(wrapper, 'preview-total')).toBe('38.11');
  });

  it('an older answer arriving after a newer one is ignored', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let answerSlow!: (o: Offers) => void;
    const slow = new Promise<Offers>((resolve) => (answerSlow = resolve));
    routes({
      [OFFERS]: offersFrom({
        ...PACKAGE_OFFERS,
        '150.00': slow,
        '160.00': offers('160.00', [['Spring festival', '3.00000000']]),
      }),
    });
    const { wrapper } = await mountRecharge();

    const input = wrapper.get('[data-testid="custom-amount"]');
    await input.setValue('150');
    await vi.advanceTimersByTimeAsync(300); // asked for 150, no answer yet
    await input.setValue('160');
    await vi.advanceTimersByTimeAsync(300);
    await flushPromises();
    expect(text(wrapper, 'offer-preview')).toBe('Recharge ¥160, get $3.00 more (Spring festival)');

    answerSlow(offers('150.00', [['Big spender', '9.00000000']]));
    await flushPromises();
    expect(text(wrapper, 'offer-preview')).toBe('Recharge ¥160, get $3.00 more (Spring festival)');
  });

  it('nothing is asked for an empty or invalid amount, and nothing is shown when the call fails', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = routes({ [OFFERS]: offersFrom({ ...PACKAGE_OFFERS, '30.00': apiError(500, 'INTERNAL', 'boom') }) });
    const { wrapper } = await mountRecharge();
    const before = api.calls(OFFERS).length;

    const input = wrapper.get('[data-testid="custom-amount"]');
    await input.setValue('12.345');
    await vi.advanceTimersByTimeAsync(1000);
    await input.setValue('10000.01');
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.calls(OFFERS)).toHaveLength(before);
    expect(wrapper.find('[data-testid="offer-preview"]').exists()).toBe(false);

    await input.setValue('30');
    await vi.advanceTimersByTimeAsync(300);
    await flushPromises();
    expect(api.calls(OFFERS)).toHaveLength(before + 1);
    expect(wrapper.find('[data-testid="offer-preview"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="recharge-error"]').exists()).toBe(false);
  });

  it('says it in Chinese in zh', async () => {
    routes({ [OFFERS]: offersFrom(PACKAGE_OFFERS) });
    const { wrapper } = await mountSignedIn(RechargeView, '/recharge', 'zh');
    await flushPromises();

    expect(text(wrapper, 'offer-preview')).toBe('充值 ¥100，多得 $4.17（New-user bonus）');
    expect(text(wrapper, 'package-bonus-100.00')).toBe('+$4.17');
  });
});
