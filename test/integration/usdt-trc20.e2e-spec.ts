import { setTimeout as sleep } from 'node:timers/promises';
import { OrderMaintenanceService } from '../../src/payments/order-maintenance.service';
import { PaymentProviderRegistry } from '../../src/payments/payment-provider.registry';
import { FakeTronGrid, randomTronAddress } from '../support/fake-trongrid';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { TestApp, createTestApp } from '../support/test-app';

const USDT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';

interface OrderAnswer {
  orderNo: string;
  status: string;
  amountCny: string;
  amountUsd: string;
  bonusUsd: string;
  totalUsd: string;
  paymentUrl: string;
  payCurrency: string;
  payAmount: string;
  payAddress: string | null;
  payRate: string | null;
  expireAt: string;
}

/**
 * USDT-TRC20 end to end: a real app and PostgreSQL, TronGrid faked on
 * loopback in its real answer shapes. Each test file has its own merchant
 * address, so other files' orders never meet these transfers.
 */
describe('USDT-TRC20', () => {
  let t: TestApp;
  let tron: FakeTronGrid;
  let maintenance: OrderMaintenanceService;
  let admin: TestUser;
  const merchant = randomTronAddress();

  beforeAll(async () => {
    tron = await FakeTronGrid.start();
    t = await createTestApp({
      USDT_TRC20_ENABLED: 'true',
      USDT_TRC20_ADDRESS: merchant,
      TRONGRID_API_URL: tron.url,
      TRONGRID_API_KEY: 'tron-test-key',
      // Polls are run by the tests; the schedule stays out of the way.
      RECHARGE__USDT__POLL_SECONDS: '3600',
      RECHARGE__PAYMENT__MAX_ORDERS_PER_MINUTE: '1000',
    });
    maintenance = t.app.get(OrderMaintenanceService);
    admin = await registerAdmin(t.http, t.db);
  });
  afterAll(async () => {
    await t?.close();
    await tron?.close();
  });

  const usdt = () => t.app.get(PaymentProviderRegistry).get('usdt_trc20')!;
  const poll = () => maintenance.poll(usdt());

  async function order(user: TestUser, amountCny = '20.00'): Promise<OrderAnswer> {
    const res = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny, provider: 'usdt_trc20', method: 'usdt' });
    if (res.status !== 201) throw new Error(`order creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  const balance = async (user: TestUser) => (await t.http.get('/api/users/me').set(bearer(user)).expect(200)).body.balance as string;
  const orderOf = async (user: TestUser, orderNo: string) =>
    (await t.http.get(`/api/payment/orders/${orderNo}`).set(bearer(user)).expect(200)).body as OrderAnswer;
  const events = (orderNo: string | null, outcome: string) =>
    t.db.query(`SELECT event_id, order_no, payload FROM payment_webhook_events WHERE provider = 'usdt_trc20' AND outcome = $1 AND order_no IS NOT DISTINCT FROM $2`, [
      outcome,
      orderNo,
    ]);

  it('is offered as a gateway paid by sending an exact amount to an address', async () => {
    const user = await registerUser(t.http);
    const res = await t.http.get('/api/payment/providers').set(bearer(user)).expect(200);
    expect(res.body).toContainEqual({
      name: 'usdt_trc20',
      labels: { zh: 'USDT（TRC20，波场网络）', en: 'USDT (TRC20, TRON network)' },
      methods: ['usdt'],
      display: 'address',
      offersQrCode: false,
    });
  });

  it('asks for the CNY price in USDT at the configured rate, plus a unique suffix, and keeps amount_cny and the USD credit as for any order', async () => {
    const user = await registerUser(t.http);
    const created = await order(user, '20.00');
    // 20.00 / 7.2 = 2.7777… → 2.78, and the first free suffix of this file's address.
    expect(created).toMatchObject({ amountCny: '20.00', amountUsd: '2.77777778', payCurrency: 'USDT', payAddress: merchant, payRate: '7.2', paymentUrl: merchant });
    expect(created.payAmount).toMatch(/^2\.78\d$/);
    expect(created.payAmount).not.toBe('2.780');
    expect(await orderOf(user, created.orderNo)).toMatchObject({ payAmount: created.payAmount, payCurrency: 'USDT', payRate: '7.2' });
    // Admins find the same in the orders export, in its last four columns.
    const csv = await t.http.get(`/api/admin/payment/orders.csv?userId=${user.id}`).set(bearer(admin)).expect(200);
    const [header, row] = csv.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/).map((line) => line.split(','));
    expect(header.slice(-4)).toEqual(['pay_currency', 'pay_amount', 'pay_rate', 'pay_address']);
    expect(row.slice(-4)).toEqual(['USDT', created.payAmount, '7.2', merchant]);
  });

  it('never gives two open orders the same amount, however many are created at once', async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => registerUser(t.http)));
    const orders = await Promise.all(users.map((u) => order(u, '50.00')));
    const amounts = orders.map((o) => o.payAmount);
    expect(new Set(amounts).size).toBe(12);
    // 50 / 7.2 = 6.944… → 6.94, plus the smallest free suffixes: 0.001 … 0.012.
    expect([...amounts].sort()).toEqual(Array.from({ length: 12 }, (_, i) => (6.941 + i * 0.001).toFixed(3)));
    const [{ count }] = await t.db.query(`SELECT COUNT(*)::int AS count FROM usdt_trc20_amounts WHERE address = $1 AND amount > 6.94 AND amount <= 6.952`, [merchant]);
    expect(count).toBe(12);
  });

  it('credits a transfer of the exact amount once, with the new-user bonus, however often and by however many pollers it is read', async () => {
    const user = await registerUser(t.http);
    const created = await order(user, '20.00');
    const transfer = tron.addTransfer({ to: merchant, amount: created.payAmount });

    const results = await Promise.all([poll(), poll(), poll()]);
    // One poll held the gateway's lock; the others found it held.
    expect(results.filter((r) => r === 1)).toHaveLength(1);
    expect(await poll()).toBe(0);

    const paid = await orderOf(user, created.orderNo);
    expect(paid.status).toBe('paid');
    // Tier 0: 30 % of 2.77777778.
    expect(paid).toMatchObject({ amountUsd: '2.77777778', bonusUsd: '0.83333333', totalUsd: '3.61111111' });
    expect(await balance(user)).toBe('3.61111111');
    const [row] = await t.db.query(`SELECT trade_no FROM payment_orders WHERE order_no = $1`, [created.orderNo]);
    expect(row.trade_no).toBe(transfer.transaction_id);
    const ledger = await t.db.query(`SELECT type, amount::text FROM recharge_records WHERE related_id = $1 ORDER BY id`, [created.orderNo]);
    expect(ledger).toEqual([
      { type: 'payment', amount: '2.77777778' },
      { type: 'promotion', amount: '0.83333333' },
    ]);
    // TronGrid was asked as documented, with the key.
    const request = tron.requests[tron.requests.length - 1];
    expect(request.path).toBe(`/v1/accounts/${merchant}/transactions/trc20`);
    expect(request.query).toMatchObject({ only_confirmed: 'true', contract_address: USDT, limit: '200' });
    expect(request.headers['tron-pro-api-key']).toBe('tron-test-key');
  });

  it('rewards the referrer when an invitee pays in USDT, as for the other gateways', async () => {
    const referrer = await registerUser(t.http);
    const info = await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200);
    const invitee = await registerUser(t.http, { inviteCode: info.body.code });
    const created = await order(invitee, '20.00');
    tron.addTransfer({ to: merchant, amount: created.payAmount, from: randomTronAddress() });
    await poll();
    expect((await orderOf(invitee, created.orderNo)).status).toBe('paid');
    expect(await balance(referrer)).toBe('10.00000000');
  });

  it('credits a payment that arrives after the order expired, within the late window', async () => {
    const user = await registerUser(t.http);
    const created = await order(user, '30.00');
    await t.db.query(`UPDATE payment_orders SET created_at = NOW() - interval '50 minutes', expire_at = NOW() - interval '20 minutes' WHERE order_no = $1`, [
      created.orderNo,
    ]);
    await maintenance.expireDue();
    expect((await orderOf(user, created.orderNo)).status).toBe('expired');
    tron.addTransfer({ to: merchant, amount: created.payAmount });
    await poll();
    const paid = await orderOf(user, created.orderNo);
    expect(paid.status).toBe('paid');
    // Paid after order_expire_minutes + late_grace_minutes: the money, not the time-limited bonus.
    expect(paid.bonusUsd).toBe('0.00000000');
  });

  it('records a transfer that matches no order for admins, and credits nobody', async () => {
    const before = await t.db.query(`SELECT COALESCE(SUM(amount), 0)::text AS total FROM recharge_records`);
    const stray = tron.addTransfer({ to: merchant, amount: '123.457' });
    await poll();
    const [recorded] = await events(null, 'unmatched_payment');
    expect(recorded).toBeDefined();
    const unmatched = await t.http.get('/api/admin/payment/unmatched-payments?resolved=false').set(bearer(admin)).expect(200);
    const listed = unmatched.body.items.find((e: { eventId: string }) => e.eventId === stray.transaction_id);
    expect(listed).toMatchObject({ provider: 'usdt_trc20', outcome: 'unmatched_payment', resolvedAt: null });
    expect(JSON.parse(listed.payload)).toMatchObject({ amount: '123.457', from: stray.from, to: merchant });
    const after = await t.db.query(`SELECT COALESCE(SUM(amount), 0)::text AS total FROM recharge_records`);
    expect(after[0].total).toBe(before[0].total);

    await t.http
      .post(`/api/admin/payment/unmatched-payments/usdt_trc20/${stray.transaction_id}/resolve`)
      .set(bearer(admin))
      .send({ remark: 'sent back to the payer' })
      .expect(200);
    const again = await t.http.get('/api/admin/payment/unmatched-payments?resolved=false').set(bearer(admin)).expect(200);
    expect(again.body.items.some((e: { eventId: string }) => e.eventId === stray.transaction_id)).toBe(false);
    await t.http
      .post(`/api/admin/payment/unmatched-payments/usdt_trc20/${stray.transaction_id}/resolve`)
      .set(bearer(admin))
      .send({ remark: 'again' })
      .expect(404);
  });

  it('records an underpayment on its order for an admin, who can confirm it by hand', async () => {
    const user = await registerUser(t.http);
    const created = await order(user, '100.00');
    const short = (Number(created.payAmount) - 0.5).toFixed(3); // a test amount, built for the fake only
    tron.addTransfer({ to: merchant, amount: short });
    await poll();
    expect((await orderOf(user, created.orderNo)).status).toBe('pending');
    expect(await balance(user)).toBe('0.00000000');
    expect(await events(created.orderNo, 'underpaid')).toHaveLength(1);
    const detail = await t.http.get(`/api/admin/payment/orders/${created.orderNo}`).set(bearer(admin)).expect(200);
    expect(detail.body.order).toMatchObject({ needsAttention: true, payCurrency: 'USDT', payAmount: created.payAmount, payRate: '7.2', payAddress: merchant });

    await t.http.post(`/api/admin/payment/orders/${created.orderNo}/confirm`).set(bearer(admin)).send({ remark: 'customer sent the rest by hand' }).expect(200);
    expect((await orderOf(user, created.orderNo)).status).toBe('paid');
    // Confirming accepted the short payment: the order no longer needs attention, and the audit says which payment.
    const after = await t.http.get(`/api/admin/payment/orders/${created.orderNo}`).set(bearer(admin)).expect(200);
    expect(after.body.order.needsAttention).toBe(false);
    expect(after.body.events.find((e: { outcome: string }) => e.outcome === 'underpaid').resolvedBy).toBe(admin.email);
    const [audit] = await t.db.query(`SELECT after_state AS after FROM admin_audit_logs WHERE action = 'order.confirm' AND target_id = $1`, [created.orderNo]);
    expect(audit.after.acceptedPayments).toHaveLength(1);
  });

  it('records an overpayment the same way', async () => {
    const user = await registerUser(t.http);
    const created = await order(user, '100.00');
    tron.addTransfer({ to: merchant, amount: (Number(created.payAmount) + 1).toFixed(3) });
    await poll();
    expect((await orderOf(user, created.orderNo)).status).toBe('pending');
    expect(await events(created.orderNo, 'overpaid')).toHaveLength(1);
  });

  it('ignores transfers of another token, to another address, and out of the address', async () => {
    const user = await registerUser(t.http);
    const created = await order(user, '10.00');
    const other = randomTronAddress();
    tron.addTransfer({ to: merchant, amount: created.payAmount, contract: randomTronAddress() });
    tron.addTransfer({ to: other, amount: created.payAmount });
    // A millisecond back, so it is deep enough whenever the poll starts; every transfer read before it is older.
    const outgoing = tron.addTransfer({ to: other, from: merchant, amount: created.payAmount, blockTimestamp: Date.now() - 1 });
    await poll();
    expect((await orderOf(user, created.orderNo)).status).toBe('pending');
    // Read, and left behind: the cursor moved past the merchant's own transfer out.
    const [cursor] = await t.db.query(`SELECT min_timestamp::text AS at FROM usdt_trc20_cursors WHERE address = $1`, [merchant]);
    expect(Number(cursor.at)).toBeGreaterThanOrEqual(outgoing.block_timestamp);
    const stray = await t.db.query(`SELECT 1 FROM payment_webhook_events WHERE provider = 'usdt_trc20' AND payload LIKE $1`, [`%"to":"${other}"%`]);
    expect(stray).toEqual([]);
  });

  it('keeps its place while TronGrid answers 429 or 5xx, and loses nothing', async () => {
    const user = await registerUser(t.http);
    const created = await order(user, '10.00');
    const [cursorBefore] = await t.db.query(`SELECT min_timestamp::text FROM usdt_trc20_cursors WHERE address = $1`, [merchant]);
    tron.addTransfer({ to: merchant, amount: created.payAmount });
    tron.failNext(1, 429);
    expect(await poll()).toBeNull();
    const [cursorAfter] = await t.db.query(`SELECT min_timestamp::text FROM usdt_trc20_cursors WHERE address = $1`, [merchant]);
    expect(cursorAfter).toEqual(cursorBefore);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(/payment_gateway_polls_total\{provider="usdt_trc20",outcome="failed"\} [1-9]/);
    // Readiness does not depend on the chain.
    const ready = await t.http.get('/api/health/ready');
    expect(ready.status).toBe(200);

    // The gateway asked for a second: polls back off that long (TronGrid is not asked), then go on from where they were.
    const asked = tron.requests.length;
    expect(await poll()).toBeNull();
    expect(tron.requests.length).toBe(asked);
    await sleep(1100);
    tron.failNext(1, 503);
    expect(await poll()).toBeNull();
    // A second failure in a row: two seconds.
    await sleep(2100);
    expect(await poll()).toBe(1);
    expect((await orderOf(user, created.orderNo)).status).toBe('paid');
  });

  it('reads a burst of transfers across page boundaries, each once', async () => {
    const users = await Promise.all(Array.from({ length: 3 }, () => registerUser(t.http)));
    const orders = await Promise.all(users.map((u) => order(u, '70.00')));
    // Sent after the orders were made (a transfer older than its order pays nothing), all in one millisecond:
    // 430 strays and the three payments, three pages of 200.
    const at = Date.now();
    for (let i = 0; i < 430; i++) {
      tron.addTransfer({ to: merchant, amount: `0.${String(i + 1).padStart(3, '0')}`, blockTimestamp: at });
      if (i % 150 === 0) tron.addTransfer({ to: merchant, amount: orders[i / 150].payAmount, blockTimestamp: at });
    }
    expect(await poll()).toBe(3);
    for (const [i, o] of orders.entries()) expect((await orderOf(users[i], o.orderNo)).status).toBe('paid');
    const pages = tron.requests.filter((r) => r.query.min_timestamp && r.query.fingerprint).length;
    expect(pages).toBeGreaterThanOrEqual(2);
    // Read again from the inclusive cursor: nothing more is credited or recorded.
    const [{ count }] = await t.db.query(`SELECT COUNT(*)::int AS count FROM payment_webhook_events WHERE provider = 'usdt_trc20' AND outcome = 'unmatched_payment'`);
    expect(await poll()).toBe(0);
    const [{ count: again }] = await t.db.query(`SELECT COUNT(*)::int AS count FROM payment_webhook_events WHERE provider = 'usdt_trc20' AND outcome = 'unmatched_payment'`);
    expect(again).toBe(count);
  });

  it('refunds by hand only: a refund is recorded as made outside', async () => {
    const user = await registerUser(t.http);
    const created = await order(user, '10.00');
    tron.addTransfer({ to: merchant, amount: created.payAmount });
    await poll();
    const res = await t.http
      .post(`/api/admin/payment/orders/${created.orderNo}/refund`)
      .set(bearer(admin))
      .send({ remark: 'USDT sent back, tx abc' })
      .expect(200);
    expect(res.body.order.status).toBe('refunded');
    expect(res.body.refund.method).toBe('manual');
    expect(await balance(user)).toBe('0.00000000');
  });
});
