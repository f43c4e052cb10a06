import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import * as bcrypt from 'bcrypt';
import { DataSource } from 'typeorm';
import { CacheStore } from '../../common/cache/cache.store';
import { FailureLimiter } from '../../common/cache/failure-limiter';
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
  private readonly loginFailures: FailureLimiter;
  /** Wrong passwords given to confirm an action of a signed-in user (closing the account), per user. */
  private readonly confirmFailures: FailureLimiter;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly promotions: PromotionsService,
    private readonly referrals: ReferralsService,
    cache: CacheStore,
  ) {
    this.decoyHash = bcrypt.hash('decoy password', config.auth.bcryptCost);
    const { loginFailuresPerAccount, loginFailureWindowMinutes } = config.rateLimit;
    this.loginFailures = new FailureLimiter(cache, 'login', loginFailuresPerAccount, loginFailureWindowMinutes * 60_000);
    this.confirmFailures = new FailureLimiter(cache, 'password-confirm', loginFailuresPerAccount, loginFailureWindowMinutes * 60_000);
  }

  /** Creates the account and everything that belongs to it in one transaction: the user, their referral code, their new-user promotion and the invite that brought them. */
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
    const account = email.trim().toLowerCase();
    const retryAfter = await this.loginFailures.retryAfterSeconds([account]);
    if (retryAfter > 0) throw UsersException.tooManyLoginFailures(retryAfter);

    const user = await this.users.findByEmailWithPassword(email);
    const matches = await bcrypt.compare(password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !matches) {
      await this.loginFailures.recordFailure([account]);
      throw UsersException.invalidCredentials();
    }
    await this.loginFailures.clear(account);
    // A closed account answers as an unknown one: its tombstone email cannot be typed in anyway, and nothing tells a closed account from none.
    if (user.status === UserStatus.Closed) throw UsersException.invalidCredentials();
    if (user.status !== UserStatus.Active) throw UsersException.disabled();
    return { accessToken: await this.issueToken(user), user };
  }

  /**
   * A signed-in user confirms an action with their password (403
   * USER_PASSWORD_MISMATCH when wrong). Wrong passwords are limited per user
   * as logins are per account: past the limit, every attempt is a 429 until
   * the window ends, the right password included.
   */
  async confirmPassword(userId: string, password: string): Promise<void> {
    const retryAfter = await this.confirmFailures.retryAfterSeconds([userId]);
    if (retryAfter > 0) throw UsersException.tooManyPasswordFailures(retryAfter);
    const user = await this.users.findByIdWithPassword(userId);
    if (!user) throw UsersException.notFound(userId);
    if (!(await bcrypt.compare(password, user.passwordHash))) {
      await this.confirmFailures.recordFailure([userId]);
      throw UsersException.passwordMismatch();
    }
    await this.confirmFailures.clear(userId);
  }

  hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.auth.bcryptCost);
  }

  private issueToken(user: User): Promise<string> {
    const claims: AccessTokenClaims = { sub: user.id, role: user.role, tv: user.tokenVersion };
    return this.jwt.signAsync(claims);
  }
}
