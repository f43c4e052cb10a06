import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { ChargesRepository } from './charges.repository';
import { ChargesService } from './charges.service';
import { HoldsExpiryTask } from './holds-expiry.task';
import { HoldsRepository } from './holds.repository';
import { HoldsService } from './holds.service';
import { SpendingController } from './spending.controller';

/** Spending the balance: API keys, charges and their refunds, holds. */
@Module({
  imports: [LedgerModule],
  controllers: [SpendingController],
  providers: [ApiKeysRepository, ApiKeysService, ApiKeyGuard, ChargesRepository, ChargesService, HoldsRepository, HoldsService, HoldsExpiryTask],
  exports: [ApiKeysService, HoldsService],
})
export class SpendingModule {}
