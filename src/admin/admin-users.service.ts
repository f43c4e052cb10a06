import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource } from 'typeorm';
import { escapeLike } from '../common/database/sql';
import { DomainException, ErrorKind } from '../common/errors/domain.exception';
import { Page, PageQueryDto, pageOf } from '../common/http/page.dto';
import { AuthenticatedUser } from '../users/auth/authenticated-user';
import { User, UserRole, UserStatus } from '../users/user.entity';
import { UsersException } from '../users/users.errors';
import { AdminAuditService } from './admin-audit.service';
import { AdminErrorCode } from './admin.errors';

export interface AdminUserFilter {
  q?: string;
  status?: UserStatus;
  role?: UserRole;
}

@Injectable()
export class AdminUsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AdminAuditService,
  ) {}

  async list(filter: AdminUserFilter, page: PageQueryDto): Promise<Page<User>> {
    const query = this.dataSource.getRepository(User).createQueryBuilder('u');
    if (filter.q) {
      const like = `%${escapeLike(filter.q.toLowerCase())}%`;
      query.andWhere(new Brackets((w) => w.where('u.email LIKE :like', { like }).orWhere('LOWER(u.username) LIKE :like', { like })));
    }
    if (filter.status) query.andWhere('u.status = :status', { status: filter.status });
    if (filter.role) query.andWhere('u.role = :role', { role: filter.role });
    const [items, total] = await query
      .orderBy('u.id', 'DESC')
      .skip((page.page - 1) * page.pageSize)
      .take(page.pageSize)
      .getManyAndCount();
    return pageOf(items, total, page);
  }

  /** Disables or re-enables an account (a disabled user is refused at login and on every request), audited. */
  async setStatus(admin: AuthenticatedUser, userId: string, status: UserStatus, remark: string): Promise<User> {
    if (userId === admin.id && status === UserStatus.Disabled) {
      throw new DomainException(AdminErrorCode.CannotDisableSelf, 'you cannot disable your own account', ErrorKind.Conflict);
    }
    return this.dataSource.transaction(async (em) => {
      const user = await em.getRepository(User).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw UsersException.notFound(userId);
      const before = user.status;
      if (before !== status) await em.update(User, user.id, { status });
      await this.audit.record(em, admin, {
        action: 'user.status',
        targetType: 'user',
        targetId: userId,
        remark,
        before: { status: before },
        after: { status },
      });
      return Object.assign(user, { status });
    });
  }
}
