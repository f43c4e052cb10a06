import Decimal from 'decimal.js';
import { Pool } from 'pg';
import { AppProcess, startAppProcess } from '../support/app-process';
import { FakeZpay } from '../support/fake-gateways';
import { appEnv, checkMoney, createOrders, deliverUntilTaken, Order, report, sendNotify, sleep } from './support/harness';

const databaseUrl = () => process.env.DATABASE_URL!;

describe('the app killed (SIGKILL) and started again', () => {
  let zpay: FakeZpay;
  let db: Pool;
  let app: AppProcess;
  // Reconciliation every 2 s, resuming a refund after 1 s without news, so a test does not wait minutes.
  const env = () =>
    appEnv(databaseUrl(), zpay, {
      RECHARGE__JOBS__RECONCILE_ORDERS: '*/2 * * * * *',
      RECHARGE__PAYMENT__REFUND_RESUME_AFTER_SECONDS: '1',
    });

  beforeAll(async () => {
    zpay = await new FakeZpay().start();
    db = new Pool({ connectionString: databaseUrl(), max: 2 });
    app = await startAppProcess(env());
  });
  afterAll(async () => {
    await app?.stop();
    await zpay.stop();
    await db.end();
  });

  it('mid-load, three times: after each restart and the gateway’s redelivery every order is credited exactly once', async () => {
    const orders = await createOrders(app.baseUrl, 40, 25);
    const taken: Order[] = [];
    const port = app.port;
    const delivery = deliverUntilTaken(orders, () => app.baseUrl, { concurrency: 16, deadlineMs: 120_000, onSuccess: (o) => taken.push(o) });

    const restartMs: number[] = [];
    for (const share of [0.25, 0.5, 0.75]) {
      while (taken.length < orders.length * share) await sleep(2);
      await app.kill();
      const killedAt = Date.now();
      app = await startAppProcess(env(), { port });
      restartMs.push(Date.now() - killedAt);
    }

    const stats = await delivery;
    const money = await checkMoney(databaseUrl(), orders);
    const falseSuccesses = (await checkMoney(databaseUrl(), taken)).lost;
    report('SIGKILL under webhook load', {
      orders: orders.length,
      requests: stats.requests,
      faults: restartMs.length,
      restartMs: restartMs.join('/'),
      unreachable: stats.unreachable,
      answeredFail: stats.refused,
      answered5xx: stats.serverErrors,
      falseSuccesses,
      ...money,
    });
    expect(stats.undelivered).toEqual([]);
    expect(falseSuccesses).toBe(0);
    expect(money).toEqual({ credited: orders.length, lost: 0, doubled: 0, wrongBalances: 0, violations: 0 });
  });

  it('between a refund’s debit and the gateway’s answer: reconciliation finishes it, with one gateway refund and one debit', async () => {
    const [order] = await createOrders(app.baseUrl, 1, 1);
    zpay.pay(order.orderNo, order.amountCny, `Z${order.orderNo}`);
    expect(await sendNotify(app.baseUrl, order)).toBe('success');
    const { rows: admins } = await db.query(`UPDATE users SET role = 'admin' WHERE id = $1 RETURNING id`, [order.userId]);
    expect(admins).toHaveLength(1);

    // The gateway refunds but its answer is lost; the app is killed while it waits.
    zpay.refundAnswer = 'lost';
    const refund = fetch(`${app.baseUrl}/api/admin/payment/orders/${order.orderNo}/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${order.token}` },
      body: JSON.stringify({ remark: 'reliability: refund interrupted by a crash' }),
    }).catch(() => 'connection lost');
    const deadline = Date.now() + 10_000;
    while (zpay.refundsFor(order.orderNo) === 0) {
      if (Date.now() > deadline) throw new Error('the refund never reached the gateway');
      await sleep(10);
    }
    const during = (await db.query(`SELECT status FROM payment_orders WHERE order_no = $1`, [order.orderNo])).rows[0].status;
    await app.kill();
    expect(await refund).toBe('connection lost');
    zpay.refundAnswer = 'ok';

    const restartedAt = Date.now();
    app = await startAppProcess(env(), { port: app.port });
    let status = '';
    while ((status = (await db.query(`SELECT status FROM payment_orders WHERE order_no = $1`, [order.orderNo])).rows[0].status) !== 'refunded') {
      if (Date.now() > restartedAt + 30_000) break;
      await sleep(200);
    }
    const { rows: ledger } = await db.query(
      `SELECT type, amount FROM recharge_records WHERE related_id = $1 ORDER BY id`,
      [order.orderNo],
    );
    const balance = (await db.query(`SELECT balance FROM users WHERE id = $1`, [order.userId])).rows[0].balance;
    const money = await checkMoney(databaseUrl(), []);
    report('SIGKILL mid-refund', {
      statusWhenKilled: during,
      finishedAfterMs: Date.now() - restartedAt,
      status,
      gatewayRefunds: zpay.refundsFor(order.orderNo),
      refundRows: ledger.filter((r) => r.type === 'refund').length,
      balance,
      violations: money.violations,
    });
    expect(during).toBe('refunding');
    expect(status).toBe('refunded');
    // Reconciliation asked the order query first and found it refunded: no second refund was sent.
    expect(zpay.refundsFor(order.orderNo)).toBe(1);
    // The payment and its new-user bonus, then one refund row taking back both.
    expect(ledger.map((r) => r.type)).toEqual(['payment', 'promotion', 'refund']);
    expect(new Decimal(ledger[0].amount).plus(ledger[1].amount).neg().toFixed(8)).toBe(ledger[2].amount);
    expect(balance).toBe('0.00000000');
    expect(money.violations).toBe(0);
  });
});
