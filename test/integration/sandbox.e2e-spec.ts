import { TestApp, createTestApp } from '../support/test-app';
import { bearer, registerUser } from '../support/factories';

describe('the sandbox gateway, end to end over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_BASE_URL: 'http://localhost:3000' });
  });
  afterAll(() => t.close());

  const checkoutPath = (paymentUrl: string) => new URL(paymentUrl).pathname;

  it('sends its notify to this process’s own address, whatever Host the request names', async () => {
    const user = await registerUser(t.http);
    const created = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '10.00', provider: 'sandbox', method: 'wxpay' }).expect(201);
    await t.http.post(`${checkoutPath(created.body.paymentUrl)}/pay`).set('Host', 'attacker.example:9').expect(303);
    const order = await t.http.get(`/api/payment/orders/${created.body.orderNo}`).set(bearer(user)).expect(200);
    expect(order.body.status).toBe('paid');
  });

  it('creates an order, shows the checkout page, and Pay credits the balance through the webhook', async () => {
    const user = await registerUser(t.http);
    const created = await t.http
      .post('/api/payment/orders')
      .set(bearer(user))
      .send({ amountCny: '100.00', provider: 'sandbox', method: 'alipay' })
      .expect(201);
    expect(created.body.paymentUrl).toBe(`http://localhost:3000/api/payment/sandbox/checkout/${created.body.orderNo}`);

    const page = await t.http.get(checkoutPath(created.body.paymentUrl)).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('¥100.00');
    expect(page.text).toContain(created.body.orderNo);
    expect(page.text).toContain('data-testid="sandbox-pay"');

    const paid = await t.http.post(`${checkoutPath(created.body.paymentUrl)}/pay`).expect(303);
    expect(paid.headers.location).toBe(`/payment/result?out_trade_no=${created.body.orderNo}`);

    const order = await t.http.get(`/api/payment/orders/${created.body.orderNo}`).set(bearer(user)).expect(200);
    expect(order.body).toMatchObject({ status: 'paid', amountUsd: '13.88888889', bonusUsd: '4.16666667', totalUsd: '18.05555556' });
    const me = await t.http.get('/api/users/me').set(bearer(user)).expect(200);
    expect(me.body.balance).toBe('18.05555556');
    const [{ callback_data }] = await t.db.query('SELECT callback_data FROM payment_orders WHERE order_no = $1', [created.body.orderNo]);
    expect(callback_data).toContain('pid=sandbox');

    // Paying again changes nothing, and the page no longer offers the buttons.
    await t.http.post(`${checkoutPath(created.body.paymentUrl)}/pay`).expect(303);
    expect((await t.http.get('/api/users/me').set(bearer(user)).expect(200)).body.balance).toBe('18.05555556');
    expect((await t.http.get(checkoutPath(created.body.paymentUrl)).expect(200)).text).not.toContain('sandbox-pay');
  });

  it('Fail marks the order failed and credits nothing', async () => {
    const user = await registerUser(t.http);
    const created = await t.http
      .post('/api/payment/orders')
      .set(bearer(user))
      .send({ amountCny: '10.00', provider: 'sandbox', method: 'wxpay' })
      .expect(201);
    await t.http.post(`${checkoutPath(created.body.paymentUrl)}/fail`).expect(303);
    const order = await t.http.get(`/api/payment/orders/${created.body.orderNo}`).set(bearer(user)).expect(200);
    expect(order.body.status).toBe('failed');
    expect((await t.http.get('/api/users/me').set(bearer(user)).expect(200)).body.balance).toBe('0.00000000');
  });

  it('refuses a notify signed with another key', async () => {
    const res = await t.http
      .post('/api/payment/webhook/sandbox')
      .type('form')
      .send({ pid: 'sandbox', trade_no: 'X', out_trade_no: 'PO1', type: 'alipay', name: 'x', money: '1.00', trade_status: 'TRADE_SUCCESS', sign: 'f'.repeat(32) })
      .expect(400);
    expect(res.text).toBe('fail');
  });
});

describe('the sandbox in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      NODE_ENV: 'production',
      JWT_SECRET: 'production-secret-of-at-least-32-chars!!',
      METRICS_TOKEN: 'production-metrics-token',
    });
  });
  afterAll(() => t.close());

  it('is off unless SANDBOX_ENABLED=true', async () => {
    const user = await registerUser(t.http);
    const res = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '10.00', provider: 'sandbox', method: 'alipay' }).expect(400);
    expect(res.body.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    await t.http.post('/api/payment/webhook/sandbox').type('form').send({ pid: 'sandbox' }).expect(404);
    const config = await t.http.get('/api/payment/config').set(bearer(user)).expect(200);
    expect(config.body.providers).toEqual([]);
  });
});

describe('rate limits and gateways', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RECHARGE__RATE_LIMIT__GLOBAL_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('never throttles webhooks or health checks, but does throttle the API', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await t.http.post('/api/payment/webhook/sandbox').type('form').send({ pid: 'sandbox' });
      expect(res.status).toBe(400);
      await t.http.get('/api/health').expect(200);
    }
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.http.get('/api/users/me')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('the sandbox beside a real gateway', () => {
  it('is off unless SANDBOX_ENABLED=true: not offered, and its checkout and pay routes are 404', async () => {
    const t = await createTestApp({ STRIPE_ENABLED: 'true', STRIPE_API_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' });
    try {
      const user = await registerUser(t.http);
      const config = await t.http.get('/api/payment/config').set(bearer(user)).expect(200);
      expect(config.body.providers.map((p: { name: string }) => p.name)).toEqual(['stripe']);
      const order = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '20.00', provider: 'sandbox', method: 'alipay' });
      expect(order.status).toBe(400);
      await t.http.get('/api/payment/sandbox/checkout/PO20260101000000FFFFFFFFFFFFFFFF').expect(404);
      await t.http.post('/api/payment/sandbox/checkout/PO20260101000000FFFFFFFFFFFFFFFF/pay').expect(404);
      await t.http.post('/api/payment/webhook/sandbox').type('form').send({ pid: 'sandbox' }).expect(404);
    } finally {
      await t.close();
    }
  });
});

describe('the pending-order limit under concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RECHARGE__PAYMENT__MAX_ORDERS_PER_MINUTE: '100' });
  });
  afterAll(() => t.close());

  it('lets exactly 5 of 10 simultaneous orders through', async () => {
    const user = await registerUser(t.http);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '10.00', provider: 'sandbox', method: 'alipay' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 201, 409, 409, 409, 409, 409]);
    const [{ count }] = await t.db.query(`SELECT COUNT(*)::int AS count FROM payment_orders WHERE user_id = $1`, [user.id]);
    expect(count).toBe(5);
  });
});
