import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { TestApp, createTestApp } from '../support/test-app';

/** Idempotency-Key on money-moving POSTs: a retry never moves money twice. */
describe('Idempotency-Key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RECHARGE__PAYMENT__MAX_ORDERS_PER_MINUTE: '100', RECHARGE__PAYMENT__MAX_PENDING_ORDERS: '50' });
  });
  afterAll(() => t.close());

  const order = (user: TestUser, key: string | null, amountCny = '20.00') => {
    const req = t.http.post('/api/payment/orders').set(bearer(user));
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send({ amountCny, provider: 'sandbox', method: 'alipay' });
  };
  const ordersOf = async (user: TestUser) =>
    (await t.db.query('SELECT COUNT(*)::int AS count FROM payment_orders WHERE user_id = $1', [user.id]))[0].count;

  it('replays the first answer for the same key and body, and makes one order', async () => {
    const user = await registerUser(t.http);
    const first = await order(user, 'retry-1').expect(201);
    const again = await order(user, 'retry-1').expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await ordersOf(user)).toBe(1);
    // Without a key, or with another, it is a new order.
    await order(user, null).expect(201);
    await order(user, 'retry-2').expect(201);
    expect(await ordersOf(user)).toBe(3);
  });

  it('refuses the key with another body (422), and keeps keys per caller', async () => {
    const user = await registerUser(t.http);
    await order(user, 'shared-key', '20.00').expect(201);
    const other = await order(user, 'shared-key', '30.00').expect(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const someoneElse = await registerUser(t.http);
    await order(someoneElse, 'shared-key', '30.00').expect(201);
    expect(await ordersOf(user)).toBe(1);
    expect(await ordersOf(someoneElse)).toBe(1);
  });

  it('runs one of 10 concurrent requests with one key; the others replay it or are told it is running', async () => {
    const user = await registerUser(t.http);
    const answers = await Promise.all(Array.from({ length: 10 }, () => order(user, 'storm')));
    expect(await ordersOf(user)).toBe(1);
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.orderNo)).size).toBe(1);
    for (const answer of answers.filter((a) => a.status !== 201)) {
      expect(answer.status).toBe(409);
      expect(answer.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    }
  });

  it('forgets a key after 24 hours', async () => {
    const user = await registerUser(t.http);
    await order(user, 'yesterday', '20.00').expect(201);
    await t.db.query(`UPDATE idempotency_keys SET created_at = NOW() - interval '25 hours' WHERE scope = $1 AND key = 'yesterday'`, [`user:${user.id}`]);
    const fresh = await order(user, 'yesterday', '30.00').expect(201);
    expect(fresh.body.amountCny).toBe('30.00');
    expect(await ordersOf(user)).toBe(2);
  });

  it('lets a key be used again after its first attempt failed', async () => {
    const user = await registerUser(t.http);
    await order(user, 'bad-then-good', '0.10').expect(400);
    await order(user, 'bad-then-good', '20.00').expect(201);
    expect(await ordersOf(user)).toBe(1);
  });

  it('credits an admin’s balance adjustment once when it is retried', async () => {
    const admin = await registerAdmin(t.http, t.db);
    const user = await registerUser(t.http);
    const adjust = () =>
      t.http
        .post(`/api/admin/users/${user.id}/balance-adjustments`)
        .set(bearer(admin))
        .set('Idempotency-Key', 'goodwill-7')
        .send({ amount: '5', remark: 'goodwill' });
    const [a, b] = [await adjust().expect(201), await adjust().expect(201)];
    expect(b.body.id).toBe(a.body.id);
    const [{ balance }] = await t.db.query('SELECT balance FROM users WHERE id = $1', [user.id]);
    expect(balance).toBe('5.00000000');
    const bad = await t.http
      .post(`/api/admin/users/${user.id}/balance-adjustments`)
      .set(bearer(admin))
      .set('Idempotency-Key', 'x'.repeat(256))
      .send({ amount: '5', remark: 'goodwill' })
      .expect(400);
    expect(bad.body.code).toBe('IDEMPOTENCY_KEY_INVALID');
  });
});
