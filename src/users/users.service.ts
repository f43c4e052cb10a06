import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { isUniqueViolation } from '../common/database/sql';
import { User, UserRole } from './user.entity';
import { UsersException } from './users.errors';

export interface NewUser {
  email: string;
  username: string;
  passwordHash: string;
  role?: UserRole;
}

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    if (!/^\d{1,19}$/.test(id)) return Promise.resolve(null);
    return this.users.findOneBy({ id });
  }

  /**
   * Who a bearer token belongs to, read on every authenticated request: one
   * plain indexed query, without the ORM's query building and entity mapping.
   */
  async findSessionUser(id: string): Promise<Pick<User, 'id' | 'email' | 'username' | 'role' | 'status'> | null> {
    if (!/^\d{1,19}$/.test(id)) return null;
    const [row] = await this.users.query('SELECT id, email, username, role, status FROM users WHERE id = $1', [id]);
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
}
