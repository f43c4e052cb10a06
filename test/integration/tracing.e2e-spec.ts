import { randomBytes } from 'node:crypto';
import { epaySigned } from '../../src/payments/providers/epay/epay-signature';
import { AppProcess, startAppProcess } from '../support/app-process';
import { EventReceiver } from '../support/event-receiver';
import { OtlpReceiver } from '../support/otlp-receiver';
import { MessageCollector, RabbitMqServer, collectMessages, startRabbitMqServer } from '../support/rabbitmq-server';

const ZPAY_PID = '1001';
const ZPAY_KEY = 'zpay-key-for-the-tracing-test';

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** A W3C traceparent of a caller's own trace, so the test knows the trace id the app must continue. */
function callerTrace(): { traceId: string; parentId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, traceparent: `00-${traceId}-${parentId}-01` };
}

describe('tracing with OpenTelemetry, exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  let receiver: OtlpReceiver;
  let integrator: EventReceiver;
  let app: AppProcess;
  const admin = { email: `tracing-admin-${randomBytes(3).toString('hex')}@example.test`, password: 'a tracing admin password' };

  beforeAll(async () => {
    receiver = await new OtlpReceiver().start();
    integrator = await new EventReceiver().start();
    app = await startAppProcess({
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      // The integrator's endpoint listens on loopback.
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      // A job that ticks every second, so a test sees its spans.
      RECHARGE__JOBS__EXPIRE_HOLDS: '* * * * * *',
      // The real Redis of the test run, where redis-server is installed: its commands are spans too.
      ...(process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      // Export within a fraction of a second, not the default five.
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ZPAY_ENABLED: 'true',
      ZPAY_PID,
      ZPAY_KEY,
      ZPAY_API_URL: 'https://zpay.example',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await receiver?.stop();
    await integrator?.stop();
  });

  it('continues a caller’s trace through a Zpay notify: the request, its SQL and its commit share the trace and carry the order number', async () => {
    const name = `traced_${randomBytes(3).toString('hex')}`;
    const register = await fetch(`${app.baseUrl}/api/auth/register`, json({ email: `${name}@example.test`, username: name, password: 'a traced password' }));
    const { accessToken } = (await register.json()) as { accessToken: string };
    const created = await fetch(`${app.baseUrl}/api/payment/orders`, json({ amountCny: '20.00', provider: 'zpay', method: 'alipay' }, { authorization: `Bearer ${accessToken}` }));
    expect({ status: created.status, body: created.status === 201 ? 'an order' : await created.text() }).toEqual({ status: 201, body: 'an order' });
    const order = (await created.json()) as { orderNo: string };

    const caller = callerTrace();
    const fields = epaySigned(
      { pid: ZPAY_PID, trade_no: `T${Date.now()}`, out_trade_no: order.orderNo, type: 'alipay', name: 'Recharge', money: '20.00', trade_status: 'TRADE_SUCCESS' },
      ZPAY_KEY,
    );
    const notify = await fetch(`${app.baseUrl}/api/payment/webhook/zpay?${new URLSearchParams(fields)}`, { headers: { traceparent: caller.traceparent } });
    expect(await notify.text()).toBe('success');

    const server = await receiver.waitFor((span) => span.traceId === caller.traceId && span.attributes['http.route'] === '/api/payment/webhook/zpay');
    expect(server).toMatchObject({ name: 'GET /api/payment/webhook/zpay', parentSpanId: caller.parentId });
    expect(server.attributes).toMatchObject({ 'recharge.order_no': order.orderNo, 'recharge.provider': 'zpay' });
    // The query string carried the signature: spans keep the path only.
    expect(server.attributes['url.path']).toBe('/api/payment/webhook/zpay');
    expect(server.attributes['url.query']).toBe('[redacted]');
    expect(JSON.stringify(receiver.spans)).not.toContain(fields.sign);

    const sql = await receiver.waitFor((span) => span.traceId === caller.traceId && span.attributes['db.query.text'] === 'COMMIT');
    const statements = receiver.spans.filter((span) => span.traceId === caller.traceId && span.attributes['db.system.name'] === 'postgresql');
    expect(statements.map((span) => String(span.attributes['db.query.text']))).toEqual(
      expect.arrayContaining([expect.stringMatching(/UPDATE payment_orders/), expect.stringMatching(/UPDATE users/)]),
    );
    // Statements as written, never their values: the order number is a parameter.
    for (const span of statements) expect(String(span.attributes['db.query.text'])).not.toContain(order.orderNo);
    expect(sql.traceId).toBe(server.traceId);

    // The request's log line names the same trace.
    await new Promise((r) => setTimeout(r, 200));
    const line = app
      .output()
      .split('\n')
      .find((l) => l.includes('"path":"/api/payment/webhook/zpay"') && l.includes('request completed'));
    expect(line).toContain(`"trace_id":"${caller.traceId}"`);
  });

  it('puts the trace id beside the request id in an error body', async () => {
    const caller = callerTrace();
    const res = await fetch(`${app.baseUrl}/api/users/me`, { headers: { traceparent: caller.traceparent } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_TOKEN_INVALID', requestId: expect.any(String), traceId: caller.traceId });
  });

  it('leaves probes and scrapes out of the traces', async () => {
    const caller = callerTrace();
    await fetch(`${app.baseUrl}/api/health`, { headers: { traceparent: caller.traceparent } });
    // A traced request after the probe: once its span has arrived, the probe's would have too.
    const after = callerTrace();
    await fetch(`${app.baseUrl}/api/users/me`, { headers: { traceparent: after.traceparent } });
    await receiver.waitFor((span) => span.traceId === after.traceId);
    expect(receiver.spans.filter((span) => span.traceId === caller.traceId)).toEqual([]);
  });

  it('passes the trace on to an integrator: each webhook delivery is a span, and its request carries that trace', async () => {
    const login = await fetch(`${app.baseUrl}/api/auth/login`, json(admin));
    const { accessToken: adminToken } = (await login.json()) as { accessToken: string };
    const created = await fetch(
      `${app.baseUrl}/api/admin/webhook-endpoints`,
      json({ url: integrator.url, eventTypes: ['order.created'], description: 'tracing test' }, { authorization: `Bearer ${adminToken}` }),
    );
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as { id: string; secret: string };
    integrator.secret = endpoint.secret;
    try {
      const name = `traced_${randomBytes(3).toString('hex')}`;
      const register = await fetch(`${app.baseUrl}/api/auth/register`, json({ email: `${name}@example.test`, username: name, password: 'a traced password' }));
      const { accessToken, user } = (await register.json()) as { accessToken: string; user: { id: string } };
      const order = await fetch(`${app.baseUrl}/api/payment/orders`, json({ amountCny: '20.00', provider: 'zpay', method: 'alipay' }, { authorization: `Bearer ${accessToken}` }));
      expect(order.status).toBe(201);

      await integrator.waitFor(() => integrator.of(user.id).length > 0);
      const [delivery] = integrator.of(user.id);
      expect(delivery.verified).toBe(true);
      const [, traceId, parentId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(delivery.traceparent ?? '') ?? [];
      expect(traceId).toBeDefined();
      const span = await receiver.waitFor((s) => s.name === 'webhook delivery' && s.attributes['recharge.event_id'] === delivery.event.id);
      expect(span.traceId).toBe(traceId);
      // The outgoing request's own span, a child of the delivery, is the parent the integrator sees.
      const outgoing = await receiver.waitFor((s) => s.spanId === parentId);
      expect(outgoing).toMatchObject({ traceId, parentSpanId: span.spanId });
    } finally {
      await fetch(`${app.baseUrl}/api/admin/webhook-endpoints/${endpoint.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    }
  });

  it('traces each job tick, with its SQL inside it', async () => {
    const tick = await receiver.waitFor((span) => span.name === 'job expire-holds');
    expect(tick.attributes['recharge.job']).toBe('expire-holds');
    const sql = await receiver.waitFor((span) => span.traceId === tick.traceId && span.attributes['db.system.name'] === 'postgresql');
    expect(String(sql.attributes['db.query.text'])).toMatch(/scheduled_jobs|holds/);
  });

  (process.env.TEST_REDIS_URL ? it : it.skip)('traces Redis commands by name, inside the request that sent them', async () => {
    const name = `redis_${randomBytes(3).toString('hex')}`;
    const register = await fetch(`${app.baseUrl}/api/auth/register`, json({ email: `${name}@example.test`, username: name, password: 'a traced password' }));
    const { accessToken } = (await register.json()) as { accessToken: string };
    const caller = callerTrace();
    // Order creation takes a slot of the user's per-minute window in the cache.
    const created = await fetch(`${app.baseUrl}/api/payment/orders`, json({ amountCny: '20.00', provider: 'zpay', method: 'alipay' }, { authorization: `Bearer ${accessToken}`, traceparent: caller.traceparent }));
    expect(created.status).toBe(201);
    const command = await receiver.waitFor((span) => span.traceId === caller.traceId && /redis/.test(String(span.attributes['db.system'] ?? span.attributes['db.system.name'] ?? '')));
    // The command's name only: keys name users and tokens.
    expect(String(command.attributes['db.statement'] ?? command.attributes['db.query.text'] ?? '')).toMatch(/^[a-z]+$/);
  });
});

describe('tracing with RabbitMQ taking the events', () => {
  const EXCHANGE = `recharge.tracing.${randomBytes(3).toString('hex')}`;
  let broker: RabbitMqServer | null;
  let collector: MessageCollector;
  let receiver: OtlpReceiver;
  let app: AppProcess;

  beforeAll(async () => {
    // Debian's rabbitmq-server: CI installs it; elsewhere, without it, this part does not run.
    broker = await startRabbitMqServer();
    if (!broker) return;
    collector = await collectMessages(broker.url, EXCHANGE, 'order.created');
    receiver = await new OtlpReceiver().start();
    app = await startAppProcess({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      AMQP_URL: broker.url,
      EVENTS_EXCHANGE: EXCHANGE,
      SANDBOX_ENABLED: 'true',
    });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await collector?.close();
    await receiver?.stop();
    await broker?.destroy();
  });

  it('sends each broker message with the trace of the batch that published it', async () => {
    if (!broker) return;
    const name = `broker_${randomBytes(3).toString('hex')}`;
    const register = await fetch(`${app.baseUrl}/api/auth/register`, json({ email: `${name}@example.test`, username: name, password: 'a traced password' }));
    const { accessToken, user } = (await register.json()) as { accessToken: string; user: { id: string } };
    const created = await fetch(`${app.baseUrl}/api/payment/orders`, json({ amountCny: '20.00', provider: 'sandbox', method: 'alipay' }, { authorization: `Bearer ${accessToken}` }));
    expect(created.status).toBe(201);

    const [message] = (await collector.waitFor((messages) => messages.some((m) => (m.body as { userId?: string }).userId === user.id))).filter(
      (m) => (m.body as { userId?: string }).userId === user.id,
    );
    const [, traceId] = /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(String(message.headers.traceparent ?? '')) ?? [];
    expect(traceId).toBeDefined();
    const publish = await receiver.waitFor((span) => span.name === 'outbox publish' && span.traceId === traceId);
    expect(publish.attributes['recharge.events']).toBeGreaterThanOrEqual(1);
  });
});
