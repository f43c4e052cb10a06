import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { bearer, registerAdmin, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('spending the balance: API keys, charges, holds', () => {
  let t: TestApp;
  let admin: TestUser;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await registerAdmin(t.http, t.db);
    key = (await t.http.post('/api/admin/api-keys').set(bearer(admin)).send({ name: 'shop', scopes: ['charges:write', 'balances:read'] }).expect(201)).body.key;
  });
  afterAll(() => t.close());

  const asService = (k = key) => ({ Authorization: `Bearer ${k}` });
  const post = (path: string, body: object, idempotencyKey: string = randomUUID(), k = key) =>
    t.http.post(`/api/v1${path}`).set(asService(k)).set('Idempotency-Key', idempotencyKey).send(body);

  /** A user with `amount` USD, credited by an admin adjustment. */
  async function userWith(amount: string): Promise<TestUser> {
    const user = await registerUser(t.http);
    await t.http.post(`/api/admin/users/${user.id}/balance-adjustments`).set(bearer(admin)).send({ amount, remark: 'test funds' }).expect(201);
    return user;
  }

  const balanceOf = async (user: TestUser) => (await t.http.get(`/api/v1/balances/${user.id}`).set(asService()).expect(200)).body;

  describe('API keys', () => {
    it('shows the key once, lists keys without it, and refuses a revoked one', async () => {
      const created = await t.http.post('/api/admin/api-keys').set(bearer(admin)).send({ name: 'temporary', scopes: ['balances:read'] }).expect(201);
      expect(created.body.key).toMatch(/^rk_[\w-]{43}$/);
      expect(created.body.prefix).toBe(created.body.key.slice(0, 10));
      const list = await t.http.get('/api/admin/api-keys').set(bearer(admin)).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(created.body.key);
      expect(list.body.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({ name: 'temporary', scopes: ['balances:read'], revokedAt: null });

      const user = await registerUser(t.http);
      await t.http.get(`/api/v1/balances/${user.id}`).set(asService(created.body.key)).expect(200);
      await t.http.delete(`/api/admin/api-keys/${created.body.id}`).set(bearer(admin)).expect(200);
      const refused = await t.http.get(`/api/v1/balances/${user.id}`).set(asService(created.body.key)).expect(401);
      expect(refused.body.code).toBe('API_KEY_INVALID');
      const [audit] = await t.db.query(`SELECT action FROM admin_audit_logs WHERE target_type = 'api_key' AND target_id = $1 ORDER BY id DESC LIMIT 1`, [
        created.body.id,
      ]);
      expect(audit.action).toBe('api_key.revoke');
    });

    it('refuses a key without the route’s scope (403), a user’s token (401) and no key (401)', async () => {
      const readOnly = (await t.http.post('/api/admin/api-keys').set(bearer(admin)).send({ name: 'reader', scopes: ['balances:read'] }).expect(201)).body.key;
      const user = await userWith('5.00');
      const forbidden = await post('/charges', { userId: user.id, amountUsd: '1.00', description: 'x' }, undefined, readOnly).expect(403);
      expect(forbidden.body.code).toBe('API_KEY_SCOPE_MISSING');
      await t.http.post('/api/v1/charges').set(bearer(user)).set('Idempotency-Key', 'k').send({ userId: user.id, amountUsd: '1.00', description: 'x' }).expect(401);
      await t.http.get(`/api/v1/balances/${user.id}`).expect(401);
      expect((await balanceOf(user)).balance).toBe('5.00000000');
    });

    it('requires an Idempotency-Key on every POST', async () => {
      const user = await userWith('5.00');
      const res = await t.http.post('/api/v1/charges').set(asService()).send({ userId: user.id, amountUsd: '1.00', description: 'x' }).expect(400);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      await t.http.post('/api/v1/holds').set(asService()).send({ userId: user.id, amountUsd: '1.00', description: 'x' }).expect(400);
    });
  });

  describe('charges', () => {
    it('50 concurrent charges of 1.00 on 10.00: exactly 10 succeed, the rest 402 with the available amount', async () => {
      const user = await userWith('10.00');
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post('/charges', { userId: user.id, amountUsd: '1.00', description: `call ${i}` })));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
      expect(statuses.filter((s) => s === 402)).toHaveLength(40);
      const refused = answers.find((a) => a.status === 402)!;
      expect(refused.body).toMatchObject({ code: 'INSUFFICIENT_BALANCE', details: { available: '0.00000000' } });
      expect(await balanceOf(user)).toEqual({ userId: user.id, balance: '0.00000000', held: '0.00000000', available: '0.00000000' });
      const ledger = await t.db.query(`SELECT amount, balance_after FROM recharge_records WHERE user_id = $1 AND type = 'deduct' ORDER BY id`, [user.id]);
      expect(ledger.map((r: { amount: string }) => r.amount)).toEqual(Array(10).fill('-1.00000000'));
      // Each answer's balanceAfter is its own row's.
      const afters = answers.filter((a) => a.status === 201).map((a) => a.body.balanceAfter).sort();
      expect(afters).toEqual(ledger.map((r: { balance_after: string }) => r.balance_after).sort());
    });

    it('the same Idempotency-Key 20 times at once makes one charge, and every answer is that charge', async () => {
      const user = await userWith('10.00');
      const idempotencyKey = randomUUID();
      const answers = await Promise.all(Array.from({ length: 20 }, () => post('/charges', { userId: user.id, amountUsd: '0.25', description: 'one' }, idempotencyKey)));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect((await balanceOf(user)).balance).toBe('9.75000000');
      // Another body with the key is refused; the same body later is replayed.
      const other = await post('/charges', { userId: user.id, amountUsd: '0.50', description: 'one' }, idempotencyKey).expect(422);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const replay = await post('/charges', { userId: user.id, amountUsd: '0.25', description: 'one' }, idempotencyKey).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(answers[0].body);
    });

    it('replays a 402 too, and names an unknown user', async () => {
      const user = await userWith('1.00');
      const idempotencyKey = randomUUID();
      const first = await post('/charges', { userId: user.id, amountUsd: '2.00', description: 'too much' }, idempotencyKey).expect(402);
      await t.http.post(`/api/admin/users/${user.id}/balance-adjustments`).set(bearer(admin)).send({ amount: '5.00', remark: 'more' }).expect(201);
      const again = await post('/charges', { userId: user.id, amountUsd: '2.00', description: 'too much' }, idempotencyKey).expect(402);
      expect(again.body).toEqual(first.body);
      const missing = await post('/charges', { userId: '999999999', amountUsd: '1.00', description: 'x' }).expect(404);
      expect(missing.body.code).toBe('SPEND_USER_NOT_FOUND');
    });

    it('charges many users at once: each user’s charges fit their own balance, each refusal says what was left', async () => {
      const users = await Promise.all(['1.00', '2.00', '0.30'].map(userWith));
      const amounts = ['0.80', '0.50', '0.20', '0.25'];
      const sent = users.flatMap((user) => amounts.map((amountUsd) => ({ user, amountUsd })));
      const answers = await Promise.all([
        ...sent.map(({ user, amountUsd }) => post('/charges', { userId: user.id, amountUsd, description: 'mixed' })),
        post('/charges', { userId: '999999998', amountUsd: '0.10', description: 'nobody' }),
      ]);
      expect(answers.at(-1)!.status).toBe(404);
      for (const [i, user] of users.entries()) {
        const mine = answers.slice(i * amounts.length, (i + 1) * amounts.length);
        const charged = mine.filter((a) => a.status === 201).map((a) => new Decimal(a.body.amountUsd));
        const start = new Decimal((['1.00', '2.00', '0.30'] as const)[i]);
        const left = start.minus(charged.reduce((sum, x) => sum.plus(x), new Decimal(0)));
        expect((await balanceOf(user)).balance).toBe(left.toFixed(8));
        expect(left.isNegative()).toBe(false);
        for (const refused of mine.filter((a) => a.status !== 201)) {
          expect(refused.status).toBe(402);
          expect(new Decimal(refused.body.details.available).lt(refused.body.message.match(/cover ([\d.]+)/)[1])).toBe(true);
        }
      }
      // 2.00 covers all four (1.75).
      expect(answers.slice(amounts.length, 2 * amounts.length).map((a) => a.status)).toEqual([201, 201, 201, 201]);
    });

    it('replays an answer an earlier version stored whole', async () => {
      const user = await userWith('1.00');
      const idempotencyKey = randomUUID();
      const first = await post('/charges', { userId: user.id, amountUsd: '0.10', description: 'old' }, idempotencyKey).expect(201);
      await t.db.query(`UPDATE idempotency_keys SET response_body = $2 WHERE key = $1`, [idempotencyKey, JSON.stringify({ ...first.body, description: 'as stored' })]);
      const replay = await post('/charges', { userId: user.id, amountUsd: '0.10', description: 'old' }, idempotencyKey).expect(201);
      expect(replay.body).toEqual({ ...first.body, description: 'as stored' });
    });

    it('shows the charge in the user’s ledger with its description, and reads it back', async () => {
      const user = await userWith('3.00');
      const charge = (await post('/charges', { userId: user.id, amountUsd: '1.23456789', description: 'gpt-4o: 1,234 tokens', metadata: { requestId: 'r-1' } }).expect(201)).body;
      expect(charge).toMatchObject({ userId: user.id, amountUsd: '1.23456789', refundedUsd: '0.00000000', balanceAfter: '1.76543211', metadata: { requestId: 'r-1' } });
      expect((await t.http.get(`/api/v1/charges/${charge.id}`).set(asService()).expect(200)).body).toEqual(charge);
      const mine = await t.http.get('/api/users/recharge-records').set(bearer(user)).expect(200);
      expect(mine.body.items[0]).toMatchObject({ type: 'deduct', amount: '-1.23456789', remark: 'gpt-4o: 1,234 tokens', operator: 'system' });
    });

    it('refunds all or part of a charge, never more than it', async () => {
      const user = await userWith('10.00');
      const charge = (await post('/charges', { userId: user.id, amountUsd: '4.00', description: 'order 17' }).expect(201)).body;
      const part = await post(`/charges/${charge.id}/refunds`, { amountUsd: '1.50' }).expect(201);
      expect(part.body).toMatchObject({ amountUsd: '1.50000000', balanceAfter: '7.50000000', charge: { refundedUsd: '1.50000000' } });
      const tooMuch = await post(`/charges/${charge.id}/refunds`, { amountUsd: '3.00' }).expect(409);
      expect(tooMuch.body.code).toBe('CHARGE_REFUND_EXCEEDS_CHARGE');
      // Concurrent refunds of "the rest": one wins.
      const rest = await Promise.all(Array.from({ length: 5 }, () => post(`/charges/${charge.id}/refunds`, {})));
      expect(rest.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect((await balanceOf(user)).balance).toBe('10.00000000');
    });
  });

  describe('holds', () => {
    it('capture of less than held charges that and releases the rest', async () => {
      const user = await userWith('10.00');
      const hold = (await post('/holds', { userId: user.id, amountUsd: '4.00', description: 'stream' }).expect(201)).body;
      expect(await balanceOf(user)).toMatchObject({ balance: '10.00000000', held: '4.00000000', available: '6.00000000' });
      const captured = await post(`/holds/${hold.id}/capture`, { amountUsd: '2.50' }).expect(201);
      expect(captured.body.hold).toMatchObject({ status: 'captured', capturedUsd: '2.50000000' });
      expect(captured.body.charge).toMatchObject({ amountUsd: '2.50000000', holdId: hold.id, balanceAfter: '7.50000000' });
      expect(await balanceOf(user)).toMatchObject({ balance: '7.50000000', held: '0.00000000', available: '7.50000000' });
      const twice = await post(`/holds/${hold.id}/capture`, { amountUsd: '1.00' }).expect(409);
      expect(twice.body.code).toBe('HOLD_NOT_ACTIVE');
    });

    it('holds never exceed the balance, and a charge cannot take held money', async () => {
      const user = await userWith('10.00');
      const holds = await Promise.all(Array.from({ length: 6 }, () => post('/holds', { userId: user.id, amountUsd: '4.00', description: 'race' })));
      expect(holds.map((h) => h.status).sort()).toEqual([201, 201, 402, 402, 402, 402]);
      const charge = await post('/charges', { userId: user.id, amountUsd: '2.01', description: 'x' }).expect(402);
      expect(charge.body.details).toEqual({ available: '2.00000000' });
      // An admin's debit cannot take it either.
      await t.http.post(`/api/admin/users/${user.id}/balance-adjustments`).set(bearer(admin)).send({ amount: '-2.01', remark: 'x' }).expect(409);
      const released = await post(`/holds/${holds.find((h) => h.status === 201)!.body.id}/release`, {}).expect(200);
      expect(released.body.status).toBe('released');
      expect(await balanceOf(user)).toMatchObject({ held: '4.00000000', available: '6.00000000' });
    });

    it('a capture beyond the hold is refused and changes nothing', async () => {
      const user = await userWith('10.00');
      const hold = (await post('/holds', { userId: user.id, amountUsd: '1.00', description: 'x' }).expect(201)).body;
      const res = await post(`/holds/${hold.id}/capture`, { amountUsd: '1.01' }).expect(400);
      expect(res.body.code).toBe('HOLD_CAPTURE_EXCEEDS_HOLD');
      expect(await balanceOf(user)).toMatchObject({ balance: '10.00000000', held: '1.00000000' });
    });

    it('an expired hold is released by the job, and can no longer be captured', async () => {
      const user = await userWith('10.00');
      const hold = (await post('/holds', { userId: user.id, amountUsd: '3.00', description: 'x', expiresInSeconds: 1 }).expect(201)).body;
      await new Promise((r) => setTimeout(r, 1_100));
      const late = await post(`/holds/${hold.id}/capture`, { amountUsd: '1.00' }).expect(409);
      expect(late.body.code).toBe('HOLD_NOT_ACTIVE');
      const { HoldsService } = await import('../../src/spending/holds.service');
      expect(await t.app.get(HoldsService).expireDue()).toBeGreaterThanOrEqual(1);
      expect((await t.http.get(`/api/v1/holds/${hold.id}`).set(asService()).expect(200)).body.status).toBe('expired');
      expect(await balanceOf(user)).toMatchObject({ balance: '10.00000000', held: '0.00000000', available: '10.00000000' });
    });
  });
});
