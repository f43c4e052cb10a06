import { DataSource } from 'typeorm';
import { LockKey } from '../../src/common/database/advisory-lock';
import { BonusRequest, PromotionsService } from '../../src/promotions/promotions.service';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';

const HOUR_MS = 3_600_000;

describe('promotions', () => {
  let t: TestApp;
  let promotions: PromotionsService;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp({ RECHARGE__PROMOTION__MIN_AMOUNT: '5.00' });
    promotions = t.app.get(PromotionsService);
    db = t.db;
  });
  afterAll(() => t.close());

  /** Moves a user's registration `hours` into the past, as if time had passed. */
  async function ageUser(user: TestUser, hours: number) {
    await db.query(
      `UPDATE user_promotions SET activated_at = activated_at - $2 * interval '1 hour', expire_at = expire_at - $2 * interval '1 hour'
        WHERE user_id = $1`,
      [user.id, hours],
    );
  }

  const bonusFor = (user: TestUser, overrides: Partial<BonusRequest> = {}): BonusRequest => ({
    userId: user.id,
    username: user.username,
    orderNo: `PO-${user.id}-${Math.random().toString(36).slice(2, 10)}`,
    amountCny: '20.00',
    amountUsd: '2.77777778',
    tier: 0,
    ...overrides,
  });
  const grant = (request: BonusRequest) => db.transaction((em) => promotions.grant(em, request));

  it('starts at registration, in the same transaction, for duration_hours', async () => {
    const user = await registerUser(t.http);
    const [row] = await db.query(
      `SELECT p.status, p.activated_at = u.created_at AS same_time, EXTRACT(EPOCH FROM p.expire_at - p.activated_at) AS seconds
         FROM user_promotions p JOIN users u ON u.id = p.user_id WHERE p.user_id = $1`,
      [user.id],
    );
    expect(row).toEqual({ status: 'active', same_time: true, seconds: '259200.000000' });
  });

  it('describes the countdown banner in /users/promotion/status', async () => {
    const user = await registerUser(t.http);
    const fresh = await t.http.get('/api/users/promotion/status').set(bearer(user)).expect(200);
    expect(fresh.body).toMatchObject({ enabled: true, status: 'active', currentTier: 0, currentPercent: 30, minAmountCny: '5.00' });
    expect(fresh.body.secondsLeftInTier).toBeGreaterThan(24 * 3600 - 10);
    expect(fresh.body.secondsLeftInTier).toBeLessThanOrEqual(24 * 3600);
    expect(fresh.body.secondsLeftOverall).toBeGreaterThan(72 * 3600 - 10);
    expect(fresh.body.tiers.map((x: { tier: number; hours: number; percent: number }) => [x.tier, x.hours, x.percent])).toEqual([
      [0, 24, 30],
      [1, 36, 20],
      [2, 48, 10],
      [3, 72, 5],
    ]);
    const activated = new Date(fresh.body.activatedAt).getTime();
    expect(new Date(fresh.body.tiers[1].endsAt).getTime() - activated).toBe(36 * HOUR_MS);

    await ageUser(user, 30);
    const later = await t.http.get('/api/users/promotion/status').set(bearer(user)).expect(200);
    expect(later.body).toMatchObject({ currentTier: 1, currentPercent: 20 });
    expect(later.body.secondsLeftInTier).toBeGreaterThan(6 * 3600 - 10);
    expect(later.body.secondsLeftInTier).toBeLessThanOrEqual(6 * 3600);

    await ageUser(user, 42);
    const over = await t.http.get('/api/users/promotion/status').set(bearer(user)).expect(200);
    expect(over.body).toMatchObject({ status: 'active', currentTier: null, secondsLeftInTier: 0, secondsLeftOverall: 0 });
  });

  it('previews the tier for an order created at a given time', async () => {
    const user = await registerUser(t.http);
    await ageUser(user, 24);
    expect(await promotions.preview(user.id)).toMatchObject({ tier: 1, percent: 20 });
    expect(await promotions.preview(user.id, new Date(Date.now() + 48 * HOUR_MS))).toBeNull();
  });

  it('grants the bonus once: promotion used, a record, and a ledger row for the order', async () => {
    const user = await registerUser(t.http);
    const request = bonusFor(user);
    expect(await grant(request)).toEqual({ tier: 0, percent: 30, bonusUsd: '0.83333333' });

    const [promotion] = await db.query('SELECT status, used_tier, used_amount, bonus_amount FROM user_promotions WHERE user_id = $1', [user.id]);
    expect(promotion).toEqual({ status: 'used', used_tier: 0, used_amount: '2.77777778', bonus_amount: '0.83333333' });
    const records = await db.query('SELECT tier, amount, bonus, order_no FROM promotion_records WHERE user_id = $1', [user.id]);
    expect(records).toEqual([{ tier: 0, amount: '2.77777778', bonus: '0.83333333', order_no: request.orderNo }]);
    const ledger = await db.query('SELECT type, amount, related_id FROM recharge_records WHERE user_id = $1', [user.id]);
    expect(ledger).toEqual([{ type: 'promotion', amount: '0.83333333', related_id: request.orderNo }]);

    expect(await grant(bonusFor(user))).toBeNull();
    const status = await t.http.get('/api/users/promotion/status').set(bearer(user)).expect(200);
    expect(status.body).toMatchObject({ status: 'used', usedTier: 0, bonusAmount: '0.83333333', currentTier: null });
  });

  it('grants exactly one bonus to two concurrent payments', async () => {
    const user = await registerUser(t.http);
    const results = await Promise.all([grant(bonusFor(user)), grant(bonusFor(user, { tier: 1, amountUsd: '13.88888889', amountCny: '100.00' }))]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const [{ count }] = await db.query(`SELECT COUNT(*)::int AS count FROM recharge_records WHERE user_id = $1 AND type = 'promotion'`, [user.id]);
    expect(count).toBe(1);
  });

  it.each([
    ['an order below promotion.min_amount', { amountCny: '4.99', amountUsd: '0.69305556' }],
    ['an order created after the last tier', { tier: null }],
    ['a tier number the table does not have', { tier: 9 }],
  ])('grants nothing for %s, and leaves the promotion usable', async (_, overrides) => {
    const user = await registerUser(t.http);
    expect(await grant(bonusFor(user, overrides))).toBeNull();
    const [promotion] = await db.query('SELECT status FROM user_promotions WHERE user_id = $1', [user.id]);
    expect(promotion.status).toBe('active');
    expect(await grant(bonusFor(user))).not.toBeNull();
  });

  it('still grants a late payment for an order created in time, after the promotion expired', async () => {
    const user = await registerUser(t.http);
    await db.query(`UPDATE user_promotions SET status = 'expired' WHERE user_id = $1`, [user.id]);
    expect(await grant(bonusFor(user, { tier: 3, amountUsd: '10.00000000', amountCny: '72.00' }))).toEqual({
      tier: 3,
      percent: 5,
      bonusUsd: '0.50000000',
    });
  });

  describe('expiry job', () => {
    async function dueUsers(n: number): Promise<TestUser[]> {
      const users = await Promise.all(Array.from({ length: n }, () => registerUser(t.http)));
      for (const user of users) await ageUser(user, 73);
      return users;
    }
    const statuses = async (users: TestUser[]) =>
      (await db.query('SELECT status FROM user_promotions WHERE user_id = ANY($1) ORDER BY user_id', [users.map((u) => u.id)])).map(
        (r: { status: string }) => r.status,
      );

    it('expires every due promotion in batches and leaves the others', async () => {
      const due = await dueUsers(5);
      const fresh = await registerUser(t.http);
      const expired = await promotions.expireDue(2);
      expect(expired).toBeGreaterThanOrEqual(5);
      expect(await statuses(due)).toEqual(['expired', 'expired', 'expired', 'expired', 'expired']);
      expect(await statuses([fresh])).toEqual(['active']);
      expect(await promotions.expireDue(2)).toBe(0);
    });

    it('does nothing while another instance holds the job lock', async () => {
      const due = await dueUsers(2);
      const holder = db.createQueryRunner();
      await holder.startTransaction();
      try {
        await holder.query('SELECT pg_advisory_xact_lock($1)', [LockKey.ExpirePromotions]);
        expect(await promotions.expireDue()).toBeNull();
        expect(await statuses(due)).toEqual(['active', 'active']);
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }
      expect(await promotions.expireDue()).toBe(2);
    });

    it('expires each row once when two instances run at the same moment', async () => {
      const due = await dueUsers(6);
      const [a, b] = await Promise.all([promotions.expireDue(1), promotions.expireDue(1)]);
      expect((a ?? 0) + (b ?? 0)).toBe(6);
      expect(await statuses(due)).toEqual(Array(6).fill('expired'));
    });
  });

  it('reports bonuses by tier and promotions by status to admins', async () => {
    const admin = await registerAdmin(t.http, db);
    const user = await registerUser(t.http);
    await grant(bonusFor(user, { tier: 3, amountUsd: '10.00000000', amountCny: '72.00' }));
    const res = await t.http.get('/api/admin/promotions/stats').set(bearer(admin)).expect(200);
    const tier3 = res.body.byTier.find((x: { tier: number }) => x.tier === 3);
    expect(tier3).toMatchObject({ count: expect.any(Number), bonusUsd: expect.stringMatching(/^\d+\.\d{8}$/) });
    expect(Number(tier3.count)).toBeGreaterThanOrEqual(1);
    expect(res.body).toMatchObject({ enabled: true, totalBonusUsd: expect.stringMatching(/^\d+\.\d{8}$/) });
    expect(res.body.used).toBeGreaterThanOrEqual(1);
    expect(res.body.active).toBeGreaterThanOrEqual(1);
    const empty = await t.http.get(`/api/admin/promotions/stats?from=${new Date(Date.now() + HOUR_MS).toISOString()}`).set(bearer(admin)).expect(200);
    expect(empty.body).toMatchObject({ byTier: [], totalBonusUsd: '0.00000000', grantedCount: 0 });
    await t.http.get('/api/admin/promotions/stats').set(bearer(user)).expect(403);
  });
});

describe('promotions switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PROMOTION_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('creates no rows, grants nothing and says enabled: false', async () => {
    const user = await registerUser(t.http);
    const [{ count }] = await t.db.query('SELECT COUNT(*)::int AS count FROM user_promotions WHERE user_id = $1', [user.id]);
    expect(count).toBe(0);
    const res = await t.http.get('/api/users/promotion/status').set(bearer(user)).expect(200);
    expect(res.body).toMatchObject({ enabled: false, status: 'none', currentTier: null, tiers: [] });
    const promotions = t.app.get(PromotionsService);
    const granted = await t.db.transaction((em) =>
      promotions.grant(em, { userId: user.id, username: user.username, orderNo: 'PO-OFF', amountCny: '20.00', amountUsd: '2.77777778', tier: 1 }),
    );
    expect(granted).toBeNull();
  });
});
