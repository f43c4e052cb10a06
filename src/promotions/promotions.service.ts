import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../common/config/app-config';
import { LockKey, drainInLockedBatches } from '../common/database/advisory-lock';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { returning } from '../common/database/returning';
import { Money, percentOf } from '../common/money/money';
import { Outbox } from '../events/outbox';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType } from '../ledger/recharge-record.entity';
import { TierAt, tierAt } from './promotion-tiers';
import { PromotionStatus, UserPromotion } from './user-promotion.entity';

const EXPIRE_BATCH = 1000;

const USER_PROMOTION: PreparedStatement = {
  name: 'promotions-of-user',
  text: `SELECT id, user_id, username, activated_at, expire_at, status, used_tier, used_at, used_amount, bonus_amount, created_at, updated_at
           FROM user_promotions WHERE user_id = $1`,
};

export interface UserPromotionRow {
  id: string;
  user_id: string;
  username: string;
  activated_at: Date;
  expire_at: Date;
  status: PromotionStatus;
  used_tier: number | null;
  used_at: Date | null;
  used_amount: string | null;
  bonus_amount: string | null;
  created_at: Date;
  updated_at: Date;
}

/** What a paid order contributes to the bonus decision. */
export interface BonusRequest {
  userId: string;
  username: string;
  orderNo: string;
  amountCny: string;
  amountUsd: string;
  /** The tier previewed when the order was created: the order's creation time decides, not the payment's. */
  tier: number | null;
  /** The campaign the bonus is paid by (the seeded new-user campaign): its ledger row and event name it. */
  campaignId?: string;
}

export interface GrantedBonus {
  tier: number;
  percent: number;
  bonusUsd: string;
}

export interface PromotionStats {
  byTier: { tier: number; count: number; bonusUsd: string; amountUsd: string }[];
  totalBonusUsd: string;
  grantedCount: number;
  active: number;
  used: number;
  expired: number;
}

export interface PromotionState {
  enabled: boolean;
  promotion: UserPromotion | null;
  current: TierAt | null;
}

