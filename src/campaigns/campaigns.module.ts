import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { PromotionsModule } from '../promotions/promotions.module';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { NewUserBonusController } from './new-user-bonus.controller';

/** Promotions as campaigns: their rules, the offers of an order, and their grants at payment. */
@Module({
  imports: [LedgerModule, PromotionsModule],
  controllers: [NewUserBonusController],
  providers: [CampaignsRepository, CampaignsService],
  exports: [CampaignsService],
})
export class CampaignsModule {}
