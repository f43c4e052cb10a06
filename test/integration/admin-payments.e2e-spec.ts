import { FakeStripe } from '../support/fake-gateways';
import { sendStripeEvent, signedStripeEvent } from '../support/gateway-callbacks';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { TestApp, createTestApp } from '../support/test-app';

const STRIPE_SECRET = 'whsec_admin_payments_test';

describe('admin payments (API)', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let admin: TestUser;

  beforeAll(async () => {
    stripe = await new FakeStripe().start();
    t = await createTestApp({
      PUBLIC_BASE_URL: 'http://localhost:3000',
      STRIPE_ENABLED: 'true',
      STRIPE_API_KEY: 'sk_test_admin',
      STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      STRIPE_API_BASE: stripe.url,
      // Orders are paid through the sandbox here; Stripe is there for its refund.
      SANDBOX_ENABLED: 'true',
    });
    admin = await registerAdmin(t.http, t.db);
  });
  afterAll(async () => {
    await t?.close();
    await stripe?.stop();
  });

  async function sandboxOrder(user: TestUser, amountCny = '20.00') {
    const res = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny, provider: 'sandbox', method: 'alipay' }).expect(201);
    return res.body as { orderNo: string; paymentUrl: string };
  }
  const pay = (order: { paymentUrl: string }) => t.http.post(`${new URL(order.paymentUrl).pathname}/pay`).expect(303);
  const asAdmin = (req: ReturnType<TestApp['http']['get']>) => req.set(bearer(admin));
  const balanceOf = async (user: TestUser) => (await t.db.query('SELECT balance FROM users WHERE id = $1', [user.id]))[0].balance;

  it('lists orders with filters and shows one with its raw callback, ledger rows and events', async () => {
    const user = await registerUser(t.http);
    const paid = await sandboxOrder(user, '20.00');
    await pay(paid);
    const pending = await sandboxOrder(user, '10.00');

    const mine = await asAdmin(t.http.get(`/api/admin/payment/orders?email=${encodeURIComponent(user.email)}`)).expect(200);
    expect(mine.body.total).toBe(2);
    expect(mine.body.items.map((o: { orderNo: string }) => o.orderNo)).toEqual([pending.orderNo, paid.orderNo]);
    expect(mine.body.items[1]).toMatchObject({ userId: user.id, userEmail: user.email, status: 'paid', tradeNo: expect.stringMatching(/^SANDBOX/) });

    const onlyPaid = await asAdmin(t.http.get(`/api/admin/payment/orders?userId=${user.id}&status=paid`)).expect(200);
    expect(onlyPaid.body.items.map((o: { orderNo: string }) => o.orderNo)).toEqual([paid.orderNo]);
    const byPrefix = await asAdmin(t.http.get(`/api/admin/payment/orders?q=${paid.orderNo.slice(0, 30)}`)).expect(200);
    expect(byPrefix.body.items.map((o: { orderNo: string }) => o.orderNo)).toContain(paid.orderNo);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await asAdmin(t.http.get(`/api/admin/payment/orders?createdFrom=${future}`)).expect(200)).body.total).toBe(0);
    const bad = await asAdmin(t.http.get('/api/admin/payment/orders?status=lost&paidFrom=soon')).expect(400);
    expect(bad.body.message).toEqual(expect.arrayContaining(['status must be one of: pending, paid, expired, cancelled, failed, refunding, refunded', 'paidFrom must be an ISO-8601 date-time between 1970-01-01 and 9999-12-31']));

    const detail = await asAdmin(t.http.get(`/api/admin/payment/orders/${paid.orderNo}`)).expect(200);
    expect(detail.body.callbackData).toContain(`out_trade_no=${paid.orderNo}`);
    expect(detail.body.ledger.map((r: { type: string; amount: string }) => [r.type, r.amount])).toEqual([
      ['payment', '2.77777778'],
      ['promotion', '0.83333333'],
    ]);
    expect(detail.body.events).toEqual([expect.objectContaining({ outcome: 'credited' })]);
    await asAdmin(t.http.get('/api/admin/payment/orders/PO-NOPE')).expect(404);
  });

  it('confirms a pending order through the webhook’s path, as the admin, with an audit record', async () => {
    const user = await registerUser(t.http);
    const order = await sandboxOrder(user, '50.00');
    const missing = await asAdmin(t.http.post(`/api/admin/payment/orders/${order.orderNo}/confirm`)).send({}).expect(400);
    expect(missing.body.message).toEqual(['remark must be a string']);

    const confirmed = await asAdmin(t.http.post(`/api/admin/payment/orders/${order.orderNo}/confirm`))
      .send({ remark: 'bank transfer seen' })
      .expect(200);
    expect(confirmed.body.order).toMatchObject({ status: 'paid', bonusUsd: '2.08333333', totalUsd: '9.02777777' });
    expect(confirmed.body.ledger).toEqual([
      expect.objectContaining({ type: 'payment', operator: admin.email, remark: 'confirmed by hand: bank transfer seen' }),
      expect.objectContaining({ type: 'promotion' }),
    ]);
    expect(await balanceOf(user)).toBe('9.02777777');
    const [log] = await t.db.query(`SELECT admin_email, action, before_state, after_state FROM admin_audit_logs WHERE target_id = $1`, [order.orderNo]);
    expect(log).toEqual({ admin_email: admin.email, action: 'order.confirm', before_state: { status: 'pending' }, after_state: { status: 'paid', amountUsd: '6.94444444', bonusUsd: '2.08333333', grantBonus: false } });

    const again = await asAdmin(t.http.post(`/api/admin/payment/orders/${order.orderNo}/confirm`)).send({ remark: 'twice' }).expect(409);
    expect(again.body.code).toBe('ADMIN_ORDER_CANNOT_CONFIRM');
    expect(await balanceOf(user)).toBe('9.02777777');
  });

  it('refunds a paid order, debiting what it credited, and refuses one the balance no longer covers unless forced', async () => {
    const user = await registerUser(t.http);
    const order = await sandboxOrder(user, '20.00');
    await pay(order);
    expect(await balanceOf(user)).toBe('3.61111111');

    const refunded = await asAdmin(t.http.post(`/api/admin/payment/orders/${order.orderNo}/refund`)).send({ remark: 'customer asked' }).expect(200);
    expect(refunded.body).toMatchObject({ order: { status: 'refunded' }, debitedUsd: '3.61111111', shortfallUsd: '0.00000000' });
    expect(await balanceOf(user)).toBe('0.00000000');
    await asAdmin(t.http.post(`/api/admin/payment/orders/${order.orderNo}/refund`)).send({ remark: 'again' }).expect(409);

    // The second order earns no bonus (the promotion was used): it credits 2.77777778, of which 2 are then spent.
    const spent = await sandboxOrder(user, '20.00');
    await pay(spent);
    await t.http.post(`/api/admin/users/${user.id}/balance-adjustments`).set(bearer(admin)).send({ amount: '-2', remark: 'spent on API calls' }).expect(201);
    const refused = await asAdmin(t.http.post(`/api/admin/payment/orders/${spent.orderNo}/refund`)).send({ remark: 'customer asked' }).expect(409);
    expect(refused.body.code).toBe('ADMIN_REFUND_BALANCE_TOO_LOW');
    expect((await asAdmin(t.http.get(`/api/admin/payment/orders/${spent.orderNo}`)).expect(200)).body.order.status).toBe('paid');

    const forced = await asAdmin(t.http.post(`/api/admin/payment/orders/${spent.orderNo}/refund`))
      .send({ remark: 'chargeback', force: true })
      .expect(200);
    expect(forced.body).toMatchObject({ debitedUsd: '0.77777778', shortfallUsd: '2.00000000' });
    expect(await balanceOf(user)).toBe('0.00000000');
    const [log] = await t.db.query(`SELECT after_state FROM admin_audit_logs WHERE target_id = $1`, [spent.orderNo]);
    // Recorded with the saga's first step: the debit is made, the gateway is asked next.
    expect(log.after_state).toMatchObject({ status: 'refunding', debitedUsd: '0.77777778', shortfallUsd: '2.00000000', force: true });
    expect((await asAdmin(t.http.get(`/api/admin/payment/orders/${spent.orderNo}`)).expect(200)).body.order.status).toBe('refunded');
  });

  it('refunds a Stripe order through Stripe’s API', async () => {
    const user = await registerUser(t.http);
    const created = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '30.00', provider: 'stripe', method: 'card' }).expect(201);
    const [{ trade_no }] = await t.db.query('SELECT trade_no FROM payment_orders WHERE order_no = $1', [created.body.orderNo]);
    const session = stripe.markPaid(trade_no);
    await sendStripeEvent(t.http, signedStripeEvent(STRIPE_SECRET, 'checkout.session.completed', session)).expect(200);

    await asAdmin(t.http.post(`/api/admin/payment/orders/${created.body.orderNo}/refund`)).send({ remark: 'duplicate charge' }).expect(200);
    const refund = stripe.refunds.at(-1)!;
    expect(refund.get('payment_intent')).toBe(session.payment_intent);
    expect(refund.get('amount')).toBe('3000');
    expect(stripe.requests.at(-1)?.idempotencyKey).toMatch(new RegExp(`^refund-${created.body.orderNo}-\\d+$`));
  });

  it('sums paid orders by window, provider and day', async () => {
    const res = await asAdmin(t.http.get('/api/admin/payment/stats')).expect(200);
    const today = res.body.windows.find((w: { window: string; provider: string }) => w.window === 'today' && w.provider === 'sandbox');
    expect(today).toMatchObject({ orders: expect.any(Number), amountCny: expect.stringMatching(/^\d+\.\d{2}$/) });
    expect(today.orders).toBeGreaterThanOrEqual(1);
    expect(res.body.daily.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10) });
    expect(res.body.byStatus).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'paid' })]));
    expect(res.body.promotion.granted).toBeGreaterThanOrEqual(1);
  });

  it('is for admins only', async () => {
    const user = await registerUser(t.http);
    await t.http.get('/api/admin/payment/orders').set(bearer(user)).expect(403);
    await t.http.get('/api/admin/payment/stats').set(bearer(user)).expect(403);
  });
});
