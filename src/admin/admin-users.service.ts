import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainException, ErrorKind } from '../common/errors/domain.exception';
import { Page, PageQueryDto } from '../common/http/page.dto';
import { AuthenticatedUser } from '../users/auth/authenticated-user';
import { User, UserStatus } from '../users/user.entity';
import { UserFilter, UsersService } from '../users/users.service';
import { AccountClosingService } from '../users/account-closing.service';
import { ClosedAccountDto } from '../users/dto/account.dto';
import { AdminAuditService, AuditAction, AuditTarget } from './admin-audit.service';
import { AdminErrorCode } from './admin.errors';

export type AdminUserFilter = UserFilter;

@Injectable()
export class AdminUsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AdminAuditService,
    private readonly closing: AccountClosingService,
  ) {}

  list(filter: AdminUserFilter, page: PageQueryDto): Promise<Page<User>> {
    return this.users.search(filter, page);
  }

  /** Disables or re-enables an account (a disabled user is refused at login and on every request), audited. */
  async setStatus(admin: AuthenticatedUser, userId: string, status: UserStatus.Active | UserStatus.Disabled, remark: string): Promise<User> {
    if (userId === admin.id && status === UserStatus.Disabled) {
      throw new DomainException(AdminErrorCode.CannotDisableSelf, 'you cannot disable your own account', ErrorKind.Conflict);
    }
    return this.dataSource.transaction(async (em) => {
      const { user, before } = await this.users.setStatus(em, userId, status);
      await this.audit.record(em, admin, {
        action: AuditAction.UserStatus,
        targetType: AuditTarget.User,
        targetId: userId,
        remark,
        before: { status: before },
        after: { status },
      });
      return user;
    });
  }

  /** Closes an account (the closing flow is the users module's; it writes the audit entry in its transaction). */
  close(admin: AuthenticatedUser, userId: string, remark: string): Promise<ClosedAccountDto> {
    return this.closing.closeByAdmin(admin, userId, remark);
  }
}
