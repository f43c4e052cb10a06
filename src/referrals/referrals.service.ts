import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CacheStore } from '../common/cache/cache.store';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { isUniqueViolation } from '../common/database/sql';
import { returning } from '../common/database/returning';
import { AppConfig } from '../common/config/app-config';
import { Page, PageQueryDto, pageOf } from '../common/http/page.dto';
import { Money, toUsd } from '../common/money/money';
import { Outbox } from '../events/outbox';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType } from '../ledger/recharge-record.entity';
import { generateReferralCode, normalizeReferralCode } from './referral-code';
import { ReferralInvite } from './referral-invite.entity';
import { ReferralsException } from './referrals.errors';

/** Runs on every paid order (usually matching no row: most payers were not invited). */
const ADD_INVITEE_PAYMENT: PreparedStatement = {
  name: 'referral-add-invitee-payment',
  text: `UPDATE referral_invites
            SET total_recharge_cny = total_recharge_cny + $2::numeric,
                total_recharge_usd = total_recharge_usd + $3::numeric,
                qualified_at = CASE WHEN NOT is_qualified AND total_recharge_cny + $2::numeric >= $4::numeric
                                    THEN NOW() ELSE qualified_at END,
                is_qualified = is_qualified OR total_recharge_cny + $2::numeric >= $4::numeric,
                updated_at = NOW()
          WHERE invitee_id = $1
          RETURNING id, referrer_id, is_qualified, reward_issued`,
};

const CODE_CACHE_TTL_MS = 3_600_000;
const CODE_ATTEMPTS = 5;

/** A paid order of an invitee, as the referral rules see it. */
export interface InviteePayment {
  inviteeId: string;
  amountCny: string;
  amountUsd: string;
}

export interface ReferralReward {
  referrerId: string;
  rewardUsd: string;
}

/** A refunded (or un-refunded) order of an invitee. */
export interface InviteeRefund {
  inviteeId: string;
  amountCny: string;
  amountUsd: string;
  /** For the ledger row's remark. */
  orderNo: string;
}

/** What a refund did to the invite: its totals were reduced, and maybe the reward reversed. */
export interface InviteClawback {
  referrerId: string;
  rewardReversed: boolean;
  /** What the reversal took from the referrer's balance (the rest is the invite's recorded shortfall). */
  takenUsd: string;
}

export interface ReferralTotals {
  invites: number;
  rewarded: number;
  rewardUsd: string;
}

export interface ReferralSummary {
  code: string;
  link: string;
  invitedCount: number;
  qualifiedCount: number;
  rewardedCount: number;
  totalRewardUsd: string;
}

export interface InviteFilter {
  referrerId?: string;
  inviteeId?: string;
  qualified?: boolean;
  rewarded?: boolean;
  from?: Date;
  to?: Date;
}

