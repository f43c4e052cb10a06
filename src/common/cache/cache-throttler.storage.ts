import { Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { CacheStore } from './cache.store';

/** @nestjs/throttler's counters kept in the CacheStore, so all instances share one limit. */
@Injectable()
export class CacheThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly store: CacheStore) {}

  async increment(key: string, ttlMs: number, limit: number, _blockDurationMs: number, throttlerName: string) {
    const { count, resetInMs } = await this.store.increment(`throttle:${throttlerName}:${key}`, ttlMs);
    const seconds = Math.ceil(resetInMs / 1000);
    const isBlocked = count > limit;
    return { totalHits: count, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
  }
}
