import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { CacheStore } from './cache.store';
import { FallbackCacheStore } from './fallback-cache.store';
import { MemoryCacheStore } from './memory-cache.store';
import { RedisCacheStore } from './redis-cache.store';

/** How long the start waits for Redis before beginning on the fallback. */
const STARTUP_WAIT_MS = 2_000;

async function createCacheStore(config: AppConfig, metrics: MetricsService): Promise<CacheStore> {
  const logger = new Logger('Cache');
  if (!config.redis.url) {
    logger.warn('REDIS_URL is not set: using the in-process cache and rate limiter (one instance only)');
    return new MemoryCacheStore();
  }
  const active = new Gauge({
    name: 'cache_fallback_active',
    help: '1 while Redis is unreachable and the in-process cache and rate limiter stand in',
    registers: [metrics.registry],
  });
  const operations = new Counter({
    name: 'cache_fallback_operations_total',
    help: 'Cache and rate-limit operations answered by the in-process fallback',
    registers: [metrics.registry],
  });
  active.set(0);
  const redis = new RedisCacheStore(config.redis.url, config.redis.keyPrefix);
  const store = new FallbackCacheStore(redis, new MemoryCacheStore(), {
    onSwitch: (fallback) => active.set(fallback ? 1 : 0),
    onFallbackOperation: () => operations.inc(),
  });
  if (!(await redis.waitUntilConnected(STARTUP_WAIT_MS))) {
    logger.error('Redis does not answer: starting on the in-process fallback; it will be used as soon as it connects');
  }
  return store;
}

@Global()
@Module({
  providers: [{ provide: CacheStore, useFactory: createCacheStore, inject: [AppConfig, MetricsService] }],
  exports: [CacheStore],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(CacheStore) private readonly store: CacheStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
