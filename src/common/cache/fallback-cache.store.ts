import { Logger } from '@nestjs/common';
import { CacheStore, RollingWindowResult, WindowCount } from './cache.store';
import { MemoryCacheStore } from './memory-cache.store';
import { RedisCacheStore } from './redis-cache.store';

const PROBE_INTERVAL_MS = 1_000;

/** What the owner wants to hear about the switches, for metrics. */
export interface FallbackEvents {
  /** `active` is true while the in-process store answers instead of Redis. */
  onSwitch(active: boolean): void;
  /** One operation answered by the in-process store. */
  onFallbackOperation(): void;
}

/**
 * Redis, with the in-process store standing in while Redis cannot be
 * reached. Rate limits then count per instance rather than across all of
 * them (looser by the number of instances, never a 500), cached lookups
 * miss, and everything returns to Redis when it reconnects. Counters taken
 * during the outage are not carried over: a window restarts at worst.
 */
export class FallbackCacheStore extends CacheStore {
  readonly kind = 'redis';
  private readonly logger = new Logger('Cache');
  private usingFallback = false;
  private probing = false;
  private lastProbeAt = 0;

  constructor(
    private readonly redis: RedisCacheStore,
    private readonly fallback: MemoryCacheStore,
    private readonly events: FallbackEvents,
  ) {
    super();
    redis.onReady(() => this.switchTo(false));
  }

  /** True while the in-process store answers. */
  get degraded(): boolean {
    return this.usingFallback;
  }

  get(key: string): Promise<string | null> {
    return this.call((store) => store.get(key));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.call((store) => store.set(key, value, ttlMs));
  }

  delete(key: string): Promise<void> {
    return this.call((store) => store.delete(key));
  }

  increment(key: string, windowMs: number): Promise<WindowCount> {
    return this.call((store) => store.increment(key, windowMs));
  }

  takeRollingWindowSlot(key: string, limit: number, windowMs: number): Promise<RollingWindowResult> {
    return this.call((store) => store.takeRollingWindowSlot(key, limit, windowMs));
  }

  /** Readiness asks Redis itself: it is degraded while the fallback answers. */
  ping(): Promise<void> {
    return this.redis.ping();
  }

  async close(): Promise<void> {
    await Promise.all([this.redis.close(), this.fallback.close()]);
  }

  private async call<T>(operation: (store: CacheStore) => Promise<T>): Promise<T> {
    if (!this.redis.connected) {
      this.switchTo(true);
    } else if (this.usingFallback) {
      // Connected but it failed us (a hung server times out rather than disconnects): probe before trusting it again.
      this.probe();
    } else {
      try {
        return await operation(this.redis);
      } catch (error) {
        this.switchTo(true, error as Error);
      }
    }
    this.events.onFallbackOperation();
    return operation(this.fallback);
  }

  /** At most one ping per interval while on the fallback; an answer switches back. */
  private probe(): void {
    const now = Date.now();
    if (this.probing || now - this.lastProbeAt < PROBE_INTERVAL_MS) return;
    this.probing = true;
    this.lastProbeAt = now;
    this.redis.ping().then(
      () => this.switchTo(false),
      () => undefined,
    ).finally(() => (this.probing = false));
  }

  private switchTo(fallback: boolean, cause?: Error): void {
    if (this.usingFallback === fallback) return;
    this.usingFallback = fallback;
    this.events.onSwitch(fallback);
    if (fallback) {
      // The error's text can name the host; the code (ECONNREFUSED, a timeout) is what an operator needs.
      const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? cause?.name ?? 'not connected';
      this.logger.error(`Redis is unreachable (${reason}): rate limits and the cache use the in-process fallback until it returns`);
    } else {
      this.logger.log('Redis is reachable again: rate limits and the cache are shared through it');
    }
  }
}
