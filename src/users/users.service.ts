import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, Repository } from 'typeorm';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { isBigintId } from '../common/http/bigint-id';
import { escapeLike, isUniqueViolation } from '../common/database/sql';
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

  /** Disables or re-enables an account in the caller's transaction; answers the status it had. 404 for no user. */
  async setStatus(em: EntityManager, userId: string, status: UserStatus): Promise<{ user: User; before: UserStatus }> {
    const user = await em.getRepository(User).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw UsersException.notFound(userId);
    const before = user.status;
    // A status change ends the sessions opened before it (re-enabling does not bring old tokens back).
    if (before !== status) await em.update(User, user.id, { status, tokenVersion: () => 'token_version + 1' });
    return { user: Object.assign(user, { status }), before };
  }
}
