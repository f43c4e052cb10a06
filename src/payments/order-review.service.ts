import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Page, PageQueryDto } from '../common/http/page.dto';
import { LedgerService } from '../ledger/ledger.service';
import { RechargeRecord } from '../ledger/recharge-record.entity';
import { PaymentOrder } from './payment-order.entity';
import { AdminOrderFilter, OrderEvent, OrderExportRow, OrderStats, PaymentOrdersRepository } from './payment-orders.repository';
import { PaymentRefund } from './payment-refund.entity';
import { PaymentRefundsRepository } from './payment-refunds.repository';
import { PaymentProvider } from './payment-provider';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { PaymentsException } from './payments.errors';
import { RefundsService } from './refunds.service';

export type { AdminOrderFilter, OrderEvent, OrderExportRow };

export interface OrderReview {
  order: PaymentOrder;
  userEmail: string | null;
  needsAttention: boolean;
  /** Whether a refund goes through the gateway's API, or is recorded as made outside. */
  refundsByApi: boolean;
  callbackData: string | null;
  events: OrderEvent[];
  refunds: PaymentRefund[];
  /** The ledger rows this order caused on its user's balance. */
  ledger: RechargeRecord[];
}

/** What admins read about orders: the search, one order in full, the totals. */
@Injectable()
export class OrderReviewService {
  constructor(
    private readonly orders: PaymentOrdersRepository,
    private readonly refundRows: PaymentRefundsRepository,
    private readonly refunds: RefundsService,
    private readonly ledger: LedgerService,
    private readonly providers: PaymentProviderRegistry,
  ) {}

  /** Every registered gateway, enabled or not. */
  gateways(): PaymentProvider[] {
    return this.providers.all();
  }

  /** Payments gateways reported that match no order, newest first: never credited, for an admin to look into. */
  unmatchedPayments(page: PageQueryDto, resolved: boolean | undefined): Promise<Page<OrderEvent & { provider: string }>> {
    return this.orders.unmatchedPayments(page, resolved);
  }

  /** An admin dealt with an unmatched payment (refunded it, or credited the payer by an adjustment). */
  async resolveUnmatchedPayment(em: EntityManager, provider: string, eventId: string, by: string): Promise<OrderEvent & { provider: string }> {
    const resolved = await this.orders.resolveUnmatchedPayment(em, provider, eventId, by);
    if (!resolved) throw PaymentsException.noUnmatchedPayment(provider, eventId);
    return resolved;
  }

  list(filter: AdminOrderFilter, page: PageQueryDto): Promise<Page<PaymentOrder & { userEmail: string; needsAttention: boolean }>> {
    return this.orders.adminList(filter, page);
  }

  /** The orders of a filter for a CSV export, in batches, newest first. */
  export(filter: AdminOrderFilter): AsyncGenerator<OrderExportRow[]> {
    return this.orders.adminExport(filter);
  }

  async detail(orderNo: string): Promise<OrderReview> {
    const order = await this.orders.findByOrderNo(orderNo);
    if (!order) throw PaymentsException.orderNotFound(orderNo);
    const [extras, events, refunds, ledger] = await Promise.all([
      this.orders.reviewExtras(orderNo),
      this.orders.events(orderNo),
      this.refundRows.listForOrder(orderNo),
      this.ledger.rowsFor(order.userId, orderNo),
    ]);
    return { order, ...extras, refundsByApi: this.refunds.refundsByApi(order.provider), events, refunds, ledger };
  }

  stats(): Promise<OrderStats> {
    return this.orders.stats();
  }
}
