import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';
import { DomainException, ErrorKind } from '../errors/domain.exception';
import { Public } from '../http/public.decorator';
import { NoRateLimit } from '../http/throttler.guard';
import { MetricsService } from './metrics.service';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** GET /metrics in Prometheus' text format, outside /api; behind metrics.token when one is set. */
@ApiExcludeController()
@NoRateLimit()
@Public()
@Controller('metrics')
export class MetricsController {
  /** Compared as digests, so the comparison takes the same time whatever the caller sent. */
  private readonly tokenDigest: Buffer | null;

  constructor(
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.tokenDigest = config.metrics.token ? digest(`Bearer ${config.metrics.token}`) : null;
  }

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    if (this.tokenDigest && !timingSafeEqual(digest(authorization ?? ''), this.tokenDigest)) {
      throw new DomainException('METRICS_TOKEN_REQUIRED', 'send Authorization: Bearer <METRICS_TOKEN>', ErrorKind.Unauthenticated);
    }
    return this.metrics.registry.metrics();
  }
}
