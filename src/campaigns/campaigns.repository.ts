import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { returning } from '../common/database/returning';
import { CampaignState } from './campaign-lifecycle';
import { RuleArgs } from './rules/campaign-rule';
import { Stacking } from './rules/offers';

/** A campaign as stored, with what it paid out (from its grants). */
export interface CampaignRow {
  id: string;
  seedKey: string | null;
  name: string;
  state: CampaignState;
  priority: number;
  stacking: Stacking;
  startsAt: Date;
  endsAt: Date | null;
  budgetUsd: string | null;
  perUserLimit: number | null;
  conditions: RuleArgs[];
  action: RuleArgs;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface CampaignTotals {
  spentUsd: string;
  orders: number;
  users: number;
}

/** What an order's campaigns are judged by besides the order itself. */
export interface OrderFacts {
  registeredAt: Date;
  hasPaidOrder: boolean;
  grantsByCampaign: Record<string, number>;
  budgetLeftByCampaign: Record<string, string>;
}

/** The fields an admin sets. */
export type CampaignFields = Pick<CampaignRow, 'name' | 'priority' | 'stacking' | 'startsAt' | 'endsAt' | 'budgetUsd' | 'perUserLimit' | 'conditions' | 'action'>;

const COLUMNS = `c.id, c.seed_key AS "seedKey", c.name, c.state, c.priority, c.stacking, c.starts_at AS "startsAt", c.ends_at AS "endsAt",
  c.budget_usd AS "budgetUsd", c.per_user_limit AS "perUserLimit", c.conditions, c.action, c.created_by AS "createdBy",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

/** Spend, orders and users of each campaign, counted from its grants (the unique (campaign, order) index serves it). */
const WITH_TOTALS = `SELECT ${COLUMNS}, COALESCE(g.spent, 0)::numeric(20,8)::text AS "spentUsd", COALESCE(g.orders, 0)::int AS orders, COALESCE(g.users, 0)::int AS users
  FROM campaigns c
  LEFT JOIN LATERAL (SELECT SUM(bonus_usd) AS spent, COUNT(*) AS orders, COUNT(DISTINCT user_id) AS users
                       FROM campaign_grants WHERE campaign_id = c.id) g ON TRUE`;

/** What an order's campaigns are judged by, read in one statement when the order is created. */
const ORDER_FACTS: PreparedStatement = {
  name: 'campaigns-order-facts',
  text: `SELECT u.created_at AS "registeredAt",
                ($2::boolean AND EXISTS (SELECT 1 FROM payment_orders o WHERE o.user_id = u.id AND o.status IN ('paid', 'refunding', 'refunded'))) AS "hasPaidOrder",
                COALESCE((SELECT jsonb_object_agg(x.campaign_id::text, x.n)
                            FROM (SELECT campaign_id, COUNT(*) AS n FROM campaign_grants
                                   WHERE user_id = u.id AND campaign_id = ANY ($3::bigint[]) GROUP BY campaign_id) x), '{}'::jsonb) AS "grantsByCampaign",
                COALESCE((SELECT jsonb_object_agg(c.id::text, (c.budget_usd - c.spent_usd)::text) FROM campaigns c
                           WHERE c.id = ANY ($4::bigint[])), '{}'::jsonb) AS "budgetLeftByCampaign"
           FROM users u WHERE u.id = $1`,
};

const FOR_GRANT: PreparedStatement = {
  name: 'campaigns-for-grant',
  text: `SELECT c.seed_key AS "seedKey", c.name, c.budget_usd AS "budgetUsd", c.per_user_limit AS "perUserLimit",
                (SELECT COUNT(*)::int FROM campaign_grants g WHERE g.campaign_id = c.id AND g.user_id = $2) AS "grantsToUser"
           FROM campaigns c WHERE c.id = $1`,
};

/** The owner of `campaigns` and `campaign_grants`. */
@Injectable()
export class CampaignsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, fields: CampaignFields, createdBy: string): Promise<CampaignRow> {
    const [row] = await returning<CampaignRow>(
      em,
      `INSERT INTO campaigns AS c (name, priority, stacking, starts_at, ends_at, budget_usd, per_user_limit, conditions, action, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)
       RETURNING ${COLUMNS}`,
      [...this.values(fields), createdBy],
    );
    return row;
  }

  async update(em: EntityManager, id: string, fields: CampaignFields): Promise<void> {
    await em.query(
      `UPDATE campaigns SET name = $2, priority = $3, stacking = $4, starts_at = $5, ends_at = $6, budget_usd = $7, per_user_limit = $8,
              conditions = $9::jsonb, action = $10::jsonb, updated_at = NOW()
        WHERE id = $1`,
      [id, ...this.values(fields)],
    );
  }

  /** Sets the admin's state (pause, resume, end). */
  async setState(em: EntityManager, id: string, state: CampaignState): Promise<void> {
    await em.query(`UPDATE campaigns SET state = $2, updated_at = NOW() WHERE id = $1`, [id, state]);
  }

  /** The campaign, locked for the rest of the transaction (an admin's change is judged on what is stored). */
  async lock(em: EntityManager, id: string): Promise<CampaignRow | null> {
    const [row] = await em.query(`SELECT ${COLUMNS} FROM campaigns c WHERE c.id = $1 FOR UPDATE`, [id]);
    return row ?? null;
  }

  async find(id: string, em: EntityManager = this.dataSource.manager): Promise<(CampaignRow & CampaignTotals) | null> {
    const [row] = await em.query(`${WITH_TOTALS} WHERE c.id = $1`, [id]);
    return row ?? null;
  }

  list(): Promise<(CampaignRow & CampaignTotals)[]> {
    return this.dataSource.query(`${WITH_TOTALS} ORDER BY c.id DESC`);
  }

  /** The campaigns neither paused nor ended at `at` (scheduled ones included). */
  notEnded(at: Date): Promise<CampaignRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM campaigns c
        WHERE c.state = 'running' AND (c.ends_at IS NULL OR c.ends_at > $1) ORDER BY c.id`,
      [at],
    );
  }

  /**
   * A user's registration time, whether they paid an order before (asked
   * only when a campaign needs it), their grants of the limited campaigns,
   * and what is left of the budgeted campaigns' budgets (read now, not from
   * a cached list, so a spent budget is never offered).
   */
  async orderFacts(
    userId: string,
    needPaidOrder: boolean,
    limitedCampaignIds: string[],
    budgetedCampaignIds: string[],
  ): Promise<OrderFacts | null> {
    const [row] = await runPrepared<OrderFacts & { grantsByCampaign: Record<string, string> }>(this.dataSource.manager, ORDER_FACTS, [
      userId,
      needPaidOrder,
      limitedCampaignIds,
      budgetedCampaignIds,
    ]);
    if (!row) return null;
    const grantsByCampaign = Object.fromEntries(Object.entries(row.grantsByCampaign).map(([id, n]) => [id, Number(n)]));
    return { ...row, grantsByCampaign };
  }

  /**
   * What granting a campaign to a user needs: its kind, name, budget and
   * per-user limit, and how many bonuses it paid this user (the caller holds
   * the user's row lock, so concurrent payments of the user count in turn).
   */
  async forGrant(
    em: EntityManager,
    campaignId: string,
    userId: string,
  ): Promise<{ seedKey: string | null; name: string; budgetUsd: string | null; perUserLimit: number | null; grantsToUser: number } | null> {
    const [row] = await runPrepared<{ seedKey: string | null; name: string; budgetUsd: string | null; perUserLimit: number | null; grantsToUser: number }>(
      em,
      FOR_GRANT,
      [campaignId, userId],
    );
    return row ?? null;
  }

  /**
   * Spends up to `bonusUsd` of a campaign's budget, the row locked until the
   * payment commits, so concurrent payments spend it in turn: what is left
   * when the bonus is more, nothing when it is spent. Returns what was spent.
   */
  async spendBudget(em: EntityManager, campaignId: string, bonusUsd: string): Promise<string> {
    const [row] = await returning<{ spent: string }>(
      em,
      `UPDATE campaigns c SET spent_usd = c.spent_usd + s.amount, updated_at = NOW()
         FROM (SELECT LEAST($2::numeric, budget_usd - spent_usd) AS amount FROM campaigns WHERE id = $1 FOR UPDATE) s
        WHERE c.id = $1 AND s.amount > 0
       RETURNING s.amount::numeric(20,8)::text AS spent`,
      [campaignId, bonusUsd],
    );
    return row?.spent ?? '0';
  }

  /** The grant, once per (campaign, order): false when this order already had it. */
  async insertGrant(em: EntityManager, grant: { campaignId: string; userId: string; orderNo: string; bonusUsd: string }): Promise<boolean> {
    const rows = await returning(
      em,
      `INSERT INTO campaign_grants (campaign_id, user_id, order_no, bonus_usd) VALUES ($1, $2, $3, $4)
       ON CONFLICT (campaign_id, order_no) DO NOTHING RETURNING id`,
      [grant.campaignId, grant.userId, grant.orderNo, grant.bonusUsd],
    );
    return rows.length === 1;
  }

  private values(fields: CampaignFields): unknown[] {
    return [
      fields.name,
      fields.priority,
      fields.stacking,
      fields.startsAt,
      fields.endsAt,
      fields.budgetUsd,
      fields.perUserLimit,
      JSON.stringify(fields.conditions),
      JSON.stringify(fields.action),
    ];
  }
}
