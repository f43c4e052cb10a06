import Decimal from 'decimal.js';
import { auditLedger } from '../../src/ledger/ledger-audit';
import { SandboxProvider } from '../../src/payments/providers/sandbox/sandbox.provider';
import { bearer, registerAdmin, registerUser, TestUser } from '../support/factories';
import { isolatedDatabase } from '../support/isolated-database';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Campaigns apply to every order created in their window, so this file runs
 * on a database of its own: nothing it starts reaches another file's orders.
 */
describe('campaigns', () => {
  let t: TestApp;
  let database: { url: string; drop(): Promise<void> };
  let admin: TestUser;
  let newUserCampaign: { id: string };

  beforeAll(async () => {
    database = await isolatedDatabase();
    t = await createTestApp({ DATABASE_URL: database.url, SANDBOX_ENABLED: 'true' });
    admin = await registerAdmin(t.http, t.db);
    const list = await t.http.get('/api/admin/campaigns').set(bearer(admin)).expect(200);
    newUserCampaign = list.body.find((c: { seeded: boolean }) => c.seeded);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  const past = () => new Date(Date.now() - 60_000).toISOString();
  const create = (body: Record<string, unknown>) => t.http.post('/api/admin/campaigns').set(bearer(admin)).send(body);
  const started = async (body: Record<string, unknown>) => (await create({ stacking: 'stackable', startsAt: past(), conditions: [], ...body }).expect(201)).body;
  const end = (id: string) => t.http.post(`/api/admin/campaigns/${id}/end`).set(bearer(admin)).expect(200);
  const order = async (user: TestUser, amountCny: string) =>
    (await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny, provider: 'sandbox', method: 'alipay' }).expect(201)).body;
  const pay = async (o: { orderNo: string; amountCny: string }) => {
    const notify = t.app.get(SandboxProvider).paidNotify({ orderNo: o.orderNo, amountCny: o.amountCny, method: 'alipay' });
    expect((await t.http.post('/api/payment/webhook/sandbox').type('form').send(notify).expect(200)).text).toBe('success');
  };
  const bonusRows = (user: TestUser) =>
    t.db.query(`SELECT amount, campaign_id, remark, related_id FROM recharge_records WHERE user_id = $1 AND type = 'promotion' ORDER BY campaign_id`, [user.id]);

  it('seeds the new-user bonus as an exclusive campaign limited to one bonus per user, its rules the promotion configuration', async () => {
    const seeded = (await t.http.get(`/api/admin/campaigns/${newUserCampaign.id}`).set(bearer(admin)).expect(200)).body;
    expect(seeded).toMatchObject({
      status: 'active',
      stacking: 'exclusive',
      perUserLimit: 1,
      budgetUsd: null,
      seeded: true,
      conditions: [
        { type: 'registered_within', hours: 72 },
        { type: 'min_amount', cny: '1.00' },
      ],
      action: { type: 'tiered_percent_bonus', tiers: [{ withinHours: 24, percent: 30 }, { withinHours: 36, percent: 20 }, { withinHours: 48, percent: 10 }, { withinHours: 72, percent: 5 }] },
    });
    const patch = await t.http.patch(`/api/admin/campaigns/${newUserCampaign.id}`).set(bearer(admin)).send({ name: 'x' }).expect(409);
    expect(patch.body.code).toBe('CAMPAIGN_NOT_EDITABLE');
  });

  it('refuses bad rules with every problem named', async () => {
    const bad = await create({
      name: 'bad',
      stacking: 'sometimes',
      startsAt: past(),
      conditions: [{ type: 'weekday' }, { type: 'min_amount', cny: '-5' }],
      action: { type: 'percent_bonus', percent: 150 },
    }).expect(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        'stacking must be one of: exclusive, stackable',
        expect.stringContaining('conditions[0].type must be one of min_amount, registered_within, registered_before, first_paid_order'),
        expect.stringContaining('min_amount.cny must be a non-negative decimal string'),
        'percent_bonus.percent must be a number greater than 0 and at most 100',
      ]),
    );
    const window = await create({ name: 'w', stacking: 'exclusive', startsAt: '2027-01-02T00:00:00Z', endsAt: '2027-01-01T00:00:00Z', conditions: [], action: { type: 'fixed_bonus', usd: '1' } }).expect(400);
    expect(window.body.code).toBe('CAMPAIGN_WINDOW_INVALID');
    await create({ name: 'u', stacking: 'exclusive', startsAt: past(), conditions: [], action: { type: 'cashback' } }).expect(400);
    await create({ name: 'z', stacking: 'exclusive', startsAt: past(), conditions: [], action: { type: 'percent_bonus', percent: 0 } }).expect(400);
    await t.http.post('/api/admin/campaigns').set(bearer(await registerUser(t.http))).send({}).expect(403);
  });

  it('edits a scheduled campaign only; pauses, resumes and ends it, an ended one staying ended; each change audited', async () => {
    const scheduled = (await create({ name: 'Holiday week', stacking: 'stackable', startsAt: '2030-02-01T00:00:00Z', endsAt: '2030-02-08T00:00:00Z', conditions: [], action: { type: 'percent_bonus', percent: 5 } }).expect(201)).body;
    expect(scheduled).toMatchObject({ status: 'scheduled', priority: 0, spentUsd: '0.00000000', orders: 0, users: 0, seeded: false });
    const edited = await t.http.patch(`/api/admin/campaigns/${scheduled.id}`).set(bearer(admin)).send({ priority: 5, budgetUsd: '100' }).expect(200);
    expect(edited.body).toMatchObject({ priority: 5, budgetUsd: '100.00000000', name: 'Holiday week' });
    const badEdit = await t.http.patch(`/api/admin/campaigns/${scheduled.id}`).set(bearer(admin)).send({ action: { type: 'percent_bonus', percent: 0 } }).expect(400);
    expect(badEdit.body.message).toEqual(['percent_bonus.percent must be a number greater than 0 and at most 100']);
    const badWindow = await t.http.patch(`/api/admin/campaigns/${scheduled.id}`).set(bearer(admin)).send({ endsAt: '2030-01-01T00:00:00Z' }).expect(400);
    expect(badWindow.body.code).toBe('CAMPAIGN_WINDOW_INVALID');
    expect((await t.http.post(`/api/admin/campaigns/${scheduled.id}/pause`).set(bearer(admin)).expect(200)).body.status).toBe('paused');
    expect((await t.http.post(`/api/admin/campaigns/${scheduled.id}/pause`).set(bearer(admin)).expect(409)).body.code).toBe('CAMPAIGN_TRANSITION_REFUSED');
    expect((await t.http.post(`/api/admin/campaigns/${scheduled.id}/resume`).set(bearer(admin)).expect(200)).body.status).toBe('scheduled');
    expect((await end(scheduled.id)).body.status).toBe('ended');
    await t.http.post(`/api/admin/campaigns/${scheduled.id}/end`).set(bearer(admin)).expect(409);
    await t.http.post(`/api/admin/campaigns/${scheduled.id}/resume`).set(bearer(admin)).expect(409);
    await t.http.patch(`/api/admin/campaigns/${scheduled.id}`).set(bearer(admin)).send({ priority: 1 }).expect(409);

    const active = await started({ name: 'Now', action: { type: 'fixed_bonus', usd: '1' } });
    expect(active.status).toBe('active');
    expect((await t.http.patch(`/api/admin/campaigns/${active.id}`).set(bearer(admin)).send({ priority: 1 }).expect(409)).body.code).toBe('CAMPAIGN_NOT_EDITABLE');
    await end(active.id);

    const audit = await t.db.query(`SELECT action FROM admin_audit_logs WHERE target_type = 'campaign' AND target_id = $1 ORDER BY id`, [scheduled.id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['campaign.create', 'campaign.update', 'campaign.pause', 'campaign.resume', 'campaign.end']);
    await t.http.get('/api/admin/campaigns/999999').set(bearer(admin)).expect(404);
  });

  it('previews and fixes the offers at creation, then grants each once at payment, each bonus row naming its campaign', async () => {
    const tenPercent = await started({ name: 'Recharge ¥100, get 10 % more', conditions: [{ type: 'min_amount', cny: '100' }], action: { type: 'percent_bonus', percent: 10, capUsd: '1' } });
    try {
      const user = await registerUser(t.http);
      const small = (await t.http.get('/api/payment/offers?amountCny=50').set(bearer(user)).expect(200)).body;
      expect(small).toEqual({ amountCny: '50.00', amountUsd: '6.94444444', bonusUsd: '2.08333333', campaigns: [{ id: newUserCampaign.id, name: 'New-user bonus', bonusUsd: '2.08333333' }] });
      const big = (await t.http.get('/api/payment/offers?amountCny=100').set(bearer(user)).expect(200)).body;
      expect(big).toEqual({
        amountCny: '100.00',
        amountUsd: '13.88888889',
        bonusUsd: '5.16666667',
        campaigns: [
          { id: newUserCampaign.id, name: 'New-user bonus', bonusUsd: '4.16666667' },
          { id: tenPercent.id, name: 'Recharge ¥100, get 10 % more', bonusUsd: '1.00000000' },
        ],
      });
      expect((await t.http.get('/api/payment/offers?amountCny=0.001').set(bearer(user)).expect(400)).body.code).toBe('VALIDATION_FAILED');

      const created = await order(user, '100.00');
      expect(created).toMatchObject({ promotionTier: 0, campaigns: big.campaigns });
      await pay(created);
      const paid = (await t.http.get(`/api/payment/orders/${created.orderNo}`).set(bearer(user)).expect(200)).body;
      expect(paid).toMatchObject({ status: 'paid', bonusUsd: '5.16666667', totalUsd: '19.05555556' });
      expect(await bonusRows(user)).toEqual([
        { amount: '4.16666667', campaign_id: newUserCampaign.id, remark: 'new-user bonus, tier 0 (30%)', related_id: created.orderNo },
        { amount: '1.00000000', campaign_id: tenPercent.id, remark: 'Recharge ¥100, get 10 % more', related_id: created.orderNo },
      ].sort((a, b) => Number(a.campaign_id) - Number(b.campaign_id)));
      const ledger = (await t.http.get('/api/users/recharge-records?type=promotion').set(bearer(user)).expect(200)).body.items;
      expect(ledger.map((r: { campaignId: string }) => r.campaignId).sort()).toEqual([newUserCampaign.id, tenPercent.id].sort());
      const stats = (await t.http.get(`/api/admin/campaigns/${tenPercent.id}`).set(bearer(admin)).expect(200)).body;
      expect(stats).toMatchObject({ spentUsd: '1.00000000', orders: 1, users: 1 });

      // The new-user bonus is spent: the next order gets only the 10 %.
      expect((await t.http.get('/api/payment/offers?amountCny=100').set(bearer(user)).expect(200)).body.campaigns.map((c: { id: string }) => c.id)).toEqual([tenPercent.id]);
    } finally {
      await end(tenPercent.id);
    }
  });

  it('gives the largest exclusive bonus, priority breaking a tie; keeps what an order was offered when the campaign is paused before payment', async () => {
    await t.http.post(`/api/admin/campaigns/${newUserCampaign.id}/pause`).set(bearer(admin)).expect(200);
    const small = await started({ name: 'small', stacking: 'exclusive', priority: 9, action: { type: 'fixed_bonus', usd: '1' } });
    const large = await started({ name: 'large', stacking: 'exclusive', action: { type: 'fixed_bonus', usd: '2' } });
    const tie = await started({ name: 'tie', stacking: 'exclusive', priority: 1, action: { type: 'fixed_bonus', usd: '2' } });
    try {
      const user = await registerUser(t.http);
      // The new-user bonus is paused: its countdown is not shown to a brand-new user either.
      expect((await t.http.get('/api/users/promotion/status').set(bearer(user)).expect(200)).body).toMatchObject({ enabled: false, currentTier: null });
      expect((await t.http.get('/api/payment/config').set(bearer(user)).expect(200)).body.promotion).toBeNull();
      const created = await order(user, '20.00');
      expect(created.campaigns).toEqual([{ id: tie.id, name: 'tie', bonusUsd: '2.00000000' }]);
      expect(created.promotionTier).toBeNull();
      await t.http.post(`/api/admin/campaigns/${tie.id}/pause`).set(bearer(admin)).expect(200);
      await pay(created);
      expect(await bonusRows(user)).toEqual([{ amount: '2.00000000', campaign_id: tie.id, remark: 'tie', related_id: created.orderNo }]);
    } finally {
      await Promise.all([small, large, tie].map((c) => end(c.id)));
      await t.http.post(`/api/admin/campaigns/${newUserCampaign.id}/resume`).set(bearer(admin)).expect(200);
    }
  });

  it('never pays more than the budget, however many payments land at once: the last bonus is cut to what is left', async () => {
    await t.http.post(`/api/admin/campaigns/${newUserCampaign.id}/pause`).set(bearer(admin)).expect(200);
    const budgeted = await started({ name: 'first ¥2.50', budgetUsd: '2.5', action: { type: 'fixed_bonus', usd: '1' } });
    try {
      const users = await Promise.all(Array.from({ length: 8 }, () => registerUser(t.http)));
      const orders = await Promise.all(users.map((user) => order(user, '20.00')));
      for (const o of orders) expect(o.campaigns).toEqual([{ id: budgeted.id, name: 'first ¥2.50', bonusUsd: '1.00000000' }]);
      await Promise.all(orders.map(pay));
      const [granted] = await t.db.query(`SELECT COUNT(*)::int AS n, SUM(bonus_usd)::text AS total FROM campaign_grants WHERE campaign_id = $1`, [budgeted.id]);
      expect(granted).toEqual({ n: 3, total: '2.50000000' });
      const rows = await t.db.query(`SELECT amount FROM recharge_records WHERE campaign_id = $1 ORDER BY amount`, [budgeted.id]);
      expect(rows.map((r: { amount: string }) => r.amount)).toEqual(['0.50000000', '1.00000000', '1.00000000']);
      const bonuses = await t.db.query(`SELECT bonus_usd FROM payment_orders WHERE order_no = ANY($1)`, [orders.map((o) => o.orderNo)]);
      expect(bonuses.reduce((sum: Decimal, r: { bonus_usd: string }) => sum.plus(r.bonus_usd), new Decimal(0)).toFixed(8)).toBe('2.50000000');
      const after = (await t.http.get(`/api/admin/campaigns/${budgeted.id}`).set(bearer(admin)).expect(200)).body;
      expect(after).toMatchObject({ budgetUsd: '2.50000000', spentUsd: '2.50000000', orders: 3, users: 3 });
      // Spent: no longer offered.
      expect((await order(await registerUser(t.http), '20.00')).campaigns).toEqual([]);
    } finally {
      await end(budgeted.id);
      await t.http.post(`/api/admin/campaigns/${newUserCampaign.id}/resume`).set(bearer(admin)).expect(200);
    }
  });

  it('grants a per-user limit once, even to two orders offered it and paid at the same moment', async () => {
    await t.http.post(`/api/admin/campaigns/${newUserCampaign.id}/pause`).set(bearer(admin)).expect(200);
    const once = await started({ name: 'once each', perUserLimit: 1, conditions: [{ type: 'first_paid_order' }], action: { type: 'fixed_bonus', usd: '3' } });
    try {
      const user = await registerUser(t.http);
      const both = [await order(user, '20.00'), await order(user, '30.00')];
      for (const o of both) expect(o.campaigns.map((c: { id: string }) => c.id)).toEqual([once.id]);
      await Promise.all(both.map(pay));
      expect((await bonusRows(user)).map((r: { amount: string }) => r.amount)).toEqual(['3.00000000']);
      // Paid once now: first_paid_order no longer holds, and the limit is reached.
      expect((await t.http.get('/api/payment/offers?amountCny=20').set(bearer(user)).expect(200)).body.campaigns).toEqual([]);
    } finally {
      await end(once.id);
      await t.http.post(`/api/admin/campaigns/${newUserCampaign.id}/resume`).set(bearer(admin)).expect(200);
    }
  });

  it('leaves the ledger audit clean, budgets and per-user limits included', async () => {
    expect(await auditLedger(t.db)).toEqual([]);
  });
});
