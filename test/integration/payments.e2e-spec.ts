import { LedgerService } from '../../src/ledger/ledger.service';
import { OrderMaintenanceService } from '../../src/payments/order-maintenance.service';
import { epaySign, epaySigned } from '../../src/payments/providers/epay/epay-signature';
import { FakeStripe, FakeZpay } from '../support/fake-gateways';
import { sendStripeEvent, signedStripeEvent, stripeHeaderAt } from '../support/gateway-callbacks';
import { TestUser, bearer, registerUser } from '../support/factories';
import { TestApp, createTestApp } from '../support/test-app';

const ZPAY_PID = '1001';
const ZPAY_KEY = 'zpay-test-merchant-key';
const STRIPE_SECRET = 'whsec_test_secret_for_webhooks';

interface OrderAnswer {
  orderNo: string;
  status: string;
  amountCny: string;
  amountUsd: string;
  bonusUsd: string;
  totalUsd: string;
  promotionTier: number | null;
  paymentUrl: string;
}

describe('payments', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let zpay: FakeZpay;

  beforeAll(async () => {
    stripe = await new FakeStripe().start();
    zpay = await new FakeZpay().start();
    t = await createTestApp({
      ...(process.env.TEST_REDIS_URL && { REDIS_URL: process.env.TEST_REDIS_URL, RECHARGE__REDIS__KEY_PREFIX: `payments-${Date.now()}:` }),
      RECHARGE__DATABASE__POOL_SIZE: '30',
      PUBLIC_BASE_URL: 'https://pay.example',
      ZPAY_ENABLED: 'true',
      ZPAY_PID,
      ZPAY_KEY,
      ZPAY_API_URL: zpay.url,
      STRIPE_ENABLED: 'true',
      STRIPE_API_KEY: 'sk_test_recharge',
      STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      STRIPE_API_BASE: stripe.url,
      // Other test files' unpaid orders share the database: reconciliation asks about them all, as fast as the fakes answer.
      RECHARGE__PAYMENT__RECONCILE_QUERIES_PER_SECOND: '1000',
      SANDBOX_ENABLED: 'true',
    });
  });
  afterAll(async () => {
    await t?.close();
    await stripe?.stop();
    await zpay?.stop();
  });

  async function createOrder(user: TestUser, body: Record<string, string> = {}): Promise<OrderAnswer> {
    const res = await t.http
      .post('/api/payment/orders')
      .set(bearer(user))
      .send({ amountCny: '20.00', provider: 'zpay', method: 'alipay', ...body });
    if (res.status !== 201) throw new Error(`order creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  function zpayNotify(order: { orderNo: string; amountCny: string }, overrides: Record<string, string> = {}, key = ZPAY_KEY): Record<string, string> {
    const fields: Record<string, string> = {
      pid: ZPAY_PID,
      trade_no: `2026112300${order.orderNo.slice(-10)}`,
      out_trade_no: order.orderNo,
      type: 'alipay',
      name: 'Recharge 充值 20.00',
      money: order.amountCny,
      trade_status: 'TRADE_SUCCESS',
      param: order.orderNo,
      ...overrides,
    };
    return epaySigned(fields, key);
  }

  const sendZpay = (fields: Record<string, string>) => t.http.get('/api/payment/webhook/zpay').query(fields);

  const stripeEvent = (type: string, session: object) => signedStripeEvent(STRIPE_SECRET, type, session);
  const sendStripe = (event: { payload: string; header: string }) => sendStripeEvent(t.http, event);

  const balanceOf = async (user: TestUser) => (await t.db.query('SELECT balance FROM users WHERE id = $1', [user.id]))[0].balance;
  const ledgerOf = async (user: TestUser) =>
    t.db.query('SELECT type, amount, related_id FROM recharge_records WHERE user_id = $1 ORDER BY id', [user.id]);
  const orderRow = async (orderNo: string) =>
    (await t.db.query('SELECT status, bonus_usd, total_usd, trade_no, callback_data, paid_at, promotion_used FROM payment_orders WHERE order_no = $1', [orderNo]))[0];

  describe('creating orders', () => {
    it('stores the order with amounts, rate, promotion preview, IP and user agent, and a signed Zpay page URL', async () => {
      const user = await registerUser(t.http);
      const res = await t.http
        .post('/api/payment/orders')
        .set(bearer(user))
        .set('User-Agent', 'RechargeTest/1.0')
        .send({ amountCny: '20', provider: 'zpay', method: 'wxpay' })
        .expect(201);
      expect(res.body).toMatchObject({
        orderNo: expect.stringMatching(/^PO\d{14}[0-9A-F]{16}$/),
        status: 'pending',
        provider: 'zpay',
        paymentMethod: 'wxpay',
        amountCny: '20.00',
        amountUsd: '2.77777778',
        bonusUsd: '0.00000000',
        totalUsd: '2.77777778',
        exchangeRate: '7.2000',
        promotionTier: 0,
        paidAt: null,
      });
      const url = new URL(res.body.paymentUrl);
      expect(`${url.origin}${url.pathname}`).toBe(`${zpay.url}/submit.php`);
      const fields = Object.fromEntries(url.searchParams);
      expect(fields).toMatchObject({
        pid: ZPAY_PID,
        type: 'wxpay',
        out_trade_no: res.body.orderNo,
        money: '20.00',
        notify_url: 'https://pay.example/api/payment/webhook/zpay',
        return_url: 'https://pay.example/payment/result',
        sign_type: 'MD5',
      });
      expect(fields.sign).toBe(epaySign(fields, ZPAY_KEY));
      const [row] = await t.db.query('SELECT client_ip, user_agent, expire_at - created_at AS ttl FROM payment_orders WHERE order_no = $1', [
        res.body.orderNo,
      ]);
      expect(row).toMatchObject({ client_ip: expect.stringMatching(/127\.0\.0\.1/), user_agent: 'RechargeTest/1.0' });
      expect(new Date(res.body.expireAt).getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    });

    it('asks Zpay’s API for QR code content when asked to display a QR code', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { display: 'qrcode', method: 'wxpay' });
      expect(order.paymentUrl).toBe(`weixin://wxpay/bizpayurl?pr=${order.orderNo}`);
      const call = zpay.calls.find((c) => c.path === '/mapi.php' && c.form.get('out_trade_no') === order.orderNo)!;
      expect(call.form.get('sign')).toBe(epaySign(Object.fromEntries(call.form), ZPAY_KEY));
      expect(call.form.get('clientip')).toMatch(/127\.0\.0\.1/);
    });

    it('opens a Stripe Checkout Session with an idempotency key, minor units and a 30-minute expiry', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { provider: 'stripe', method: 'card', amountCny: '50.00' });
      const request = stripe.requests.find((r) => r.path === '/v1/checkout/sessions' && r.form.get('client_reference_id') === order.orderNo)!;
      expect(request.idempotencyKey).toBe(`checkout-session-${order.orderNo}`);
      expect(request.form.get('mode')).toBe('payment');
      expect(request.form.get('line_items[0][price_data][currency]')).toBe('cny');
      expect(request.form.get('line_items[0][price_data][unit_amount]')).toBe('5000');
      expect(request.form.get('metadata[order_no]')).toBe(order.orderNo);
      expect(Number(request.form.get('expires_at')) * 1000 - Date.now()).toBeGreaterThanOrEqual(29 * 60_000);
      expect(order.paymentUrl).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
      expect((await orderRow(order.orderNo)).trade_no).toMatch(/^cs_test_/);
    });

    it('marks the order failed and answers 502 when the gateway refuses; nothing is charged', async () => {
      const user = await registerUser(t.http);
      stripe.failCreation = 'Your account cannot currently make live charges.';
      try {
        const res = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '20.00', provider: 'stripe', method: 'card' }).expect(502);
        expect(res.body).toMatchObject({ code: 'PAYMENT_GATEWAY_FAILED', message: expect.stringContaining('nothing was charged') });
        expect(JSON.stringify(res.body)).not.toContain('sk_test');
      } finally {
        stripe.failCreation = null;
      }
      const [row] = await t.db.query('SELECT status FROM payment_orders WHERE user_id = $1', [user.id]);
      expect(row.status).toBe('failed');
      expect(await balanceOf(user)).toBe('0.00000000');
    });

    it.each([
      [{ amountCny: '0.99' }, 400, 'amountCny must be at least 1.00'],
      [{ amountCny: '10000.01' }, 400, 'amountCny must be at most 10000.00'],
      [{ amountCny: '20.001' }, 400, 'amountCny must have at most 2 decimal places'],
      [{ amountCny: 20 }, 400, 'amountCny must be a decimal number written as a string, like "20.00"'],
      [{ amountCny: 'abc' }, 400, 'amountCny must be a decimal number written as a string, like "20.00"'],
      [{ provider: 'paypal' }, 400, 'provider "paypal" is not available (available: zpay, stripe, sandbox)'],
      [{ provider: 'Zpay; DROP' }, 400, 'provider must be a gateway name from GET /api/payment/providers'],
      [{ method: 'ALIPAY' }, 400, 'method must be one of the gateway’s methods from GET /api/payment/providers'],
      [{ method: 'card' }, 400, 'provider "zpay" does not offer method "card" (it offers: alipay, wxpay)'],
      [{ display: 'popup' }, 400, 'display must be redirect or qrcode'],
    ])('refuses %j with %i naming the problem', async (body, status, message) => {
      const user = await registerUser(t.http);
      const res = await t.http
        .post('/api/payment/orders')
        .set(bearer(user))
        .send({ amountCny: '20.00', provider: 'zpay', method: 'alipay', ...body })
        .expect(status);
      expect([res.body.message].flat()).toEqual(expect.arrayContaining([message]));
      const [{ count }] = await t.db.query('SELECT COUNT(*)::int AS count FROM payment_orders WHERE user_id = $1', [user.id]);
      expect(count).toBe(0);
    });

    it('answers the 4th order within a minute with 429 and Retry-After', async () => {
      const user = await registerUser(t.http);
      for (let i = 0; i < 3; i++) await createOrder(user);
      const res = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '20.00', provider: 'zpay', method: 'alipay' }).expect(429);
      expect(res.body.code).toBe('PAYMENT_TOO_MANY_ORDERS');
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    });

    it('answers a 6th pending order with 409', async () => {
      const user = await registerUser(t.http);
      for (let i = 0; i < 5; i++) {
        // The rolling minute allows 3 creations; empty it as a minute passing would.
        if (i === 3) await clearRateLimit(user);
        await createOrder(user);
      }
      await clearRateLimit(user);
      const res = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '20.00', provider: 'zpay', method: 'alipay' }).expect(409);
      expect(res.body.code).toBe('PAYMENT_TOO_MANY_PENDING');
      const [{ count }] = await t.db.query(`SELECT COUNT(*)::int AS count FROM payment_orders WHERE user_id = $1 AND status = 'pending'`, [user.id]);
      expect(count).toBe(5);
    });

    it('lets users read and cancel only their own orders', async () => {
      const alice = await registerUser(t.http);
      const bob = await registerUser(t.http);
      const order = await createOrder(alice);
      await t.http.get(`/api/payment/orders/${order.orderNo}`).set(bearer(bob)).expect(404);
      await t.http.post(`/api/payment/orders/${order.orderNo}/cancel`).set(bearer(bob)).expect(404);
      const list = await t.http.get('/api/payment/orders?status=pending').set(bearer(alice)).expect(200);
      expect(list.body.items.map((o: OrderAnswer) => o.orderNo)).toEqual([order.orderNo]);
      expect((await t.http.get('/api/payment/orders').set(bearer(bob)).expect(200)).body.total).toBe(0);

      const cancelled = await t.http.post(`/api/payment/orders/${order.orderNo}/cancel`).set(bearer(alice)).expect(200);
      expect(cancelled.body.status).toBe('cancelled');
      const again = await t.http.post(`/api/payment/orders/${order.orderNo}/cancel`).set(bearer(alice)).expect(409);
      expect(again.body.code).toBe('PAYMENT_ORDER_NOT_PENDING');
    });

    it('describes what the recharge page needs in /payment/config', async () => {
      const user = await registerUser(t.http);
      const res = await t.http.get('/api/payment/config').set(bearer(user)).expect(200);
      expect(res.body).toMatchObject({
        enabled: true,
        minAmountCny: '1.00',
        maxAmountCny: '10000.00',
        exchangeRate: '7.2',
        discountRate: '1',
        promotion: { tier: 0, percent: 30, minAmountCny: '1.00' },
      });
      const zpay = { name: 'zpay', labels: { zh: '支付宝 / 微信支付', en: 'Alipay / WeChat Pay' }, methods: ['alipay', 'wxpay'], display: 'redirect', offersQrCode: true };
      const stripe = { name: 'stripe', labels: { zh: '银行卡（Stripe）', en: 'Card (Stripe)' }, methods: ['card'], display: 'redirect', offersQrCode: false };
      const sandbox = expect.objectContaining({ name: 'sandbox', methods: ['alipay', 'wxpay', 'card'], display: 'redirect', offersQrCode: false });
      expect(res.body.providers).toEqual([zpay, stripe, sandbox]);
      // The same gateways, as the web app learns them.
      const providers = await t.http.get('/api/payment/providers').set(bearer(user)).expect(200);
      expect(providers.body).toEqual(res.body.providers);
      expect(res.body.packages).toEqual([
        { amountCny: '10.00', amountUsd: '1.38888889', popular: false },
        { amountCny: '50.00', amountUsd: '6.94444444', popular: false },
        { amountCny: '100.00', amountUsd: '13.88888889', popular: true },
        { amountCny: '500.00', amountUsd: '69.44444444', popular: false },
      ]);
    });
  });

  /** Empties the user's rolling order window (as a minute passing would). */
  async function clearRateLimit(user: TestUser) {
    const { CacheStore } = await import('../../src/common/cache/cache.store');
    await t.app.get(CacheStore).delete(`orders:created:${user.id}`);
  }

  describe('the Zpay webhook', () => {
    it('credits once, grants the bonus once and rewards the referrer once for 20 concurrent copies of one notify', async () => {
      const referrer = await registerUser(t.http);
      const code = (await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200)).body.code;
      const user = await registerUser(t.http, { inviteCode: code });
      const order = await createOrder(user, { amountCny: '20.00' });
      const notify = zpayNotify(order);

      const answers = await Promise.all(Array.from({ length: 20 }, () => sendZpay(notify)));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.text).toBe('success');
      }
      expect(await ledgerOf(user)).toEqual([
        { type: 'payment', amount: '2.77777778', related_id: order.orderNo },
        { type: 'promotion', amount: '0.83333333', related_id: order.orderNo },
      ]);
      expect(await balanceOf(user)).toBe('3.61111111');
      expect(await ledgerOf(referrer)).toEqual([{ type: 'referral', amount: '10.00000000', related_id: user.id }]);
      const row = await orderRow(order.orderNo);
      expect(row).toMatchObject({ status: 'paid', bonus_usd: '0.83333333', total_usd: '3.61111111', promotion_used: true, trade_no: notify.trade_no });
      expect(row.paid_at).toBeInstanceOf(Date);
      expect(row.callback_data).toContain(`out_trade_no=${order.orderNo}`);
      expect(row.callback_data).not.toContain('sign=');
      const [{ count }] = await t.db.query(`SELECT COUNT(*)::int AS count FROM payment_webhook_events WHERE order_no = $1`, [order.orderNo]);
      expect(count).toBe(1);

      const detail = await t.http.get(`/api/payment/orders/${order.orderNo}`).set(bearer(user)).expect(200);
      expect(detail.body).toMatchObject({ status: 'paid', bonusUsd: '0.83333333', totalUsd: '3.61111111', paidAt: expect.any(String) });
    });

    it('takes the notify as a POST form too', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user);
      const res = await t.http.post('/api/payment/webhook/zpay').type('form').send(zpayNotify(order)).expect(200);
      expect(res.text).toBe('success');
      expect((await orderRow(order.orderNo)).status).toBe('paid');
    });

    it.each([
      ['a forged signature', (o: OrderAnswer) => ({ ...zpayNotify(o), sign: zpayNotify(o, {}, 'not-the-key').sign }), 400],
      ['a wrong amount (19.99 for 20.00)', (o: OrderAnswer) => zpayNotify(o, { money: '19.99' }), 400],
      ['another merchant’s pid', (o: OrderAnswer) => zpayNotify(o, { pid: '9999' }), 400],
      ['an unknown order', (o: OrderAnswer) => zpayNotify({ ...o, orderNo: 'PO20260101000000FFFFFFFFFFFFFFFF' }), 400],
      ['a missing field', (o: OrderAnswer) => { const f: Record<string, string> = zpayNotify(o); delete f.trade_status; return f; }, 400],
    ])('refuses %s: fail, nothing changed', async (_, build, status) => {
      const user = await registerUser(t.http);
      const order = await createOrder(user);
      const res = await sendZpay(build(order)).expect(status);
      expect(res.text).toBe('fail');
      expect(await balanceOf(user)).toBe('0.00000000');
      expect((await orderRow(order.orderNo)).status).toBe('pending');
    });

    it('answers success without crediting for a status other than TRADE_SUCCESS', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user);
      expect((await sendZpay(zpayNotify(order, { trade_status: 'WAIT_BUYER_PAY' })).expect(200)).text).toBe('success');
      expect((await orderRow(order.orderNo)).status).toBe('pending');
    });

    it('credits a late notify for an expired order, and for a cancelled one (the customer’s money was taken)', async () => {
      const user = await registerUser(t.http);
      const late = await createOrder(user);
      await t.db.query(`UPDATE payment_orders SET status = 'expired' WHERE order_no = $1`, [late.orderNo]);
      expect((await sendZpay(zpayNotify(late)).expect(200)).text).toBe('success');
      expect((await orderRow(late.orderNo)).status).toBe('paid');
      expect(await balanceOf(user)).toBe('3.61111111');

      const cancelled = await createOrder(user);
      await t.http.post(`/api/payment/orders/${cancelled.orderNo}/cancel`).set(bearer(user)).expect(200);
      expect((await sendZpay(zpayNotify(cancelled)).expect(200)).text).toBe('success');
      expect((await orderRow(cancelled.orderNo)).status).toBe('paid');
      // The second order gets its money; the one-time bonus went to the first.
      expect(await balanceOf(user)).toBe('6.38888889');
    });

    it('rolls everything back when the transaction fails midway, answers 500, and credits once on redelivery', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user);
      const notify = zpayNotify(order);
      const ledger = t.app.get(LedgerService);
      const original = ledger.post.bind(ledger);
      const spy = jest.spyOn(ledger, 'post').mockImplementationOnce(async (em, entry) => {
        await original(em, entry);
        throw new Error('disk full while writing the ledger');
      });
      try {
        const crashed = await sendZpay(notify).expect(500);
        expect(crashed.text).toBe('fail');
      } finally {
        spy.mockRestore();
      }
      expect((await orderRow(order.orderNo)).status).toBe('pending');
      expect(await ledgerOf(user)).toEqual([]);
      expect(await balanceOf(user)).toBe('0.00000000');

      expect((await sendZpay(notify).expect(200)).text).toBe('success');
      expect((await sendZpay(notify).expect(200)).text).toBe('success');
      expect(await ledgerOf(user)).toEqual([
        { type: 'payment', amount: '2.77777778', related_id: order.orderNo },
        { type: 'promotion', amount: '0.83333333', related_id: order.orderNo },
      ]);
    });
  });

  describe('the Stripe webhook', () => {
    async function paidSession(user: TestUser, amountCny = '20.00') {
      const order = await createOrder(user, { provider: 'stripe', method: 'card', amountCny });
      const session = stripe.markPaid((await orderRow(order.orderNo)).trade_no);
      return { order, session };
    }

    it('credits once for 5 concurrent deliveries of checkout.session.completed', async () => {
      const user = await registerUser(t.http);
      const { order, session } = await paidSession(user);
      const event = stripeEvent('checkout.session.completed', session);
      const answers = await Promise.all(Array.from({ length: 5 }, () => sendStripe(event)));
      for (const answer of answers) expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { received: true } });
      expect(await ledgerOf(user)).toEqual([
        { type: 'payment', amount: '2.77777778', related_id: order.orderNo },
        { type: 'promotion', amount: '0.83333333', related_id: order.orderNo },
      ]);
      expect((await orderRow(order.orderNo)).status).toBe('paid');
    });

    it('credits async_payment_succeeded and waits while a completed session is still unpaid', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { provider: 'stripe', method: 'card' });
      const session = stripe.sessions.get((await orderRow(order.orderNo)).trade_no)!;
      await sendStripe(stripeEvent('checkout.session.completed', { ...session, status: 'complete', payment_status: 'unpaid' })).expect(200);
      expect((await orderRow(order.orderNo)).status).toBe('pending');
      stripe.markPaid(session.id);
      await sendStripe(stripeEvent('checkout.session.async_payment_succeeded', session)).expect(200);
      expect((await orderRow(order.orderNo)).status).toBe('paid');
    });

    it('moves a pending order to expired or failed on checkout.session.expired and async_payment_failed', async () => {
      const user = await registerUser(t.http);
      const a = await createOrder(user, { provider: 'stripe', method: 'card' });
      const b = await createOrder(user, { provider: 'stripe', method: 'card' });
      await sendStripe(stripeEvent('checkout.session.expired', stripe.sessions.get((await orderRow(a.orderNo)).trade_no)!)).expect(200);
      await sendStripe(stripeEvent('checkout.session.async_payment_failed', stripe.sessions.get((await orderRow(b.orderNo)).trade_no)!)).expect(200);
      expect((await orderRow(a.orderNo)).status).toBe('expired');
      expect((await orderRow(b.orderNo)).status).toBe('failed');
    });

    it('refuses a bad signature, a stale signature and a wrong amount', async () => {
      const user = await registerUser(t.http);
      const { order, session } = await paidSession(user);
      const good = stripeEvent('checkout.session.completed', session);
      await sendStripe({ payload: good.payload, header: good.header.replace(/v1=\w+/, 'v1=' + 'a'.repeat(64)) }).expect(400);
      const staleHeader = stripeHeaderAt(STRIPE_SECRET, good.payload, Math.floor(Date.now() / 1000) - 600);
      await sendStripe({ payload: good.payload, header: staleHeader }).expect(400);
      const cheap = await sendStripe(stripeEvent('checkout.session.completed', { ...session, amount_total: 1999 })).expect(400);
      expect(cheap.body).toEqual({ received: false, error: 'amount_mismatch' });
      await t.http.post('/api/payment/webhook/stripe').set('Content-Type', 'application/json').send(good.payload).expect(400);
      expect((await orderRow(order.orderNo)).status).toBe('pending');
      expect(await balanceOf(user)).toBe('0.00000000');
    });

    it('acknowledges events it does not use', async () => {
      const res = await sendStripe(stripeEvent('customer.created', { id: 'cus_1' })).expect(200);
      expect(res.body).toEqual({ received: true });
    });
  });

  describe('jobs', () => {
    it('settles through reconciliation an order whose notify never came', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { amountCny: '50.00' });
      const other = await createOrder(user, { amountCny: '10.00' });
      const oddAmount = await createOrder(user, { amountCny: '20.00' });
      await t.db.query(`UPDATE payment_orders SET created_at = created_at - interval '3 minutes' WHERE order_no = ANY($1)`, [
        [order.orderNo, other.orderNo, oddAmount.orderNo],
      ]);
      zpay.orders.set(order.orderNo, { status: 1, money: '50.000', trade_no: 'ZRECONCILED1' });
      zpay.orders.set(other.orderNo, { status: 0, money: '10.00', trade_no: 'ZUNPAID1' });
      // Rounded to 2 decimals this would read 20.00; it is no yuan amount, so the order is left for an admin.
      zpay.orders.set(oddAmount.orderNo, { status: 1, money: '19.995', trade_no: 'ZODD1' });

      // A batch of one: every pending order is still asked about, page after page.
      const report = await t.app.get(OrderMaintenanceService).reconcile({ batchSize: 1 });
      expect(report?.checked).toBeGreaterThanOrEqual(2);
      expect(report?.settled).toBeGreaterThanOrEqual(1);
      expect(await orderRow(order.orderNo)).toMatchObject({ status: 'paid', trade_no: 'ZRECONCILED1' });
      expect((await orderRow(other.orderNo)).status).toBe('pending');
      expect((await orderRow(oddAmount.orderNo)).status).toBe('pending');
      expect(await ledgerOf(user)).toEqual([
        { type: 'payment', amount: '6.94444444', related_id: order.orderNo },
        { type: 'promotion', amount: '2.08333333', related_id: order.orderNo },
      ]);
      const query = zpay.calls.find((c) => c.query.get('act') === 'order' && c.query.get('out_trade_no') === order.orderNo)!;
      expect(query.query.get('key')).toBe(ZPAY_KEY);
      // The notify arriving afterwards changes nothing.
      expect((await sendZpay(zpayNotify(order)).expect(200)).text).toBe('success');
      expect(await ledgerOf(user)).toHaveLength(2);
    });

    it('expires pending orders past expire_at, and leaves paid and fresh ones', async () => {
      const user = await registerUser(t.http);
      const due = await createOrder(user);
      const fresh = await createOrder(user);
      await t.db.query(`UPDATE payment_orders SET expire_at = NOW() - interval '1 second' WHERE order_no = $1`, [due.orderNo]);
      expect(await t.app.get(OrderMaintenanceService).expireDue()).toBeGreaterThanOrEqual(1);
      expect((await orderRow(due.orderNo)).status).toBe('expired');
      expect((await orderRow(fresh.orderNo)).status).toBe('pending');
    });
  });

  it('counts orders and webhook outcomes in /metrics', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.text).toMatch(/payment_orders_created_total\{provider="zpay"\} \d+/);
    expect(res.text).toMatch(/payment_webhooks_total\{provider="zpay",result="credited"\} \d+/);
    expect(res.text).toMatch(/payment_webhooks_total\{provider="zpay",result="duplicate"\} \d+/);
    expect(res.text).toMatch(/payment_webhooks_total\{provider="zpay",result="bad_signature"\} \d+/);
    expect(res.text).toMatch(/payment_webhooks_total\{provider="zpay",result="amount_mismatch"\} \d+/);
    expect(res.text).toMatch(/payment_orders_paid_total\{provider="zpay",source="reconcile"\} 1/);
    expect(res.text).toMatch(/payment_credited_usd_total\{provider="stripe",kind="payment"\} [\d.]+/);
  });
});
