import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from './admin/admin.module';
import { CacheModule } from './common/cache/cache.module';
import { CacheThrottlerStorage } from './common/cache/cache-throttler.storage';
import { CacheStore } from './common/cache/cache.store';
import { AppConfig } from './common/config/app-config';
import { ConfigModule } from './common/config/config.module';
import { dataSourceOptions } from './common/database/data-source.options';
import { RateLimitGuard } from './common/http/throttler.guard';
import { JobsModule } from './common/jobs/jobs.module';
import { HealthModule } from './common/health/health.module';
import { MetricsModule } from './common/metrics/metrics.module';
import { LedgerModule } from './ledger/ledger.module';
import { AuthGuard } from './users/auth/auth.guard';
import { isAuthThrottled } from './users/auth/auth-throttle';
import { UsersModule } from './users/users.module';
import { PaymentsModule } from './payments/payments.module';
import { SpendingModule } from './spending/spending.module';
import { RedeemModule } from './redeem/redeem.module';
import { InputGuard } from './common/http/input.guard';
import { EventsModule } from './events/events.module';
import { OutboxModule } from './events/outbox.module';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { TelemetryShutdown } from './common/telemetry/telemetry-shutdown';

const MINUTE_MS = 60_000;

@Module({})
export class AppModule {
  /** The whole app for one validated configuration (the app and the tests build it the same way). */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule,
        IdempotencyModule,
        CacheModule,
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.database.url, config.database.poolSize),
          autoLoadEntities: true,
        }),
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, CacheStore],
          useFactory: (cfg: AppConfig, store: CacheStore) => ({
            storage: new CacheThrottlerStorage(store),
            throttlers: [
              { name: 'global', ttl: MINUTE_MS, limit: cfg.rateLimit.globalPerMinute },
              {
                name: 'auth',
                ttl: MINUTE_MS,
                limit: cfg.rateLimit.authPerMinute,
                skipIf: (context) => !isAuthThrottled(context),
              },
            ],
          }),
        }),
        ScheduleModule.forRoot(),
        JobsModule,
        HealthModule,
        OutboxModule,
        EventsModule,
        LedgerModule,
        UsersModule,
        AdminModule,
        PaymentsModule,
        SpendingModule,
        RedeemModule,
      ],
      providers: [
        TelemetryShutdown,
        // Order matters: rate limits apply before authentication.
        { provide: APP_GUARD, useClass: InputGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useExisting: AuthGuard },
      ],
    };
  }
}
