import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseUpGauge } from './database-up.gauge';
import { HealthController } from './health.controller';
import { ReadinessProbes } from './readiness-probes';

/** Global so that features can register their readiness probes. */
@Global()
@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [HealthController], providers: [ReadinessProbes, DatabaseUpGauge], exports: [ReadinessProbes] })
export class HealthModule {}
