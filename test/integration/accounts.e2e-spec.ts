import { randomUUID } from 'node:crypto';
import { auditLedger } from '../../src/ledger/ledger-audit';
import { SandboxProvider } from '../../src/payments/providers/sandbox/sandbox.provider';
import { bearer, registerAdmin, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('closing an account, and a user’s data export', () => {
  let t: TestApp;
  let admin: TestUser;
  let key: string;
  let keyId: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await registerAdmin(t.http, t.db);
    const created = await t.http.post('/api/admin/api-keys').set(bearer(admin)).send({ name: 'accounts-test', scopes: ['charges:write', 'balances:read'] }).expect(201);
    ({ key, id: keyId } = created.body);
  });
  afterAll(async () => {
    // API keys are global: revoke this file's.
    await t.http.delete(`/api/admin/api-keys/${keyId}`).set(bearer(admin)).expect(200);
    await t.close();
  });

  async function userWith(amount: string): Promise<TestUser> {
    const user = await registerUser(t.http);
    await t.http.post(`/api/admin/users/${user.id}/balance-adjustments`).set(bearer(admin)).send({ amount, remark: 'test funds' }).expect(201);
    return user;
  }

  const holdFor = async (user: TestUser, amountUsd: string) =>
    (
      await t.http
        .post('/api/v1/holds')
        .set({ Authorization: `Bearer ${key}` })
        .set('Idempotency-Key', randomUUID())
        .send({ userId: user.id, amountUsd, description: 'a reservation' })
        .expect(201)
    ).body;

  const pendingOrderOf = async (user: TestUser) =>
    (await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '30.00', provider: 'sandbox', method: 'alipay' }).expect(201)).body
      .orderNo as string;

  /** A sandbox order of `user`'s, paid by the sandbox's signed notify (what its checkout page's Pay sends). */
  async function paidOrderOf(user: TestUser, amountCny = '20.00'): Promise<string> {
    const order = (await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny, provider: 'sandbox', method: 'alipay' }).expect(201)).body;
    const notify = t.app.get(SandboxProvider).paidNotify({ orderNo: order.orderNo, amountCny, method: 'alipay' });
    const answer = await t.http.post('/api/payment/webhook/sandbox').type('form').send(notify).expect(200);
    expect(answer.text).toBe('success');
    return order.orderNo;
  }

  const inviteCodeOf = async (user: TestUser) => (await t.http.get('/api/users/referral/info').set(bearer(user)).expect(200)).body.code as string;

  /** The ledger audit's violations that concern these users (other test files share the database). */
  async function violationsOf(...userIds: string[]) {
    const violations = await auditLedger(t.db);
    return violations
      .map((v) => ({ ...v, rows: v.rows.filter((row) => userIds.includes(String(row.user_id ?? row.userId ?? ''))) }))
      .filter((v) => v.rows.length > 0);
  }

  describe('a user closes their own account', () => {
    it('refuses a wrong password (403 USER_PASSWORD_MISMATCH) and changes nothing', async () => {
      const user = await userWith('4.00');
      const res = await t.http.post('/api/users/me/close').set(bearer(user)).send({ password: 'not my password' }).expect(403);
      expect(res.body.code).toBe('USER_PASSWORD_MISMATCH');
      const [row] = await t.db.query('SELECT email, status, closed_at FROM users WHERE id = $1', [user.id]);
      expect(row).toEqual({ email: user.email, status: 'active', closed_at: null });
      await t.http.get('/api/users/me').set(bearer(user)).expect(200);
    });

    it('limits wrong passwords like logins: past the limit even the right one is a 429', async () => {
      const user = await registerUser(t.http);
      for (let i = 0; i < t.config.rateLimit.loginFailuresPerAccount; i++) {
        await t.http.post('/api/users/me/close').set(bearer(user)).send({ password: `wrong ${i}` }).expect(403);
      }
      const limited = await t.http.post('/api/users/me/close').set(bearer(user)).send({ password: user.password }).expect(429);
      expect(limited.body.code).toBe('USER_TOO_MANY_PASSWORD_FAILURES');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('with the right password: holds released, pending orders cancelled, personal data tombstoned, sessions and invite code ended, money history kept', async () => {
      const user = await userWith('10.00');
      const code = await inviteCodeOf(user);
      const invitee = await registerUser(t.http, { inviteCode: code });
      const hold = await holdFor(user, '3.00');
      const orderNo = await pendingOrderOf(user);
      const ledgerBefore = await t.db.query('SELECT id, amount, balance_after FROM recharge_records WHERE user_id = $1 ORDER BY id', [user.id]);

      const res = await t.http.post('/api/users/me/close').set(bearer(user)).send({ password: user.password }).expect(200);
      expect(res.body).toEqual({
        id: user.id,
        status: 'closed',
        closedAt: expect.any(String),
        balanceUsd: '10.00000000',
        releasedHoldsUsd: '3.00000000',
        cancelledOrders: [orderNo],
      });

      // Sessions: the old token is refused, and the old email and password no longer sign in (as if unknown).
      expect((await t.http.get('/api/users/me').set(bearer(user)).expect(401)).body.code).toBe('AUTH_TOKEN_INVALID');
      const login = await t.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(401);
      expect(login.body.code).toBe('AUTH_INVALID_CREDENTIALS');

      // The invite code is retired: a registration with it is refused as an unknown code.
      const refused = await t.http
        .post('/api/auth/register')
        .send({ email: `late-${randomUUID().slice(0, 8)}@example.test`, username: `late_${randomUUID().slice(0, 8)}`, password: 'correct horse battery', inviteCode: code })
        .expect(400);
      expect(refused.body.code).toBe('REFERRAL_CODE_NOT_FOUND');

      // The tombstone: nothing that names the person, no usable password, the token version moved on.
      const [row] = await t.db.query(
        'SELECT email, username, password_hash, registration_ip, status, closed_at, balance, held, token_version FROM users WHERE id = $1',
        [user.id],
      );
      expect(row).toMatchObject({ email: `closed:${user.id}`, username: `closed:${user.id}`, registration_ip: null, status: 'closed', balance: '10.00000000', held: '0.00000000' });
      expect(row.closed_at).toBeInstanceOf(Date);
      expect(row.password_hash).not.toMatch(/^\$2[aby]\$/);
      expect(row.token_version).toBeGreaterThan(0);
      const copies = await t.db.query(
        `SELECT 'order' AS kind, username, client_ip, user_agent FROM payment_orders WHERE user_id = $1
         UNION ALL SELECT 'promotion', username, NULL, NULL FROM user_promotions WHERE user_id = $1
         UNION ALL SELECT 'invite', referrer_username, NULL, NULL FROM referral_invites WHERE referrer_id = $1`,
        [user.id],
      );
      expect(copies.length).toBeGreaterThanOrEqual(2);
      for (const copy of copies) expect(copy).toMatchObject({ username: `closed:${user.id}`, client_ip: null, user_agent: null });
      expect(await t.db.query('SELECT code FROM referral_codes WHERE user_id = $1', [user.id])).toEqual([]);

      // Holds released as a normal release; the order cancelled; the ledger untouched.
      const [heldRow] = await t.db.query('SELECT status FROM holds WHERE id = $1', [hold.id]);
      expect(heldRow.status).toBe('released');
      const [order] = await t.db.query('SELECT status FROM payment_orders WHERE order_no = $1', [orderNo]);
      expect(order.status).toBe('cancelled');
      expect(await t.db.query('SELECT id, amount, balance_after FROM recharge_records WHERE user_id = $1 ORDER BY id', [user.id])).toEqual(ledgerBefore);
      const released = await t.db.query(`SELECT data FROM outbox_events WHERE user_id = $1 AND type = 'hold.released'`, [user.id]);
      expect(released.map((e: { data: { holdId: string } }) => e.data.holdId)).toEqual([hold.id]);

      // The audit entry records the balance left and who closed it.
      const [audit] = await t.db.query(
        `SELECT admin_id, admin_email, remark, before_state, after_state FROM admin_audit_logs WHERE action = 'user.close' AND target_id = $1`,
        [user.id],
      );
      expect(audit).toMatchObject({
        admin_id: user.id,
        admin_email: `closed:${user.id}`,
        after_state: { status: 'closed', closedBy: 'self', balanceUsd: '10.00000000', releasedHoldsUsd: '3.00000000', cancelledOrders: [orderNo] },
      });
      expect(audit.before_state).toMatchObject({ status: 'active', balanceUsd: '10.00000000', heldUsd: '3.00000000' });

      // The invitee's invite stays, naming the referrer by the tombstone.
      const [invite] = await t.db.query('SELECT referrer_username FROM referral_invites WHERE invitee_id = $1', [invitee.id]);
      expect(invite.referrer_username).toBe(`closed:${user.id}`);

      expect(await violationsOf(user.id, invitee.id)).toEqual([]);
    });

    it('frees the email: it may be registered again, as a new and unrelated account', async () => {
      const user = await registerUser(t.http);
      await t.http.post('/api/users/me/close').set(bearer(user)).send({ password: user.password }).expect(200);
      const again = await t.http.post('/api/auth/register').send({ email: user.email, username: user.username, password: 'another good password' }).expect(201);
      expect(again.body.user.id).not.toBe(user.id);
      expect((await t.http.get('/api/users/me').set(bearer(again.body)).expect(200)).body.balance).toBe('0.00000000');
    });

    it('keeps a paid order, its refund-free ledger and the balance through the closing; the audit stays clean', async () => {
      const user = await registerUser(t.http);
      const orderNo = await paidOrderOf(user, '20.00');
      const balance = (await t.http.get('/api/users/balance').set(bearer(user)).expect(200)).body.balance;
      const res = await t.http.post('/api/users/me/close').set(bearer(user)).send({ password: user.password }).expect(200);
      expect(res.body).toMatchObject({ balanceUsd: balance, cancelledOrders: [] });
      const [order] = await t.db.query('SELECT status, username FROM payment_orders WHERE order_no = $1', [orderNo]);
      expect(order).toEqual({ status: 'paid', username: `closed:${user.id}` });
      expect(await violationsOf(user.id)).toEqual([]);
    });
  });

  describe('an admin closes an account', () => {
    it('closes with a remark, audited with the admin and the balance; a second close is a 409', async () => {
      const user = await userWith('2.50');
      const res = await t.http.post(`/api/admin/users/${user.id}/close`).set(bearer(admin)).send({ remark: 'asked by email, ticket 7' }).expect(200);
      expect(res.body).toMatchObject({ id: user.id, status: 'closed', balanceUsd: '2.50000000', releasedHoldsUsd: '0.00000000', cancelledOrders: [] });
      const [audit] = await t.db.query(`SELECT admin_id, admin_email, remark, after_state FROM admin_audit_logs WHERE action = 'user.close' AND target_id = $1`, [user.id]);
      expect(audit).toMatchObject({ admin_id: admin.id, admin_email: admin.email, remark: 'asked by email, ticket 7', after_state: { closedBy: 'admin', balanceUsd: '2.50000000' } });
      await t.http.get('/api/users/me').set(bearer(user)).expect(401);

      const twice = await t.http.post(`/api/admin/users/${user.id}/close`).set(bearer(admin)).send({ remark: 'again' }).expect(409);
      expect(twice.body.code).toBe('USER_ACCOUNT_CLOSED');
      // Nor can a closed account be re-enabled through the status action.
      const reenable = await t.http.post(`/api/admin/users/${user.id}/status`).set(bearer(admin)).send({ status: 'active', remark: 'undo' }).expect(409);
      expect(reenable.body.code).toBe('USER_ACCOUNT_CLOSED');
      expect(await violationsOf(user.id)).toEqual([]);
    });

    it('leaves nothing a service can spend: a charge or a hold on the closed account is refused as for an unknown user, the balance unmoved', async () => {
      const user = await userWith('4.00');
      await t.http.post(`/api/admin/users/${user.id}/close`).set(bearer(admin)).send({ remark: 'asked by phone' }).expect(200);
      const service = { Authorization: `Bearer ${key}` };
      const charge = await t.http.post('/api/v1/charges').set(service).set('Idempotency-Key', randomUUID()).send({ userId: user.id, amountUsd: '1.00', description: 'after closing' }).expect(404);
      expect(charge.body.code).toBe('SPEND_USER_NOT_FOUND');
      const hold = await t.http.post('/api/v1/holds').set(service).set('Idempotency-Key', randomUUID()).send({ userId: user.id, amountUsd: '1.00', description: 'after closing' }).expect(404);
      expect(hold.body.code).toBe('SPEND_USER_NOT_FOUND');
      const [row] = await t.db.query('SELECT balance, held FROM users WHERE id = $1', [user.id]);
      expect(row).toEqual({ balance: '4.00000000', held: '0.00000000' });
      // The money history stays readable to the service.
      expect((await t.http.get(`/api/v1/balances/${user.id}`).set(service).expect(200)).body).toMatchObject({ balance: '4.00000000' });
    });

    it('never closes an admin’s account (its own included), needs a remark, and 404s an unknown user', async () => {
      const other = await registerAdmin(t.http, t.db);
      expect((await t.http.post(`/api/admin/users/${other.id}/close`).set(bearer(admin)).send({ remark: 'x' }).expect(409)).body.code).toBe(
        'USER_ADMIN_NOT_CLOSABLE',
      );
      expect((await t.http.post(`/api/admin/users/${admin.id}/close`).set(bearer(admin)).send({ remark: 'x' }).expect(409)).body.code).toBe(
        'USER_ADMIN_NOT_CLOSABLE',
      );
      const user = await registerUser(t.http);
      await t.http.post(`/api/admin/users/${user.id}/close`).set(bearer(admin)).send({}).expect(400);
      await t.http.post('/api/admin/users/999999999999/close').set(bearer(admin)).send({ remark: 'x' }).expect(404);
      // Closing is its own action, not a status an admin can set.
      await t.http.post(`/api/admin/users/${user.id}/status`).set(bearer(admin)).send({ status: 'closed', remark: 'x' }).expect(400);
      // Users cannot close others, nor use the admin route.
      await t.http.post(`/api/admin/users/${other.id}/close`).set(bearer(user)).send({ remark: 'x' }).expect(403);
      // An admin cannot close their own account from the user route either.
      expect((await t.http.post('/api/users/me/close').set(bearer(other)).send({ password: other.password }).expect(409)).body.code).toBe(
        'USER_ADMIN_NOT_CLOSABLE',
      );
    });
  });

  describe('data export', () => {
    it('answers the user’s profile, promotion, invites, orders and ledger as a JSON attachment, with no secret in it', async () => {
      const referrer = await registerUser(t.http);
      const user = await registerUser(t.http, { inviteCode: await inviteCodeOf(referrer) });
      const invitee = await registerUser(t.http, { inviteCode: await inviteCodeOf(user) });
      const paid = await paidOrderOf(user, '20.00');
      const pending = await pendingOrderOf(user);
      await t.http.post(`/api/admin/users/${user.id}/balance-adjustments`).set(bearer(admin)).send({ amount: '1.25', remark: 'goodwill' }).expect(201);

      const res = await t.http.get('/api/users/me/export').set(bearer(user)).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="recharge-data-${user.id}-\\d{8}T\\d{6}Z\\.json"$`));
      const body = typeof res.body === 'object' && Object.keys(res.body).length ? res.body : JSON.parse(res.text);

      expect(body.profile).toMatchObject({ id: user.id, email: user.email, username: user.username, role: 'user', status: 'active', held: '0.00000000' });
      expect(body.profile.balance).toBe((await t.http.get('/api/users/balance').set(bearer(user))).body.balance);
      expect(body.promotion).toMatchObject({ status: expect.any(String), activatedAt: expect.any(String) });
      expect(body.referral.code).toBe(await inviteCodeOf(user));
      expect(body.referral.invitedBy).toMatchObject({ referrer: expect.stringContaining('***') });
      expect(body.referral.invitees).toHaveLength(1);
      expect(body.referral.invitees[0].username).not.toBe(invitee.username);
      expect(body.orders.map((o: { orderNo: string }) => o.orderNo)).toEqual([pending, paid]);
      expect(body.ledger.map((r: { type: string }) => r.type)).toEqual(expect.arrayContaining(['payment', 'admin']));
      const adminRow = body.ledger.find((r: { type: string }) => r.type === 'admin');
      expect(adminRow).toMatchObject({ amount: '1.25000000', operator: 'admin', remark: 'goodwill' });
      expect(body.ledger[0].createdAt >= body.ledger[body.ledger.length - 1].createdAt).toBe(true);

      const text = res.text || JSON.stringify(body);
      const [secrets] = await t.db.query('SELECT password_hash, token_version FROM users WHERE id = $1', [user.id]);
      expect(text).not.toContain(secrets.password_hash);
      expect(text).not.toContain(user.token);
      expect(text).not.toContain(admin.email);
      expect(text).not.toMatch(/password|tokenVersion|token_version|keyHash|key_hash/i);
    });

    it('is refused without a session, and a closed account’s token cannot read it', async () => {
      await t.http.get('/api/users/me/export').expect(401);
      const user = await registerUser(t.http);
      await t.http.post('/api/users/me/close').set(bearer(user)).send({ password: user.password }).expect(200);
      await t.http.get('/api/users/me/export').set(bearer(user)).expect(401);
    });
  });
});
