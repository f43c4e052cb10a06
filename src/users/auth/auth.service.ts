import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import * as bcrypt from 'bcrypt';
import { DataSource } from 'typeorm';
import { CacheStore } from '../../common/cache/cache.store';
import { AppConfig } from '../../common/config/app-config';
import { PromotionsService } from '../../promotions/promotions.service';
import { ReferralsService } from '../../referrals/referrals.service';
import { User, UserStatus } from '../user.entity';
import { UsersService } from '../users.service';
import { UsersException } from '../users.errors';

export interface AccessTokenClaims {
  sub: string;
  role: string;
  /** users.token_version when issued. */
  tv: number;
}

export interface Session {
  accessToken: string;
  user: User;
}

export interface Registration {
  email: string;
  username: string;
  password: string;
  inviteCode?: string;
  /** The client address (as TRUST_PROXY resolves it). */
  clientIp?: string | null;
}

@Injectable()
export class AuthService {
  /** Compared against when the email is unknown, so both answers take as long. */
  private readonly decoyHash: Promise<string>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly promotions: PromotionsService,
    private readonly referrals: ReferralsService,
    private readonly cache: CacheStore,
  ) {
    this.decoyHash = bcrypt.hash('decoy password', config.auth.bcryptCost);
  }

  /** Creates the account and everything that belongs to it in one transaction (SPEC §5.1). */
  async register(input: Registration): Promise<Session> {
    // Hashing is slow on purpose; keep it outside the transaction.
    const passwordHash = await bcrypt.hash(input.password, this.config.auth.bcryptCost);
    const user = await this.dataSource.transaction(async (em) => {
      const created = await this.users.create(em, {
        email: input.email,
        username: input.username,
        passwordHash,
        registrationIp: input.clientIp ?? null,
      });
      await this.promotions.startForNewUser(em, created);
      await this.referrals.onRegistered(em, { id: created.id, username: created.username, ip: input.clientIp ?? null }, input.inviteCode);
      return created;
    });
    return { accessToken: await this.issueToken(user), user };
  }

  /**
   * Signs in. Failed attempts are counted per account (whatever the IP they
   * come from): after rate_limit.login_failures_per_account of them in the
   * window, the account's logins are refused until the window ends — the
   * right password included, so guessing gains nothing from waiting for it.
   */
  async login(email: string, password: string): Promise<Session> {
    const account = `login:failures:${email.trim().toLowerCase()}`;
    const blockedUntil = Number((await this.cache.get(`${account}:blocked`)) ?? 0);
    if (blockedUntil > Date.now()) throw UsersException.tooManyLoginFailures(Math.ceil((blockedUntil - Date.now()) / 1000));

    const user = await this.users.findByEmailWithPassword(email);
    const matches = await bcrypt.compare(password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !matches) {
      const { loginFailuresPerAccount: limit, loginFailureWindowMinutes: minutes } = this.config.rateLimit;
      const failures = await this.cache.increment(account, minutes * 60_000);
      if (failures.count >= limit) await this.cache.set(`${account}:blocked`, String(Date.now() + failures.resetInMs), failures.resetInMs);
      throw UsersException.invalidCredentials();
    }
    await this.cache.delete(account);
    if (user.status !== UserStatus.Active) throw UsersException.disabled();
    return { accessToken: await this.issueToken(user), user };
  }

  hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.auth.bcryptCost);
  }

  private issueToken(user: User): Promise<string> {
    const claims: AccessTokenClaims = { sub: user.id, role: user.role, tv: user.tokenVersion };
    return this.jwt.signAsync(claims);
  }
}
