import { Pool } from 'pg';
import { EventEnvelope } from '../../src/events/event-catalog';
import { AppProcess, startAppProcess } from '../support/app-process';
import { EventReceiver } from '../support/event-receiver';
import { FakeZpay } from '../support/fake-gateways';
import { MessageCollector, RabbitMqServer, collectMessages, startRabbitMqServer } from '../support/rabbitmq-server';
import { appEnv, checkMoney, createOrders, deliverUntilTaken, Order, report, sleep } from './support/harness';

const databaseUrl = () => process.env.DATABASE_URL!;

/** What the sinks got of a set of events, by event id. */
interface SinkCheck {
  events: number;
  /** Events a sink never got. */
  lostOnBroker: number;
  lostOnWebhooks: number;
  /** Extra copies (same id again): allowed after a fault, none in the normal case. */
  duplicatesOnBroker: number;
  duplicatesOnWebhooks: number;
  /** Messages whose event is not in the outbox: published for a transaction that did not commit. */
  phantoms: number;
  /** Deliveries whose signature did not verify. */
  unsigned: number;
  /** A user's events out of their sequence on the broker, once sorted by it (a gap or a repeat). */
  sequenceBreaks: number;
}

describe('events out under faults: RabbitMQ away, the app killed, two instances', () => {
  let zpay: FakeZpay;
  let broker: RabbitMqServer;
  let collector: MessageCollector;
  let db: Pool;
  const receiver = new EventReceiver();
  let apps: AppProcess[] = [];
  let endpointId = '';

  const env = () =>
    appEnv(databaseUrl(), zpay, {
      AMQP_URL: broker.url,
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      RECHARGE__EVENTS__POLL_MS: '50',
      RECHARGE__WEBHOOKS__RETRY_BASE_SECONDS: '1',
      RECHARGE__WEBHOOKS__MAX_BACKOFF_MINUTES: '1',
    });

  beforeAll(async () => {
    zpay = await new FakeZpay().start();
    const started = await startRabbitMqServer();
    if (!started) throw new Error('rabbitmq-server is not installed: the events scenarios need a real broker (.ci/run installs it)');
    broker = started;
    collector = await collectMessages(broker.url, 'recharge.events');
    await receiver.start();
    db = new Pool({ connectionString: databaseUrl(), max: 2 });
    apps = [await startAppProcess(env()), await startAppProcess(env())];

    // An integrator's endpoint for every event type, registered by an admin through the API.
    const registered = await fetch(`${apps[0].baseUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `events-admin-${Date.now()}@example.test`, username: `events_admin_${Date.now()}`, password: 'correct horse battery' }),
    }).then((r) => r.json());
    await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [registered.user.id]);
    const endpoint = await fetch(`${apps[0].baseUrl}/api/admin/webhook-endpoints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registered.accessToken}` },
      body: JSON.stringify({ url: receiver.url, eventTypes: ['*'] }),
    }).then((r) => r.json());
    endpointId = endpoint.id;
    receiver.secret = endpoint.secret;
  }, 120_000);
  afterAll(async () => {
    await db?.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [endpointId || null]);
    for (const app of apps) await app.stop();
    await collector?.close();
    await broker?.destroy();
    await receiver.stop();
    await zpay?.stop();
    await db?.end();
  }, 120_000);

  /** The events of these users, from the outbox (what committed). */
  async function committedEvents(userIds: string[]): Promise<EventEnvelope[]> {
    const { rows } = await db.query(`SELECT id::text, type, user_id::text, sequence::int FROM outbox_events WHERE user_id = ANY($1::bigint[])`, [userIds]);
    return rows.map((r) => ({ id: r.id, type: r.type, userId: r.user_id, sequence: r.sequence, occurredAt: '', data: {} }));
  }

  /** Waits until neither sink has anything of these users left to take. */
  async function drained(userIds: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await db.query(
        `SELECT (SELECT COUNT(*) FROM outbox_events WHERE user_id = ANY($1::bigint[]) AND (published_at IS NULL OR routed_at IS NULL))::int AS events,
                (SELECT COUNT(*) FROM webhook_deliveries d JOIN outbox_events o ON o.position = d.event_position
                  WHERE o.user_id = ANY($1::bigint[]) AND d.status = 'pending')::int AS deliveries`,
        [userIds],
      );
      if (rows[0].events === 0 && rows[0].deliveries === 0) return;
      if (Date.now() > deadline) throw new Error(`not drained: ${JSON.stringify(rows[0])}`);
      await sleep(100);
    }
  }

  async function checkSinks(userIds: string[]): Promise<SinkCheck> {
    const committed = await committedEvents(userIds);
    const ids = new Set(committed.map((e) => e.id));
    const users = new Set(userIds);
    const onBroker = collector.messages.filter((m) => users.has((m.body as EventEnvelope).userId));
    const onWebhooks = receiver.received.filter((d) => users.has(d.event.userId) && d.answeredWith === 200);
    const count = (list: string[]) => list.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());
    const brokerCounts = count(onBroker.map((m) => m.messageId!));
    const webhookCounts = count(onWebhooks.map((d) => d.eventId));
    const extra = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    let sequenceBreaks = 0;
    for (const userId of userIds) {
      const sequences = [...new Set(onBroker.filter((m) => (m.body as EventEnvelope).userId === userId).map((m) => (m.body as EventEnvelope).sequence))].sort((a, b) => a - b);
      sequenceBreaks += sequences.filter((s, i) => s !== sequences[0] + i).length;
    }
    return {
      events: committed.length,
      lostOnBroker: committed.filter((e) => !brokerCounts.has(e.id)).length,
      lostOnWebhooks: committed.filter((e) => !webhookCounts.has(e.id)).length,
      duplicatesOnBroker: extra(brokerCounts),
      duplicatesOnWebhooks: extra(webhookCounts),
      phantoms: [...brokerCounts.keys(), ...webhookCounts.keys()].filter((id) => !ids.has(id)).length,
      unsigned: receiver.received.filter((d) => users.has(d.event.userId) && !d.verified).length,
      sequenceBreaks,
    };
  }

  it('two instances dispatching in the normal case: each event once on RabbitMQ and once to the webhook, in per-user order', async () => {
    const orders = await createOrders(apps[0].baseUrl, 20, 5);
    const stats = await deliverUntilTaken(orders, (n) => apps[n % 2].baseUrl, { concurrency: 16, deadlineMs: 60_000 });
    const userIds = [...new Set(orders.map((o) => o.userId))];
    await drained(userIds, 60_000);
    await sleep(500);
    const sinks = await checkSinks(userIds);
    report('events, two instances, no fault', { orders: orders.length, notifies: stats.requests, ...sinks });
    expect(stats.undelivered).toEqual([]);
    expect(sinks).toEqual({ ...sinks, lostOnBroker: 0, lostOnWebhooks: 0, duplicatesOnBroker: 0, duplicatesOnWebhooks: 0, phantoms: 0, unsigned: 0, sequenceBreaks: 0 });
    expect(sinks.events).toBe(orders.length * 3 + 20 * 2);
  });

  it('RabbitMQ stopped under load and an instance SIGKILLed while events wait: nothing lost, each delivered once the broker is back', async () => {
    await broker.stop();
    const stoppedAt = Date.now();
    const orders = await createOrders(apps[0].baseUrl, 30, 8);
    const userIds = [...new Set(orders.map((o) => o.userId))];
    const taken: Order[] = [];
    const delivery = deliverUntilTaken(orders, (n) => apps[n % 2].baseUrl, { concurrency: 16, deadlineMs: 120_000, onSuccess: (o) => taken.push(o) });

    // Midway through the load, one instance dies with events claimed or waiting, and comes back.
    while (taken.length < orders.length / 2) await sleep(5);
    const port = apps[0].port;
    await apps[0].kill();
    apps[0] = await startAppProcess(env(), { port });
    const stats = await delivery;
    const { rows } = await db.query(`SELECT COUNT(*)::int AS waiting FROM outbox_events WHERE user_id = ANY($1::bigint[]) AND published_at IS NULL`, [userIds]);
    const waitingWhileAway = rows[0].waiting;
    const publishedWhileAway = collector.messages.filter((m) => userIds.includes((m.body as EventEnvelope).userId)).length;

    await broker.start();
    const awayMs = Date.now() - stoppedAt;
    await drained(userIds, 120_000);
    await sleep(1000);
    const sinks = await checkSinks(userIds);
    const money = await checkMoney(databaseUrl(), orders);
    report('events, RabbitMQ away + SIGKILL', { orders: orders.length, awayMs, waitingWhileAway, publishedWhileAway, ...sinks, ...money });
    expect(stats.undelivered).toEqual([]);
    expect(publishedWhileAway).toBe(0);
    expect(waitingWhileAway).toBe(sinks.events);
    expect(sinks).toMatchObject({ lostOnBroker: 0, lostOnWebhooks: 0, phantoms: 0, unsigned: 0, sequenceBreaks: 0 });
    expect(money).toEqual({ credited: orders.length, lost: 0, doubled: 0, wrongBalances: 0, violations: 0 });
  });
});
