import { randomUUID } from 'node:crypto';
import { CacheStore } from '../../src/common/cache/cache.store';
import { MemoryCacheStore } from '../../src/common/cache/memory-cache.store';
import { RedisCacheStore } from '../../src/common/cache/redis-cache.store';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) {
  // Only outside CI: .ci/run installs redis-server and the global setup fails without it there.
  console.warn('redis-server is not installed: the Redis half of the CacheStore contract is skipped');
}

async function connectedRedisStore(url: string): Promise<RedisCacheStore> {
  const store = new RedisCacheStore(url, `test:${randomUUID()}:`);
  if (!(await store.waitUntilConnected(5_000))) throw new Error(`no Redis at ${url}`);
  return store;
}

const implementations: [string, () => Promise<CacheStore>][] = [
  ['memory', async () => new MemoryCacheStore()],
  ...(redisUrl ? [['redis', () => connectedRedisStore(redisUrl)] as [string, () => Promise<CacheStore>]] : []),
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The contract every CacheStore keeps; the app's rate limits rely on it. */
describe.each(implementations)('CacheStore contract: %s', (_, create) => {
  let store: CacheStore;
  beforeEach(async () => {
    store = await create();
  });
  afterEach(() => store.close());

  it('gets, sets with a TTL, and deletes', async () => {
    expect(await store.get('k')).toBeNull();
    await store.set('k', 'v', 200);
    expect(await store.get('k')).toBe('v');
    await store.delete('k');
    expect(await store.get('k')).toBeNull();
    await store.set('short', 'v', 50);
    await sleep(120);
    expect(await store.get('short')).toBeNull();
  });

  it('counts hits in a fixed window that resets', async () => {
    const a = await store.increment('hits', 150);
    const b = await store.increment('hits', 150);
    expect([a.count, b.count]).toEqual([1, 2]);
    expect(b.resetInMs).toBeGreaterThan(0);
    expect(b.resetInMs).toBeLessThanOrEqual(150);
    await sleep(200);
    expect((await store.increment('hits', 150)).count).toBe(1);
  });

  it('counts concurrent hits without losing any', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => store.increment('burst', 5000)));
    expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('grants exactly `limit` slots of a rolling window to concurrent callers and says when to retry', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => store.takeRollingWindowSlot('orders:1', 3, 300)));
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
    const refused = results.filter((r) => !r.allowed);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.retryAfterMs).toBeGreaterThan(0);
      expect(r.retryAfterMs).toBeLessThanOrEqual(300);
    }
    await sleep(350);
    expect((await store.takeRollingWindowSlot('orders:1', 3, 300)).allowed).toBe(true);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

(redisUrl ? describe : describe.skip)('the app on Redis', () => {
  it('reports redis in /api/health and shares rate limits through it', async () => {
    const { createTestApp } = await import('../support/test-app');
    const env = { REDIS_URL: redisUrl!, RECHARGE__REDIS__KEY_PREFIX: `app:${randomUUID()}:`, RECHARGE__RATE_LIMIT__AUTH_PER_MINUTE: '2' };
    const [one, two] = [await createTestApp(env), await createTestApp(env)];
    try {
      const health = await one.http.get('/api/health').expect(200);
      expect(health.body.info.cache).toEqual({ status: 'up', kind: 'redis' });
      // Two instances, one limit: the third attempt is refused by the other instance.
      await one.http.post('/api/auth/login').send({ email: 'a@example.test', password: 'x' }).expect(401);
      await two.http.post('/api/auth/login').send({ email: 'a@example.test', password: 'x' }).expect(401);
      await one.http.post('/api/auth/login').send({ email: 'a@example.test', password: 'x' }).expect(429);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

(redisUrl ? describe : describe.skip)('the app while Redis is down', () => {
  it('keeps every route working on the in-process fallback, says degraded, and returns to Redis', async () => {
    const { startRedisServer } = await import('../support/redis-server');
    const { freePort } = await import('../support/free-port');
    const { createTestApp } = await import('../support/test-app');
    const { registerUser, bearer } = await import('../support/factories');
    const port = await freePort();
    let redis = (await startRedisServer(port))!;
    const app = await createTestApp({
      REDIS_URL: redis.url,
      RECHARGE__RATE_LIMIT__AUTH_PER_MINUTE: '3',
      RECHARGE__PAYMENT__MAX_ORDERS_PER_MINUTE: '100',
      SANDBOX_ENABLED: 'true',
    });
    const fallbackActive = async () => /^cache_fallback_active (\d)/m.exec((await app.http.get('/metrics')).text)![1];
    try {
      const user = await registerUser(app.http);
      expect((await app.http.get('/api/health/ready').expect(200)).body.info.cache).toEqual({ status: 'up', kind: 'redis' });
      expect(await fallbackActive()).toBe('0');

      await redis.stop();
      const order = { amountCny: '10.00', provider: 'sandbox', method: 'wxpay' };
      await app.http.post('/api/payment/orders').set(bearer(user)).send(order).expect(201);
      await app.http.get('/api/users/me').set(bearer(user)).expect(200);
      const ready = await app.http.get('/api/health/ready').expect(200);
      expect(ready.body).toMatchObject({ status: 'degraded', info: { database: { status: 'up' }, cache: { status: 'degraded', kind: 'redis' } } });
      expect(await fallbackActive()).toBe('1');
      // The limits still hold, counted in this process: the auth limit (3 a minute) refuses the fourth login.
      const login = () => app.http.post('/api/auth/login').send({ email: 'nobody@example.test', password: 'x' });
      expect([(await login()).status, (await login()).status, (await login()).status, (await login()).status]).toEqual([401, 401, 401, 429]);

      redis = (await startRedisServer(port))!;
      const deadline = Date.now() + 10_000;
      while ((await app.http.get('/api/health/ready')).body.info.cache.status !== 'up') {
        if (Date.now() > deadline) throw new Error('the app did not return to Redis within 10 s');
        await sleep(100);
      }
      expect(await fallbackActive()).toBe('0');
      await app.http.post('/api/payment/orders').set(bearer(user)).send(order).expect(201);
    } finally {
      await app.close();
      await redis.stop();
    }
  }, 30_000);
});
