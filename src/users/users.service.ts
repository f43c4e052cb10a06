import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, Repository } from 'typeorm';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { isBigintId } from '../common/http/bigint-id';
import { escapeLike, isUniqueViolation } from '../common/database/sql';
import { returning } from '../common/database/returning';
import { Page, PageQueryDto, pageOf } from '../common/http/page.dto';
import { User, UserRole, UserStatus } from './user.entity';
import { UsersException } from './users.errors';

const SESSION_USER: PreparedStatement = {
  name: 'users-session',
  text: 'SELECT id, email, username, role, status, token_version AS "tokenVersion" FROM users WHERE id = $1',
};

export type SessionUser = Pick<User, 'id' | 'email' | 'username' | 'role' | 'status' | 'tokenVersion'>;

export interface UserFilter {
  /** Part of the email or username, or the whole user id. */
  q?: string;
  status?: UserStatus;
  role?: UserRole;
}

/**
 * What a closed account's email and username become: unique (the id), naming
 * no one, and impossible to register (no "@", and ":" is not allowed in a
 * username), so a tombstone never collides with a new account.
 */
export const tombstoneOf = (userId: string): string => `closed:${userId}`;

/** A bcrypt hash never equals this, so no password opens a closed account. */
const UNUSABLE_PASSWORD_HASH = '!closed';

/** The account being closed, as it was when its row was locked. */
export interface ClosingUser {
  id: string;
  email: string;
  username: string;
  role: UserRole;
  status: UserStatus;
  balance: string;
  held: string;
}

export interface NewUser {
  email: string;
  username: string;
  passwordHash: string;
  role?: UserRole;
  registrationIp?: string | null;
}

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    if (!isBigintId(id)) return Promise.resolve(null);
    return this.users.findOneBy({ id });
  }

  /**
   * Who a bearer token belongs to, read on every authenticated request: one
   * plain indexed query, without the ORM's query building and entity mapping.
   */
  async findSessionUser(id: string): Promise<SessionUser | null> {
    if (!isBigintId(id)) return null;
    const [row] = await runPrepared<SessionUser>(this.users.manager, SESSION_USER, [id]);
    return row ?? null;
  }

  /** With the registration address, for the owner's data export (never the password hash). */
  findForExport(id: string): Promise<User | null> {
    if (!isBigintId(id)) return Promise.resolve(null);
    return this.users.createQueryBuilder('u').addSelect('u.registrationIp').where('u.id = :id', { id }).getOne();
  }

  /** With the password hash, for a password confirmation. */
  findByIdWithPassword(id: string): Promise<User | null> {
    if (!isBigintId(id)) return Promise.resolve(null);
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id }).getOne();
  }

  /** With the password hash, for login. */
  findByEmailWithPassword(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.trim().toLowerCase() })
      .getOne();
  }

  /** Inserts the user in the caller's transaction; a taken email or username is a 409. */
  async create(em: EntityManager, input: NewUser): Promise<User> {
    try {
      const user = em.create(User, {
        email: input.email.trim().toLowerCase(),
        username: input.username.trim(),
        passwordHash: input.passwordHash,
        role: input.role ?? UserRole.User,
        registrationIp: input.registrationIp?.slice(0, 50) ?? null,
      });
      return await em.save(user);
    } catch (error) {
      if (isUniqueViolation(error)) {
        const constraint = String((error.driverError as { constraint?: string }).constraint ?? '');
        throw constraint.includes('username') ? UsersException.usernameTaken() : UsersException.emailTaken();
      }
      throw error;
    }
  }

  /** Newest first, by part of the email or username (or the user id), status and role. */
  async search(filter: UserFilter, page: PageQueryDto): Promise<Page<User>> {
    const query = this.users.createQueryBuilder('u');
    if (filter.q) {
      const like = `%${escapeLike(filter.q.toLowerCase())}%`;
      const id = filter.q.trim();
      query.andWhere(
        new Brackets((w) => {
          w.where('u.email LIKE :like', { like }).orWhere('LOWER(u.username) LIKE :like', { like });
          if (isBigintId(id)) w.orWhere('u.id = :id', { id });
        }),
      );
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

  /** Disables or re-enables an account in the caller's transaction; answers the status it had. 404 for no user, 409 for a closed one. */
  async setStatus(em: EntityManager, userId: string, status: UserStatus.Active | UserStatus.Disabled): Promise<{ user: User; before: UserStatus }> {
    const user = await em.getRepository(User).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw UsersException.notFound(userId);
    if (user.status === UserStatus.Closed) throw UsersException.accountClosed(userId);
    const before = user.status;
    // A status change ends the sessions opened before it (re-enabling does not bring old tokens back).
    if (before !== status) await em.update(User, user.id, { status, tokenVersion: () => 'token_version + 1' });
    return { user: Object.assign(user, { status }), before };
  }

  /**
   * Locks the account's row for closing it, in the caller's transaction.
   * 404 for no user, 409 when it is already closed or is an admin's (an
   * admin is closed only after losing the role, so the last admin never is).
   */
  async lockForClosing(em: EntityManager, userId: string): Promise<ClosingUser> {
    const [row] = await em.query(
      `SELECT id, email, username, role, status, balance, held FROM users WHERE id = $1 FOR UPDATE`,
      [userId],
    );
    if (!row) throw UsersException.notFound(userId);
    if (row.status === UserStatus.Closed) throw UsersException.accountClosed(userId);
    if (row.role === UserRole.Admin) throw UsersException.adminNotClosable();
    return row;
  }

  /**
   * The account's closing transition, in the caller's transaction (after
   * lockForClosing): email and username become the tombstone, the
   * registration address is forgotten, no password opens it any more, and the
   * token version moves on so every token issued before stops at once. The
   * balance and its ledger rows stay as they are.
   */
  async tombstone(em: EntityManager, userId: string): Promise<{ tombstone: string; closedAt: Date }> {
    const tombstone = tombstoneOf(userId);
    const [row] = await returning<{ closed_at: Date }>(
      em,
      `UPDATE users
          SET email = $2, username = $2, password_hash = $3, registration_ip = NULL,
              status = 'closed', closed_at = NOW(), token_version = token_version + 1, updated_at = NOW()
        WHERE id = $1 AND status <> 'closed'
        RETURNING closed_at`,
      [userId, tombstone, UNUSABLE_PASSWORD_HASH],
    );
    if (!row) throw UsersException.accountClosed(userId);
    return { tombstone, closedAt: row.closed_at };
  }
}
