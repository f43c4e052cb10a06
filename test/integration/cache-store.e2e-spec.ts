import { randomUUID } from 'node:crypto';
import { CacheStore } from '../../src/common/cache/cache.store';
import { MemoryCacheStore } from '../../src/common/cache/memory-cache.store';
import { RedisCacheStore } from '../../src/common/cache/redis-cache.store';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) {
  // Only outside CI: .ci/run installs redis-server and the global setup fails without it there.
  console.warn('redis-server is not installed: the Redis half of the CacheStore contract is skipped');
}

const implementations: [string, () => CacheStore][] = [
  ['memory', () => new MemoryCacheStore()],
  ...(redisUrl ? [['redis', () => new RedisCacheStore(redisUrl, `test:${randomUUID()}:`)] as [string, () => CacheStore]] : []),
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The contract every CacheStore keeps; the app's rate limits and locks rely on it. */
describe.each(implementations)('CacheStore contract: %s', (_, create) => {
  let store: CacheStore;
  beforeEach(() => {
    store = create();
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

  it('gives a lock to one caller at a time and releases only with the holder’s token', async () => {
    const tokens = await Promise.all(Array.from({ length: 5 }, () => store.acquireLock('job', 1000)));
    const holders = tokens.filter((t): t is string => t !== null);
    expect(holders).toHaveLength(1);
    expect(await store.releaseLock('job', 'someone-else')).toBe(false);
    expect(await store.acquireLock('job', 1000)).toBeNull();
    expect(await store.releaseLock('job', holders[0])).toBe(true);
    expect(await store.acquireLock('job', 1000)).not.toBeNull();
  });

  it('lets a lock expire when its holder dies', async () => {
    expect(await store.acquireLock('dead', 50)).not.toBeNull();
    await sleep(120);
    expect(await store.acquireLock('dead', 50)).not.toBeNull();
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
