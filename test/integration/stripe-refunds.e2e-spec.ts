import { auditLedger } from '../../src/ledger/ledger-audit';
import { OrderMaintenanceService } from '../../src/payments/order-maintenance.service';
import { PaymentMetrics } from '../../src/payments/payment-metrics';
import { FakeStripe } from '../support/fake-gateways';
import { sendStripeEvent, signedStripeEvent } from '../support/gateway-callbacks';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { TestApp, createTestApp } from '../support/test-app';

const STRIPE_SECRET = 'whsec_stripe_refunds_secret';

/**
 * Stripe refunds that are not done when Stripe first answers: `pending` and
 * `requires_action` refunds keep the order refunding until Stripe's news
 * (charge.refund.updated, refund.updated, refund.failed) or the reconcile
 * job's retrieve says how they ended, and a refund Stripe fails after it
 * succeeded is given back once, however often the news comes. Real
 * PostgreSQL; Stripe faked on loopback with its wire shapes.
 */
describe('Stripe refunds that end later', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let admin: TestUser;

  beforeAll(async () => {
    stripe = await new FakeStripe().start();
    t = await createTestApp({
      PUBLIC_BASE_URL: 'https://pay.example',
      STRIPE_ENABLED: 'true',
      STRIPE_API_KEY: 'sk_test_stripe_refunds',
      STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      STRIPE_API_BASE: stripe.url,
      RECHARGE__PAYMENT__RECONCILE_QUERIES_PER_SECOND: '1000',
    });
    admin = await registerAdmin(t.http, t.db);
  });
  afterEach(() => {
    stripe.nextRefundStatus = 'succeeded';
  });
  afterAll(async () => {
    await t?.close();
    await stripe?.stop();
  });

  const asAdmin = <R extends { set(h: Record<string, string>): R }>(req: R) => req.set(bearer(admin));
  const refund = (orderNo: string) => asAdmin(t.http.post(`/api/admin/payment/orders/${orderNo}/refund`)).send({ remark: 'customer asked' });
  const detail = async (orderNo: string) => (await asAdmin(t.http.get(`/api/admin/payment/orders/${orderNo}`)).expect(200)).body;
  const send = (type: string, object: object, id?: string) => sendStripeEvent(t.http, signedStripeEvent(STRIPE_SECRET, type, object, id));
  const balanceOf = async (user: TestUser) => (await t.db.query('SELECT balance FROM users WHERE id = $1', [user.id]))[0].balance;
  const statusOf = async (orderNo: string) => (await t.db.query('SELECT status FROM payment_orders WHERE order_no = $1', [orderNo]))[0].status;
  const ledgerOf = async (user: TestUser) =>
    (await t.db.query('SELECT type, amount, operator FROM recharge_records WHERE user_id = $1 ORDER BY id', [user.id])) as {
      type: string;
      amount: string;
      operator: string;
    }[];
  const refundRequests = () => stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds').length;
  /** The ledger audit's violations about these orders or users (the database is shared with other test files). */
  const violationsFor = async (orderNos: string[], users: TestUser[]) => {
    const ids = new Set(users.map((u) => String(u.id)));
    return (await auditLedger(t.db))
      .map((v) => ({ ...v, rows: v.rows.filter((r) => orderNos.includes(String(r.order_no)) || ids.has(String(r.user_id ?? r.invitee_id))) }))
      .filter((v) => v.rows.length > 0);
  };

  async function paidStripeOrder(user: TestUser, amountCny = '20.00') {
    const res = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny, provider: 'stripe', method: 'card' }).expect(201);
    const orderNo: string = res.body.orderNo;
    const [{ trade_no }] = await t.db.query('SELECT trade_no FROM payment_orders WHERE order_no = $1', [orderNo]);
    const session = stripe.markPaid(trade_no);
    await send('checkout.session.completed', session).expect(200);
    expect(await statusOf(orderNo)).toBe('paid');
    return { orderNo, session };
  }

  it('keeps a refund Stripe answers pending refunding (202) until charge.refund.updated says it succeeded', async () => {
    const user = await registerUser(t.http);
    const { orderNo, session } = await paidStripeOrder(user);
    stripe.nextRefundStatus = 'pending';

    const res = await refund(orderNo).expect(202);
    expect(res.body.order.status).toBe('refunding');
    const created = stripe.refundOf(orderNo)!;
    expect(res.body.refund).toMatchObject({ status: 'pending', gatewayRefundId: created.id, gatewayStatus: 'pending' });
    expect(await statusOf(orderNo)).toBe('refunding');
    expect(await balanceOf(user)).toBe('0.00000000');

    // Stripe marks the charge refunded as soon as the refund exists; the refund's own news decides.
    const charge = { id: created.charge, object: 'charge', payment_intent: session.payment_intent, metadata: {}, refunded: true, amount_refunded: 2000 };
    expect((await send('charge.refunded', charge).expect(200)).body).toEqual({ received: true });
    expect(await statusOf(orderNo)).toBe('refunding');

    const succeeded = stripe.settleRefund(created.id, 'succeeded');
    await send('charge.refund.updated', succeeded).expect(200);
    expect(await statusOf(orderNo)).toBe('refunded');
    expect((await detail(orderNo)).refunds).toEqual([expect.objectContaining({ status: 'succeeded', gatewayStatus: 'succeeded' })]);
    expect(await balanceOf(user)).toBe('0.00000000');
  });

  it('gives everything back when a pending refund then fails, as a refusal does', async () => {
    const referrer = await registerUser(t.http);
    const code = (await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200)).body.code;
    const user = await registerUser(t.http, { inviteCode: code });
    const { orderNo } = await paidStripeOrder(user);
    expect(await balanceOf(referrer)).toBe('10.00000000');
    stripe.nextRefundStatus = 'requires_action';

    await refund(orderNo).expect(202);
    expect(await balanceOf(user)).toBe('0.00000000');
    expect(await balanceOf(referrer)).toBe('0.00000000');
    const created = stripe.refundOf(orderNo)!;
    expect((await detail(orderNo)).refunds).toEqual([expect.objectContaining({ status: 'pending', gatewayStatus: 'requires_action' })]);

    const failed = stripe.settleRefund(created.id, 'canceled');
    await send('refund.failed', failed).expect(200);
    expect(await statusOf(orderNo)).toBe('paid');
    expect(await balanceOf(user)).toBe('3.61111111');
    expect(await balanceOf(referrer)).toBe('10.00000000');
    const after = await detail(orderNo);
    expect(after.refunds).toEqual([
      expect.objectContaining({ status: 'reversed', gatewayStatus: 'canceled', gatewayReason: expect.stringContaining('merchant_request') }),
    ]);
    // Like a refusal: the ledger says it, no admin needs to act.
    expect(after.order.needsAttention).toBe(false);
    expect(await violationsFor([orderNo], [user, referrer])).toEqual([]);
  });

  it('compensates once a refund Stripe fails after it succeeded, delivered 20 times at once: paid again, flagged, audited', async () => {
    const referrer = await registerUser(t.http);
    const code = (await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200)).body.code;
    const user = await registerUser(t.http, { inviteCode: code });
    const { orderNo } = await paidStripeOrder(user);

    await refund(orderNo).expect(200);
    expect(await statusOf(orderNo)).toBe('refunded');
    expect(await balanceOf(user)).toBe('0.00000000');
    expect(await balanceOf(referrer)).toBe('0.00000000');
    const created = stripe.refundOf(orderNo)!;

    // Days later Stripe fails it, and says so twice: charge.refund.updated and refund.failed, each delivered again and again.
    const failed = stripe.settleRefund(created.id, 'failed', 'expired_or_canceled_card');
    const updated = signedStripeEvent(STRIPE_SECRET, 'charge.refund.updated', failed);
    const refundFailed = signedStripeEvent(STRIPE_SECRET, 'refund.failed', failed);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sendStripeEvent(t.http, i % 2 === 0 ? updated : refundFailed)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));

    expect(await statusOf(orderNo)).toBe('paid');
    expect(await balanceOf(user)).toBe('3.61111111');
    expect(await balanceOf(referrer)).toBe('10.00000000');
    expect((await ledgerOf(user)).map((r) => [r.type, r.amount, r.operator])).toEqual([
      ['payment', '2.77777778', 'system'],
      ['promotion', '0.83333333', 'system'],
      ['refund', '-3.61111111', admin.email],
      ['refund', '3.61111111', 'gateway'],
    ]);
    expect((await ledgerOf(referrer)).map((r) => r.amount)).toEqual(['10.00000000', '-10.00000000', '10.00000000']);

    const view = await detail(orderNo);
    expect(view.order.needsAttention).toBe(true);
    expect(view.refunds).toEqual([
      expect.objectContaining({
        status: 'failed',
        gatewayStatus: 'failed',
        gatewayRefundId: created.id,
        gatewayReason: expect.stringContaining('expired_or_canceled_card'),
      }),
    ]);
    expect(view.events.filter((e: { outcome: string }) => e.outcome === 'refund_failed')).toHaveLength(1);
    const attention = await asAdmin(t.http.get(`/api/admin/payment/orders?attention=true&q=${orderNo}`)).expect(200);
    expect(attention.body.items.map((o: { orderNo: string }) => o.orderNo)).toEqual([orderNo]);

    const logs = await t.db.query(`SELECT admin_id, admin_email, action, remark, after_state FROM admin_audit_logs WHERE target_id = $1 ORDER BY id`, [orderNo]);
    expect(logs.map((l: { action: string }) => l.action)).toEqual(['order.refund', 'order.refund_failed']);
    expect(logs[1]).toMatchObject({
      admin_id: null,
      admin_email: 'gateway',
      remark: expect.stringContaining('expired_or_canceled_card'),
      after_state: expect.objectContaining({ status: 'paid', refundStatus: 'failed', givenBackUsd: '3.61111111', rewardGivenBackUsd: '10.00000000' }),
    });
    const events = await t.db.query(`SELECT type, data->>'status' AS status FROM outbox_events WHERE user_id = $1 AND data->>'orderNo' = $2 AND type LIKE 'order.%' ORDER BY position`, [
      user.id,
      orderNo,
    ]);
    expect(events.map((e: { type: string; status: string }) => `${e.type}:${e.status}`)).toEqual([
      'order.created:pending',
      'order.paid:paid',
      'order.refunding:refunding',
      'order.refunded:refunded',
      'order.paid:paid',
    ]);
    const counted = (await t.app.get(PaymentMetrics).refunds.get()).values.find(
      (v) => v.labels.provider === 'stripe' && v.labels.outcome === 'failed_after_success',
    );
    expect(counted?.value).toBe(1);
    expect(await violationsFor([orderNo], [user, referrer])).toEqual([]);

    // The admin deals with it (marks it dealt with, then refunds again): the flag clears and a new refund starts.
    await asAdmin(t.http.post(`/api/admin/payment/orders/${orderNo}/duplicate-payments/resolve`)).send({ remark: 'card expired; refunding again' }).expect(200);
    expect((await detail(orderNo)).order.needsAttention).toBe(false);
    await refund(orderNo).expect(200);
    expect(await statusOf(orderNo)).toBe('refunded');
    expect(await violationsFor([orderNo], [user, referrer])).toEqual([]);
  });

  it('finishes refunds left pending at Stripe through the reconcile job, either way, with no webhook', async () => {
    const user = await registerUser(t.http);
    const done = await paidStripeOrder(user, '20.00');
    const failing = await paidStripeOrder(user, '30.00');
    stripe.nextRefundStatus = 'pending';
    await refund(done.orderNo).expect(202);
    await refund(failing.orderNo).expect(202);
    expect(await balanceOf(user)).toBe('0.00000000');
    stripe.settleRefund(stripe.refundOf(done.orderNo)!.id, 'succeeded');
    stripe.settleRefund(stripe.refundOf(failing.orderNo)!.id, 'failed', 'lost_or_stolen_card');
    const posted = refundRequests();

    // Idle past payment.refund_resume_after_seconds, so the job takes them.
    await t.db.query(`UPDATE payment_refunds SET updated_at = NOW() - interval '1 hour' WHERE order_no = ANY($1)`, [[done.orderNo, failing.orderNo]]);
    const report = await t.app.get(OrderMaintenanceService).reconcile();
    expect(report?.refundsFinished).toBeGreaterThanOrEqual(2);

    expect(await statusOf(done.orderNo)).toBe('refunded');
    expect(await statusOf(failing.orderNo)).toBe('paid');
    expect((await detail(failing.orderNo)).refunds).toEqual([
      expect.objectContaining({ status: 'reversed', gatewayStatus: 'failed', gatewayReason: expect.stringContaining('lost_or_stolen_card') }),
    ]);
    // 30 CNY back (4.16666667 USD, the bonus went with the first order); the first order stays refunded.
    expect(await balanceOf(user)).toBe('4.16666667');
    // Stripe was asked where the refunds stand (retrieve), not asked to refund again.
    expect(refundRequests()).toBe(posted);
    const retrieved = stripe.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/refunds/')).map((r) => r.path);
    expect(retrieved).toEqual(expect.arrayContaining([`/v1/refunds/${stripe.refundOf(done.orderNo)!.id}`, `/v1/refunds/${stripe.refundOf(failing.orderNo)!.id}`]));
    expect(await violationsFor([done.orderNo, failing.orderNo], [user])).toEqual([]);
  });

  it('answers 200 to news of a refund that is not ours, and changes nothing', async () => {
    const stranger = {
      id: 're_not_ours_0001',
      object: 'refund',
      amount: 500,
      balance_transaction: null,
      charge: 'ch_not_ours',
      created: Math.floor(Date.now() / 1000),
      currency: 'cny',
      metadata: {},
      payment_intent: 'pi_not_ours',
      reason: null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'failed',
      failure_reason: 'declined',
      transfer_reversal: null,
    };
    const eventId = `evt_stranger_${Date.now()}`;
    expect((await send('refund.failed', stranger, eventId).expect(200)).body).toEqual({ received: true });
    const [row] = await t.db.query(`SELECT order_no, outcome FROM payment_webhook_events WHERE provider = 'stripe' AND event_id = $1`, [eventId]);
    expect(row).toEqual({ order_no: null, outcome: 'unknown_refund' });
  });
});
