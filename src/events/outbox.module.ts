import { Global, Module } from '@nestjs/common';
import { Outbox } from './outbox';

/** The outbox's writing side, for every feature that moves money (global: each of them emits). */
@Global()
@Module({ providers: [Outbox], exports: [Outbox] })
export class OutboxModule {}
