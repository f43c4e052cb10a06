import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditModule } from '../admin/admin-audit.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PromotionsModule } from '../promotions/promotions.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { OrderMaintenanceService } from './order-maintenance.service';
import { OrderReviewService } from './order-review.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { PaymentJobsTask } from './payment-jobs.task';
import { PaymentMetrics } from './payment-metrics';
import { PaymentOrder } from './payment-order.entity';
import { PaymentOrdersRepository } from './payment-orders.repository';
import { PaymentProvider } from './payment-provider';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { PaymentRefund } from './payment-refund.entity';
import { PaymentRefundsRepository } from './payment-refunds.repository';
import { GATEWAYS } from './providers';
import { RefundsService } from './refunds.service';
import { SettlementService } from './settlement.service';
import { webhookController } from './webhook-controller';
import { WebhooksService } from './webhooks.service';

/**
 * Payments, with every gateway of providers/index.ts mounted from what it
 * declares: its adapter and helpers as providers here, its callback route,
 * its own pages.
 */
@Module({
  // The audit log, for the PaymentAuditTrail port only (this module never imports the admin's services).
  imports: [TypeOrmModule.forFeature([PaymentOrder, PaymentRefund]), LedgerModule, PromotionsModule, ReferralsModule, AdminAuditModule, CampaignsModule],
  controllers: [
    OrdersController,
    ...GATEWAYS.flatMap((gateway) => (gateway.webhook ? [webhookController(gateway.name, gateway.webhook)] : [])),
    ...GATEWAYS.flatMap((gateway) => gateway.controllers ?? []),
  ],
  providers: [
    ...GATEWAYS.flatMap((gateway) => [gateway.adapter, ...(gateway.providers ?? [])]),
    {
      provide: PaymentProviderRegistry,
      useFactory: (...adapters: PaymentProvider[]) => new PaymentProviderRegistry(adapters),
      inject: GATEWAYS.map((gateway) => gateway.adapter),
    },
    PaymentMetrics,
    PaymentOrdersRepository,
    PaymentRefundsRepository,
    OrdersService,
    SettlementService,
    RefundsService,
    OrderReviewService,
    WebhooksService,
    OrderMaintenanceService,
    PaymentJobsTask,
  ],
  exports: [OrdersService, SettlementService, RefundsService, OrderReviewService, OrderMaintenanceService, PaymentProviderRegistry],
})
export class PaymentsModule implements OnModuleInit {
  constructor(
    private readonly registry: PaymentProviderRegistry,
    private readonly orders: PaymentOrdersRepository,
  ) {}

  /** Every gateway's name into payment_providers, which orders reference: a new gateway needs no migration for it. */
  async onModuleInit(): Promise<void> {
    await this.orders.registerProviders(this.registry.all().map((provider) => provider.name));
  }
}
