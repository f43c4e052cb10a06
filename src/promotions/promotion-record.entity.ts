import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `promotion_records`: one row per bonus granted. */
@Entity('promotion_records')
export class PromotionRecord {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'user_id', type: 'bigint' }) userId: string;
  @Column({ type: 'varchar', length: 100 }) username: string;
  @Column({ type: 'int' }) tier: number;
  /** The order's amount_usd the bonus was computed on. */
  @Column({ type: 'numeric', precision: 20, scale: 8 }) amount: string;
  @Column({ type: 'numeric', precision: 20, scale: 8 }) bonus: string;
  @Column({ name: 'order_no', type: 'varchar', length: 50, nullable: true }) orderNo: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
