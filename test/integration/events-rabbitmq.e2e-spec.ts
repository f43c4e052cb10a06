import { EventEnvelope } from '../../src/events/event-catalog';
import { OutboxRepository } from '../../src/events/outbox.repository';
import { EventReceiver, schemaProblems } from '../support/event-receiver';
import { TestUser, bearer, paySandboxOrder, registerUser } from '../support/factories';
import { MessageCollector, RabbitMqServer, collectMessages, startRabbitMqServer } from '../support/rabbitmq-server';
import { TestApp, createTestApp } from '../support/test-app';

const EXCHANGE = `recharge.events.test-${process.pid}`;

describe('events on RabbitMQ', () => {
  let broker: RabbitMqServer | null;
  let t: TestApp;
  let collector: MessageCollector;

  beforeAll(async () => {
    broker = await startRabbitMqServer();
    if (!broker) return;
    // The consumer's queue is bound before any event is published, as an integrator's would be.
    collector = await collectMessages(broker.url, EXCHANGE, 'order.*');
    t = await createTestApp({ SANDBOX_ENABLED: 'true', PUBLIC_BASE_URL: 'http://localhost:3000', AMQP_URL: broker.url, EVENTS_EXCHANGE: EXCHANGE, RECHARGE__EVENTS__LAG_ALERT_SECONDS: '2' });
  }, 90_000);
  afterAll(async () => {
    await collector?.close();
    await t?.close();
    await broker?.destroy();
  }, 60_000);

  const paidSandboxOrder = (user: TestUser) => paySandboxOrder(t.http, user, '15.00');

  it('publishes each event persistent on the topic exchange, routed by its type, with its id as the message id', async () => {
    if (!broker) return;
    const user = await registerUser(t.http);
    const orderNo = await paidSandboxOrder(user);
    const messages = await collector.waitFor((all) => all.some((m) => (m.body as EventEnvelope).data?.orderNo === orderNo && m.routingKey === 'order.paid'));
    const mine = messages.filter((m) => (m.body as EventEnvelope).userId === user.id);
    // Bound to order.*: balance.changed and promotion.granted went to other queues, if any.
    expect(mine.map((m) => m.routingKey)).toEqual(['order.created', 'order.paid']);
    const stored = await t.app.get(OutboxRepository).ofUser(user.id);
    for (const message of mine) {
      const event = message.body as EventEnvelope;
      expect(message).toMatchObject({ persistent: true, contentType: 'application/json', messageId: event.id, routingKey: event.type });
      expect(schemaProblems(event)).toEqual([]);
      expect(stored.find((e) => e.id === event.id)).toEqual(event);
    }
    // order.paid has arrived; the payment's later events (its ledger rows, a bonus) may be in the next batch, marked once the broker confirms it.
    const unpublished = async () =>
      (await t.db.query(`SELECT COUNT(*)::int AS n FROM outbox_events WHERE user_id = $1 AND published_at IS NULL`, [user.id]))[0].n as number;
    const deadline = Date.now() + 10_000;
    while ((await unpublished()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await unpublished()).toBe(0);
  });

  it('keeps events while the broker is away and publishes them when it returns; webhooks do not wait for it', async () => {
    if (!broker) return;
    const receiver = await new EventReceiver().start();
    const admin = await registerUser(t.http);
    await t.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
    const endpoint = (await t.http.post('/api/admin/webhook-endpoints').set(bearer(admin)).send({ url: receiver.url, eventTypes: ['order.paid'] }).expect(201)).body;
    receiver.secret = endpoint.secret;
    try {
      await broker.stop();
      const user = await registerUser(t.http);
      const orderNo = await paidSandboxOrder(user);
      await receiver.waitFor(() => receiver.of(user.id).length === 1);
      expect(receiver.of(user.id)[0]).toMatchObject({ verified: true, event: { type: 'order.paid', data: { orderNo } } });
      // Readiness alerts once an event has waited longer than events.lag_alert_seconds (2 s here; the lag is measured every 5 s).
      const readiness = async () => (await t.http.get('/api/health/ready').expect(200)).body;
      const deadline = Date.now() + 20_000;
      while ((await readiness()).status !== 'degraded' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(await readiness()).toMatchObject({ status: 'degraded', info: { database: { status: 'up' }, events: { status: 'degraded' } } });
      const [{ waiting }] = await t.db.query(`SELECT COUNT(*)::int AS waiting FROM outbox_events WHERE user_id = $1 AND published_at IS NULL`, [user.id]);
      expect(waiting).toBeGreaterThanOrEqual(2);

      await broker.start();
      const messages = await collector.waitFor((all) => all.some((m) => (m.body as EventEnvelope).data?.orderNo === orderNo && m.routingKey === 'order.paid'), 60_000);
      const ids = new Set(messages.filter((m) => (m.body as EventEnvelope).userId === user.id).map((m) => m.messageId));
      const stored = (await t.app.get(OutboxRepository).ofUser(user.id)).filter((e) => e.type.startsWith('order.')).map((e) => e.id);
      expect([...ids].sort()).toEqual([...stored].sort());
      const recovered = Date.now() + 20_000;
      while ((await readiness()).status !== 'ok' && Date.now() < recovered) await new Promise((r) => setTimeout(r, 250));
      expect((await readiness()).info.events).toEqual({ status: 'up' });
    } finally {
      await t.http.delete(`/api/admin/webhook-endpoints/${endpoint.id}`).set(bearer(admin));
      await receiver.stop();
    }
  }, 120_000);
});
