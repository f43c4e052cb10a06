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
