import { EntityManager } from 'typeorm';

/** The admin-visible moves of an order that no admin made: the gateway's news changed it. */
export type GatewayAuditAction = 'order.refund_failed';

export interface GatewayAuditEntry {
  action: GatewayAuditAction;
  orderNo: string;
  /** Why, in words an admin can read (the gateway's reason). */
  remark: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * The port through which the payments module has the admin audit log record
 * a move the gateway made (operator `gateway`), in the caller's transaction so
 * the record exists exactly when the move does. The admin module, which owns
 * the audit log, provides it.
 */
export abstract class PaymentAuditTrail {
  abstract recordGatewayAction(em: EntityManager, entry: GatewayAuditEntry): Promise<void>;
}
