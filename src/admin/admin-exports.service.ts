import { Injectable, StreamableFile } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CsvColumn, csvFile, exportFilename } from '../common/http/csv-export';
import { LedgerExportRow, LedgerFilter, LedgerService } from '../ledger/ledger.service';
import { AdminOrderFilter, OrderExportRow, OrderReviewService } from '../payments/order-review.service';
import { RATE_AS_GIVEN, SHOWN_AS_GIVEN } from '../payments/payment-order.entity';
import { AuthenticatedUser } from '../users/auth/authenticated-user';
import { AdminAuditService, AuditAction, AuditTarget } from './admin-audit.service';

const ORDER_COLUMNS: CsvColumn<OrderExportRow>[] = [
  { header: 'order_no', value: (o) => o.order_no },
  { header: 'status', value: (o) => o.status },
  { header: 'provider', value: (o) => o.provider },
  { header: 'payment_method', value: (o) => o.payment_method },
  { header: 'user_id', value: (o) => o.user_id, numeric: true },
  { header: 'username', value: (o) => o.username },
  { header: 'user_email', value: (o) => o.user_email },
  { header: 'amount_cny', value: (o) => o.amount_cny, numeric: true },
  { header: 'amount_usd', value: (o) => o.amount_usd, numeric: true },
  { header: 'bonus_usd', value: (o) => o.bonus_usd, numeric: true },
  { header: 'total_usd', value: (o) => o.total_usd, numeric: true },
  { header: 'exchange_rate', value: (o) => o.exchange_rate, numeric: true },
  { header: 'promotion_tier', value: (o) => o.promotion_tier, numeric: true },
  { header: 'trade_no', value: (o) => o.trade_no },
  { header: 'needs_attention', value: (o) => o.needs_attention },
  { header: 'created_at', value: (o) => o.created_at },
  { header: 'paid_at', value: (o) => o.paid_at },
  { header: 'expire_at', value: (o) => o.expire_at },
  // What the payer was asked for in the gateway's currency (USDT: the unique amount, the rate, the address); last, so earlier columns keep their places.
  { header: 'pay_currency', value: (o) => o.pay_currency },
  // Stored at 8 places, written as the API shows them ("20.00", "2.781", "7.2").
  { header: 'pay_amount', value: (o) => SHOWN_AS_GIVEN.from(o.pay_amount), numeric: true },
  { header: 'pay_rate', value: (o) => RATE_AS_GIVEN.from(o.pay_rate), numeric: true },
  { header: 'pay_address', value: (o) => o.pay_address },
];

const LEDGER_COLUMNS: CsvColumn<LedgerExportRow>[] = [
  { header: 'id', value: (r) => r.id, numeric: true },
  { header: 'user_id', value: (r) => r.user_id, numeric: true },
  { header: 'type', value: (r) => r.type },
  { header: 'amount_usd', value: (r) => r.amount, numeric: true },
  { header: 'balance_before_usd', value: (r) => r.balance_before, numeric: true },
  { header: 'balance_after_usd', value: (r) => r.balance_after, numeric: true },
  { header: 'operator', value: (r) => r.operator },
  { header: 'related_id', value: (r) => r.related_id },
  { header: 'remark', value: (r) => r.remark },
  { header: 'created_at', value: (r) => r.created_at },
];

/** A filter as the audit log keeps it: the filters given, dates as ISO strings. */
function filterRecord(filter: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(filter)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]),
  );
}

/**
 * CSV downloads of the admin order list and the global ledger. An export
 * hands out users' emails and money movements in bulk, so each one is
 * audited (who, when, with which filters) before the first row is read.
 */
@Injectable()
export class AdminExportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly review: OrderReviewService,
    private readonly ledgerRows: LedgerService,
    private readonly audit: AdminAuditService,
  ) {}

  async orders(admin: AuthenticatedUser, filter: AdminOrderFilter): Promise<StreamableFile> {
    await this.audit.record(this.dataSource.manager, admin, {
      action: AuditAction.OrdersExport,
      targetType: AuditTarget.Export,
      targetId: 'payment_orders',
      after: { filter: filterRecord(filter) },
    });
    return csvFile(exportFilename('orders'), ORDER_COLUMNS, this.review.export(filter));
  }

  async ledger(admin: AuthenticatedUser, filter: LedgerFilter): Promise<StreamableFile> {
    await this.audit.record(this.dataSource.manager, admin, {
      action: AuditAction.LedgerExport,
      targetType: AuditTarget.Export,
      targetId: 'recharge_records',
      after: { filter: filterRecord(filter) },
    });
    return csvFile(exportFilename('ledger'), LEDGER_COLUMNS, this.ledgerRows.exportRows(filter));
  }
}
