import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CacheStore } from './cache.store';
import { MemoryCacheStore } from './memory-cache.store';
import { RedisCacheStore } from './redis-cache.store';

function createCacheStore(config: AppConfig): CacheStore {
  const logger = new Logger('Cache');
  if (!config.redis.url) {
    logger.warn('REDIS_URL is not set: using the in-process cache, rate limiter and lock (one instance only)');
    return new MemoryCacheStore();
  }
  const store = new RedisCacheStore(config.redis.url, config.redis.keyPrefix);
  store.onError((error) => logger.error(`redis: ${error.message}`));
  return store;
}

@Global()
@Module({
  providers: [{ provide: CacheStore, useFactory: createCacheStore, inject: [AppConfig] }],
  exports: [CacheStore],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(CacheStore) private readonly store: CacheStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
