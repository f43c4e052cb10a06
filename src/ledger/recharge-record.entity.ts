import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum LedgerType {
  Admin = 'admin',
  Payment = 'payment',
  Promotion = 'promotion',
  Redeem = 'redeem',
  Referral = 'referral',
  Deduct = 'deduct',
  Refund = 'refund',
}

/** recharge_records.remark's length: every remark an admin types is limited to it, so it always fits. */
export const REMARK_MAX_LENGTH = 500;

/** `recharge_records`: one append-only row per balance change. */
@Entity('recharge_records')
export class RechargeRecord {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'user_id', type: 'bigint' })
  userId: string;

  /** > 0 credit, < 0 debit, never 0. */
  @Column({ type: 'numeric', precision: 20, scale: 8 })
  amount: string;

  @Column({ type: 'varchar', length: 20 })
  type: LedgerType;

  @Column({ type: 'varchar', length: 255, nullable: true })
  operator: string | null;

  @Column({ type: 'varchar', length: REMARK_MAX_LENGTH, nullable: true })
  remark: string | null;

  @Column({ name: 'related_id', type: 'varchar', length: 100, nullable: true })
  relatedId: string | null;

  @Column({ name: 'balance_before', type: 'numeric', precision: 20, scale: 8 })
  balanceBefore: string;

  @Column({ name: 'balance_after', type: 'numeric', precision: 20, scale: 8 })
  balanceAfter: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The campaign that paid a bonus row (type promotion); null for every other row. */
  @Column({ name: 'campaign_id', type: 'bigint', nullable: true })
  campaignId: string | null;
}
