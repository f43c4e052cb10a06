import { CacheStore, RollingWindowResult, WindowCount } from './cache.store';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The in-process CacheStore for a single instance without Redis. Node runs
 * each method to completion without interleaving, which is what makes the
 * counters atomic here.
 */
export class MemoryCacheStore extends CacheStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly windows = new Map<string, number[]>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const entry = this.live(key) ?? { value: '0', expiresAt: this.now() + windowMs };
    entry.value = String(Number(entry.value) + 1);
    this.entries.set(key, entry);
    return { count: Number(entry.value), resetInMs: entry.expiresAt - this.now() };
  }

  async takeRollingWindowSlot(key: string, limit: number, windowMs: number): Promise<RollingWindowResult> {
    const now = this.now();
    const slots = (this.windows.get(key) ?? []).filter((at) => at > now - windowMs);
    if (slots.length >= limit) {
      this.windows.set(key, slots);
      return { allowed: false, count: slots.length, retryAfterMs: slots[0] + windowMs - now };
    }
    slots.push(now);
    this.windows.set(key, slots);
    return { allowed: true, count: slots.length, retryAfterMs: 0 };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    for (const [key, slots] of this.windows) if (!slots.some((at) => at > now - 3_600_000)) this.windows.delete(key);
  }
}
