import { CampaignsModule } from '../campaigns/campaigns.module';
import { AdminCampaignsController } from './admin-campaigns.controller';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module';
import { AdminAuditLog } from './admin-audit-log.entity';
import { AdminAuditModule } from './admin-audit.module';
import { AdminAuditLogsController } from './admin-audit-logs.controller';
import { AdminExportsService } from './admin-exports.service';
import { AdminLedgerController } from './admin-ledger.controller';
import { AdminLedgerService } from './admin-ledger.service';
import { AdminGrowthController } from './admin-growth.controller';
import { PromotionsModule } from '../promotions/promotions.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { PaymentsModule } from '../payments/payments.module';
import { UsersModule } from '../users/users.module';
import { AdminPaymentsController } from './admin-payments.controller';
import { AdminPaymentsService } from './admin-payments.service';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';
import { AdminApiKeysController } from './admin-api-keys.controller';
import { SpendingModule } from '../spending/spending.module';
import { RedeemModule } from '../redeem/redeem.module';
import { AdminRedeemController } from './admin-redeem.controller';
import { EventsModule } from '../events/events.module';
import { AdminWebhookEndpointsController } from './admin-webhook-endpoints.controller';

@Module({
  imports: [TypeOrmModule.forFeature([AdminAuditLog]), AdminAuditModule, UsersModule, LedgerModule, PromotionsModule, ReferralsModule, PaymentsModule, SpendingModule, RedeemModule, EventsModule, CampaignsModule],
  controllers: [AdminAuditLogsController, AdminLedgerController, AdminGrowthController, AdminPaymentsController, AdminUsersController, AdminApiKeysController, AdminRedeemController, AdminWebhookEndpointsController, AdminCampaignsController],
  providers: [AdminExportsService, AdminLedgerService, AdminPaymentsService, AdminUsersService],
  exports: [AdminAuditModule],
})
export class AdminModule {}
