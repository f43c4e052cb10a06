import { OrdersService } from '../../src/payments/orders.service';
import { OrderMaintenanceService } from '../../src/payments/order-maintenance.service';
import { GatewayError } from '../../src/payments/payment-provider';
import { SandboxProvider } from '../../src/payments/providers/sandbox/sandbox.provider';
import { ZpayProvider } from '../../src/payments/providers/zpay/zpay.provider';
import { epaySigned } from '../../src/payments/providers/epay/epay-signature';
import { FakeStripe, FakeZpay } from '../support/fake-gateways';
import { sendStripeEvent, signedStripeEvent } from '../support/gateway-callbacks';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { TestApp, createTestApp } from '../support/test-app';

const ZPAY_PID = '2002';
const ZPAY_KEY = 'zpay-lifecycle-merchant-key';
const STRIPE_SECRET = 'whsec_lifecycle_secret';

interface OrderAnswer {
  orderNo: string;
  status: string;
  amountCny: string;
  paymentUrl: string;
}

/**
 * The edges of the order lifecycle where customers' money used to be lost:
 * cancel-then-pay, lost callbacks after expiry, second payments, refunds
 * that fail or hang, dashboard refunds, switched-off gateways, late bonuses
 * and referral clawbacks. Real PostgreSQL; gateways faked on loopback.
 */
