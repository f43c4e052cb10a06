import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { CacheStore } from '../cache/cache.store';
import { Public } from '../http/public.decorator';
import { NoRateLimit } from '../http/throttler.guard';

@ApiTags('health')
@NoRateLimit()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly cache: CacheStore,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and readiness: the database and the cache (Redis or in-process) answer' })
  @ApiOkResponse({ description: 'Everything is up' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which' })
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      async () => {
        const indicator = this.indicators.check('cache');
        try {
          await this.cache.ping();
          return indicator.up({ kind: this.cache.kind });
        } catch (error) {
          return indicator.down({ kind: this.cache.kind, message: (error as Error).message });
        }
      },
    ]);
  }
}
