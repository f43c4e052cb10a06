import { Module } from '@nestjs/common';
import { ZpayProvider } from './zpay.provider';

@Module({ providers: [ZpayProvider], exports: [ZpayProvider] })
export class ZpayModule {}
