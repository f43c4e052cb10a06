import { CacheStore } from '../../src/common/cache/cache.store';
import { ReferralsService } from '../../src/referrals/referrals.service';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';

describe('referrals', () => {
  let t: TestApp;
  let referrals: ReferralsService;

  beforeAll(async () => {
    t = await createTestApp({ RECHARGE__REFERRAL__LINK_BASE_URL: 'https://shop.example/register' });
    referrals = t.app.get(ReferralsService);
  });
  afterAll(() => t.close());

  const codeOf = async (user: TestUser): Promise<string> =>
    (await t.http.get('/api/users/referral/info').set(bearer(user)).expect(200)).body.code;
  const pay = (inviteeId: string, amountCny: string, amountUsd = '1.11111111') =>
    t.db.transaction((em) => referrals.onInviteePaid(em, { inviteeId, amountCny, amountUsd }));
  const balanceOf = async (user: TestUser) =>
    (await t.db.query('SELECT balance FROM users WHERE id = $1', [user.id]))[0].balance as string;

  it('gives every new user a code and shows it with the invite link', async () => {
    const user = await registerUser(t.http);
    const [row] = await t.db.query('SELECT code FROM referral_codes WHERE user_id = $1', [user.id]);
    expect(row.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    const info = await t.http.get('/api/users/referral/info').set(bearer(user)).expect(200);
    expect(info.body).toEqual({
      enabled: true,
      code: row.code,
      link: `https://shop.example/register?code=${row.code}`,
      invitedCount: 0,
      qualifiedCount: 0,
      rewardedCount: 0,
      totalRewardUsd: '0.00000000',
      rewardUsd: '10.00',
      qualifiedRechargeCny: '20.00',
    });
  });

  it('creates a code on first need for a user who has none', async () => {
    const user = await registerUser(t.http);
    await t.db.query('DELETE FROM referral_codes WHERE user_id = $1', [user.id]);
    const code = await codeOf(user);
    expect(code).toHaveLength(8);
    expect(await codeOf(user)).toBe(code);
  });

  it('records the invite when a code is given at registration, typed loosely, and caches the code', async () => {
    const referrer = await registerUser(t.http);
    const code = await codeOf(referrer);
    const invitee = await registerUser(t.http, { inviteCode: ` ${code.toLowerCase()} `, username: 'alice_invited' });
    const [invite] = await t.db.query('SELECT referrer_id, referrer_username, invitee_username FROM referral_invites WHERE invitee_id = $1', [invitee.id]);
    expect(invite).toEqual({ referrer_id: referrer.id, referrer_username: referrer.username, invitee_username: 'alice_invited' });
    expect(await t.app.get(CacheStore).get(`referral:code:${code}`)).toBe(referrer.id);

    const list = await t.http.get('/api/users/referral/invitees').set(bearer(referrer)).expect(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    expect(list.body.items).toEqual([
      { username: 'al***ed', status: 'registered', joinedAt: expect.any(String), qualifiedAt: null, rewardUsd: '0.00000000' },
    ]);
    expect(JSON.stringify(list.body)).not.toContain('alice_invited');
  });

  it.each([['ZZZZZZZZ'], ['not-a-code'], ['K7QX2M0P']])('refuses the unknown or malformed code %s with a 400 and creates nothing', async (inviteCode) => {
    const email = `typo-${Math.random().toString(36).slice(2)}@example.test`;
    const res = await t.http
      .post('/api/auth/register')
      .send({ email, username: `typo_${Math.random().toString(36).slice(2, 8)}`, password: 'correct horse battery', inviteCode })
      .expect(400);
    expect(res.body).toMatchObject({ code: 'REFERRAL_CODE_NOT_FOUND', message: 'invite code not found' });
    const [{ count }] = await t.db.query('SELECT COUNT(*)::int AS count FROM users WHERE email = $1', [email]);
    expect(count).toBe(0);
    // The person can fix the typo and register with the same email.
    await registerUser(t.http, { email });
  });

  it('qualifies on the third order of 8 CNY and rewards the referrer once, with the invitee id', async () => {
    const referrer = await registerUser(t.http);
    const invitee = await registerUser(t.http, { inviteCode: await codeOf(referrer) });

    expect(await pay(invitee.id, '8.00')).toBeNull();
    expect(await pay(invitee.id, '8.00')).toBeNull();
    expect(await balanceOf(referrer)).toBe('0.00000000');
    expect(await pay(invitee.id, '8.00')).toEqual({ referrerId: referrer.id, rewardUsd: '10.00' });
    expect(await pay(invitee.id, '100.00')).toBeNull();

    expect(await balanceOf(referrer)).toBe('10.00000000');
    const [invite] = await t.db.query(
      `SELECT total_recharge_cny, total_recharge_usd, is_qualified, qualified_at IS NOT NULL AS has_qualified_at,
              reward_issued, reward_amount_usd FROM referral_invites WHERE invitee_id = $1`,
      [invitee.id],
    );
    expect(invite).toEqual({
      total_recharge_cny: '124.00',
      total_recharge_usd: '4.44444444',
      is_qualified: true,
      has_qualified_at: true,
      reward_issued: true,
      reward_amount_usd: '10.00000000',
    });
    const rows = await t.db.query(`SELECT type, amount, related_id FROM recharge_records WHERE user_id = $1`, [referrer.id]);
    expect(rows).toEqual([{ type: 'referral', amount: '10.00000000', related_id: invitee.id }]);

    const info = await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200);
    expect(info.body).toMatchObject({ invitedCount: 1, qualifiedCount: 1, rewardedCount: 1, totalRewardUsd: '10.00000000' });
    const list = await t.http.get('/api/users/referral/invitees').set(bearer(referrer)).expect(200);
    expect(list.body.items[0]).toMatchObject({ status: 'rewarded', rewardUsd: '10.00000000', qualifiedAt: expect.any(String) });
  });

  it('rewards once when two qualifying orders are paid at the same moment', async () => {
    const referrer = await registerUser(t.http);
    const invitee = await registerUser(t.http, { inviteCode: await codeOf(referrer) });
    const results = await Promise.all([pay(invitee.id, '20.00'), pay(invitee.id, '50.00'), pay(invitee.id, '30.00')]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await balanceOf(referrer)).toBe('10.00000000');
    const [invite] = await t.db.query('SELECT total_recharge_cny FROM referral_invites WHERE invitee_id = $1', [invitee.id]);
    expect(invite.total_recharge_cny).toBe('100.00');
  });

  it('ignores payments of users nobody invited', async () => {
    const loner = await registerUser(t.http);
    expect(await pay(loner.id, '500.00')).toBeNull();
  });

  it('lists invites for admins with filters', async () => {
    const admin = await registerAdmin(t.http, t.db);
    const referrer = await registerUser(t.http);
    const code = await codeOf(referrer);
    const a = await registerUser(t.http, { inviteCode: code });
    await registerUser(t.http, { inviteCode: code });
    await pay(a.id, '25.00');

    const all = await t.http.get(`/api/admin/referrals?referrerId=${referrer.id}`).set(bearer(admin)).expect(200);
    expect(all.body.total).toBe(2);
    const rewarded = await t.http.get(`/api/admin/referrals?referrerId=${referrer.id}&rewarded=true`).set(bearer(admin)).expect(200);
    expect(rewarded.body.items).toEqual([
      expect.objectContaining({ inviteeId: a.id, referrerId: referrer.id, status: 'rewarded', totalRechargeCny: '25.00', rewardAmountUsd: '10.00000000' }),
    ]);
    const bad = await t.http.get('/api/admin/referrals?rewarded=maybe').set(bearer(admin)).expect(400);
    expect(bad.body.message).toEqual(['rewarded must be true or false']);
    await t.http.get('/api/admin/referrals').set(bearer(referrer)).expect(403);
  });
});

describe('referrals with an invitee limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RECHARGE__REFERRAL__MAX_INVITEES_PER_USER: '2' });
  });
  afterAll(() => t.close());

  it('refuses the invitee past the limit with a 400, even when they register at the same moment', async () => {
    const referrer = await registerUser(t.http);
    const code = (await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200)).body.code;
    const attempts = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.http
          .post('/api/auth/register')
          .send({ email: `limit-${i}-${referrer.id}@example.test`, username: `limit_${i}_${referrer.id}`, password: 'correct horse battery', inviteCode: code }),
      ),
    );
    expect(attempts.filter((r) => r.status === 201)).toHaveLength(2);
    const refused = attempts.filter((r) => r.status === 400);
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(r.body.code).toBe('REFERRAL_INVITEE_LIMIT_REACHED');
    const [{ count }] = await t.db.query('SELECT COUNT(*)::int AS count FROM referral_invites WHERE referrer_id = $1', [referrer.id]);
    expect(count).toBe(2);
  });
});

