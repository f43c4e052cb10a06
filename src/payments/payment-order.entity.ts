import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, ValueTransformer } from 'typeorm';
import type { OrderCampaign } from '../campaigns/campaigns.service';
import { trimAmount } from '../common/money/money';

/** Stored at 8 places, read back as given ("20.00", "2.781"): the same value, the shortest form. */
export const SHOWN_AS_GIVEN: ValueTransformer = {
  from: (value: string | null) => (value === null ? null : trimAmount(value)),
  to: (value: string | null) => value,
};

/** A rate, as configured ("7.2"). */
export const RATE_AS_GIVEN: ValueTransformer = {
  from: (value: string | null) => (value === null ? null : trimAmount(value, 0)),
  to: (value: string | null) => value,
};

/** The states of an order; the moves between them are written once, in order-lifecycle.ts. */
export enum OrderStatus {
  Pending = 'pending',
  Paid = 'paid',
  Expired = 'expired',
  Cancelled = 'cancelled',
  Failed = 'failed',
  Refunding = 'refunding',
  Refunded = 'refunded',
}

/** `payment_orders`: one top-up attempt, from creation to paid (or expired, cancelled, failed) and maybe refunded. */
@Entity('payment_orders')
export class PaymentOrder {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'order_no', type: 'varchar', length: 50, unique: true }) orderNo: string;
  @Column({ name: 'trade_no', type: 'varchar', length: 100, nullable: true, unique: true }) tradeNo: string | null;
  @Column({ name: 'user_id', type: 'bigint' }) userId: string;
  @Column({ type: 'varchar', length: 100 }) username: string;
  @Column({ name: 'amount_cny', type: 'numeric', precision: 20, scale: 2 }) amountCny: string;
  @Column({ name: 'amount_usd', type: 'numeric', precision: 20, scale: 8 }) amountUsd: string;
  @Column({ name: 'bonus_usd', type: 'numeric', precision: 20, scale: 8, default: 0 }) bonusUsd: string;
  @Column({ name: 'total_usd', type: 'numeric', precision: 20, scale: 8 }) totalUsd: string;
  @Column({ name: 'exchange_rate', type: 'numeric', precision: 10, scale: 4 }) exchangeRate: string;
  /** A registered gateway's name (payment_providers). */
  @Column({ type: 'varchar', length: 20 }) provider: string;
  @Column({ name: 'payment_method', type: 'varchar', length: 50, nullable: true }) paymentMethod: string | null;
  @Column({ name: 'payment_url', type: 'varchar', length: 1000, nullable: true }) paymentUrl: string | null;
  @Column({ type: 'varchar', length: 20, default: OrderStatus.Pending }) status: OrderStatus;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt: Date | null;
  @Column({ name: 'expire_at', type: 'timestamptz' }) expireAt: Date;
  @Column({ name: 'promotion_tier', type: 'int', nullable: true }) promotionTier: number | null;
  @Column({ name: 'promotion_used', type: 'boolean', default: false }) promotionUsed: boolean;
  /** The campaigns that applied when the order was created, with their bonuses; null for orders created before campaigns. */
  @Column({ type: 'jsonb', nullable: true }) campaigns: OrderCampaign[] | null;
  @Column({ name: 'callback_data', type: 'text', nullable: true, select: false }) callbackData: string | null;
  @Column({ name: 'callback_at', type: 'timestamptz', nullable: true }) callbackAt: Date | null;
  @Column({ name: 'client_ip', type: 'varchar', length: 50, nullable: true }) clientIp: string | null;
  @Column({ name: 'user_agent', type: 'varchar', length: 500, nullable: true }) userAgent: string | null;
  /** What the payer is asked to pay, in the gateway's currency ('CNY', or 'USDT' …), at pay_rate CNY per unit. */
  @Column({ name: 'pay_currency', type: 'varchar', length: 10 }) payCurrency: string;
  @Column({ name: 'pay_amount', type: 'numeric', precision: 20, scale: 8, transformer: SHOWN_AS_GIVEN }) payAmount: string;
  @Column({ name: 'pay_rate', type: 'numeric', precision: 20, scale: 8, nullable: true, transformer: RATE_AS_GIVEN }) payRate: string | null;
  @Column({ name: 'pay_address', type: 'varchar', length: 100, nullable: true }) payAddress: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
