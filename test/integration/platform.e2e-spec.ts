import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { CacheStore } from '../../src/common/cache/cache.store';
import { HealthController } from '../../src/common/health/health.controller';
import { TestApp, createTestApp } from '../support/test-app';
import { bearer, registerUser } from '../support/factories';

describe('platform: errors, health, metrics, docs, headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: 'https://shop.example' });
  });
  afterAll(() => t.close());

  it('answers every error in one shape with a request id, and echoes a caller’s X-Request-Id', async () => {
    const res = await t.http.get('/api/no-such-route').set('X-Request-Id', 'trace-123').expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: expect.any(String), requestId: 'trace-123' });
    expect(res.headers['x-request-id']).toBe('trace-123');

    const generated = await t.http.get('/api/users/me').expect(401);
    expect(generated.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers['x-request-id']).toBe(generated.body.requestId);
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    const res = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":').expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, requestId: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses JSON nested deeper than 32 levels with a 400, also when it is 10,000 deep', async () => {
    for (const depth of [33, 10_000]) {
      const body = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const res = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send(body).expect(400);
      expect(res.body.message).toEqual(['body is nested deeper than 32 levels']);
    }
    const shallow = '{"a":'.repeat(5) + '1' + '}'.repeat(5);
    const ok = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send(shallow).expect(400);
    expect(ok.body.message).not.toContain('body is nested deeper than 32 levels');
  });

  it('refuses text PostgreSQL cannot store, wherever it is, with a 400 naming where', async () => {
    const user = await registerUser(t.http);
    const nulInBody = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email":"a\\u0000b@example.test","password":"xxxxxxxx"}')
      .expect(400);
    expect(nulInBody.body.message).toEqual(['body.email contains a NUL character']);
    const surrogate = await t.http
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send('{"email":"\\ud800@example.test","username":"lone","password":"correct horse battery"}')
      .expect(400);
    expect(surrogate.body.message).toEqual(['body.email contains text that is not valid Unicode (a lone surrogate)']);
    const nulInPath = await t.http.get('/api/payment/orders/PO%00X').set(bearer(user)).expect(400);
    expect(nulInPath.body.message).toEqual(['path.orderNo contains a NUL character']);
    const nulInQuery = await t.http.get('/api/users/recharge-records?type=%00').set(bearer(user)).expect(400);
    expect(nulInQuery.body.message).toEqual(['query.type contains a NUL character']);
  });

  it('refuses bodies over 64 KB (413), over 256 KB for gateway callbacks, in the one error shape', async () => {
    const big = JSON.stringify({ email: 'a@example.test', password: 'x'.repeat(65 * 1024) });
    const tooBig = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send(big).expect(413);
    expect(tooBig.body).toMatchObject({ statusCode: 413, requestId: expect.any(String) });
    // A gateway's callback may be larger: it is read (and refused for its signature, not its size) ...
    const callback = await t.http.post('/api/payment/webhook/sandbox').type('form').send({ filler: 'x'.repeat(100 * 1024) });
    expect(callback.status).not.toBe(413);
    // ... up to 256 KB, which the server refuses before reading.
    const huge = await t.http.post('/api/payment/webhook/sandbox').type('form').send({ filler: 'x'.repeat(300 * 1024) }).expect(413);
    expect(huge.body).toMatchObject({ statusCode: 413, requestId: expect.any(String) });
  });

  it('answers the router’s own errors in the one error shape, without echoing the URL', async () => {
    const badEscape = await t.http.get('/api/payment/orders/%E0%A4%A').expect(400);
    expect(badEscape.body).toEqual({ statusCode: 400, error: 'Bad Request', code: 'BAD_URL', message: expect.any(String), requestId: expect.any(String) });
    expect(badEscape.headers['x-request-id']).toBe(badEscape.body.requestId);
    const long = 'Z'.repeat(150);
    const tooLong = await t.http.get(`/api/payment/orders/${long}`).expect(414);
    expect(tooLong.body).toMatchObject({ statusCode: 414, code: 'URI_TOO_LONG', requestId: expect.any(String) });
    expect(JSON.stringify(tooLong.body)).not.toContain(long);
    // Headers beyond the HTTP parser's 16 KB are refused before any route, still in the one shape.
    const bigHeaders = await t.http.get('/api/health/live').set('X-Padding', 'p'.repeat(17 * 1024)).expect(431);
    expect(bigHeaders.body).toEqual({ statusCode: 431, error: 'Request Header Fields Too Large', code: 'HEADERS_TOO_LARGE', message: expect.any(String), requestId: expect.any(String) });
    expect(bigHeaders.headers['x-request-id']).toBe(bigHeaders.body.requestId);
  });

  it('takes null for an optional field as absent', async () => {
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: `nullish-${Date.now()}@example.test`, username: `nullish_${Date.now()}`, password: 'correct horse battery', inviteCode: null })
      .expect(201);
    expect(res.body.user.role).toBe('user');
  });

  it('reports the database and cache in /api/health/ready (and /api/health), and liveness alone in /api/health/live', async () => {
    const expected = { status: 'ok', info: { database: { status: 'up' }, cache: { status: 'up', kind: 'memory' }, events: { status: 'up' } } };
    expect((await t.http.get('/api/health/ready').expect(200)).body).toEqual(expected);
    expect((await t.http.get('/api/health').expect(200)).body).toEqual(expected);
    expect((await t.http.get('/api/health/live').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('says degraded when only the cache fails, 503 when the database does, and never an error’s text', async () => {
    const cache = jest.spyOn(t.app.get(CacheStore), 'ping').mockRejectedValue(new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.5'));
    try {
      const degraded = await t.http.get('/api/health/ready').expect(200);
      expect(degraded.body).toEqual({ status: 'degraded', info: { database: { status: 'up' }, cache: { status: 'degraded', kind: 'memory' }, events: { status: 'up' } } });
      const indicator = (t.app.get(HealthController) as unknown as { database: TypeOrmHealthIndicator }).database;
      // As terminus answers a failed ping: resolved, with status down and the driver's message.
      const database = jest
        .spyOn(indicator, 'pingCheck')
        .mockResolvedValue({ database: { status: 'down', message: 'password authentication failed for user "postgres" at 10.0.0.6' } });
      try {
        const down = await t.http.get('/api/health/ready').expect(503);
        expect(down.body.status).toBe('down');
        expect(JSON.stringify(down.body)).not.toMatch(/hunter2|password|10\.0\.0/);
        await t.http.get('/api/health/live').expect(200);
      } finally {
        database.mockRestore();
      }
    } finally {
      cache.mockRestore();
    }
  });

  it('exposes Prometheus metrics with the HTTP latency histogram', async () => {
    await t.http.get('/api/health').expect(200);
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/api\/health".*status_code="200"/);
    expect(res.text).toContain('process_cpu_seconds_total');
  });

  it('keeps /metrics behind METRICS_TOKEN when one is set', async () => {
    const guarded = await createTestApp({ METRICS_TOKEN: 'metrics-token-of-16+chars' });
    try {
      const none = await guarded.http.get('/metrics').expect(401);
      expect(none.body).toMatchObject({ statusCode: 401, code: 'METRICS_TOKEN_REQUIRED' });
      expect(JSON.stringify(none.body)).not.toContain('metrics-token-of-16+chars');
      await guarded.http.get('/metrics').set('Authorization', 'Bearer not-the-token').expect(401);
      const ok = await guarded.http.get('/metrics').set('Authorization', 'Bearer metrics-token-of-16+chars').expect(200);
      expect(ok.text).toContain('process_cpu_seconds_total');
    } finally {
      await guarded.close();
    }
  });

  it('serves the OpenAPI document and the Swagger UI', async () => {
    const doc = await t.http.get('/api/docs-json').expect(200);
    expect(doc.body.info.title).toBe('Recharge API');
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/auth/register',
        '/api/auth/login',
        '/api/users/me',
        '/api/users/balance',
        '/api/users/recharge-records',
        '/api/admin/recharge-records',
        '/api/admin/users/{id}/balance-adjustments',
        '/api/admin/audit',
        '/api/admin/promotions/stats',
        '/api/admin/referrals',
        '/api/users/promotion/status',
        '/api/users/referral/info',
        '/api/users/referral/invitees',
        '/api/payment/config',
        '/api/payment/orders',
        '/api/payment/orders/{orderNo}',
        '/api/payment/orders/{orderNo}/cancel',
        '/api/payment/webhook/zpay',
        '/api/payment/webhook/stripe',
        '/api/payment/webhook/sandbox',
        '/api/health',
      ]),
    );
    expect(paths).not.toContain('/metrics');
    expect(Object.keys(doc.body.paths['/api/payment/webhook/zpay'])).toEqual(['get', 'post']);
    const { schemas } = doc.body.components;
    expect(schemas.CreateOrderDto.required).toEqual(['amountCny', 'provider', 'method']);
    expect(schemas.OrderDto.properties.totalUsd.type).toBe('string');
    expect(schemas.RegisterDto.required).toEqual(['email', 'username', 'password']);
    expect(schemas.RechargeRecordDto.properties.amount.type).toBe('string');
    expect(schemas.RechargeRecordPageDto.properties.items.items.$ref).toBe('#/components/schemas/RechargeRecordDto');
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });

    const ui = await t.http.get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('sends helmet’s security headers on what browsers load, and allows only the configured CORS origin', async () => {
    const res = await t.http.get('/api/users/me').set('Origin', 'https://shop.example').expect(401);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    // helmet's whole set, worked out once at start-up.
    for (const header of [
      'cross-origin-opener-policy', 'cross-origin-resource-policy', 'origin-agent-cluster', 'referrer-policy', 'strict-transport-security',
      'x-dns-prefetch-control', 'x-download-options', 'x-frame-options', 'x-permitted-cross-domain-policies', 'x-xss-protection',
    ]) {
      expect({ header, value: res.headers[header] }).toEqual({ header, value: expect.any(String) });
    }
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
    const other = await t.http.get('/api/users/me').set('Origin', 'https://evil.example').expect(401);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect((await t.http.get('/api/docs').expect(200)).headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('spares server-to-server routes (service API, gateway callbacks, probes, metrics) the headers meant for browsers, CORS included', async () => {
    for (const path of ['/api/health', '/api/health/ready', '/metrics', '/api/v1/balances/1', '/api/payment/webhook/sandbox']) {
      const res = await t.http.get(path).set('Origin', 'https://shop.example');
      expect({ path, csp: res.headers['content-security-policy'], frame: res.headers['x-frame-options'], cors: res.headers['access-control-allow-origin'] }).toEqual({
        path,
        csp: undefined,
        frame: undefined,
        cors: undefined,
      });
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
    }
    expect((await t.http.get('/api/users/me')).headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('never lets a user read another user’s data', async () => {
    const alice = await registerUser(t.http);
    const bob = await registerUser(t.http);
    const me = await t.http.get('/api/users/me?id=' + bob.id).set(bearer(alice)).expect(200);
    expect(me.body.id).toBe(alice.id);
  });
});

// `npm test` builds the web app first (pretest).
describe('the built web app on the same port', () => {
  let t: TestApp;
  beforeAll(async () => {
    expect(existsSync(join(__dirname, '../../frontend/dist/index.html'))).toBe(true);
    t = await createTestApp({ RECHARGE__APP__SERVE_FRONTEND: 'true' });
  });
  afterAll(() => t.close());

  it('serves index.html at / and for client-side routes, and JSON 404s under /api', async () => {
    const root = await t.http.get('/').set('Accept', 'text/html').expect(200);
    expect(root.text).toContain('<div id="app">');
    const deep = await t.http.get('/login?code=ABC').set('Accept', 'text/html').expect(200);
    expect(deep.text).toContain('<div id="app">');
    const api = await t.http.get('/api/nothing').set('Accept', 'text/html').expect(404);
    expect(api.body.code).toBe('NOT_FOUND');
  });
});
