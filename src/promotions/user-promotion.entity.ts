import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum PromotionStatus {
  Active = 'active',
  Used = 'used',
  Expired = 'expired',
}

/** `user_promotions`: each user's one new-user bonus. */
@Entity('user_promotions')
export class UserPromotion {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'user_id', type: 'bigint', unique: true }) userId: string;
  @Column({ type: 'varchar', length: 100 }) username: string;
  @Column({ name: 'activated_at', type: 'timestamptz' }) activatedAt: Date;
  @Column({ name: 'expire_at', type: 'timestamptz' }) expireAt: Date;
  @Column({ type: 'varchar', length: 20, default: PromotionStatus.Active }) status: PromotionStatus;
  @Column({ name: 'used_tier', type: 'int', nullable: true }) usedTier: number | null;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @Column({ name: 'used_amount', type: 'numeric', precision: 20, scale: 8, nullable: true }) usedAmount: string | null;
  @Column({ name: 'bonus_amount', type: 'numeric', precision: 20, scale: 8, nullable: true }) bonusAmount: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
