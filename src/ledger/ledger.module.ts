import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerService } from './ledger.service';
import { RechargeRecord } from './recharge-record.entity';

@Module({
  imports: [TypeOrmModule.forFeature([RechargeRecord])],
  providers: [LedgerService],
  exports: [LedgerService],
})
export class LedgerModule {}
