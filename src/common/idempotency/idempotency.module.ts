import { Global, Module } from '@nestjs/common';
import { IdempotencyPurgeTask } from './idempotency-purge.task';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyStore } from './idempotency.store';

/** Global: the interceptor that @Idempotent() routes use is built in each controller's module from these. */
@Global()
@Module({ providers: [IdempotencyStore, IdempotencyInterceptor, IdempotencyPurgeTask], exports: [IdempotencyStore, IdempotencyInterceptor] })
export class IdempotencyModule {}
