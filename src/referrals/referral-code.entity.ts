import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `referral_codes`: each user's invite code. */
@Entity('referral_codes')
export class ReferralCode {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'user_id', type: 'bigint', unique: true }) userId: string;
  @Column({ type: 'varchar', length: 20, unique: true }) code: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
