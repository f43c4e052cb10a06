import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { CacheStore } from '../cache/cache.store';
import { Public } from '../http/public.decorator';
import { NoRateLimit } from '../http/throttler.guard';
import { ReadinessProbes } from './readiness-probes';

class ComponentDto {
  @ApiProperty({ enum: ['up', 'down', 'degraded'] }) status: 'up' | 'down' | 'degraded';
  @ApiProperty({ required: false, example: 'redis', description: 'For the cache: redis or memory' }) kind?: string;
}

class ComponentsDto {
  @ApiProperty({ type: ComponentDto }) database: ComponentDto;
  @ApiProperty({ type: ComponentDto }) cache: ComponentDto;
  @ApiProperty({ type: ComponentDto, required: false, description: 'The outbox: degraded when an event has waited longer than events.lag_alert_seconds' })
  events?: ComponentDto;
}

class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'degraded', 'down'], description: 'down only when the database is; degraded when the cache is, or events wait too long' })
  status: 'ok' | 'degraded' | 'down';
  @ApiProperty({ type: ComponentsDto }) info: ComponentsDto;
}

class LivenessDto {
  @ApiProperty({ example: 'ok' }) status: 'ok';
}

/**
 * Probes for load balancers and orchestrators. They name components and
 * their state, never an error's text (which can carry hosts or credentials).
 */
@ApiTags('health')
@NoRateLimit()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: TypeOrmHealthIndicator,
    private readonly cache: CacheStore,
    private readonly probes: ReadinessProbes,
  ) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process is up and answering' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers (required); the cache (Redis or in-process) is reported, degraded when it does not' })
  @ApiOkResponse({ type: ReadinessDto, description: 'Ready (status ok, or degraded when only the cache is down)' })
  @ApiServiceUnavailableResponse({ type: ReadinessDto, description: 'The database does not answer' })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    return this.readiness(reply);
  }

  @Get()
  @ApiOperation({ summary: 'The same as /api/health/ready' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto })
  check(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    return this.readiness(reply);
  }

  private async readiness(reply: FastifyReply): Promise<ReadinessDto> {
    const [databaseUp, cacheUp] = await Promise.all([
      // terminus answers a failed ping with status 'down' rather than rejecting.
      this.database.pingCheck('database', { timeout: 2000 }).then(
        (result) => result.database?.status === 'up',
        () => false,
      ),
      this.cache.ping().then(
        () => true,
        () => false,
      ),
    ]);
    const features = this.probes.all().map((probe) => [probe.component, { status: probe.check() }] as const);
    const degraded = !cacheUp || features.some(([, component]) => component.status === 'degraded');
    const status = !databaseUp ? 'down' : degraded ? 'degraded' : 'ok';
    if (!databaseUp) reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status,
      info: {
        database: { status: databaseUp ? 'up' : 'down' },
        cache: { status: cacheUp ? 'up' : 'degraded', kind: this.cache.kind },
        ...Object.fromEntries(features),
      },
    };
  }
}