@Injectable()
export class PromotionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly config: AppConfig,
    private readonly outbox: Outbox,
  ) {}

  get enabled(): boolean {
    return this.config.promotion.enabled;
  }

  /** The tier table of the configuration. */
  get tiers() {
    return this.config.promotion.tiers;
  }

  /** Starts the user's promotion in the registration transaction (activated at the user's creation). */
  async startForNewUser(em: EntityManager, user: { id: string }): Promise<void> {
    if (!this.enabled) return;
    // Copied in SQL so activated_at equals created_at to the microsecond.
    await em.query(
      `INSERT INTO user_promotions (user_id, username, activated_at, expire_at)
       SELECT id, username, created_at, created_at + $2 * interval '1 hour' FROM users WHERE id = $1`,
      [user.id, this.config.promotion.durationHours],
    );
  }

  async state(userId: string, now = new Date()): Promise<PromotionState> {
    if (!this.enabled) return { enabled: false, promotion: null, current: null };
    // On every order creation: a plain query rather than the ORM's query building and mapping.
    const [row] = await runPrepared<UserPromotionRow>(this.dataSource.manager, USER_PROMOTION, [userId]);
    const promotion: UserPromotion | null = row
      ? Object.assign(new UserPromotion(), {
          id: row.id,
          userId: row.user_id,
          username: row.username,
          activatedAt: row.activated_at,
          expireAt: row.expire_at,
          status: row.status,
          usedTier: row.used_tier,
          usedAt: row.used_at,
          usedAmount: row.used_amount,
          bonusAmount: row.bonus_amount,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        })
      : null;
    const usable = promotion && promotion.status === PromotionStatus.Active && promotion.expireAt > now;
    return { enabled: true, promotion, current: usable ? tierAt(this.tiers, promotion.activatedAt, now) : null };
  }

  /** The user's promotion row as it is stored (whether or not promotions are enabled now), for their data export. */
  async storedOf(userId: string): Promise<UserPromotionRow | null> {
    const [row] = await runPrepared<UserPromotionRow>(this.dataSource.manager, USER_PROMOTION, [userId]);
    return row ?? null;
  }

  /** At account closing, in its transaction: the promotion and its records name the account by its tombstone. */
  async onAccountClosed(em: EntityManager, userId: string, tombstone: string): Promise<void> {
    await em.query('UPDATE user_promotions SET username = $2, updated_at = NOW() WHERE user_id = $1', [userId, tombstone]);
    await em.query('UPDATE promotion_records SET username = $2 WHERE user_id = $1', [userId, tombstone]);
  }

  /**
   * The tier an order created now would earn, for the order's preview and the
   * payment page; null when the user has none left. The amount rule
   * (promotion.min_amount) is applied when granting.
   */
  async preview(userId: string, at = new Date()): Promise<TierAt | null> {
    return (await this.state(userId, at)).current;
  }

  /**
   * Grants the bonus for a paid order inside the payment transaction: marks
   * the promotion used with a conditional update (so of any number of
   * concurrent grants for one user exactly one wins), records it, and credits
   * the bonus through the ledger. Returns null when nothing is due.
   */
  async grant(em: EntityManager, request: BonusRequest): Promise<GrantedBonus | null> {
    if (!this.enabled || request.tier === null) return null;
    const rule = this.tiers[request.tier];
    if (!rule || new Money(request.amountCny).lt(this.config.promotion.minAmount)) return null;
    const bonusUsd = percentOf(request.amountUsd, rule.percent);
    if (new Money(bonusUsd).isZero()) return null;

    const claimed = await returning(
      em,
      `UPDATE user_promotions
          SET status = 'used', used_tier = $2, used_at = NOW(), used_amount = $3, bonus_amount = $4, updated_at = NOW()
        WHERE user_id = $1 AND status <> 'used'
        RETURNING id`,
      [request.userId, request.tier, request.amountUsd, bonusUsd],
    );
    if (claimed.length === 0) return null;
    await em.query(
      `INSERT INTO promotion_records (user_id, username, tier, amount, bonus, order_no) VALUES ($1, $2, $3, $4, $5, $6)`,
      [request.userId, request.username, request.tier, request.amountUsd, bonusUsd, request.orderNo],
    );
    await this.ledger.credit(em, {
      userId: request.userId,
      amount: bonusUsd,
      type: LedgerType.Promotion,
      operator: 'system',
      remark: `new-user bonus, tier ${request.tier} (${rule.percent}%)`,
      relatedId: request.orderNo,
      campaignId: request.campaignId ?? null,
    });
    await this.outbox.emit(em, 'promotion.granted', request.userId, {
      orderNo: request.orderNo,
      campaignId: request.campaignId ?? null,
      tier: request.tier,
      percent: rule.percent,
      bonusUsd,
    });
    return { tier: request.tier, percent: rule.percent, bonusUsd };
  }

  /** Bonuses granted by tier (optionally in a creation-time window) and promotions by status. */
  async stats(window: { from?: Date; to?: Date } = {}): Promise<PromotionStats> {
    const byTier: { tier: number; count: number; bonus: string; amount: string }[] = await this.dataSource.query(
      `SELECT tier, COUNT(*)::int AS count, SUM(bonus)::numeric(20,8)::text AS bonus, SUM(amount)::numeric(20,8)::text AS amount
         FROM promotion_records
        WHERE ($1::timestamptz IS NULL OR created_at >= $1) AND ($2::timestamptz IS NULL OR created_at < $2)
        GROUP BY tier ORDER BY tier`,
      [window.from ?? null, window.to ?? null],
    );
    const statuses: { status: PromotionStatus; count: number }[] = await this.dataSource.query(
      `SELECT status, COUNT(*)::int AS count FROM user_promotions GROUP BY status`,
    );
    const countOf = (status: PromotionStatus) => statuses.find((s) => s.status === status)?.count ?? 0;
    return {
      byTier: byTier.map((r) => ({ tier: r.tier, count: r.count, bonusUsd: r.bonus, amountUsd: r.amount })),
      totalBonusUsd: byTier.reduce((sum, r) => sum.plus(r.bonus), new Money(0)).toFixed(8),
      grantedCount: byTier.reduce((sum, r) => sum + r.count, 0),
      active: countOf(PromotionStatus.Active),
      used: countOf(PromotionStatus.Used),
      expired: countOf(PromotionStatus.Expired),
    };
  }

  /**
   * Marks active promotions past expire_at as expired, a batch per
   * transaction, each batch under the job's advisory lock. Returns how many
   * it expired, or null when another instance is running it.
   */
  expireDue(batchSize = EXPIRE_BATCH): Promise<number | null> {
    return drainInLockedBatches(this.dataSource, LockKey.ExpirePromotions, batchSize, async (em) => {
      const rows = await returning(
        em,
        `UPDATE user_promotions SET status = 'expired', updated_at = NOW()
          WHERE id IN (SELECT id FROM user_promotions
                        WHERE status = 'active' AND expire_at <= NOW()
                        ORDER BY expire_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [batchSize],
      );
      return rows.length;
    });
  }
}
