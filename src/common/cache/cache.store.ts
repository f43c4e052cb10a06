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
 * The port for short-lived shared state: a cache and rate-limit counters.
 * Redis in production (shared by every instance), with the in-process store
 * standing in while Redis is unreachable; the in-process store alone when
 * REDIS_URL is unset (one instance). Nothing here may hold money or anything
 * that must survive a restart: locks for jobs live in PostgreSQL.
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

  /** Throws when the store cannot be reached. */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