describe('referrals switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REFERRAL_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('creates no codes or invites, rewards nothing and says enabled: false', async () => {
    const user = await registerUser(t.http, { inviteCode: 'ZZZZZZZZ' });
    const [{ count }] = await t.db.query(
      `SELECT (SELECT COUNT(*) FROM referral_codes WHERE user_id = $1) + (SELECT COUNT(*) FROM referral_invites WHERE invitee_id = $1) AS count`,
      [user.id],
    );
    expect(count).toBe('0');
    const info = await t.http.get('/api/users/referral/info').set(bearer(user)).expect(200);
    expect(info.body).toMatchObject({ enabled: false, code: null, link: null });
    const referrals = t.app.get(ReferralsService);
    expect(await t.db.transaction((em) => referrals.onInviteePaid(em, { inviteeId: user.id, amountCny: '50.00', amountUsd: '6.94444444' }))).toBeNull();
  });
});

describe('referral farming from one address', () => {
  const register = (t: TestApp, from: string, inviteCode?: string) =>
    t.http
      .post('/api/auth/register')
      .set('X-Forwarded-For', from)
      .send({
        email: `farm-${Math.random().toString(36).slice(2)}@example.test`,
        username: `farm_${Math.random().toString(36).slice(2, 10)}`,
        password: 'correct horse battery',
        ...(inviteCode && { inviteCode }),
      })
      .expect(201);

  async function rewardFor(referrerIp: string, inviteeIp: string): Promise<{ reward: string; sameIp: boolean; invited: number }> {
    // One proxy hop trusted, so each request's X-Forwarded-For is its client address.
    const t = await createTestApp({ REFERRAL_REWARD_SAME_IP: 'false', TRUST_PROXY: '1' });
    try {
      const referrer = (await register(t, referrerIp)).body;
      const code = (await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200)).body.code;
      const invitee = (await register(t, inviteeIp, code)).body;
      const order = await t.http
        .post('/api/payment/orders')
        .set(bearer(invitee))
        .send({ amountCny: '20.00', provider: 'sandbox', method: 'alipay' })
        .expect(201);
      await t.http.post(`${new URL(order.body.paymentUrl).pathname}/pay`).expect(303);
      const [{ balance }] = await t.db.query('SELECT balance FROM users WHERE id = $1', [referrer.user.id]);
      const [{ same_ip }] = await t.db.query('SELECT same_ip FROM referral_invites WHERE invitee_id = $1', [invitee.user.id]);
      const info = await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200);
      return { reward: balance, sameIp: same_ip, invited: info.body.invitedCount };
    } finally {
      await t.close();
    }
  }

  it('records an invitee who registered from the referrer’s own address, and rewards nothing', async () => {
    expect(await rewardFor('198.51.100.7', '198.51.100.7')).toEqual({ reward: '0.00000000', sameIp: true, invited: 1 });
  });

  it('rewards an invitee from another address', async () => {
    expect(await rewardFor('198.51.100.7', '203.0.113.9')).toEqual({ reward: '10.00000000', sameIp: false, invited: 1 });
  });
});
