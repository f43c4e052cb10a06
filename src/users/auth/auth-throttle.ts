import { SetMetadata } from '@nestjs/common';
import { ExecutionContext } from '@nestjs/common';

const AUTH_THROTTLED = 'throttle:auth';

/** Counts the route against the stricter per-IP limit for credentials (rate_limit.auth_per_minute). */
export const AuthThrottled = () => SetMetadata(AUTH_THROTTLED, true);

export const isAuthThrottled = (context: ExecutionContext): boolean =>
  Reflect.getMetadata(AUTH_THROTTLED, context.getHandler()) === true;
