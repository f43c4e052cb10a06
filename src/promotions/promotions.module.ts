import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module';
import { PromotionExpiryTask } from './promotion-expiry.task';
import { PromotionRecord } from './promotion-record.entity';
import { PromotionsService } from './promotions.service';
import { UserPromotion } from './user-promotion.entity';

@Module({
  imports: [TypeOrmModule.forFeature([UserPromotion, PromotionRecord]), LedgerModule],
  providers: [PromotionsService, PromotionExpiryTask],
  exports: [PromotionsService],
})
export class PromotionsModule {}
