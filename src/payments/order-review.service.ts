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

  /** One order in full; with `em`, as the caller's transaction sees it (an admin's change, before it commits). */
  async detail(orderNo: string, em?: EntityManager): Promise<OrderReview> {
    const order = await this.orders.findByOrderNo(orderNo, em);
    if (!order) throw PaymentsException.orderNotFound(orderNo);
    const reads = [
      () => this.orders.reviewExtras(orderNo, em),
      () => this.orders.events(orderNo, em),
      () => this.refundRows.listForOrder(orderNo, em),
      () => this.ledger.rowsFor(order.userId, orderNo, em),
    ] as const;
    // In a transaction the reads share its one connection: one after another.
    const [extras, events, refunds, ledger] = em
      ? [await reads[0](), await reads[1](), await reads[2](), await reads[3]()]
      : await Promise.all([reads[0](), reads[1](), reads[2](), reads[3]()]);
    return { order, ...extras, refundsByApi: this.refunds.refundsByApi(order.provider), events, refunds, ledger };
  }

  stats(): Promise<OrderStats> {
    return this.orders.stats();
  }
}