@Injectable()
export class ReferralsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly cache: CacheStore,
    private readonly config: AppConfig,
    private readonly outbox: Outbox,
  ) {}

  get enabled(): boolean {
    return this.config.referral.enabled;
  }

  /** The user's code, created on first need; unique, retried on the rare collision. */
  async codeFor(userId: string, em: EntityManager = this.dataSource.manager): Promise<string> {
    const [existing] = await em.query('SELECT code FROM referral_codes WHERE user_id = $1', [userId]);
    if (existing) return existing.code;
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const candidate = generateReferralCode(this.config.referral.codeLength);
      try {
        // A savepoint, so that a collision inside the caller's transaction does not abort it.
        const rows = await em.transaction((sp) =>
          sp.query(
            `INSERT INTO referral_codes (user_id, code) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET code = referral_codes.code
             RETURNING code`,
            [userId, candidate],
          ),
        );
        return rows[0].code;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    throw new Error(`no free referral code after ${CODE_ATTEMPTS} attempts`);
  }

  /** The referrer's user id for a code, through the cache; null when unknown or malformed. */
  async resolveCode(input: string): Promise<string | null> {
    const code = normalizeReferralCode(input, this.config.referral.codeLength);
    if (!code) return null;
    const key = `referral:code:${code}`;
    const cached = await this.cache.get(key);
    if (cached) return cached;
    const [row] = await this.dataSource.query('SELECT user_id FROM referral_codes WHERE code = $1', [code]);
    if (!row) return null;
    await this.cache.set(key, row.user_id, CODE_CACHE_TTL_MS);
    return row.user_id;
  }

  /**
   * At registration, in its transaction: gives the new user a code and, with
   * an invite code, records who invited them. An unknown code, or a referrer
   * at referral.max_invitees_per_user, is a 400 and the registration rolls back.
   */
  async onRegistered(em: EntityManager, invitee: { id: string; username: string; ip?: string | null }, inviteCode?: string): Promise<void> {
    if (!this.enabled) return;
    await this.codeFor(invitee.id, em);
    if (inviteCode === undefined || inviteCode === '') return;

    const referrerId = await this.resolveCode(inviteCode);
    if (!referrerId) throw ReferralsException.codeNotFound();
    const limit = this.config.referral.maxInviteesPerUser;
    // With a limit, lock the referrer's row so that concurrent registrations count invitees one at a time.
    const [referrer] = await em.query(
      `SELECT id, username, status, registration_ip FROM users WHERE id = $1${limit > 0 ? ' FOR UPDATE' : ''}`,
      [referrerId],
    );
    // A closed account's code is retired (its cache entry may outlive it on another instance for a while).
    if (!referrer || referrer.status === 'closed') throw ReferralsException.codeNotFound();
    if (limit > 0) {
      const [{ count }] = await em.query('SELECT COUNT(*)::int AS count FROM referral_invites WHERE referrer_id = $1', [
        referrerId,
      ]);
      if (count >= limit) throw ReferralsException.inviteeLimitReached();
    }
    await em.insert(ReferralInvite, {
      inviteeId: invitee.id,
      inviteeUsername: invitee.username,
      referrerId,
      referrerUsername: referrer.username,
      // Recorded, so the referrer still sees the invitee; the reward rule reads it.
      sameIp: !!invitee.ip && invitee.ip === referrer.registration_ip,
    });
  }

  /**
   * In the payment transaction: adds the order (not its bonus) to the
   * invite's totals, and when the CNY total first reaches
   * referral.qualified_recharge_cny, rewards the referrer once. The invite
   * row's lock orders concurrent payments of one invitee, and the reward is
   * claimed by a conditional update, so it is paid exactly once.
   */
  async onInviteePaid(em: EntityManager, payment: InviteePayment): Promise<ReferralReward | null> {
    if (!this.enabled) return null;
    const [invite] = await runPrepared<{ id: string; referrer_id: string; is_qualified: boolean; reward_issued: boolean }>(
      em,
      ADD_INVITEE_PAYMENT,
      [payment.inviteeId, payment.amountCny, payment.amountUsd, this.config.referral.qualifiedRechargeCny],
    );
    if (!invite || !invite.is_qualified || invite.reward_issued) return null;

    const rewardUsd = this.config.referral.rewardUsd;
    // One reward per invitee, ever: a reward reversed by a refund is not paid again. An invitee who registered
    // from the referrer's own address earns none unless referral.reward_same_ip.
    const claimed = await returning(
      em,
      `UPDATE referral_invites SET reward_issued = TRUE, reward_issued_at = NOW(), reward_amount_usd = $2, updated_at = NOW()
        WHERE id = $1 AND reward_issued = FALSE AND reward_reversed_at IS NULL AND (NOT same_ip OR $3::boolean)
        RETURNING id`,
      [invite.id, rewardUsd, this.config.referral.rewardSameIp],
    );
    if (claimed.length === 0) return null;
    await this.ledger.credit(em, {
      userId: invite.referrer_id,
      amount: rewardUsd,
      type: LedgerType.Referral,
      operator: 'system',
      remark: 'invite reward',
      relatedId: payment.inviteeId,
    });
    await this.outbox.emit(em, 'referral.rewarded', invite.referrer_id, { inviteeId: payment.inviteeId, rewardUsd: toUsd(rewardUsd) });
    return { referrerId: invite.referrer_id, rewardUsd };
  }

  /**
   * In a refund's transaction: takes the order back out of the invite's
   * totals, and when they fall below referral.qualified_recharge_cny while
   * the reward stands, reverses the reward: a negative `referral` row for
   * what the referrer's balance allows, the rest recorded on the invite as
   * the shortfall. Null when the payer was not invited.
   */
  async onInviteeRefunded(em: EntityManager, refund: InviteeRefund): Promise<InviteClawback | null> {
    if (!this.enabled) return null;
    // The invite's row lock orders this against the invitee's concurrent payments and refunds.
    const [invite] = await em.query(
      `SELECT id, referrer_id, reward_issued, reward_amount_usd, total_recharge_cny FROM referral_invites WHERE invitee_id = $1 FOR UPDATE`,
      [refund.inviteeId],
    );
    if (!invite) return null;
    const reverse: boolean =
      invite.reward_issued && new Money(invite.total_recharge_cny).minus(refund.amountCny).lt(this.config.referral.qualifiedRechargeCny);
    const taken = reverse
      ? await this.ledger.debitUpTo(em, {
          userId: invite.referrer_id,
          amount: invite.reward_amount_usd,
          type: LedgerType.Referral,
          operator: 'system',
          remark: `invite reward reversed: order ${refund.orderNo} refunded`,
          relatedId: refund.inviteeId,
        })
      : null;
    await em.query(
      `UPDATE referral_invites
          SET total_recharge_cny = GREATEST(total_recharge_cny - $2::numeric, 0),
              total_recharge_usd = GREATEST(total_recharge_usd - $3::numeric, 0),
              is_qualified = total_recharge_cny - $2::numeric >= $4::numeric,
              reward_issued = reward_issued AND $5::numeric IS NULL,
              reward_reversed_at = CASE WHEN $5::numeric IS NULL THEN reward_reversed_at ELSE NOW() END,
              reward_shortfall_usd = COALESCE($5::numeric, reward_shortfall_usd),
              updated_at = NOW()
        WHERE id = $1`,
      [invite.id, refund.amountCny, refund.amountUsd, this.config.referral.qualifiedRechargeCny, taken?.shortfall ?? null],
    );
    if (taken) {
      await this.outbox.emit(em, 'referral.reversed', invite.referrer_id, {
        inviteeId: refund.inviteeId,
        orderNo: refund.orderNo,
        takenUsd: taken.taken,
        shortfallUsd: taken.shortfall,
      });
    }
    return { referrerId: invite.referrer_id, rewardReversed: reverse, takenUsd: taken?.taken ?? '0.00000000' };
  }

  /** In the transaction that reverses a refund the gateway refused: undoes onInviteeRefunded. */
  async onInviteeRefundReversed(em: EntityManager, refund: InviteeRefund, clawback: InviteClawback): Promise<void> {
    await em.query(
      `UPDATE referral_invites
          SET total_recharge_cny = total_recharge_cny + $2::numeric,
              total_recharge_usd = total_recharge_usd + $3::numeric,
              is_qualified = total_recharge_cny + $2::numeric >= $4::numeric,
              reward_issued = reward_issued OR $5::boolean,
              reward_reversed_at = CASE WHEN $5::boolean THEN NULL ELSE reward_reversed_at END,
              reward_shortfall_usd = CASE WHEN $5::boolean THEN 0 ELSE reward_shortfall_usd END,
              updated_at = NOW()
        WHERE invitee_id = $1`,
      [refund.inviteeId, refund.amountCny, refund.amountUsd, this.config.referral.qualifiedRechargeCny, clawback.rewardReversed],
    );
    if (clawback.rewardReversed && !new Money(clawback.takenUsd).isZero()) {
      await this.ledger.credit(em, {
        userId: clawback.referrerId,
        amount: clawback.takenUsd,
        type: LedgerType.Referral,
        operator: 'system',
        remark: `invite reward restored: the refund of order ${refund.orderNo} was refused`,
        relatedId: refund.inviteeId,
      });
    }
  }

  /** All invites, and the rewards that stand. */
  async totals(): Promise<ReferralTotals> {
    const [row] = await this.dataSource.query(
      `SELECT COUNT(*)::int AS invites, COUNT(*) FILTER (WHERE reward_issued)::int AS rewarded,
              COALESCE(SUM(reward_amount_usd) FILTER (WHERE reward_issued), 0)::numeric(20,8)::text AS reward
         FROM referral_invites`,
    );
    return { invites: row.invites, rewarded: row.rewarded, rewardUsd: row.reward };
  }

  async summary(userId: string): Promise<ReferralSummary> {
    const code = await this.codeFor(userId);
    const [counts] = await this.dataSource.query(
      `SELECT COUNT(*)::int AS invited,
              COUNT(*) FILTER (WHERE is_qualified)::int AS qualified,
              COUNT(*) FILTER (WHERE reward_issued)::int AS rewarded,
              COALESCE(SUM(reward_amount_usd) FILTER (WHERE reward_issued), 0)::numeric(20,8)::text AS total_reward
         FROM referral_invites WHERE referrer_id = $1`,
      [userId],
    );
    return {
      code,
      link: `${this.linkBase()}?code=${code}`,
      invitedCount: counts.invited,
      qualifiedCount: counts.qualified,
      rewardedCount: counts.rewarded,
      totalRewardUsd: counts.total_reward,
    };
  }

  async invites(filter: InviteFilter, page: PageQueryDto): Promise<Page<ReferralInvite>> {
    const query = this.dataSource.getRepository(ReferralInvite).createQueryBuilder('i');
    if (filter.referrerId) query.andWhere('i.referrerId = :referrerId', { referrerId: filter.referrerId });
    if (filter.inviteeId) query.andWhere('i.inviteeId = :inviteeId', { inviteeId: filter.inviteeId });
    if (filter.qualified !== undefined) query.andWhere('i.isQualified = :qualified', { qualified: filter.qualified });
    if (filter.rewarded !== undefined) query.andWhere('i.rewardIssued = :rewarded', { rewarded: filter.rewarded });
    if (filter.from) query.andWhere('i.createdAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('i.createdAt < :to', { to: filter.to });
    const [items, total] = await query
      .orderBy('i.createdAt', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .skip((page.page - 1) * page.pageSize)
      .take(page.pageSize)
      .getManyAndCount();
    return pageOf(items, total, page);
  }

  /**
   * At account closing, in its transaction: the account's code is retired
   * (deleted, so an invite link with it finds no one) and its invites name it
   * by its tombstone. Answers the retired codes, for forgetRetiredCodes once
   * the transaction has committed.
   */
  async onAccountClosed(em: EntityManager, userId: string, tombstone: string): Promise<string[]> {
    const retired = await returning<{ code: string }>(em, 'DELETE FROM referral_codes WHERE user_id = $1 RETURNING code', [userId]);
    await em.query('UPDATE referral_invites SET invitee_username = $2, updated_at = NOW() WHERE invitee_id = $1', [userId, tombstone]);
    await em.query('UPDATE referral_invites SET referrer_username = $2, updated_at = NOW() WHERE referrer_id = $1', [userId, tombstone]);
    return retired.map((row) => row.code);
  }

  /** Drops retired codes from the code cache (after the commit, so no reader can cache them again). */
  async forgetRetiredCodes(codes: readonly string[]): Promise<void> {
    for (const code of codes) await this.cache.delete(`referral:code:${code}`);
  }

  /** The account's own code, if it has one (never creates it). */
  async existingCodeOf(userId: string): Promise<string | null> {
    const [row] = await this.dataSource.query('SELECT code FROM referral_codes WHERE user_id = $1', [userId]);
    return row?.code ?? null;
  }

  private linkBase(): string {
    return this.config.referral.linkBaseUrl || `${this.config.app.publicBaseUrl.replace(/\/$/, '')}/login`;
  }
}
