import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returning } from '../common/database/returning';
import { PaymentRefund, RefundMethod, RefundStatus } from './payment-refund.entity';

/** The one owner of `payment_refunds`: the refund sagas' state. */

const REFUND_COLUMNS = `id, order_no, user_id, method, status, amount_cny, debited_usd, shortfall_usd, referrer_id, reward_reversed,
  reward_taken_usd, operator, remark, attempts, gateway_reason, gateway_refund_id, gateway_status, created_at, updated_at, completed_at`;

interface RefundRow {
  id: string;
  order_no: string;
  user_id: string;
  method: RefundMethod;
  status: RefundStatus;
  amount_cny: string;
  debited_usd: string;
  shortfall_usd: string;
  referrer_id: string | null;
  reward_reversed: boolean;
  reward_taken_usd: string;
  operator: string;
  remark: string | null;
  attempts: number;
  gateway_reason: string | null;
  gateway_refund_id: string | null;
  gateway_status: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

function toRefund(row: RefundRow): PaymentRefund {
  return Object.assign(new PaymentRefund(), {
    id: row.id,
    orderNo: row.order_no,
    userId: row.user_id,
    method: row.method,
    status: row.status,
    amountCny: row.amount_cny,
    debitedUsd: row.debited_usd,
    shortfallUsd: row.shortfall_usd,
    referrerId: row.referrer_id,
    rewardReversed: row.reward_reversed,
    rewardTakenUsd: row.reward_taken_usd,
    operator: row.operator,
    remark: row.remark,
    attempts: row.attempts,
    gatewayReason: row.gateway_reason,
    gatewayRefundId: row.gateway_refund_id,
    gatewayStatus: row.gateway_status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  });
}

/** The gateway's words are kept to the column's length. */
const REASON_MAX_LENGTH = 500;

/** What a gateway said of a refund: its id for it, and its status word. */
export interface GatewayWord {
  refundId?: string | null;
  status?: string | null;
}

export interface NewRefund {
  orderNo: string;
  userId: string;
  method: RefundMethod;
  status: RefundStatus.Pending | RefundStatus.Succeeded;
  amountCny: string;
  debitedUsd: string;
  shortfallUsd: string;
  referrerId: string | null;
  rewardReversed: boolean;
  rewardTakenUsd: string;
  operator: string;
  remark: string | null;
}

@Injectable()
export class PaymentRefundsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, refund: NewRefund): Promise<PaymentRefund> {
    const [row] = await em.query(
      `INSERT INTO payment_refunds (order_no, user_id, method, status, amount_cny, debited_usd, shortfall_usd, referrer_id,
                                    reward_reversed, reward_taken_usd, operator, remark, completed_at)
       VALUES ($1, $2, $3, $4::varchar, $5, $6, $7, $8, $9, $10, $11, $12, CASE WHEN $4::varchar = 'succeeded' THEN NOW() END)
       RETURNING ${REFUND_COLUMNS}`,
      [
        refund.orderNo,
        refund.userId,
        refund.method,
        refund.status,
        refund.amountCny,
        refund.debitedUsd,
        refund.shortfallUsd,
        refund.referrerId,
        refund.rewardReversed,
        refund.rewardTakenUsd,
        refund.operator,
        refund.remark,
      ],
    );
    return toRefund(row);
  }

  /** The order's refund under way, locked for the caller's transaction. */
  async lockPending(em: EntityManager, orderNo: string): Promise<PaymentRefund | null> {
    const [row] = await em.query(`SELECT ${REFUND_COLUMNS} FROM payment_refunds WHERE order_no = $1 AND status = 'pending' FOR UPDATE`, [
      orderNo,
    ]);
    return row ? toRefund(row) : null;
  }

  /**
   * pending → succeeded or reversed, or succeeded → failed (the gateway
   * failed a refund it had confirmed), with what the gateway said; false when
   * it was no longer in `from`.
   */
  async finish(
    em: EntityManager,
    id: string,
    status: RefundStatus.Succeeded | RefundStatus.Reversed | RefundStatus.Failed,
    reason: string | null,
    gateway: GatewayWord = {},
  ): Promise<boolean> {
    const from = status === RefundStatus.Failed ? RefundStatus.Succeeded : RefundStatus.Pending;
    const rows = await returning(
      em,
      `UPDATE payment_refunds SET status = $2, gateway_reason = COALESCE($3, gateway_reason), completed_at = NOW(), updated_at = NOW(),
              gateway_refund_id = COALESCE($5, gateway_refund_id), gateway_status = COALESCE($6, gateway_status)
        WHERE id = $1 AND status = $4 RETURNING id`,
      [id, status, reason?.slice(0, REASON_MAX_LENGTH) ?? null, from, gateway.refundId ?? null, gateway.status ?? null],
    );
    return rows.length === 1;
  }

  /**
   * The gateway accepted the refund and will report its outcome later
   * (a card refund answered `pending`): its id and word are kept, the
   * refund stays pending.
   */
  async noteUnderWay(em: EntityManager, id: string, gateway: GatewayWord): Promise<void> {
    await em.query(
      `UPDATE payment_refunds SET gateway_refund_id = COALESCE($2, gateway_refund_id), gateway_status = COALESCE($3, gateway_status),
              updated_at = NOW()
        WHERE id = $1 AND status = 'pending'`,
      [id, gateway.refundId ?? null, gateway.status ?? null],
    );
  }

  /**
   * The refund a gateway's news is about, locked for the caller's
   * transaction: the one with the gateway's refund id, else the order's live
   * refund whose id the gateway never gave (a refund made in its dashboard, or
   * one whose answer was lost), which then takes the id. Null when none is
   * ours.
   */
  async lockForGatewayNews(em: EntityManager, provider: string, gatewayRefundId: string, orderNo: string | null): Promise<PaymentRefund | null> {
    const [row] = await em.query(
      `SELECT ${REFUND_COLUMNS} FROM payment_refunds
        WHERE id = (SELECT r.id FROM payment_refunds r JOIN payment_orders o ON o.order_no = r.order_no AND o.provider = $1
                     WHERE r.gateway_refund_id = $2
                        OR (r.order_no = $3 AND r.gateway_refund_id IS NULL AND r.method <> 'manual' AND r.status IN ('pending', 'succeeded'))
                     ORDER BY r.gateway_refund_id IS NULL, r.id DESC LIMIT 1)
        FOR UPDATE`,
      [provider, gatewayRefundId, orderNo],
    );
    if (!row) return null;
    const refund = toRefund(row);
    if (refund.gatewayRefundId === null) {
      await em.query(`UPDATE payment_refunds SET gateway_refund_id = $2, updated_at = NOW() WHERE id = $1`, [refund.id, gatewayRefundId]);
      refund.gatewayRefundId = gatewayRefundId;
    }
    return refund;
  }

  /**
   * Counts a gateway call before it is made, so that after a crash during the
   * call the next attempt knows an earlier outcome is unknown.
   */
  async noteAttempt(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE payment_refunds SET attempts = attempts + 1, updated_at = NOW() WHERE id = $1`, [id]);
  }

  /** What the gateway said when the outcome stayed unknown. */
  async noteUnknownOutcome(id: string, reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE payment_refunds SET gateway_reason = $2, updated_at = NOW() WHERE id = $1 AND status = 'pending'`, [
      id,
      reason.slice(0, REASON_MAX_LENGTH),
    ]);
  }

  /**
   * Refunds under way, in id order after `afterId`, untouched for
   * `idleSeconds` (so a refund whose gateway call is still in flight is
   * left to the request that made it).
   */
  async pendingAfter(afterId: string, idleSeconds: number, limit: number): Promise<PaymentRefund[]> {
    const rows: RefundRow[] = await this.dataSource.query(
      `SELECT ${REFUND_COLUMNS} FROM payment_refunds
        WHERE status = 'pending' AND id > $1::bigint AND updated_at <= NOW() - make_interval(secs => $2)
        ORDER BY id LIMIT $3`,
      [afterId, idleSeconds, limit],
    );
    return rows.map(toRefund);
  }

  async listForOrder(orderNo: string, em: EntityManager = this.dataSource.manager): Promise<PaymentRefund[]> {
    const rows: RefundRow[] = await em.query(`SELECT ${REFUND_COLUMNS} FROM payment_refunds WHERE order_no = $1 ORDER BY id`, [
      orderNo,
    ]);
    return rows.map(toRefund);
  }
}
