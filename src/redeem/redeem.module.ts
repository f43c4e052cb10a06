import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { RedeemController } from './redeem.controller';
import { RedeemRepository } from './redeem.repository';
import { RedeemService } from './redeem.service';

/** Redeem codes: admin batches, users' redemptions into the ledger. */
@Module({
  imports: [LedgerModule],
  controllers: [RedeemController],
  providers: [RedeemRepository, RedeemService],
  exports: [RedeemService],
})
export class RedeemModule {}
