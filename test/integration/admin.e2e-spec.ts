import { EntityManager } from 'typeorm';
import { AuditViolation, findViolations } from '../../src/ledger/ledger-audit';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';

describe('admin ledger (API)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await registerAdmin(t.http, t.db);
  });
  afterAll(() => t.close());

  const adjust = (userId: string, body: object, as: TestUser = admin) =>
    t.http.post(`/api/admin/users/${userId}/balance-adjustments`).set(bearer(as)).send(body);

  it('credits and debits a user with a remark, as the admin, with an audit record', async () => {
    const user = await registerUser(t.http);
    const credit = await adjust(user.id, { amount: '12.5', remark: 'goodwill for ticket 7' }).expect(201);
    expect(credit.body).toMatchObject({
      amount: '12.50000000',
      type: 'admin',
      operator: admin.email,
      remark: 'goodwill for ticket 7',
      balanceBefore: '0.00000000',
      balanceAfter: '12.50000000',
    });
    const debit = await adjust(user.id, { amount: '-2.25', remark: 'correction' }).expect(201);
    expect(debit.body).toMatchObject({ amount: '-2.25000000', balanceAfter: '10.25000000' });

    const me = await t.http.get('/api/users/me').set(bearer(user)).expect(200);
    expect(me.body.balance).toBe('10.25000000');

    const audit = await t.db.query(
      `SELECT admin_email, action, target_type, target_id, remark, before_state, after_state
         FROM admin_audit_logs WHERE target_id = $1 ORDER BY id`,
      [user.id],
    );
    expect(audit).toEqual([
      expect.objectContaining({
        admin_email: admin.email,
        action: 'balance.adjust',
        target_type: 'user',
        remark: 'goodwill for ticket 7',
        before_state: { balance: '0.00000000' },
        after_state: expect.objectContaining({ balance: '12.50000000', amount: '12.50000000' }),
      }),
      expect.objectContaining({ remark: 'correction', before_state: { balance: '12.50000000' } }),
    ]);
  });

  it('refuses a debit below zero and changes nothing', async () => {
    const user = await registerUser(t.http);
    await adjust(user.id, { amount: '1', remark: 'seed' }).expect(201);
    const res = await adjust(user.id, { amount: '-1.00000001', remark: 'too much' }).expect(409);
    expect(res.body.code).toBe('LEDGER_INSUFFICIENT_BALANCE');
    const [{ balance }] = await t.db.query('SELECT balance FROM users WHERE id = $1', [user.id]);
    expect(balance).toBe('1.00000000');
    const [{ count }] = await t.db.query(`SELECT COUNT(*)::int AS count FROM admin_audit_logs WHERE target_id = $1`, [user.id]);
    expect(count).toBe(1);
  });

  it.each([
    [{ amount: '5' }, 'remark must be a string'],
    [{ amount: '5', remark: '   ' }, 'remark is required'],
    [{ amount: '0', remark: 'x' }, 'amount must not be zero'],
    [{ amount: 5, remark: 'x' }, 'amount must be a decimal number written as a string'],
    [{ amount: '1.123456789', remark: 'x' }, 'amount must have at most 8 decimal places'],
    [{ amount: '1e3', remark: 'x' }, 'amount must be a decimal number written as a string'],
    [{ amount: '2000000', remark: 'x' }, 'amount must be at most 1000000'],
  ])('answers 400 for %j', async (body, message) => {
    const user = await registerUser(t.http);
    const res = await adjust(user.id, body).expect(400);
    expect(res.body.message).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });

  it('answers ids beyond BIGINT with a 404 in paths and a 400 in filters, never a 500', async () => {
    for (const id of ['99999999999999999999', '9223372036854775808']) {
      const res = await adjust(id, { amount: '1', remark: 'x' }).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, requestId: expect.any(String) });
      await t.http.post(`/api/admin/users/${id}/status`).set(bearer(admin)).send({ status: 'disabled', remark: 'x' }).expect(404);
      const filtered = await t.http.get(`/api/admin/recharge-records?userId=${id}`).set(bearer(admin)).expect(400);
      expect(filtered.body.message).toEqual(['userId must be a positive integer id']);
      await t.http.get(`/api/admin/payment/orders?userId=${id}`).set(bearer(admin)).expect(400);
      await t.http.get(`/api/admin/referrals?referrerId=${id}`).set(bearer(admin)).expect(400);
    }
    // The largest BIGINT is a possible id: it is looked up, and simply not found.
    expect((await adjust('9223372036854775807', { amount: '1', remark: 'x' }).expect(404)).body.code).toBe('LEDGER_USER_NOT_FOUND');
  });

  it('answers 404 for an unknown user and 400 for a malformed id', async () => {
    expect((await adjust('987654321', { amount: '1', remark: 'x' }).expect(404)).body.code).toBe('LEDGER_USER_NOT_FOUND');
    const bad = await adjust('abc', { amount: '1', remark: 'x' }).expect(400);
    expect(bad.body.message).toEqual(['id must be a positive integer, got "abc"']);
  });

  it('is for admins only', async () => {
    const user = await registerUser(t.http);
    await adjust(user.id, { amount: '100', remark: 'self-service' }, user).expect(403);
    await t.http.get('/api/admin/audit').set(bearer(user)).expect(403);
    const [{ balance }] = await t.db.query('SELECT balance FROM users WHERE id = $1', [user.id]);
    expect(balance).toBe('0.00000000');
  });

  it('records an admin with a long email (up to the 255 an account allows) as the operator', async () => {
    const longEmail = `${'a'.repeat(60)}@${'b'.repeat(60)}.${'c'.repeat(60)}.example.test`;
    expect(longEmail.length).toBeGreaterThan(100);
    const longAdmin = await registerAdmin(t.http, t.db, { email: longEmail });
    const user = await registerUser(t.http);
    await adjust(user.id, { amount: '3', remark: 'long address' }, longAdmin).expect(201);
    const [row] = await t.db.query(`SELECT operator FROM recharge_records WHERE user_id = $1`, [user.id]);
    expect(row.operator).toBe(longEmail);
  });

  it('shows users `admin` as the operator of an adjustment, never the admin’s email', async () => {
    const user = await registerUser(t.http);
    await adjust(user.id, { amount: '2', remark: 'goodwill' }).expect(201);
    const own = await t.http.get('/api/users/recharge-records').set(bearer(user)).expect(200);
    expect(own.body.items.map((r: { operator: string }) => r.operator)).toEqual(['admin']);
    expect(JSON.stringify(own.body)).not.toContain(admin.email);
    const global = await t.http.get(`/api/admin/recharge-records?userId=${user.id}`).set(bearer(admin)).expect(200);
    expect(global.body.items.map((r: { operator: string }) => r.operator)).toEqual([admin.email]);
  });

  it('lists the global ledger with user, type and date filters', async () => {
    const a = await registerUser(t.http);
    const b = await registerUser(t.http);
    await adjust(a.id, { amount: '3', remark: 'a' }).expect(201);
    await adjust(b.id, { amount: '4', remark: 'b' }).expect(201);

    const onlyA = await t.http.get(`/api/admin/recharge-records?userId=${a.id}`).set(bearer(admin)).expect(200);
    expect(onlyA.body.total).toBe(1);
    expect(onlyA.body.items[0]).toMatchObject({ amount: '3.00000000', remark: 'a', userId: a.id });

    const all = await t.http.get('/api/admin/recharge-records?type=admin&pageSize=100').set(bearer(admin)).expect(200);
    const ids = all.body.items.map((r: { remark: string }) => r.remark);
    expect(ids).toEqual(expect.arrayContaining(['a', 'b']));

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await t.http.get(`/api/admin/recharge-records?from=${future}`).set(bearer(admin)).expect(200);
    expect(none.body).toMatchObject({ items: [], total: 0 });
    const bad = await t.http.get('/api/admin/recharge-records?from=yesterday').set(bearer(admin)).expect(400);
    expect(bad.body.message).toEqual(['from must be an ISO-8601 date-time between 1970-01-01 and 9999-12-31']);
    // A date JavaScript can read but PostgreSQL cannot compare is refused by name, not a 500.
    const ancient = await t.http.get('/api/admin/recharge-records?to=-004714-01-01T00:00:00Z').set(bearer(admin)).expect(400);
    expect(ancient.body.message).toEqual(['to must be an ISO-8601 date-time between 1970-01-01 and 9999-12-31']);
  });

  it('finds users and disables one: refused at login and on its next request, audited; and re-enables it', async () => {
    const user = await registerUser(t.http);
    const found = await t.http.get(`/api/admin/users?q=${user.username.toUpperCase()}`).set(bearer(admin)).expect(200);
    expect(found.body.items).toEqual([expect.objectContaining({ id: user.id, email: user.email, status: 'active', balance: '0.00000000' })]);
    const byId = await t.http.get(`/api/admin/users?q=${user.id}`).set(bearer(admin)).expect(200);
    expect(byId.body.items.map((u: { id: string }) => u.id)).toContain(user.id);
    expect(byId.body.items.every((u: { id: string; email: string; username: string }) => u.id === user.id || `${u.email} ${u.username}`.includes(user.id))).toBe(true);

    const missing = await t.http.post(`/api/admin/users/${user.id}/status`).set(bearer(admin)).send({ status: 'disabled' }).expect(400);
    expect(missing.body.message).toEqual(['remark must be a string']);
    const disabled = await t.http
      .post(`/api/admin/users/${user.id}/status`)
      .set(bearer(admin))
      .send({ status: 'disabled', remark: 'chargeback fraud' })
      .expect(200);
    expect(disabled.body.status).toBe('disabled');
    await t.http.get('/api/users/me').set(bearer(user)).expect(403);
    await t.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(403);
    const onlyDisabled = await t.http.get('/api/admin/users?status=disabled&pageSize=100').set(bearer(admin)).expect(200);
    expect(onlyDisabled.body.items.map((u: { id: string }) => u.id)).toContain(user.id);

    await t.http.post(`/api/admin/users/${user.id}/status`).set(bearer(admin)).send({ status: 'active', remark: 'cleared' }).expect(200);
    // Disabling ended the sessions opened before it; the user signs in again.
    await t.http.get('/api/users/me').set(bearer(user)).expect(401);
    const again = await t.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    await t.http.get('/api/users/me').set(bearer(again.body)).expect(200);
    user.token = again.body.accessToken;
    const log = await t.db.query(`SELECT action, before_state, after_state, remark FROM admin_audit_logs WHERE target_id = $1 AND action = 'user.status' ORDER BY id`, [user.id]);
    expect(log).toEqual([
      { action: 'user.status', before_state: { status: 'active' }, after_state: { status: 'disabled' }, remark: 'chargeback fraud' },
      { action: 'user.status', before_state: { status: 'disabled' }, after_state: { status: 'active' }, remark: 'cleared' },
    ]);

    const self = await t.http.post(`/api/admin/users/${admin.id}/status`).set(bearer(admin)).send({ status: 'disabled', remark: 'oops' }).expect(409);
    expect(self.body.code).toBe('ADMIN_CANNOT_DISABLE_SELF');
    await t.http.get('/api/admin/users').set(bearer(user)).expect(403);
    await t.http.post('/api/admin/users/999999999/status').set(bearer(admin)).send({ status: 'disabled', remark: 'x' }).expect(404);
  });

  it('runs the invariant audit on demand', async () => {
    const res = await t.http.get('/api/admin/audit').set(bearer(admin)).expect(200);
    expect(res.body).toMatchObject({ ok: true, violations: [] });
  });

});

