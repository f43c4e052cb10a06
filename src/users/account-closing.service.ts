import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdminAuditService, AuditAction, AuditTarget } from '../admin/admin-audit.service';
import { OrdersService } from '../payments/orders.service';
import { PromotionsService } from '../promotions/promotions.service';
import { ReferralsService } from '../referrals/referrals.service';
import { HoldsService } from '../spending/holds.service';
import { AuthService } from './auth/auth.service';
import { AuthenticatedUser } from './auth/authenticated-user';
import { ClosedAccountDto } from './dto/account.dto';
import { UserRole, UserStatus } from './user.entity';
import { UsersService } from './users.service';
import { UsersException } from './users.errors';

/** Who closes the account: its owner (password confirmed), or an admin (with a remark). */
type Closer = { by: 'self' } | { by: 'admin'; admin: AuthenticatedUser; remark: string };

/** The remark of the audit entry of an account closed by its owner. */
const SELF_CLOSE_REMARK = 'closed by the account holder';

/**
 * Closing an account. The person behind it is forgotten (tombstone), their
 * money history is not: ledger rows, orders, refunds and audit entries stay,
 * and the balance left is recorded, not paid out. Order of work:
 *
 * 1. outside any transaction, each pending order's gateway session is closed
 *    where the gateway allows it (a payment found meanwhile is credited);
 * 2. one transaction: the pending orders are locked, the active holds
 *    released (as a normal release), the user's row locked, tombstoned and
 *    their token version moved on, the pending orders cancelled, the copies of
 *    the username in promotions, invites and orders replaced, the invite code
 *    retired, and the audit entry written with the balance left and who
 *    closed it. Rows are taken in the order the payment and hold flows take
 *    them (order or hold first, then the user), so a closing never deadlocks
 *    with them;
 * 3. after the commit, the retired invite code leaves the code cache.
 */
@Injectable()
export class AccountClosingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly orders: OrdersService,
    private readonly holds: HoldsService,
    private readonly promotions: PromotionsService,
    private readonly referrals: ReferralsService,
    private readonly audit: AdminAuditService,
  ) {}

  /** The signed-in user closes their own account, confirmed by their password. */
  async closeOwn(caller: AuthenticatedUser, password: string): Promise<ClosedAccountDto> {
    await this.checkClosable(caller.id);
    await this.auth.confirmPassword(caller.id, password);
    return this.close(caller.id, { by: 'self' });
  }

  /** An admin closes someone's account (never an admin's: 409 USER_ADMIN_NOT_CLOSABLE). */
  async closeByAdmin(admin: AuthenticatedUser, userId: string, remark: string): Promise<ClosedAccountDto> {
    await this.checkClosable(userId);
    return this.close(userId, { by: 'admin', admin, remark });
  }

  /** The refusals that need no lock, before any gateway is asked; the transaction checks them again under the lock. */
  private async checkClosable(userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) throw UsersException.notFound(userId);
    if (user.status === UserStatus.Closed) throw UsersException.accountClosed(userId);
    if (user.role === UserRole.Admin) throw UsersException.adminNotClosable();
  }

  private async close(userId: string, closer: Closer): Promise<ClosedAccountDto> {
    await this.orders.closePendingAtGateways(userId);
    const { closed, retiredCodes } = await this.dataSource.transaction(async (em) => {
      await this.orders.lockPendingOf(em, userId);
      const releasedHoldsUsd = await this.holds.releaseAllOf(em, userId);
      const user = await this.users.lockForClosing(em, userId);
      const { tombstone, closedAt } = await this.users.tombstone(em, userId);
      const cancelledOrders = await this.orders.onAccountClosed(em, userId, tombstone);
      await this.promotions.onAccountClosed(em, userId, tombstone);
      const retired = await this.referrals.onAccountClosed(em, userId, tombstone);
      const actor: AuthenticatedUser =
        closer.by === 'admin' ? closer.admin : { id: userId, email: tombstone, username: tombstone, role: user.role };
      await this.audit.record(em, actor, {
        action: AuditAction.UserClose,
        targetType: AuditTarget.User,
        targetId: userId,
        remark: closer.by === 'admin' ? closer.remark : SELF_CLOSE_REMARK,
        before: { status: user.status, balanceUsd: user.balance, heldUsd: releasedHoldsUsd },
        after: { status: UserStatus.Closed, closedBy: closer.by, balanceUsd: user.balance, releasedHoldsUsd, cancelledOrders },
      });
      const result: ClosedAccountDto = {
        id: userId,
        status: UserStatus.Closed,
        closedAt: closedAt.toISOString(),
        balanceUsd: user.balance,
        releasedHoldsUsd,
        cancelledOrders,
      };
      return { closed: result, retiredCodes: retired };
    });
    await this.referrals.forgetRetiredCodes(retiredCodes);
    return closed;
  }
}
