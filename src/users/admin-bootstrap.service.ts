import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as bcrypt from 'bcrypt';
import { DataSource } from 'typeorm';
import { AppConfig } from '../common/config/app-config';
import { User, UserRole, UserStatus } from './user.entity';

export type AdminOutcome = 'created' | 'promoted' | 'updated' | 'unchanged';

/** ADMIN_EMAIL (or the CLI) names an account that someone registered: it is not made an admin unless asked for. */
export class AdminPromotionRefused extends Error {
  override name = 'AdminPromotionRefused';
  constructor(email: string) {
    super(
      `${email} is an existing account that is not an admin; it is not made one silently ` +
        '(anyone could have registered it): run `npm run admin:create -- --email ' +
        `${email} --promote` + '` to promote it on purpose, or choose another ADMIN_EMAIL',
    );
  }
}

/**
 * Admins exist only through configuration (ADMIN_EMAIL / ADMIN_PASSWORD at
 * start-up) or the CLI, never through a public endpoint.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config.auth;
    if (!adminEmail || !adminPassword) return;
    const outcome = await this.ensureAdmin(adminEmail, adminPassword);
    if (outcome !== 'unchanged') this.logger.log(`admin ${adminEmail}: ${outcome}`);
  }

  /**
   * Makes `email` an active admin whose password is `password`: creates the
   * account, or re-keys or re-enables an existing admin. An existing account
   * that is not an admin is promoted only with `promote`; otherwise
   * AdminPromotionRefused. Any change of role, password or status ends the
   * account's existing sessions. Idempotent.
   */
  async ensureAdmin(email: string, password: string, options: { promote?: boolean } = {}): Promise<AdminOutcome> {
    const normalized = email.trim().toLowerCase();
    return this.dataSource.transaction(async (em) => {
      const existing = await em
        .createQueryBuilder(User, 'u')
        .addSelect('u.passwordHash')
        .setLock('pessimistic_write')
        .where('u.email = :email', { email: normalized })
        .getOne();
      if (!existing) {
        const passwordHash = await bcrypt.hash(password, this.config.auth.bcryptCost);
        await em.insert(User, {
          email: normalized,
          username: await this.freeUsername(em.getRepository(User), normalized.split('@')[0]),
          passwordHash,
          role: UserRole.Admin,
        });
        return 'created';
      }
      if (existing.role !== UserRole.Admin && !options.promote) throw new AdminPromotionRefused(normalized);
      const passwordMatches = await bcrypt.compare(password, existing.passwordHash);
      const isActiveAdmin = existing.role === UserRole.Admin && existing.status === UserStatus.Active;
      if (passwordMatches && isActiveAdmin) return 'unchanged';
      await em.update(User, existing.id, {
        role: UserRole.Admin,
        status: UserStatus.Active,
        tokenVersion: () => 'token_version + 1',
        ...(passwordMatches ? {} : { passwordHash: await bcrypt.hash(password, this.config.auth.bcryptCost) }),
      });
      return existing.role === UserRole.Admin ? 'updated' : 'promoted';
    });
  }

  private async freeUsername(users: { existsBy(where: { username: string }): Promise<boolean> }, base: string) {
    const stem = base.replace(/[^\p{L}\p{N}_.-]/gu, '').slice(0, 40) || 'admin';
    for (let n = 0; ; n++) {
      const candidate = n === 0 ? stem : `${stem}-${n}`;
      if (!(await users.existsBy({ username: candidate }))) return candidate;
    }
  }
}
