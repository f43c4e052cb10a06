import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module';
import { PromotionsModule } from '../promotions/promotions.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { OrderMaintenanceService } from './order-maintenance.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { PaymentJobsTask } from './payment-jobs.task';
import { PaymentMetrics } from './payment-metrics';
import { OrderReviewService } from './order-review.service';
import { PaymentOrder } from './payment-order.entity';
import { PaymentOrdersRepository } from './payment-orders.repository';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { PaymentRefund } from './payment-refund.entity';
import { PaymentRefundsRepository } from './payment-refunds.repository';
import { RefundsService } from './refunds.service';
import { SandboxCheckoutController } from './providers/sandbox/sandbox-checkout.controller';
import { SandboxModule } from './providers/sandbox/sandbox.module';
import { SandboxProvider } from './providers/sandbox/sandbox.provider';
import { StripeModule } from './providers/stripe/stripe.module';
import { StripeProvider } from './providers/stripe/stripe.provider';
import { ZpayModule } from './providers/zpay/zpay.module';
import { ZpayProvider } from './providers/zpay/zpay.provider';
import { SettlementService } from './settlement.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [TypeOrmModule.forFeature([PaymentOrder, PaymentRefund]), LedgerModule, PromotionsModule, ReferralsModule, ZpayModule, StripeModule, SandboxModule],
  controllers: [OrdersController, WebhooksController, SandboxCheckoutController],
  providers: [
    // Every gateway adapter, by name. A new gateway: its module in providers/<name>/, imported above and listed here.
    {
      provide: PaymentProviderRegistry,
      useFactory: (zpay: ZpayProvider, stripe: StripeProvider, sandbox: SandboxProvider) =>
        new PaymentProviderRegistry([zpay, stripe, sandbox]),
      inject: [ZpayProvider, StripeProvider, SandboxProvider],
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
export class PaymentsModule {}
