import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum UserRole {
  User = 'user',
  Admin = 'admin',
}

export enum UserStatus {
  Active = 'active',
  Disabled = 'disabled',
  /** Closed for good (by its owner or an admin): tombstoned, never active again. */
  Closed = 'closed',
}

/** `users`: accounts and their balances. Ids are BIGINT, read as strings; money is NUMERIC, read as strings. */
@Entity('users')
export class User {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 255, unique: true })
  email: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  username: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 100, select: false })
  passwordHash: string;

  @Column({ type: 'varchar', length: 20, default: UserRole.User })
  role: UserRole;

  @Column({ type: 'varchar', length: 20, default: UserStatus.Active })
  status: UserStatus;

  /** The client address the account registered from (referral farming checks). */
  @Column({ name: 'registration_ip', type: 'varchar', length: 50, nullable: true, select: false })
  registrationIp: string | null;

  /** Tokens issued at an older version are refused (bumped by a role, password or status change). */
  @Column({ name: 'token_version', type: 'int', default: 0 })
  tokenVersion: number;

  /** When the account was closed; set exactly when status is closed. */
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** Changed only by LedgerService, together with a ledger row. */
  @Column({ type: 'numeric', precision: 20, scale: 8, default: 0, update: false })
  balance: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
