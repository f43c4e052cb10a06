import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { CacheStore, RollingWindowResult, WindowCount } from './cache.store';

/**
 * Rolling window on a sorted set of hit times, in one script so that the
 * trim, the count and the add cannot interleave with another instance.
 * KEYS[1] window; ARGV: now ms, window ms, limit, member.
 */
const TAKE_ROLLING_SLOT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, count, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, count + 1, 0}`;

/** Deletes the lock only when the caller's token still holds it. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type ScriptedRedis = Redis & {
  takeRollingSlot(key: string, now: number, windowMs: number, limit: number, member: string): Promise<[number, number, number]>;
  releaseLock(key: string, token: string): Promise<number>;
};

export class RedisCacheStore extends CacheStore {
  readonly kind = 'redis';
  private readonly redis: ScriptedRedis;

  constructor(url: string, keyPrefix: string) {
    super();
    const redis = new Redis(url, { keyPrefix, maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
    redis.defineCommand('takeRollingSlot', { numberOfKeys: 1, lua: TAKE_ROLLING_SLOT });
    redis.defineCommand('releaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK });
    this.redis = redis as ScriptedRedis;
  }

  /** Lets the owner log connection errors; ioredis reconnects by itself. */
  onError(listener: (error: Error) => void): void {
    this.redis.on('error', listener);
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(key, value, 'PX', ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const results = await this.redis.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key).exec();
    if (!results) throw new Error('redis transaction aborted');
    for (const [error] of results) if (error) throw error;
    return { count: Number(results[0][1]), resetInMs: Math.max(0, Number(results[2][1])) };
  }

  async takeRollingWindowSlot(key: string, limit: number, windowMs: number): Promise<RollingWindowResult> {
    const [allowed, count, retryAfterMs] = await this.redis.takeRollingSlot(key, Date.now(), windowMs, limit, randomUUID());
    return { allowed: allowed === 1, count, retryAfterMs: Math.max(0, retryAfterMs) };
  }

  async acquireLock(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    return (await this.redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    return (await this.redis.releaseLock(key, token)) === 1;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
