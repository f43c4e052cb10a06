import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum RefundMethod {
  /** Asked through the gateway's API. */
  Gateway = 'gateway',
  /** An admin recorded a refund made outside this app (a gateway without a refund API). */
  Manual = 'manual',
  /** The gateway reported a refund made in its own dashboard. */
  External = 'external',
}

export enum RefundStatus {
  /** The user is debited; the gateway has not confirmed. The reconcile job resumes it. */
  Pending = 'pending',
  Succeeded = 'succeeded',
  /** The gateway refused: the debit (and any reversed invite reward) was given back. */
  Reversed = 'reversed',
  /**
   * The gateway had confirmed it, then reported it failed (a card refund can
   * fail days later): the debit was given back, the order is paid
   * again and flagged for an admin.
   */
  Failed = 'failed',
}

/** `payment_refunds`: one row per refund attempt of an order; at most one pending or succeeded per order. */
@Entity('payment_refunds')
export class PaymentRefund {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'order_no', type: 'varchar', length: 50 }) orderNo: string;
  @Column({ name: 'user_id', type: 'bigint' }) userId: string;
  @Column({ type: 'varchar', length: 20 }) method: RefundMethod;
  @Column({ type: 'varchar', length: 20 }) status: RefundStatus;
  @Column({ name: 'amount_cny', type: 'numeric', precision: 20, scale: 2 }) amountCny: string;
  /** What was taken from the user's balance (payment and bonus, or less with force). */
  @Column({ name: 'debited_usd', type: 'numeric', precision: 20, scale: 8 }) debitedUsd: string;
  /** What the user had already spent and could not be taken back. */
  @Column({ name: 'shortfall_usd', type: 'numeric', precision: 20, scale: 8 }) shortfallUsd: string;
  @Column({ name: 'referrer_id', type: 'bigint', nullable: true }) referrerId: string | null;
  /** Whether this refund reversed the invite reward the payment had earned. */
  @Column({ name: 'reward_reversed', type: 'boolean' }) rewardReversed: boolean;
  /** What the reversal took from the referrer's balance. */
  @Column({ name: 'reward_taken_usd', type: 'numeric', precision: 20, scale: 8 }) rewardTakenUsd: string;
  @Column({ type: 'varchar', length: 255 }) operator: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) remark: string | null;
  /** Gateway calls made so far. */
  @Column({ type: 'int' }) attempts: number;
  /** The gateway's last word when it refused or could not be reached. */
  @Column({ name: 'gateway_reason', type: 'varchar', length: 500, nullable: true }) gatewayReason: string | null;
  /** The gateway's id of the refund once it answered; its later news is matched by it. */
  @Column({ name: 'gateway_refund_id', type: 'varchar', length: 255, nullable: true }) gatewayRefundId: string | null;
  /** What the gateway last said of the refund, in its own words (pending, requires_action, succeeded, failed, …). */
  @Column({ name: 'gateway_status', type: 'varchar', length: 30, nullable: true }) gatewayStatus: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt: Date | null;
}
