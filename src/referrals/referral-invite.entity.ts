import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** `referral_invites`: who invited whom, what the invitee has paid, and whether the reward was issued. */
@Entity('referral_invites')
export class ReferralInvite {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'invitee_id', type: 'bigint', unique: true }) inviteeId: string;
  @Column({ name: 'invitee_username', type: 'varchar', length: 100 }) inviteeUsername: string;
  @Column({ name: 'referrer_id', type: 'bigint' }) referrerId: string;
  @Column({ name: 'referrer_username', type: 'varchar', length: 100 }) referrerUsername: string;
  @Column({ name: 'total_recharge_cny', type: 'numeric', precision: 20, scale: 2, default: 0 }) totalRechargeCny: string;
  @Column({ name: 'total_recharge_usd', type: 'numeric', precision: 20, scale: 8, default: 0 }) totalRechargeUsd: string;
  @Column({ name: 'is_qualified', type: 'boolean', default: false }) isQualified: boolean;
  @Column({ name: 'qualified_at', type: 'timestamptz', nullable: true }) qualifiedAt: Date | null;
  @Column({ name: 'reward_issued', type: 'boolean', default: false }) rewardIssued: boolean;
  @Column({ name: 'reward_issued_at', type: 'timestamptz', nullable: true }) rewardIssuedAt: Date | null;
  @Column({ name: 'reward_amount_usd', type: 'numeric', precision: 20, scale: 8, default: 0 }) rewardAmountUsd: string;
  /** The invitee registered from the referrer's own address: recorded, not rewarded (unless referral.reward_same_ip). */
  @Column({ name: 'same_ip', type: 'boolean', default: false }) sameIp: boolean;
  @Column({ name: 'reward_reversed_at', type: 'timestamptz', nullable: true }) rewardReversedAt: Date | null;
  @Column({ name: 'reward_shortfall_usd', type: 'numeric', precision: 20, scale: 8, default: 0 }) rewardShortfallUsd: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
