import { CacheStore } from './cache.store';

/**
 * Counts failed attempts (a wrong password, a wrong code) per subject — an
 * account, a user, an IP — in a fixed window. Once a subject reaches the
 * limit, every attempt for it is refused until its window ends, successes
 * included, so waiting for the right guess gains nothing.
 */
export class FailureLimiter {
  constructor(
    private readonly cache: CacheStore,
    /** Namespaces the keys: 'login', 'redeem'. */
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until the longest-blocked subject may try again; 0 when none is blocked. */
  async retryAfterSeconds(subjects: string[]): Promise<number> {
    const now = Date.now();
    const until = await Promise.all(subjects.map(async (subject) => Number((await this.cache.get(this.blockedKey(subject))) ?? 0)));
    const longest = Math.max(0, ...until);
    return longest > now ? Math.ceil((longest - now) / 1000) : 0;
  }

  async recordFailure(subjects: string[]): Promise<void> {
    await Promise.all(
      subjects.map(async (subject) => {
        const failures = await this.cache.increment(this.countKey(subject), this.windowMs);
        if (failures.count >= this.limit) await this.cache.set(this.blockedKey(subject), String(Date.now() + failures.resetInMs), failures.resetInMs);
      }),
    );
  }

  /** Forgets a subject's failures (a successful login). */
  async clear(subject: string): Promise<void> {
    await this.cache.delete(this.countKey(subject));
  }

  private countKey = (subject: string) => `${this.name}:failures:${subject}`;
  private blockedKey = (subject: string) => `${this.name}:failures:${subject}:blocked`;
}
