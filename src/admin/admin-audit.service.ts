import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuthenticatedUser } from '../users/auth/authenticated-user';
import { AdminAuditLog } from './admin-audit-log.entity';

export interface AdminAction {
  action: string;
  targetType: string;
  targetId: string;
  remark?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** Records an admin action in the caller's transaction, so the record exists exactly when the action does. */
@Injectable()
export class AdminAuditService {
  async record(em: EntityManager, admin: AuthenticatedUser, action: AdminAction): Promise<void> {
    const log = em.create(AdminAuditLog, {
      adminId: admin.id,
      adminEmail: admin.email,
      action: action.action,
      targetType: action.targetType,
      targetId: action.targetId,
      remark: action.remark ?? null,
      beforeState: action.before ?? null,
      afterState: action.after ?? null,
    });
    await em.save(log);
  }
}
