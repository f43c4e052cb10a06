import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { REMARK_MAX_LENGTH } from '../ledger/recharge-record.entity';

/** `admin_audit_logs`: who did what to which record, and the state before and after. */
@Entity('admin_audit_logs')
export class AdminAuditLog {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'admin_id', type: 'bigint', nullable: true }) adminId: string | null;
  @Column({ name: 'admin_email', type: 'varchar', length: 255 }) adminEmail: string;
  @Column({ type: 'varchar', length: 50 }) action: string;
  @Column({ name: 'target_type', type: 'varchar', length: 50 }) targetType: string;
  @Column({ name: 'target_id', type: 'varchar', length: 100 }) targetId: string;
  @Column({ type: 'varchar', length: REMARK_MAX_LENGTH, nullable: true }) remark: string | null;
  @Column({ name: 'before_state', type: 'jsonb', nullable: true }) beforeState: Record<string, unknown> | null;
  @Column({ name: 'after_state', type: 'jsonb', nullable: true }) afterState: Record<string, unknown> | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