describe('order lifecycle', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let zpay: FakeZpay;
  let admin: TestUser;

  const gatewayEnv = () => ({
    PUBLIC_BASE_URL: 'https://pay.example',
    ZPAY_ENABLED: 'true',
    ZPAY_PID,
    ZPAY_KEY,
    ZPAY_API_URL: zpay.url,
    STRIPE_ENABLED: 'true',
    STRIPE_API_KEY: 'sk_test_lifecycle',
    STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
    STRIPE_API_BASE: stripe.url,
    // On purpose beside the real gateways: cancel-then-pay is tested on it too.
    SANDBOX_ENABLED: 'true',
    // Reconciliation in tests asks as fast as the fake gateways answer; pacing has its own test.
    RECHARGE__PAYMENT__RECONCILE_QUERIES_PER_SECOND: '1000',
    RECHARGE__PAYMENT__MAX_ORDERS_PER_MINUTE: '100',
    RECHARGE__PAYMENT__MAX_PENDING_ORDERS: '20',
  });

  beforeAll(async () => {
    stripe = await new FakeStripe().start();
    zpay = await new FakeZpay().start();
    t = await createTestApp(gatewayEnv());
    admin = await registerAdmin(t.http, t.db);
  });
  afterAll(async () => {
    await t?.close();
    await stripe?.stop();
    await zpay?.stop();
  });

  async function createOrder(user: TestUser, body: Record<string, string> = {}, app: TestApp = t): Promise<OrderAnswer> {
    const res = await app.http
      .post('/api/payment/orders')
      .set(bearer(user))
      .send({ amountCny: '20.00', provider: 'zpay', method: 'alipay', ...body });
    if (res.status !== 201) throw new Error(`order creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  function zpayNotify(order: { orderNo: string; amountCny: string }, tradeNo = `Z${order.orderNo.slice(-12)}`): Record<string, string> {
    return epaySigned(
      {
        pid: ZPAY_PID,
        trade_no: tradeNo,
        out_trade_no: order.orderNo,
        type: 'alipay',
        name: 'Recharge 20.00',
        money: order.amountCny,
        trade_status: 'TRADE_SUCCESS',
      },
      ZPAY_KEY,
    );
  }
  const sendZpay = (fields: Record<string, string>, app: TestApp = t) => app.http.get('/api/payment/webhook/zpay').query(fields);

  const stripeEvent = (type: string, object: object) => signedStripeEvent(STRIPE_SECRET, type, object);
  const sendStripe = (event: { payload: string; header: string }) => sendStripeEvent(t.http, event);

  const asAdmin = <R extends { set(h: Record<string, string>): R }>(req: R) => req.set(bearer(admin));
  const refund = (orderNo: string, body: Record<string, unknown> = { remark: 'customer asked' }) =>
    asAdmin(t.http.post(`/api/admin/payment/orders/${orderNo}/refund`)).send(body);
  const balanceOf = async (user: TestUser) => (await t.db.query('SELECT balance FROM users WHERE id = $1', [user.id]))[0].balance;
  const ledgerOf = async (user: TestUser) =>
    t.db.query('SELECT type, amount, operator FROM recharge_records WHERE user_id = $1 ORDER BY id', [user.id]);
  const statusOf = async (orderNo: string) => (await t.db.query('SELECT status FROM payment_orders WHERE order_no = $1', [orderNo]))[0].status;
  const tradeNoOf = async (orderNo: string) => (await t.db.query('SELECT trade_no FROM payment_orders WHERE order_no = $1', [orderNo]))[0].trade_no;
  const maintenance = () => t.app.get(OrderMaintenanceService);

  async function paidStripeOrder(user: TestUser, amountCny = '20.00') {
    const order = await createOrder(user, { provider: 'stripe', method: 'card', amountCny });
    const session = stripe.markPaid(await tradeNoOf(order.orderNo));
    await sendStripe(stripeEvent('checkout.session.completed', session)).expect(200);
    expect(await statusOf(order.orderNo)).toBe('paid');
    return { order, session };
  }

  async function paidZpayOrder(user: TestUser, amountCny = '20.00') {
    const order = await createOrder(user, { amountCny });
    const notify = zpayNotify(order);
    zpay.orders.set(order.orderNo, { status: 1, money: amountCny, trade_no: notify.trade_no });
    expect((await sendZpay(notify).expect(200)).text).toBe('success');
    return order;
  }

  describe('cancel, then pay', () => {
    it('credits a Zpay payment made on the still-open QR code of a cancelled order', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { display: 'qrcode', method: 'wxpay' });
      const cancelled = await t.http.post(`/api/payment/orders/${order.orderNo}/cancel`).set(bearer(user)).expect(200);
      expect(cancelled.body.status).toBe('cancelled');

      expect((await sendZpay(zpayNotify(order, await tradeNoOf(order.orderNo))).expect(200)).text).toBe('success');
      expect(await statusOf(order.orderNo)).toBe('paid');
      expect(await ledgerOf(user)).toEqual([
        { type: 'payment', amount: '2.77777778', operator: 'system' },
        { type: 'promotion', amount: '0.83333333', operator: 'system' },
      ]);
    });

    it('credits a sandbox payment made on the checkout page after the order was cancelled', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { provider: 'sandbox' });
      await t.http.post(`/api/payment/orders/${order.orderNo}/cancel`).set(bearer(user)).expect(200);
      const page = await t.http.get(new URL(order.paymentUrl).pathname).expect(200);
      expect(page.text).toContain('data-testid="sandbox-pay"');
      // What the page's Pay button sends (the app posts it to itself over HTTP; here it is sent directly).
      const notify = t.app.get(SandboxProvider).paidNotify({
        orderNo: order.orderNo,
        amountCny: order.amountCny,
        method: 'alipay',
      });
      expect((await t.http.post('/api/payment/webhook/sandbox').type('form').send(notify).expect(200)).text).toBe('success');
      expect(await statusOf(order.orderNo)).toBe('paid');
      expect(await balanceOf(user)).toBe('3.61111111');
    });

    it('expires the Stripe Checkout Session before cancelling', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { provider: 'stripe', method: 'card' });
      const sessionId = await tradeNoOf(order.orderNo);
      const res = await t.http.post(`/api/payment/orders/${order.orderNo}/cancel`).set(bearer(user)).expect(200);
      expect(res.body.status).toBe('cancelled');
      expect(stripe.requests.some((r) => r.method === 'POST' && r.path === `/v1/checkout/sessions/${sessionId}/expire`)).toBe(true);
      expect(stripe.sessions.get(sessionId)!.status).toBe('expired');
    });

    it('settles instead of cancelling when Stripe says the session was already paid', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { provider: 'stripe', method: 'card' });
      stripe.markPaid(await tradeNoOf(order.orderNo));
      const res = await t.http.post(`/api/payment/orders/${order.orderNo}/cancel`).set(bearer(user)).expect(200);
      expect(res.body.status).toBe('paid');
      expect(await balanceOf(user)).toBe('3.61111111');
    });
  });

  describe('reconciliation', () => {
    it('credits a paid order whose callback was lost after the expiry job expired it', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { amountCny: '50.00' });
      await t.db.query(
        `UPDATE payment_orders SET created_at = NOW() - interval '31 minutes', expire_at = NOW() - interval '1 minute' WHERE order_no = $1`,
        [order.orderNo],
      );
      await maintenance().expireDue();
      expect(await statusOf(order.orderNo)).toBe('expired');

      zpay.orders.set(order.orderNo, { status: 1, money: '50.00', trade_no: 'ZLOSTAFTEREXPIRY' });
      const report = await maintenance().reconcile();
      expect(report?.complete).toBe(true);
      expect(await statusOf(order.orderNo)).toBe('paid');
      expect((await ledgerOf(user)).map((r: { type: string }) => r.type)).toEqual(['payment', 'promotion']);
    });

    it('credits an order the gateway first reported failed, then was paid for after all, when the late callback is lost', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user, { amountCny: '30.00' });
      await t.db.query(`UPDATE payment_orders SET created_at = NOW() - interval '5 minutes' WHERE order_no = $1`, [order.orderNo]);
      expect(await t.app.get(OrdersService).failFromGatewayPage('zpay', order.orderNo)).toBe(true);
      expect(await statusOf(order.orderNo)).toBe('failed');

      zpay.orders.set(order.orderNo, { status: 1, money: '30.00', trade_no: 'ZLATEAFTERFAILURE' });
      const report = await maintenance().reconcile();
      expect(report?.complete).toBe(true);
      expect(zpay.queriesFor(order.orderNo)).toBe(1);
      expect(await statusOf(order.orderNo)).toBe('paid');
      expect((await ledgerOf(user)).map((r: { type: string }) => r.type)).toContain('payment');
    });

    it('asks about each of 150 orders sharing one microsecond timestamp once per run, and credits the lost one after them', async () => {
      const user = await registerUser(t.http);
      const lost = await createOrder(user, { amountCny: '10.00' });
      const [{ stamp }] = await t.db.query(`SELECT (date_trunc('second', NOW()) - interval '5 minutes' + interval '0.123456 seconds')::text AS stamp`);
      const prefix = `PO${Date.now()}MICRO`;
      await t.db.query(
        `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider,
                                     payment_method, expire_at, created_at)
         SELECT $1 || lpad(g::text, 3, '0'), $2, 'micro', 10.00, 1.38888889, 1.38888889, 7.2, 'zpay', 'alipay',
                $3::timestamptz + interval '30 minutes', $3::timestamptz
           FROM generate_series(1, 150) g`,
        [prefix, user.id, stamp],
      );
      await t.db.query(`UPDATE payment_orders SET created_at = $2::timestamptz + interval '1 microsecond' WHERE order_no = $1`, [
        lost.orderNo,
        stamp,
      ]);
      zpay.orders.set(lost.orderNo, { status: 1, money: '10.00', trade_no: 'ZLOSTBEHIND150' });

      const report = await maintenance().reconcile({ batchSize: 40 });
      expect(report?.complete).toBe(true);
      const ours = Array.from({ length: 150 }, (_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`);
      expect(ours.map((orderNo) => zpay.queriesFor(orderNo))).toEqual(ours.map(() => 1));
      expect(zpay.queriesFor(lost.orderNo)).toBe(1);
      expect(await statusOf(lost.orderNo)).toBe('paid');
      // Out of the window, so that later reconciliation runs (other tests) do not walk them again.
      await t.db.query(`UPDATE payment_orders SET created_at = created_at - interval '3 days' WHERE order_no LIKE $1`, [`${prefix}%`]);
    });

    it('resumes from its cursor when a run runs out of time', async () => {
      const user = await registerUser(t.http);
      const orders = [await createOrder(user, { amountCny: '10.00' }), await createOrder(user, { amountCny: '11.00' })];
      await t.db.query(`UPDATE payment_orders SET created_at = NOW() - interval '3 minutes' WHERE order_no = ANY($1)`, [
        orders.map((o) => o.orderNo),
      ]);
      const first = await maintenance().reconcile({ budgetMs: 0 });
      expect(first).toMatchObject({ checked: 0, complete: false });
      const second = await maintenance().reconcile();
      expect(second?.complete).toBe(true);
      for (const order of orders) expect(zpay.queriesFor(order.orderNo)).toBe(1);
    });

    it('paces its gateway queries to payment.reconcile_queries_per_second', async () => {
      const paced = await createTestApp({ ...gatewayEnv(), RECHARGE__PAYMENT__RECONCILE_QUERIES_PER_SECOND: '20' });
      try {
        const user = await registerUser(paced.http);
        const orders: OrderAnswer[] = [];
        for (let i = 0; i < 8; i++) orders.push(await createOrder(user, { amountCny: `${12 + i}.00` }, paced));
        await paced.db.query(`UPDATE payment_orders SET created_at = NOW() - interval '3 minutes' WHERE order_no = ANY($1)`, [
          orders.map((o) => o.orderNo),
        ]);
        const [zpayBefore, stripeBefore] = [zpay.calls.length, stripe.requests.length];
        // Other tests' unpaid orders are in the window too: a 600 ms run asks about some of them, never faster than 20/s.
        const report = await paced.app.get(OrderMaintenanceService).reconcile({ budgetMs: 600 });
        const times = [
          ...zpay.calls.slice(zpayBefore).filter((c) => c.query.get('act') === 'order'),
          ...stripe.requests.slice(stripeBefore).filter((r) => r.method === 'GET'),
        ]
          .map((c) => c.at)
          .sort((a, b) => a - b);
        expect(times.length).toBeLessThanOrEqual(report!.checked);
        expect(times.length).toBeGreaterThanOrEqual(5);
        expect(times.length).toBeLessThanOrEqual(14);
        // Sent 50 ms apart: over the run no faster than 20/s, and no two arrivals close together (loopback jitter allowed).
        expect(times.at(-1)! - times[0]).toBeGreaterThanOrEqual((times.length - 1) * 45);
        for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(20);
      } finally {
        await paced.close();
      }
    });
  });

  describe('payments that must not be credited twice', () => {
    it('records a second payment (another trade_no) for a paid order for admins, and does not credit it', async () => {
      const user = await registerUser(t.http);
      const order = await paidZpayOrder(user);
      const balance = await balanceOf(user);
      const second = zpayNotify(order, 'ZSECONDPAYMENT1');
      const answers = await Promise.all([sendZpay(second), sendZpay(second)]);
      for (const answer of answers) expect(answer.text).toBe('success');
      expect(await balanceOf(user)).toBe(balance);

      const attention = await asAdmin(t.http.get('/api/admin/payment/orders?attention=true')).expect(200);
      expect(attention.body.items.map((o: { orderNo: string }) => o.orderNo)).toContain(order.orderNo);
      const detail = await asAdmin(t.http.get(`/api/admin/payment/orders/${order.orderNo}`)).expect(200);
      expect(detail.body.order.needsAttention).toBe(true);
      const duplicates = detail.body.events.filter((e: { outcome: string }) => e.outcome === 'duplicate_payment');
      expect(duplicates).toHaveLength(1);
      expect(duplicates[0].payload).toContain('trade_no=ZSECONDPAYMENT1');
      const metrics = await t.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/payment_duplicate_payments_total\{provider="zpay"\} [1-9]/);

      // Refunded at the gateway by an admin, it stops needing attention; the action is audited.
      const resolve = () => asAdmin(t.http.post(`/api/admin/payment/orders/${order.orderNo}/duplicate-payments/resolve`));
      await resolve().send({}).expect(400);
      const resolved = await resolve().send({ remark: 'refunded ZSECONDPAYMENT1 in the Zpay console' }).expect(200);
      expect(resolved.body.order.needsAttention).toBe(false);
      expect(resolved.body.events.find((e: { outcome: string }) => e.outcome === 'duplicate_payment')).toMatchObject({
        resolvedBy: admin.email,
        resolvedAt: expect.any(String),
      });
      expect((await resolve().send({ remark: 'again' }).expect(409)).body.code).toBe('PAYMENT_NO_DUPLICATE_PAYMENT');
      const after = await asAdmin(t.http.get('/api/admin/payment/orders?attention=true')).expect(200);
      expect(after.body.items.map((o: { orderNo: string }) => o.orderNo)).not.toContain(order.orderNo);
      const [log] = await t.db.query(`SELECT action FROM admin_audit_logs WHERE target_id = $1`, [order.orderNo]);
      expect(log.action).toBe('order.duplicate_resolved');
    });

    it('still credits callbacks for a gateway switched off for new orders', async () => {
      const user = await registerUser(t.http);
      const order = await createOrder(user);
      const switchedOff = await createTestApp({ ...gatewayEnv(), ZPAY_ENABLED: 'false' });
      try {
        const config = await switchedOff.http.get('/api/payment/config').set(bearer(user)).expect(200);
        expect(config.body.providers.map((p: { name: string }) => p.name)).not.toContain('zpay');
        expect((await sendZpay(zpayNotify(order), switchedOff).expect(200)).text).toBe('success');
      } finally {
        await switchedOff.close();
      }
      expect(await statusOf(order.orderNo)).toBe('paid');
      expect(await balanceOf(user)).toBe('3.61111111');
    });
  });

  describe('the new-user bonus', () => {
    it('is withheld from a payment reported after order_expire_minutes + late_grace_minutes; an admin may grant it', async () => {
      const user = await registerUser(t.http);
      const late = await createOrder(user);
      await t.db.query(`UPDATE payment_orders SET created_at = NOW() - interval '46 minutes' WHERE order_no = $1`, [late.orderNo]);
      await sendZpay(zpayNotify(late)).expect(200);
      expect(await ledgerOf(user)).toEqual([{ type: 'payment', amount: '2.77777778', operator: 'system' }]);
      const [promotion] = await t.db.query('SELECT status FROM user_promotions WHERE user_id = $1', [user.id]);
      expect(promotion.status).toBe('active');

      const confirmedLate = await createOrder(user);
      await t.db.query(`UPDATE payment_orders SET created_at = NOW() - interval '2 hours' WHERE order_no = $1`, [confirmedLate.orderNo]);
      const confirmed = await asAdmin(t.http.post(`/api/admin/payment/orders/${confirmedLate.orderNo}/confirm`))
        .send({ remark: 'paid by bank transfer', grantBonus: true })
        .expect(200);
      expect(confirmed.body.order).toMatchObject({ status: 'paid', bonusUsd: '0.83333333' });
    });
  });

  describe('refunds', () => {
    it('goes back to paid with compensating rows when the gateway refuses, restoring the balance and the invite reward', async () => {
      const referrer = await registerUser(t.http);
      const code = (await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200)).body.code;
      const user = await registerUser(t.http, { inviteCode: code });
      const { order } = await paidStripeOrder(user);
      expect(await balanceOf(referrer)).toBe('10.00000000');

      stripe.refuseRefunds = 'Charge ch_1 has been disputed';
      try {
        const res = await refund(order.orderNo).expect(502);
        expect(res.body).toMatchObject({ code: 'ADMIN_REFUND_GATEWAY_FAILED', message: expect.stringContaining('disputed') });
      } finally {
        stripe.refuseRefunds = null;
      }
      expect(await statusOf(order.orderNo)).toBe('paid');
      expect(await balanceOf(user)).toBe('3.61111111');
      expect(await balanceOf(referrer)).toBe('10.00000000');
      expect((await ledgerOf(user)).map((r: { type: string; amount: string }) => [r.type, r.amount])).toEqual([
        ['payment', '2.77777778'],
        ['promotion', '0.83333333'],
        ['refund', '-3.61111111'],
        ['refund', '3.61111111'],
      ]);
      expect((await ledgerOf(referrer)).map((r: { amount: string }) => r.amount)).toEqual(['10.00000000', '-10.00000000', '10.00000000']);
      const detail = await asAdmin(t.http.get(`/api/admin/payment/orders/${order.orderNo}`)).expect(200);
      expect(detail.body.refunds).toEqual([expect.objectContaining({ status: 'reversed', gatewayReason: expect.stringContaining('disputed') })]);

      // Refused once, refunded the next time, with a key of its own.
      await refund(order.orderNo).expect(200);
      expect(await statusOf(order.orderNo)).toBe('refunded');
      expect(new Set(stripe.requests.filter((r) => r.path === '/v1/refunds').map((r) => r.idempotencyKey)).size).toBe(2);
    });

    it('stays refunding when the gateway call times out, and is finished by the reconcile job', async () => {
      const user = await registerUser(t.http);
      const order = await paidZpayOrder(user);
      const provider = t.app.get(ZpayProvider);
      const spy = jest.spyOn(provider, 'refund').mockRejectedValueOnce(new GatewayError('zpay: no answer in 10 s'));
      try {
        const res = await refund(order.orderNo).expect(202);
        expect(res.body.order.status).toBe('refunding');
        expect(res.body.refund).toMatchObject({ status: 'pending', attempts: 1, gatewayReason: 'zpay: no answer in 10 s' });
      } finally {
        spy.mockRestore();
      }
      expect(await balanceOf(user)).toBe('0.00000000');
      expect(zpay.refundsFor(order.orderNo)).toBe(0);

      // The job leaves a refund whose call may still be in flight; two minutes later it is resumed.
      await maintenance().reconcile();
      expect(await statusOf(order.orderNo)).toBe('refunding');
      await t.db.query(`UPDATE payment_orders SET updated_at = NOW() - interval '11 minutes' WHERE order_no = $1`, [order.orderNo]);
      await t.db.query(`UPDATE payment_refunds SET updated_at = NOW() - interval '3 minutes' WHERE order_no = $1`, [order.orderNo]);
      const attention = await asAdmin(t.http.get('/api/admin/payment/orders?attention=true&status=refunding')).expect(200);
      expect(attention.body.items.map((o: { orderNo: string }) => o.orderNo)).toContain(order.orderNo);

      const report = await maintenance().reconcile();
      expect(report?.refundsFinished).toBeGreaterThanOrEqual(1);
      expect(await statusOf(order.orderNo)).toBe('refunded');
      // An earlier outcome was unknown, so Zpay was asked about the order before the refund was sent again.
      const calls = zpay.calls.filter((c) => c.query.get('out_trade_no') === order.orderNo || c.form.get('out_trade_no') === order.orderNo);
      expect(calls.map((c) => c.query.get('act'))).toEqual(['order', 'refund']);
      expect(await balanceOf(user)).toBe('0.00000000');
    });

    it('lets an admin settle a refund the gateway never confirmed, either way, after checking its console', async () => {
      const user = await registerUser(t.http);
      const kept = await paidZpayOrder(user, '20.00');
      const given = await paidZpayOrder(user, '30.00');
      const spy = jest.spyOn(t.app.get(ZpayProvider), 'refund').mockRejectedValue(new GatewayError('zpay: HTTP 502'));
      try {
        await refund(kept.orderNo).expect(202);
        await refund(given.orderNo).expect(202);
      } finally {
        spy.mockRestore();
      }
      expect(await balanceOf(user)).toBe('0.00000000');
      const resolve = (orderNo: string, body: Record<string, unknown>) =>
        asAdmin(t.http.post(`/api/admin/payment/orders/${orderNo}/refund/resolve`)).send(body);
      await resolve(kept.orderNo, { outcome: 'maybe', remark: 'checked' }).expect(400);

      const reversed = await resolve(kept.orderNo, { outcome: 'not_refunded', remark: 'no refund in the Zpay console' }).expect(200);
      expect(reversed.body.order.status).toBe('paid');
      expect(reversed.body.refunds.at(-1)).toMatchObject({ status: 'reversed', gatewayReason: expect.stringContaining(admin.email) });
      const done = await resolve(given.orderNo, { outcome: 'refunded', remark: 'refund shown in the Zpay console' }).expect(200);
      expect(done.body.order.status).toBe('refunded');
      // The kept order's payment and bonus are back; the other stays refunded.
      expect(await balanceOf(user)).toBe('3.61111111');
      expect((await resolve(given.orderNo, { outcome: 'refunded', remark: 'again' }).expect(409)).body.code).toBe('PAYMENT_NO_REFUND_UNDER_WAY');
      const [log] = await t.db.query(`SELECT action, after_state FROM admin_audit_logs WHERE target_id = $1 ORDER BY id DESC LIMIT 1`, [
        kept.orderNo,
      ]);
      expect(log).toEqual({ action: 'order.refund_resolved', after_state: { status: 'paid', outcome: 'not_refunded' } });
    });

    it('calls the gateway once for two concurrent refunds of one order', async () => {
      const user = await registerUser(t.http);
      const order = await paidZpayOrder(user);
      const answers = await Promise.all([refund(order.orderNo), refund(order.orderNo)]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      expect(zpay.refundsFor(order.orderNo)).toBe(1);
      expect(await balanceOf(user)).toBe('0.00000000');
    });

    it('takes remarks of the maximum length without a 500', async () => {
      const user = await registerUser(t.http);
      const order = await paidStripeOrder(user);
      const remark = 'r'.repeat(500);
      await refund(order.order.orderNo, { remark }).expect(200);
      const [row] = await t.db.query(`SELECT remark FROM recharge_records WHERE related_id = $1 AND type = 'refund'`, [order.order.orderNo]);
      expect(row.remark).toBe(remark);
      await refund(order.order.orderNo, { remark: 'r'.repeat(501) }).expect(400);

      const unpaid = await createOrder(user);
      await asAdmin(t.http.post(`/api/admin/payment/orders/${unpaid.orderNo}/confirm`)).send({ remark }).expect(200);
    });

    it('follows a refund made in Stripe’s dashboard, taking what the balance holds and recording the shortfall', async () => {
      const user = await registerUser(t.http);
      const { order, session } = await paidStripeOrder(user);
      await asAdmin(t.http.post(`/api/admin/users/${user.id}/balance-adjustments`)).send({ amount: '-1', remark: 'spent' }).expect(201);
      const charge = { id: 'ch_dash', object: 'charge', payment_intent: session.payment_intent, metadata: {}, refunded: true, amount_refunded: 2000 };
      const event = stripeEvent('charge.refunded', charge);
      await Promise.all([sendStripe(event).expect(200), sendStripe(event).expect(200)]);

      expect(await statusOf(order.orderNo)).toBe('refunded');
      expect(await balanceOf(user)).toBe('0.00000000');
      const rows = await ledgerOf(user);
      expect(rows.at(-1)).toEqual({ type: 'refund', amount: '-2.61111111', operator: 'gateway' });
      const detail = await asAdmin(t.http.get(`/api/admin/payment/orders/${order.orderNo}`)).expect(200);
      expect(detail.body.refunds).toEqual([
        expect.objectContaining({ method: 'external', status: 'succeeded', debitedUsd: '2.61111111', shortfallUsd: '1.00000000' }),
      ]);
    });

    it('reverses the referral reward on refund, partially when the referrer has spent it', async () => {
      const referrer = await registerUser(t.http);
      const code = (await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200)).body.code;
      const invitee = await registerUser(t.http, { inviteCode: code });
      const order = await paidZpayOrder(invitee);
      expect(await balanceOf(referrer)).toBe('10.00000000');
      await asAdmin(t.http.post(`/api/admin/users/${referrer.id}/balance-adjustments`)).send({ amount: '-7', remark: 'spent' }).expect(201);

      const res = await refund(order.orderNo).expect(200);
      expect(res.body.refund).toMatchObject({ rewardReversed: true, rewardTakenUsd: '3.00000000' });
      expect(await balanceOf(referrer)).toBe('0.00000000');
      const [invite] = await t.db.query(
        'SELECT reward_issued, reward_shortfall_usd, total_recharge_cny, is_qualified FROM referral_invites WHERE invitee_id = $1',
        [invitee.id],
      );
      expect(invite).toEqual({ reward_issued: false, reward_shortfall_usd: '7.00000000', total_recharge_cny: '0.00', is_qualified: false });

      // One reward per invitee: paying again does not earn it twice.
      await paidZpayOrder(invitee, '30.00');
      expect(await balanceOf(referrer)).toBe('0.00000000');
    });

    it('records a refund made outside when the gateway has no refund API', async () => {
      const manual = await createTestApp({ ...gatewayEnv(), ZPAY_REFUND_ENABLED: 'false' });
      try {
        const user = await registerUser(manual.http);
        const order = await createOrder(user, {}, manual);
        await sendZpay(zpayNotify(order), manual).expect(200);
        const res = await manual.http
          .post(`/api/admin/payment/orders/${order.orderNo}/refund`)
          .set(bearer(admin))
          .send({ remark: 'refunded in the Zpay console, ticket 42' })
          .expect(200);
        expect(res.body.refund).toMatchObject({ method: 'manual', status: 'succeeded', debitedUsd: '3.61111111' });
        expect(res.body.order.status).toBe('refunded');
        expect(zpay.refundsFor(order.orderNo)).toBe(0);
        const [log] = await manual.db.query(`SELECT action FROM admin_audit_logs WHERE target_id = $1`, [order.orderNo]);
        expect(log.action).toBe('order.refund_recorded');
      } finally {
        await manual.close();
      }
    });
  });
});
