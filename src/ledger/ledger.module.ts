import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerAuditTask } from './ledger-audit.task';
import { LedgerService } from './ledger.service';
import { RechargeRecord } from './recharge-record.entity';

@Module({
  imports: [TypeOrmModule.forFeature([RechargeRecord])],
  providers: [LedgerService, LedgerAuditTask],
  exports: [LedgerService],
})
export class LedgerModule {}
