import { EVENT_TYPES, EventEnvelope } from '../../src/events/event-catalog';
import { OutboxRepository } from '../../src/events/outbox.repository';
import { LedgerService } from '../../src/ledger/ledger.service';
import { LedgerType } from '../../src/ledger/recharge-record.entity';
import { OrderMaintenanceService } from '../../src/payments/order-maintenance.service';
import { verifySignature } from '../../src/events/webhooks/webhook-signature';
import { EventReceiver, schemaProblems } from '../support/event-receiver';
import { TestUser, bearer, paySandboxOrder, registerAdmin, registerUser } from '../support/factories';
import { TestApp, createTestApp } from '../support/test-app';

describe('events out (outbox, webhooks)', () => {
  let t: TestApp;
  let admin: TestUser;
  let outbox: OutboxRepository;
  let apiKey: string;
  const receiver = new EventReceiver();
  const endpointIds: string[] = [];

  beforeAll(async () => {
    await receiver.start();
    t = await createTestApp({ SANDBOX_ENABLED: 'true', PUBLIC_BASE_URL: 'http://localhost:3000' });
    admin = await registerAdmin(t.http, t.db);
    outbox = t.app.get(OutboxRepository);
    apiKey = (await t.http.post('/api/admin/api-keys').set(bearer(admin)).send({ name: 'events', scopes: ['charges:write', 'balances:read'] }).expect(201)).body.key;
  });
  afterAll(async () => {
    // The database outlives this file: other files' apps must not keep delivering to a receiver that is gone.
    for (const id of endpointIds) await t.http.delete(`/api/admin/webhook-endpoints/${id}`).set(bearer(admin));
    await t?.close();
    await receiver.stop();
  });

  const asAdmin = <T extends { set(h: Record<string, string>): T }>(req: T) => req.set(bearer(admin));
  const service = (path: string, body: object, key = `k-${Math.random()}`) =>
    t.http.post(`/api/v1${path}`).set({ Authorization: `Bearer ${apiKey}` }).set('Idempotency-Key', key).send(body);

  const paidSandboxOrder = (user: TestUser, amountCny = '20.00') => paySandboxOrder(t.http, user, amountCny);

  async function eventsOf(user: { id: string }): Promise<EventEnvelope[]> {
    return outbox.ofUser(user.id);
  }

  /** A user's events are numbered 1..n, each matches its published schema, and balance.changed follows the ledger row for row. */
  async function expectConsistent(user: { id: string }): Promise<EventEnvelope[]> {
    const events = await eventsOf(user);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(events.flatMap(schemaProblems)).toEqual([]);
    const ledger = await t.db.query(
      `SELECT r.id::text AS id, r.type, r.amount::text, r.balance_before::text, r.balance_after::text, r.related_id
         FROM recharge_records r WHERE r.user_id = $1 ORDER BY r.id`,
      [user.id],
    );
    expect(events.filter((e) => e.type === 'balance.changed').map((e) => e.data)).toEqual(
      ledger.map((r: Record<string, string>) => ({
        entryId: r.id,
        type: r.type,
        amount: r.amount,
        balanceBefore: r.balance_before,
        balanceAfter: r.balance_after,
        relatedId: r.related_id,
      })),
    );
    return events;
  }

  it('writes every money move of the acceptance path as events, in each user order, matching the ledger', async () => {
    const inviter = await registerUser(t.http);
    const code = (await t.http.get('/api/users/referral/info').set(bearer(inviter)).expect(200)).body.code;
    const user = await registerUser(t.http, { inviteCode: code });

    const orderNo = await paidSandboxOrder(user, '20.00');
    const cancelled = (await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '10.00', provider: 'sandbox', method: 'alipay' }).expect(201)).body;
    await t.http.post(`/api/payment/orders/${cancelled.orderNo}/cancel`).set(bearer(user)).expect(200);
    const expiring = (await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '10.00', provider: 'sandbox', method: 'alipay' }).expect(201)).body;
    await t.db.query(`UPDATE payment_orders SET expire_at = NOW() - interval '1 minute' WHERE order_no = $1`, [expiring.orderNo]);
    await t.app.get(OrderMaintenanceService).expireDue();

    const batch = (await asAdmin(t.http.post('/api/admin/redeem-codes')).send({ amountUsd: '2.00', count: 1, note: 'events' }).expect(201)).body;
    await t.http.post('/api/users/redeem').set(bearer(user)).send({ code: batch.codes[0] }).expect(200);

    const charge = (await service('/charges', { userId: user.id, amountUsd: '1.25', description: 'GPU minutes', metadata: { job: 'j-1' } }).expect(201)).body;
    await service(`/charges/${charge.id}/refunds`, { amountUsd: '0.25' }).expect(201);
    const hold = (await service('/holds', { userId: user.id, amountUsd: '1.00', description: 'session' }).expect(201)).body;
    await service(`/holds/${hold.id}/capture`, { amountUsd: '0.40' }).expect(201);
    const released = (await service('/holds', { userId: user.id, amountUsd: '0.50', description: 'second session' }).expect(201)).body;
    await service(`/holds/${released.id}/release`, {}).expect(200);

    await asAdmin(t.http.post(`/api/admin/payment/orders/${orderNo}/refund`)).send({ remark: 'customer asked', force: true }).expect(200);

    const events = await expectConsistent(user);
    expect(events.map((e) => e.type)).toEqual([
      'order.created',
      'order.paid',
      'balance.changed',
      'balance.changed',
      'promotion.granted',
      'order.created',
      'order.cancelled',
      'order.created',
      'order.expired',
      'balance.changed',
      'redeem.redeemed',
      'balance.changed',
      'charge.created',
      'balance.changed',
      'charge.refunded',
      'hold.created',
      'balance.changed',
      'charge.created',
      'hold.captured',
      'hold.created',
      'hold.released',
      'order.refunding',
      'balance.changed',
      'order.refunded',
    ]);
    const byType = (type: string) => events.filter((e) => e.type === type);
    expect(byType('order.paid')[0].data).toMatchObject({ orderNo, status: 'paid', provider: 'sandbox', amountCny: '20.00', paidAt: expect.any(String) });
    expect(byType('promotion.granted')[0].data).toMatchObject({ orderNo, tier: 0, percent: 30 });
    expect(byType('order.cancelled')[0].data).toMatchObject({ orderNo: cancelled.orderNo, status: 'cancelled' });
    expect(byType('order.expired')[0].data).toMatchObject({ orderNo: expiring.orderNo, status: 'expired' });
    expect(byType('redeem.redeemed')[0].data).toMatchObject({ batchId: batch.batchId, amountUsd: '2.00000000', codeLast4: batch.codes[0].slice(-4) });
    expect(byType('charge.created')[0].data).toMatchObject({ chargeId: charge.id, amountUsd: '1.25000000', metadata: { job: 'j-1' }, holdId: null });
    expect(byType('charge.refunded')[0].data).toMatchObject({ chargeId: charge.id, amountUsd: '0.25000000', refundedUsd: '0.25000000' });
    expect(byType('charge.created')[1].data).toMatchObject({ holdId: hold.id, amountUsd: '0.40000000' });
    expect(byType('hold.captured')[0].data).toMatchObject({ holdId: hold.id, capturedUsd: '0.40000000', chargeId: byType('charge.created')[1].data.chargeId });
    expect(byType('hold.released')[0].data).toMatchObject({ holdId: released.id, reason: 'released' });
    expect(byType('order.refunded')[0].data).toMatchObject({ orderNo, status: 'refunded' });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.every((e) => e.userId === user.id)).toBe(true);

    const inviterEvents = await expectConsistent(inviter);
    expect(inviterEvents.map((e) => e.type)).toEqual(['balance.changed', 'referral.rewarded', 'balance.changed', 'referral.reversed']);
    expect(inviterEvents[1].data).toEqual({ inviteeId: user.id, rewardUsd: '10.00000000' });
    expect(inviterEvents[3].data).toEqual({ inviteeId: user.id, orderNo, takenUsd: '10.00000000', shortfallUsd: '0.00000000' });
  });

  it('writes nothing for a move that was refused or rolled back, and leaves no gap in the sequence', async () => {
    const user = await registerUser(t.http);
    await paidSandboxOrder(user, '10.00');
    const before = await eventsOf(user);

    await service('/charges', { userId: user.id, amountUsd: '1000.00', description: 'too much' }).expect(402);
    await service('/holds', { userId: user.id, amountUsd: '1000.00', description: 'too much' }).expect(402);
    const ledger = t.app.get(LedgerService);
    await expect(
      t.db.transaction(async (em) => {
        await ledger.credit(em, { userId: user.id, amount: '5.00', type: LedgerType.Admin, operator: 'test' });
        throw new Error('the business change failed after the credit');
      }),
    ).rejects.toThrow('the business change failed');
    expect(await eventsOf(user)).toEqual(before);

    await service('/charges', { userId: user.id, amountUsd: '0.10', description: 'after' }).expect(201);
    const after = await expectConsistent(user);
    expect(after.slice(before.length).map((e) => [e.type, e.sequence])).toEqual([
      ['balance.changed', before.length + 1],
      ['charge.created', before.length + 2],
    ]);
  });

  describe('webhook endpoints', () => {
    let endpoint: { id: string; secret: string };

    beforeAll(async () => {
      const created = await asAdmin(t.http.post('/api/admin/webhook-endpoints'))
        .send({ url: receiver.url, eventTypes: ['order.paid', 'balance.changed'], description: 'shop' })
        .expect(201);
      endpoint = created.body;
      endpointIds.push(endpoint.id);
      receiver.secret = endpoint.secret;
    });

    it('shows the signing secret once, audited, and never again', async () => {
      expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const list = (await asAdmin(t.http.get('/api/admin/webhook-endpoints')).expect(200)).body;
      const listed = list.find((e: { id: string }) => e.id === endpoint.id);
      expect(listed).toMatchObject({ url: receiver.url, eventTypes: ['order.paid', 'balance.changed'], enabled: true, createdBy: admin.email });
      expect(JSON.stringify(list)).not.toContain(endpoint.secret);
      expect(JSON.stringify((await asAdmin(t.http.get(`/api/admin/webhook-endpoints/${endpoint.id}`)).expect(200)).body)).not.toContain('whsec_');
      const audit = (await asAdmin(t.http.get(`/api/admin/audit-logs?targetType=webhook_endpoint&targetId=${endpoint.id}`)).expect(200)).body;
      expect(audit.items.map((i: { action: string }) => i.action)).toEqual(['webhook_endpoint.create']);
      expect(JSON.stringify(audit)).not.toContain(endpoint.secret);
    });

    it('delivers the wanted events signed, retries an endpoint that answered 500, and marks it delivered once it answers 200', async () => {
      receiver.respond = (event, nth) => (event.type === 'order.paid' && nth === 1 ? 500 : 200);
      const user = await registerUser(t.http);
      const orderNo = await paidSandboxOrder(user, '10.00');

      await receiver.waitFor(() => receiver.of(user.id).some((d) => d.event.type === 'order.paid' && d.answeredWith === 200));
      const received = receiver.of(user.id);
      expect(received.every((d) => d.verified)).toBe(true);
      expect(received.every((d) => d.eventId === d.event.id && d.signature.startsWith('t='))).toBe(true);
      expect(new Set(received.map((d) => d.event.type))).toEqual(new Set(['order.paid', 'balance.changed']));
      const paid = received.filter((d) => d.event.type === 'order.paid');
      expect(paid.map((d) => d.answeredWith)).toEqual([500, 200]);
      expect(paid[0].body).toBe(paid[1].body);
      expect(paid[0].event.data).toMatchObject({ orderNo, status: 'paid' });

      const deliveries = (await asAdmin(t.http.get(`/api/admin/webhook-endpoints/${endpoint.id}/deliveries?userId=${user.id}&eventType=order.paid`)).expect(200)).body;
      expect(deliveries.total).toBe(1);
      const [delivery] = deliveries.items;
      expect(delivery).toMatchObject({ eventId: paid[0].event.id, userId: user.id, status: 'delivered', attempts: 2, lastStatusCode: 200, lastError: null, eventType: 'order.paid', nextAttemptAt: null });
      const byEvent = (await asAdmin(t.http.get(`/api/admin/webhook-endpoints/${endpoint.id}/deliveries?eventId=${delivery.eventId}`)).expect(200)).body;
      expect(byEvent.items.map((d: { id: string }) => d.id)).toEqual([delivery.id]);
      const badFilters = await asAdmin(t.http.get(`/api/admin/webhook-endpoints/${endpoint.id}/deliveries?eventType=order.lost&eventId=nope&userId=x`)).expect(400);
      expect(badFilters.body.message).toEqual(expect.arrayContaining(['userId must be a positive integer id', 'eventId must be a UUID']));

      // An admin sends it again: the same event, the same id.
      await asAdmin(t.http.post(`/api/admin/webhook-endpoints/${endpoint.id}/deliveries/${delivery.id}/resend`)).expect(200);
      await receiver.waitFor(() => receiver.of(user.id).filter((d) => d.event.type === 'order.paid').length === 3);
      expect(new Set(receiver.of(user.id).filter((d) => d.event.type === 'order.paid').map((d) => d.event.id)).size).toBe(1);
    });

    it('rotates the secret: the old one keeps signing for the hours asked (a second v1), or stops at once', async () => {
      const old = endpoint.secret;
      const rotated = (await asAdmin(t.http.post(`/api/admin/webhook-endpoints/${endpoint.id}/rotate-secret`)).send({ keepPreviousHours: 2 }).expect(200)).body;
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(old);
      expect(Date.parse(rotated.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(119 * 60_000);
      receiver.secret = old; // a receiver that has not switched yet
      const first = await registerUser(t.http);
      await paidSandboxOrder(first, '10.00');
      await receiver.waitFor(() => receiver.of(first.id).length >= 2);
      const overlapping = receiver.of(first.id);
      expect(overlapping.every((d) => d.verified && (d.signature.match(/v1=/g) ?? []).length === 2)).toBe(true);
      expect(overlapping.every((d) => verifySignature(rotated.secret, d.body, d.signature))).toBe(true);

      const now = (await asAdmin(t.http.post(`/api/admin/webhook-endpoints/${endpoint.id}/rotate-secret`)).send({ keepPreviousHours: 0 }).expect(200)).body;
      expect(now.previousSecretExpiresAt).toBeNull();
      await asAdmin(t.http.post(`/api/admin/webhook-endpoints/${endpoint.id}/rotate-secret`)).send({ keepPreviousHours: 73 }).expect(400);
      const second = await registerUser(t.http);
      await paidSandboxOrder(second, '10.00');
      await receiver.waitFor(() => receiver.of(second.id).length >= 2);
      expect(receiver.of(second.id).some((d) => d.verified)).toBe(false);
      expect(receiver.of(second.id).every((d) => verifySignature(now.secret, d.body, d.signature))).toBe(true);
      endpoint.secret = now.secret;
      receiver.secret = now.secret;
      const audit = (await asAdmin(t.http.get(`/api/admin/audit-logs?targetType=webhook_endpoint&targetId=${endpoint.id}&action=webhook_endpoint.rotate_secret`)).expect(200)).body;
      expect(audit.items.map((i: { after: object }) => i.after)).toEqual([{ keepPreviousHours: 0 }, { keepPreviousHours: 2 }]);
      expect(JSON.stringify(audit)).not.toContain('whsec_');
    });

    it('sends nothing to a disabled endpoint, and refuses unknown types and bad URLs with the reason', async () => {
      const off = (await asAdmin(t.http.post('/api/admin/webhook-endpoints')).send({ url: `${receiver.url}?off`, eventTypes: ['*'], enabled: false }).expect(201)).body;
      endpointIds.push(off.id);
      const user = await registerUser(t.http);
      await paidSandboxOrder(user, '10.00');
      await receiver.waitFor(() => receiver.of(user.id).length >= 2);
      const [routed] = await t.db.query(`SELECT COUNT(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1`, [off.id]);
      expect(routed.n).toBe(0);
      // A delivery of a disabled endpoint is not resent: it would wait, unseen, until the endpoint is enabled.
      const [delivered] = (await asAdmin(t.http.get(`/api/admin/webhook-endpoints/${endpoint.id}/deliveries?userId=${user.id}`)).expect(200)).body.items;
      await asAdmin(t.http.patch(`/api/admin/webhook-endpoints/${endpoint.id}`)).send({ enabled: false }).expect(200);
      const refused = await asAdmin(t.http.post(`/api/admin/webhook-endpoints/${endpoint.id}/deliveries/${delivered.id}/resend`)).expect(409);
      expect(refused.body).toMatchObject({ code: 'WEBHOOK_ENDPOINT_DISABLED' });
      await asAdmin(t.http.patch(`/api/admin/webhook-endpoints/${endpoint.id}`)).send({ enabled: true }).expect(200);

      const unknown = await asAdmin(t.http.post('/api/admin/webhook-endpoints')).send({ url: receiver.url, eventTypes: ['order.lost'] }).expect(400);
      expect(unknown.body).toMatchObject({ code: 'WEBHOOK_UNKNOWN_EVENT_TYPE', message: expect.stringContaining('order.lost') });
      const ftp = await asAdmin(t.http.post('/api/admin/webhook-endpoints')).send({ url: 'ftp://files.example/x', eventTypes: ['*'] }).expect(400);
      expect(ftp.body).toMatchObject({ code: 'WEBHOOK_ENDPOINT_URL_REFUSED', message: 'url must be http or https', details: { reason: 'scheme' } });
      await asAdmin(t.http.patch(`/api/admin/webhook-endpoints/${endpoint.id}`)).send({ eventTypes: [] }).expect(400);
      await asAdmin(t.http.get('/api/admin/webhook-endpoints/999999999')).expect(404);
    });
  });

  it('deletes delivered events after the retention period, and keeps the undelivered and those a webhook still retries', async () => {
    const user = await registerUser(t.http);
    await paidSandboxOrder(user, '10.00');
    // The dispatcher routes them first (without a broker, that is their whole delivery).
    for (let tries = 0; ; tries++) {
      const [{ waiting }] = await t.db.query(`SELECT COUNT(*)::int AS waiting FROM outbox_events WHERE user_id = $1 AND routed_at IS NULL`, [user.id]);
      if (waiting === 0) break;
      if (tries > 200) throw new Error(`${waiting} events never routed`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const events = await eventsOf(user);
    const [oldDelivered, oldUnpublished, oldRetrying, recent] = events;
    await t.db.query(`UPDATE outbox_events SET occurred_at = NOW() - interval '31 days' WHERE id = ANY($1::uuid[])`, [[oldDelivered.id, oldUnpublished.id, oldRetrying.id]]);
    await t.db.query(`UPDATE outbox_events SET published_at = NULL WHERE id = $1`, [oldUnpublished.id]);
    const endpoint = (await asAdmin(t.http.post('/api/admin/webhook-endpoints')).send({ url: `${receiver.url}?retention`, eventTypes: ['*'], enabled: false }).expect(201)).body;
    endpointIds.push(endpoint.id);
    await t.db.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_position, give_up_at) SELECT $1, position, NOW() + interval '1 day' FROM outbox_events WHERE id = $2`,
      [endpoint.id, oldRetrying.id],
    );

    // With a broker configured, an event it has not confirmed is kept; without one, published_at is set when routed.
    expect(await outbox.prune(30, true, 10_000)).toBeGreaterThanOrEqual(1);
    const left = (await eventsOf(user)).map((e) => e.id);
    expect(left).not.toContain(oldDelivered.id);
    expect(left).toEqual(expect.arrayContaining([oldUnpublished.id, oldRetrying.id, recent.id]));
  });

  it('publishes the schemas as an AsyncAPI 3 document, and readiness reports the outbox', async () => {
    const doc = (await t.http.get('/api/docs/events.json').expect(200)).body;
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.values(doc.channels).map((c) => (c as { address: string }).address)).toEqual([...EVENT_TYPES]);
    for (const message of Object.values(doc.components.messages) as { examples: { payload: object }[] }[]) {
      expect(schemaProblems(message.examples[0].payload)).toEqual([]);
    }
    const ready = (await t.http.get('/api/health/ready').expect(200)).body;
    expect(ready.info.events).toEqual({ status: 'up' });
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^outbox_delivered_total\{sink="webhooks"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^outbox_lag_seconds\{sink="webhooks"\} [\d.e-]+$/m);
  });
});
