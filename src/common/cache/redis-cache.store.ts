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

type ScriptedRedis = Redis & {
  takeRollingSlot(key: string, now: number, windowMs: number, limit: number, member: string): Promise<[number, number, number]>;
};

/** How long a command may wait for an answer before the caller treats Redis as unavailable. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * The CacheStore on Redis, shared by every instance. A command fails fast
 * while the connection is down (no offline queue, a short timeout), so the
 * caller can fall back instead of waiting; ioredis keeps reconnecting.
 */
export class RedisCacheStore extends CacheStore {
  readonly kind = 'redis';
  private readonly redis: ScriptedRedis;

  constructor(url: string, keyPrefix: string) {
    super();
    const redis = new Redis(url, {
      keyPrefix,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    redis.defineCommand('takeRollingSlot', { numberOfKeys: 1, lua: TAKE_ROLLING_SLOT });
    // Errors also reach the callers of commands; without a listener ioredis would print each one.
    redis.on('error', () => undefined);
    this.redis = redis as ScriptedRedis;
  }

  /** True while the connection is up and commands are sent at once. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Calls `listener` each time the connection becomes ready again. */
  onReady(listener: () => void): void {
    this.redis.on('ready', listener);
  }

  /** Resolves once connected, or after `timeoutMs` when Redis does not answer. */
  async waitUntilConnected(timeoutMs: number): Promise<boolean> {
    if (this.connected) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', ready);
        resolve(false);
      }, timeoutMs);
      const ready = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.redis.once('ready', ready);
    });
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

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
