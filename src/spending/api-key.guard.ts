import { CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CacheStore } from '../common/cache/cache.store';
import { AppConfig } from '../common/config/app-config';
import { DomainException, ErrorKind } from '../common/errors/domain.exception';
import { Public } from '../common/http/public.decorator';
import { NoRateLimit } from '../common/http/throttler.guard';
import { ApiKeyScope } from './api-key';
import { ApiKeyCaller, ApiKeysService } from './api-keys.service';
import { SpendingException } from './spending.errors';
import { annotateSpan } from '../common/telemetry/telemetry';

const SCOPE = 'spend:scope';
const MINUTE_MS = 60_000;

/** The OpenAPI security scheme of the service API. */
export const API_KEY_SCHEME = 'apiKey';

/** The request of a service call, once its key is checked. */
export interface ServiceRequest {
  apiKey: ApiKeyCaller;
}

/**
 * Checks `Authorization: Bearer rk_…` on the service API: the key must be
 * live and carry the route's scope, and each key has its own rate limit
 * (`spend.requests_per_minute_per_key`) instead of the per-IP ones.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly cache: CacheStore,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> } & Partial<ServiceRequest>>();
    const [scheme, key] = String(request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !key) throw SpendingException.apiKeyInvalid();
    const caller = await this.keys.authenticate(key);
    const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(SCOPE, [context.getHandler(), context.getClass()]);
    if (scope && !caller.scopes.includes(scope)) throw SpendingException.apiKeyScope(scope);

    const limit = this.config.spend.requestsPerMinutePerKey;
    const window = await this.cache.increment(`apikey:${caller.id}`, MINUTE_MS);
    if (window.count > limit) {
      const seconds = Math.max(1, Math.ceil(window.resetInMs / 1000));
      throw new DomainException('RATE_LIMITED', `too many requests: at most ${limit} per minute for this API key`, ErrorKind.RateLimited, seconds);
    }
    request.apiKey = caller;
    annotateSpan({ 'recharge.api_key_id': caller.id });
    return true;
  }
}

/** A controller of the service API: API-key authentication instead of users' tokens and per-IP limits. */
export const ServiceApi = () =>
  applyDecorators(
    Public(),
    NoRateLimit(),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(API_KEY_SCHEME),
    ApiUnauthorizedResponse({ description: 'No valid API key (missing, unknown or revoked)' }),
    ApiTooManyRequestsResponse({ description: 'This API key’s rate limit is reached; see Retry-After' }),
  );

/** The scope a service route needs. */
export const RequireScope = (scope: ApiKeyScope) =>
  applyDecorators(SetMetadata(SCOPE, scope), ApiForbiddenResponse({ description: `The API key lacks the scope ${scope}` }));
