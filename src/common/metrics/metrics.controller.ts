import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../http/public.decorator';
import { MetricsService } from './metrics.service';
import { NoRateLimit } from '../http/throttler.guard';

/** GET /metrics in Prometheus' text format, outside /api. */
@ApiExcludeController()
@NoRateLimit()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
