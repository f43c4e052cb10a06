import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Page, PageQueryDto, pageOf } from '../common/http/page.dto';
import { AuthenticatedUser } from '../users/auth/authenticated-user';
import { GatewayAuditEntry, PaymentAuditTrail } from '../payments/payment-audit-trail';
import { AdminAuditLog } from './admin-audit-log.entity';

/** Who the audit log names for a move the gateway's news made. */
export const GATEWAY_OPERATOR = 'gateway';

/** Every kind of admin action the audit log records. */
export enum AuditAction {
  UserStatus = 'user.status',
  /** An account closed, by an admin or by its owner (then the "admin" is the owner, named by the tombstone). */
  UserClose = 'user.close',
  BalanceAdjust = 'balance.adjust',
  OrderConfirm = 'order.confirm',
  OrderRefund = 'order.refund',
  OrderRefundRecorded = 'order.refund_recorded',
  OrderRefundResolved = 'order.refund_resolved',
  OrderDuplicateResolved = 'order.duplicate_resolved',
  /** Not an admin's: the gateway failed a refund it had confirmed, and the order was paid again (operator `gateway`). */
  OrderRefundFailed = 'order.refund_failed',
  UnmatchedPaymentResolved = 'payment.unmatched_resolved',
  OrdersExport = 'orders.export',
  LedgerExport = 'ledger.export',
  ApiKeyCreate = 'api_key.create',
  ApiKeyRevoke = 'api_key.revoke',
  RedeemBatchCreate = 'redeem_batch.create',
  RedeemBatchDisable = 'redeem_batch.disable',
  WebhookEndpointCreate = 'webhook_endpoint.create',
  WebhookEndpointUpdate = 'webhook_endpoint.update',
  WebhookEndpointRotateSecret = 'webhook_endpoint.rotate_secret',
  WebhookEndpointDelete = 'webhook_endpoint.delete',
  WebhookDeliveryResend = 'webhook_delivery.resend',
  CampaignCreate = 'campaign.create',
  CampaignUpdate = 'campaign.update',
  CampaignPause = 'campaign.pause',
  CampaignResume = 'campaign.resume',
  CampaignEnd = 'campaign.end',
}

/** What an audited action was done to. */
export enum AuditTarget {
  User = 'user',
  PaymentOrder = 'payment_order',
  /** A gateway's news that belongs to no order (provider:event id). */
  PaymentEvent = 'payment_event',
  ApiKey = 'api_key',
  RedeemBatch = 'redeem_batch',
  WebhookEndpoint = 'webhook_endpoint',
  Campaign = 'campaign',
  Export = 'export',
}

export interface AdminAction {
  action: AuditAction;
  targetType: AuditTarget;
  targetId: string;
  remark?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface AuditLogFilter {
  adminId?: string;
  action?: AuditAction;
  targetType?: AuditTarget;
  targetId?: string;
  from?: Date;
  to?: Date;
}

/** The owner of `admin_audit_logs`: writes a record with the action it describes, and reads them back for admins. */
@Injectable()
export class AdminAuditService implements PaymentAuditTrail {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A move of an order that the gateway's news made, recorded in the caller's transaction with no admin (operator `gateway`). */
  async recordGatewayAction(em: EntityManager, entry: GatewayAuditEntry): Promise<void> {
    const actions: Record<GatewayAuditEntry['action'], AuditAction> = { 'order.refund_failed': AuditAction.OrderRefundFailed };
    await em.save(
      em.create(AdminAuditLog, {
        adminId: null,
        adminEmail: GATEWAY_OPERATOR,
        action: actions[entry.action],
        targetType: AuditTarget.PaymentOrder,
        targetId: entry.orderNo,
        remark: entry.remark,
        beforeState: entry.before,
        afterState: entry.after,
      }),
    );
  }

  /** Records an admin action in the caller's transaction, so the record exists exactly when the action does. */
  async record(em: EntityManager, admin: AuthenticatedUser, action: AdminAction): Promise<void> {
    const log = em.create(AdminAuditLog, {
      adminId: admin.id,
      adminEmail: admin.email,
      action: action.action,
      targetType: action.targetType,
      targetId: action.targetId,
      remark: action.remark ?? null,
      beforeState: action.before ?? null,
      afterState: action.after ?? null,
    });
    await em.save(log);
  }

  /** Newest first. A target id filter reads the (target_type, target_id, created_at) index. */
  async list(filter: AuditLogFilter, page: PageQueryDto): Promise<Page<AdminAuditLog>> {
    const query = this.dataSource.getRepository(AdminAuditLog).createQueryBuilder('a');
    if (filter.adminId) query.andWhere('a.adminId = :adminId', { adminId: filter.adminId });
    if (filter.action) query.andWhere('a.action = :action', { action: filter.action });
    if (filter.targetType) query.andWhere('a.targetType = :targetType', { targetType: filter.targetType });
    if (filter.targetId) query.andWhere('a.targetId = :targetId', { targetId: filter.targetId });
    if (filter.from) query.andWhere('a.createdAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('a.createdAt < :to', { to: filter.to });
    const [items, total] = await query
      .orderBy('a.createdAt', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .skip((page.page - 1) * page.pageSize)
      .take(page.pageSize)
      .getManyAndCount();
    return pageOf(items, total, page);
  }
}
