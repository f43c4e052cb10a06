/** A fixed-window counter after one more hit. */
export interface WindowCount {
  count: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
}

/** The outcome of asking for a slot in a rolling window. */
export interface RollingWindowResult {
  allowed: boolean;
  /** Slots taken in the window, this one included when allowed. */
  count: number;
  /** When refused: milliseconds until the oldest slot leaves the window. */
  retryAfterMs: number;
}

/**
 * The port for short-lived shared state: a cache, rate-limit counters and
 * short locks. Redis in production (shared by every instance); an
 * in-process implementation when REDIS_URL is unset (one instance only).
 * Both pass the same contract tests.
 */
export abstract class CacheStore {
  /** 'redis' or 'memory', for health and logs. */
  abstract readonly kind: string;

  abstract get(key: string): Promise<string | null>;
  abstract set(key: string, value: string, ttlMs: number): Promise<void>;
  abstract delete(key: string): Promise<void>;

  /** Counts a hit in the fixed window that the key's first hit opened (INCR + PEXPIRE NX). */
  abstract increment(key: string, windowMs: number): Promise<WindowCount>;

  /** Takes a slot when fewer than `limit` were taken in the last `windowMs`; atomic. */
  abstract takeRollingWindowSlot(key: string, limit: number, windowMs: number): Promise<RollingWindowResult>;

  /** A token when the lock was free (it then expires after ttlMs), else null. */
  abstract acquireLock(key: string, ttlMs: number): Promise<string | null>;
  /** Releases the lock only when `token` still holds it. */
  abstract releaseLock(key: string, token: string): Promise<boolean>;

  /** Throws when the store cannot be reached. */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
