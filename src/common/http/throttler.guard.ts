import { ExecutionContext, Injectable } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { DomainException, ErrorKind } from '../errors/domain.exception';

/** @nestjs/throttler's guard, answering in our error shape with a plain Retry-After header. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new DomainException(
      'RATE_LIMITED',
      `too many requests: at most ${detail.limit} per ${Math.round(detail.ttl / 1000)} s, try again later`,
      ErrorKind.RateLimited,
      Math.max(1, detail.timeToBlockExpire),
    );
  }
}

/**
 * Exempts a route from every rate limit (the named throttlers `global` and
 * `auth`; a bare @SkipThrottle() only skips one called `default`). For
 * gateways, probes and scrapers.
 */
export const NoRateLimit = () => SkipThrottle({ global: true, auth: true });
