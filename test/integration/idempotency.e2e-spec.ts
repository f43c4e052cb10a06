import { randomBytes } from 'node:crypto';
import { ModulesContainer } from '@nestjs/core';
import { AdminAuditService } from '../../src/admin/admin-audit.service';
import { IDEMPOTENT } from '../../src/common/idempotency/idempotency.interceptor';
import { IdempotencyPurgeTask } from '../../src/common/idempotency/idempotency-purge.task';
import { IdempotencyStore } from '../../src/common/idempotency/idempotency.store';
import { AdminLedgerService } from '../../src/admin/admin-ledger.service';
import { DomainException, ErrorKind } from '../../src/common/errors/domain.exception';
import { GatewayError } from '../../src/payments/payment-provider';
import { SandboxProvider } from '../../src/payments/providers/sandbox/sandbox.provider';
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

  describe('a key whose request died mid-flight', () => {
    const LEASE = 60;
    let admin: TestUser;
    beforeAll(async () => {
      admin = await registerAdmin(t.http, t.db);
    });
    afterEach(() => jest.restoreAllMocks());

    const adjust = (user: TestUser, key: string, amount = '5') =>
      t.http.post(`/api/admin/users/${user.id}/balance-adjustments`).set(bearer(admin)).set('Idempotency-Key', key).send({ amount, remark: 'goodwill' });
    const keyRow = async (key: string) =>
      (
        await t.db.query(`SELECT status, response_status, response_body, claim_token FROM idempotency_keys WHERE scope = $1 AND key = $2`, [
          `user:${admin.id}`,
          key,
        ])
      )[0];
    /** The key's lease ran out `seconds` ago. */
    const leaseRunOut = (key: string, seconds = 1) =>
      t.db.query(`UPDATE idempotency_keys SET locked_at = NOW() - make_interval(secs => $3) WHERE scope = $1 AND key = $2`, [
        `user:${admin.id}`,
        key,
        LEASE + seconds,
      ]);
    const adjustmentsOf = async (user: TestUser) =>
      (await t.db.query(`SELECT amount FROM recharge_records WHERE user_id = $1 AND type = 'admin'`, [user.id])).map((r: { amount: string }) => r.amount);
    const balanceOf = async (user: TestUser) => (await t.db.query('SELECT balance FROM users WHERE id = $1', [user.id]))[0].balance;
    /** The state a process killed after claiming the key and before its effect leaves: in_progress, nothing done. */
    async function dieBeforeTheEffect(user: TestUser, key: string) {
      // (Here the request fails with an answer, but the key is left as a dead process leaves it.)
      const died = new DomainException('TEST_DIED', 'the process died here', ErrorKind.NotFound);
      jest.spyOn(t.app.get(AdminLedgerService), 'adjustBalance').mockRejectedValueOnce(died);
      jest.spyOn(t.app.get(IdempotencyStore), 'release').mockResolvedValueOnce();
      await adjust(user, key).expect(404);
      jest.restoreAllMocks();
      expect(await keyRow(key)).toMatchObject({ status: 'in_progress' });
    }

    it('is 409 with Retry-After within its lease, and is taken over after it: the retry runs once', async () => {
      const user = await registerUser(t.http);
      await dieBeforeTheEffect(user, 'died-1');
      const busy = await adjust(user, 'died-1').expect(409);
      expect(busy.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      const retryAfter = Number(busy.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(LEASE - 5);
      expect(retryAfter).toBeLessThanOrEqual(LEASE);
      expect(await adjustmentsOf(user)).toEqual([]);

      // Another body is still refused, lease or not.
      await leaseRunOut('died-1');
      expect((await adjust(user, 'died-1', '6').expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const first = await adjust(user, 'died-1').expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await adjust(user, 'died-1').expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await adjustmentsOf(user)).toEqual(['5.00000000']);
      expect(await balanceOf(user)).toBe('5.00000000');
    });

    it('replays the answer its effect committed, when the process died before answering: never runs twice', async () => {
      const user = await registerUser(t.http);
      // The interceptor's completion step never runs, as when the process dies right after the commit.
      jest.spyOn(t.app.get(IdempotencyStore), 'complete').mockResolvedValue();
      const first = await adjust(user, 'died-after-commit').expect(201);
      const row = await keyRow('died-after-commit');
      expect(row).toMatchObject({ status: 'done', response_status: 201, response_body: first.body });
      jest.restoreAllMocks();
      // Even long after the lease, the key holds the answer.
      await leaseRunOut('died-after-commit', 3600);
      const retry = await adjust(user, 'died-after-commit').expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(await adjustmentsOf(user)).toEqual(['5.00000000']);
      expect(await balanceOf(user)).toBe('5.00000000');
    });

    it('does not let a slow first request that lost its lease commit a second effect', async () => {
      const user = await registerUser(t.http);
      const audit = t.app.get(AdminAuditService);
      const record = audit.record.bind(audit);
      let resume!: () => void;
      const paused = new Promise<void>((resolve) => (resume = resolve));
      let reached!: () => void;
      const inTransaction = new Promise<void>((resolve) => (reached = resolve));
      // The first request stops inside its transaction (ledger row written, user locked), the second goes through.
      jest
        .spyOn(audit, 'record')
        .mockImplementationOnce(async (...args) => {
          reached();
          await paused;
          return record(...args);
        })
        .mockImplementation(record);

      const slow = adjust(user, 'slow-1').then((r) => r);
      await inTransaction;
      const { claim_token: slowToken } = await keyRow('slow-1');
      await leaseRunOut('slow-1');
      const retry = adjust(user, 'slow-1').then((r) => r);
      // Once the retry has taken the key over, the first goes on: its answer no longer holds the key, so it rolls back.
      let takenOver = false;
      for (let i = 0; i < 300 && !takenOver; i++) {
        takenOver = (await keyRow('slow-1')).claim_token !== slowToken;
        if (!takenOver) await new Promise((r) => setTimeout(r, 10));
      }
      resume();
      const [slowAnswer, retryAnswer] = await Promise.all([slow, retry]);
      expect(takenOver).toBe(true);
      expect(slowAnswer.status).toBe(409);
      expect(slowAnswer.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(retryAnswer.status).toBe(201);
      expect(await adjustmentsOf(user)).toEqual(['5.00000000']);
      expect(await balanceOf(user)).toBe('5.00000000');
      const replay = await adjust(user, 'slow-1').expect(201);
      expect(replay.body).toEqual(retryAnswer.body);
    });
  });

  it('records the answer in the effect’s transaction on every keyed route (no answer is left to the interceptor)', async () => {
    const admin = await registerAdmin(t.http, t.db);
    const user = await registerUser(t.http);
    const asAdmin = { ...bearer(admin) };
    const apiKey = { name: 'idem', scopes: ['charges:write'] };
    const service = (await t.http.post('/api/admin/api-keys').set(asAdmin).send(apiKey).expect(201)).body.key;
    const asService = { Authorization: `Bearer ${service}` };
    await t.http.post(`/api/admin/users/${user.id}/balance-adjustments`).set(asAdmin).send({ amount: '50', remark: 'float' }).expect(201);
    const store = t.app.get(IdempotencyStore);
    jest.spyOn(store, 'complete').mockResolvedValue();
    const covered = new Set<string>();

    type Send = (key: string) => ReturnType<TestApp['http']['post']>;
    const post =
      (url: string, auth: Record<string, string>, body: object = {}): Send =>
      (key) => t.http.post(url).set(auth).set('Idempotency-Key', key).send(body);

    /** Sends a keyed request; its key must hold its answer although the interceptor never completed it, and a retry replays it. */
    async function keyed(route: string, send: Send, expected: number, sameAnswer = true) {
      covered.add(route);
      const key = `every-${randomBytes(4).toString('hex')}`;
      const answer = await send(key);
      expect({ route, status: answer.status }).toEqual({ route, status: expected });
      const [row] = await t.db.query(`SELECT status, response_status, response_body FROM idempotency_keys WHERE key = $1`, [key]);
      expect({ route, status: row?.status }).toEqual({ route, status: 'done' });
      if (sameAnswer) {
        expect({ route, status: row.response_status, body: row.response_body }).toEqual({ route, status: expected, body: answer.body });
      }
      const replay = await send(key);
      expect({ route, replayed: replay.headers['idempotent-replayed'] }).toEqual({ route, replayed: 'true' });
      return { body: answer.body, key };
    }

    const sandboxOrder = { provider: 'sandbox', method: 'alipay' };
    const paidOrder = async (amountCny: string) => {
      const { orderNo } = (await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny, ...sandboxOrder }).expect(201)).body;
      await t.http.post(`/api/admin/payment/orders/${orderNo}/confirm`).set(asAdmin).send({ remark: 'paid' }).expect(200);
      return orderNo as string;
    };
    const orders = '/api/admin/payment/orders';
    try {
      const order = await keyed('OrdersController.create', post('/api/payment/orders', bearer(user), { amountCny: '20.00', ...sandboxOrder }), 201);
      const { orderNo } = order.body;
      await keyed('AdminPaymentsController.confirm', post(`${orders}/${orderNo}/confirm`, asAdmin, { remark: 'paid by transfer' }), 200);
      // The refund's answer as of its commit is the refund under way (202); the gateway's word comes after.
      const refund = await keyed('AdminPaymentsController.refund', post(`${orders}/${orderNo}/refund`, asAdmin, { remark: 'asked' }), 200, false);
      const [recorded] = await t.db.query(`SELECT response_status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2`, [
        `user:${admin.id}`,
        refund.key,
      ]);
      expect(recorded).toMatchObject({
        response_status: 202,
        response_body: { order: { orderNo, status: 'refunding' }, refund: { id: refund.body.refund.id } },
      });

      const stuck = await paidOrder('30.00');
      const gateway = jest.spyOn(t.app.get(SandboxProvider), 'refund').mockRejectedValueOnce(new GatewayError('sandbox: no answer'));
      await t.http.post(`${orders}/${stuck}/refund`).set(asAdmin).send({ remark: 'asked' }).expect(202);
      gateway.mockRestore();
      const resolution = { outcome: 'refunded', remark: 'seen in the console' };
      await keyed('AdminPaymentsController.resolveRefund', post(`${orders}/${stuck}/refund/resolve`, asAdmin, resolution), 200);

      const twice = await paidOrder('40.00');
      await t.db.query(`INSERT INTO payment_webhook_events (provider, event_id, order_no, outcome) VALUES ('sandbox', $1, $2, 'duplicate_payment')`, [
        `dup-${twice}`,
        twice,
      ]);
      const dealtWith = { remark: 'refunded the second' };
      await keyed('AdminPaymentsController.resolveDuplicates', post(`${orders}/${twice}/duplicate-payments/resolve`, asAdmin, dealtWith), 200);

      const stray = `stray-${randomBytes(4).toString('hex')}`;
      await t.db.query(`INSERT INTO payment_webhook_events (provider, event_id, order_no, outcome) VALUES ('sandbox', $1, NULL, 'unmatched_payment')`, [stray]);
      const unmatched = `/api/admin/payment/unmatched-payments/sandbox/${stray}/resolve`;
      await keyed('AdminPaymentsController.resolveUnmatched', post(unmatched, asAdmin, { remark: 'refunded' }), 200);

      const adjustment = { amount: '1', remark: 'goodwill' };
      await keyed('AdminLedgerController.adjustBalance', post(`/api/admin/users/${user.id}/balance-adjustments`, asAdmin, adjustment), 201);

      const batch = { count: 1, amountUsd: '2.00', note: 'idempotency' };
      const [code] = (await t.http.post('/api/admin/redeem-codes').set(asAdmin).send(batch).expect(201)).body.codes;
      await keyed('RedeemController.redeemCode', post('/api/users/redeem', bearer(user), { code }), 200);

      const hold = await keyed('SpendingController.createHold', post('/api/v1/holds', asService, { userId: user.id, amountUsd: '3', description: 'job' }), 201);
      await keyed('SpendingController.capture', post(`/api/v1/holds/${hold.body.id}/capture`, asService, { amountUsd: '2' }), 201);
      const other = (await post('/api/v1/holds', asService, { userId: user.id, amountUsd: '1', description: 'job' })('plain-hold').expect(201)).body;
      await keyed('SpendingController.release', post(`/api/v1/holds/${other.id}/release`, asService), 200);
      const charge = (await post('/api/v1/charges', asService, { userId: user.id, amountUsd: '1', description: 'x' })('plain-charge').expect(201)).body;
      await keyed('SpendingController.refund', post(`/api/v1/charges/${charge.id}/refunds`, asService), 201);
    } finally {
      jest.restoreAllMocks();
    }

    // Every @Idempotent route of the app is above: a new one must be added (and record its answer in its transaction).
    const routes: string[] = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const controller of module.controllers.values()) {
        const prototype = controller.metatype?.prototype;
        for (const name of prototype ? Object.getOwnPropertyNames(prototype) : []) {
          if (name !== 'constructor' && Reflect.getMetadata(IDEMPOTENT, prototype[name])) routes.push(`${controller.name}.${name}`);
        }
      }
    }
    expect(routes.sort()).toEqual([...covered].sort());
  });

  it('purges keys older than 24 hours in batches, and only those', async () => {
    const scope = `test:purge:${randomBytes(4).toString('hex')}`;
    for (const [key, age] of [['old-1', '25 hours'], ['old-2', '30 hours'], ['old-3', '48 hours'], ['fresh-1', '1 hour'], ['fresh-2', '23 hours']]) {
      await t.db.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, status, created_at) VALUES ($1, $2, repeat('0', 64), 'done', NOW() - $3::interval)`,
        [scope, key, age],
      );
    }
    const deleted = await t.app.get(IdempotencyPurgeTask).purge(2);
    expect(deleted).toBeGreaterThanOrEqual(3);
    const left = await t.db.query(`SELECT key FROM idempotency_keys WHERE scope = $1 ORDER BY key`, [scope]);
    expect(left.map((r: { key: string }) => r.key)).toEqual(['fresh-1', 'fresh-2']);
    await t.db.query(`DELETE FROM idempotency_keys WHERE scope = $1`, [scope]);
  });
});
