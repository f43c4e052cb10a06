import { Injectable } from '@nestjs/common';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** `database_up`: 1 when PostgreSQL answers this instance's ping within 2 s at the scrape, else 0 (the same check as readiness). */
@Injectable()
export class DatabaseUpGauge {
  constructor(database: TypeOrmHealthIndicator, metrics: MetricsService) {
    new Gauge({
      name: 'database_up',
      help: 'Whether PostgreSQL answered this instance within 2 s at the scrape (1) or not (0)',
      registers: [metrics.registry],
      async collect() {
        const result = await database.pingCheck('database', { timeout: 2000 }).catch(() => null);
        this.set(result?.database?.status === 'up' ? 1 : 0);
      },
    });
  }
}