describe('ledger audit (docs/ledger-invariants.md)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** Breaks the data inside a transaction that is rolled back, so no other test ever sees it. */
  async function violationsAfter(breakIt: (em: EntityManager, user: TestUser) => Promise<unknown>) {
    const user = await registerUser(t.http);
    let found: AuditViolation[] = [];
    await t.db
      .transaction(async (em) => {
        await em.query(
          `INSERT INTO recharge_records (user_id, amount, type, operator, balance_before, balance_after)
           VALUES ($1, 5, 'admin', 'system', 0, 5)`,
          [user.id],
        );
        await em.query('UPDATE users SET balance = 5 WHERE id = $1', [user.id]);
        await breakIt(em, user);
        found = await findViolations(em);
        throw new Rollback();
      })
      .catch((error) => {
        if (!(error instanceof Rollback)) throw error;
      });
    return { found, user };
  }
  class Rollback extends Error {}

  it('finds nothing in consistent data', async () => {
    const { found } = await violationsAfter(async () => undefined);
    expect(found).toEqual([]);
  });

  it('finds a balance changed behind the ledger’s back', async () => {
    const { found, user } = await violationsAfter((em, u) => em.query('UPDATE users SET balance = 6 WHERE id = $1', [u.id]));
    expect(found.map((v) => v.invariant[0])).toEqual(['1']);
    expect(found[0].rows).toEqual([expect.objectContaining({ user_id: user.id, balance: '6.00000000' })]);
  });

  it('finds a broken chain', async () => {
    const { found } = await violationsAfter(async (em, u) => {
      await em.query(
        `INSERT INTO recharge_records (user_id, amount, type, operator, balance_before, balance_after)
         VALUES ($1, 1, 'admin', 'system', 4, 5)`,
        [u.id],
      );
      await em.query('UPDATE users SET balance = 5 WHERE id = $1', [u.id]);
    });
    expect(found.map((v) => v.invariant[0])).toEqual(['1', '2']);
  });

  it('finds a payment row for an order that was never paid', async () => {
    const { found } = await violationsAfter(async (em, u) => {
      await em.query(
        `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider, expire_at)
         VALUES ('PO-AUDIT-1', $1, 'x', 36, 5, 5, 7.2, 'sandbox', NOW())`,
        [u.id],
      );
      await em.query(
        `INSERT INTO recharge_records (user_id, amount, type, operator, related_id, balance_before, balance_after)
         VALUES ($1, 1, 'payment', 'system', 'PO-AUDIT-1', 5, 6)`,
        [u.id],
      );
      await em.query('UPDATE users SET balance = 6 WHERE id = $1', [u.id]);
    });
    expect(found.map((v) => v.invariant.slice(0, 2))).toEqual(['4b']);
  });

  it('finds a used promotion without its record', async () => {
    const { found } = await violationsAfter(async (em, u) => {
      await em.query(`UPDATE user_promotions SET status = 'used' WHERE user_id = $1`, [u.id]);
    });
    expect(found.map((v) => v.invariant[0])).toEqual(['6']);
  });

  it('finds a redeem row no redemption explains, and a code used more often than its batch allows', async () => {
    const unexplained = await violationsAfter(async (em, u) => {
      await em.query(
        `INSERT INTO recharge_records (user_id, amount, type, operator, related_id, balance_before, balance_after)
         VALUES ($1, 1, 'redeem', 'system', '999999999', 5, 6)`,
        [u.id],
      );
      await em.query('UPDATE users SET balance = 6 WHERE id = $1', [u.id]);
    });
    expect(unexplained.found.map((v) => v.invariant.slice(0, 2))).toEqual(['8e']);

    const overused = await violationsAfter(async (em) => {
      const [batch] = await em.query(`INSERT INTO redeem_batches (amount_usd, code_count, note) VALUES (1, 1, 'audit') RETURNING id`);
      await em.query(`INSERT INTO redeem_codes (batch_id, code_hash, last4, redemptions) VALUES ($1, repeat('a', 64), 'AAAA', 2)`, [batch.id]);
    });
    expect(overused.found.map((v) => v.invariant.slice(0, 2))).toEqual(['8f']);
    expect(overused.found[0].rows).toEqual([expect.objectContaining({ redemptions: 2, max_redemptions: 1 })]);
  });

  it('finds a campaign that paid more than its budget, more bonuses than its per-user limit, or a grant without its ledger row', async () => {
    const { found } = await violationsAfter(async (em, user) => {
      const [campaign] = await em.query(
        `INSERT INTO campaigns (name, stacking, starts_at, budget_usd, per_user_limit, action, created_by)
         VALUES ('audit', 'stackable', NOW(), 1, 1, '{"type": "fixed_bonus", "usd": "1"}', 'test') RETURNING id`,
      );
      await em.query(
        `INSERT INTO campaign_grants (campaign_id, user_id, order_no, bonus_usd) VALUES ($1, $2, 'PO-AUDIT-1', 1), ($1, $2, 'PO-AUDIT-2', 1)`,
        [campaign.id, user.id],
      );
    });
    expect(found.map((v) => v.invariant.slice(0, 2))).toEqual(['9a', '9b', '9c']);
  });
});
