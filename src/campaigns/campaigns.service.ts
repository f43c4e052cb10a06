import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../common/config/app-config';
import { Money, percentOf, toUsd } from '../common/money/money';
import { Outbox } from '../events/outbox';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType } from '../ledger/recharge-record.entity';
import { PromotionsService } from '../promotions/promotions.service';
import { CampaignStatus, CampaignTransition, canTransition, statusOf } from './campaign-lifecycle';
import { CampaignFields, CampaignRow, CampaignTotals, CampaignsRepository } from './campaigns.repository';
import { CampaignsException } from './campaigns.errors';
import { CampaignDto, CreateCampaignDto, UpdateCampaignDto } from './dto/campaign.dto';
import { RuleArgs } from './rules/campaign-rule';
import { CampaignRules, offersFor } from './rules/offers';

/** The seed key of the new-user bonus. */
export const NEW_USER_CAMPAIGN = 'new_user';

/** How long an instance trusts its list of running campaigns; an admin's change on this instance refreshes it at once. */
const RUNNING_CACHE_MS = 5_000;

/** A campaign as fixed on an order when it was created (payment_orders.campaigns). */
export interface OrderCampaign {
  id: string;
  name: string;
  bonusUsd: string;
  /** The tier of a tiered action (from 0), else null. */
  tier: number | null;
}

/** A running campaign with what granting needs beyond its rules. */
type RunningCampaign = CampaignRules & {
  seedKey: string | null;
  perUserLimit: number | null;
  budgeted: boolean;
  startsAt: Date;
  endsAt: Date | null;
};

/** The order a payment settles, as granting needs it. */
export interface PaidOrderCampaigns {
  userId: string;
  username: string;
  orderNo: string;
  amountCny: string;
  amountUsd: string;
  /** As fixed at creation; null for an order created before campaigns (its new-user tier decides). */
  campaigns: OrderCampaign[] | null;
  promotionTier: number | null;
}

export interface GrantedCampaign {
  campaignId: string;
  bonusUsd: string;
  tier: number | null;
}

/**
 * Promotions as campaigns: rules an admin runs without a deploy (src/campaigns/rules).
 *
 * - When an order is created, the campaigns that apply are decided once
 *   (`offersFor`) and stored on the order with their bonuses; what the user
 *   was shown is what the payment grants.
 * - At payment, inside the payment transaction (`grant`), each is granted
 *   once: a per-user limit is counted under the user's row lock (the payment
 *   took it), a budget is spent under the campaign's row lock, and a bonus
 *   the budget cannot cover in full is cut to what is left, so no campaign
 *   ever pays more than its budget. A campaign without a budget is never
 *   locked by a payment.
 * - The new-user bonus is the seeded campaign 'new_user'. Its rules are the
 *   promotion configuration (tiers, minimum amount, window), which also
 *   drives the registration window and the countdown; `promotion.enabled:
 *   false` switches it off. Its grants also mark the user's promotion used.
 */
@Injectable()
export class CampaignsService {
  private running: { until: number; campaigns: Promise<RunningCampaign[]> } | null = null;

  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly config: AppConfig,
    private readonly ledger: LedgerService,
    private readonly promotions: PromotionsService,
    private readonly outbox: Outbox,
  ) {}

  // --- Admins ---

  async create(em: EntityManager, input: CreateCampaignDto, createdBy: string): Promise<CampaignRow> {
    const fields: CampaignFields = {
      name: input.name,
      priority: input.priority ?? 0,
      stacking: input.stacking,
      startsAt: input.startsAt,
      endsAt: input.endsAt ?? null,
      budgetUsd: input.budgetUsd == null ? null : toUsd(input.budgetUsd),
      perUserLimit: input.perUserLimit ?? null,
      conditions: input.conditions,
      action: input.action,
    };
    checkWindow(fields);
    const row = await this.campaigns.insert(em, fields, createdBy);
    this.forgetRunning();
    return row;
  }

  /** Edits a scheduled campaign: the fields given replace the stored ones. Returns the campaign before and after. */
  async update(em: EntityManager, id: string, input: UpdateCampaignDto): Promise<{ before: CampaignRow; after: CampaignFields }> {
    const before = await this.lockFor(em, id, 'edit');
    if (before.seedKey === NEW_USER_CAMPAIGN) throw CampaignsException.seededRules(id);
    const after: CampaignFields = {
      name: input.name ?? before.name,
      priority: input.priority ?? before.priority,
      stacking: input.stacking ?? before.stacking,
      startsAt: input.startsAt ?? before.startsAt,
      endsAt: input.endsAt === undefined ? before.endsAt : input.endsAt,
      budgetUsd: input.budgetUsd === undefined ? before.budgetUsd : input.budgetUsd === null ? null : toUsd(input.budgetUsd),
      perUserLimit: input.perUserLimit === undefined ? before.perUserLimit : input.perUserLimit,
      conditions: input.conditions ?? before.conditions,
      action: input.action ?? before.action,
    };
    checkWindow(after);
    await this.campaigns.update(em, id, after);
    this.forgetRunning();
    return { before, after };
  }

  /** pause, resume or end: a 409 naming the status when the campaign's status does not allow it. */
  async transition(em: EntityManager, id: string, transition: Exclude<CampaignTransition, 'edit'>): Promise<{ before: CampaignStatus; after: CampaignStatus }> {
    const campaign = await this.lockFor(em, id, transition);
    const state = transition === 'pause' ? 'paused' : transition === 'resume' ? 'running' : 'ended';
    await this.campaigns.setState(em, id, state);
    this.forgetRunning();
    const now = new Date();
    return { before: statusOf(campaign, now), after: statusOf({ ...campaign, state }, now) };
  }

  async find(id: string, em?: EntityManager): Promise<CampaignDto> {
    const row = await this.campaigns.find(id, em);
    if (!row) throw CampaignsException.notFound(id);
    return this.toDto(row);
  }

  async list(): Promise<CampaignDto[]> {
    return (await this.campaigns.list()).map((row) => this.toDto(row));
  }

  // --- Orders ---

  /**
   * The campaigns that apply to an order of this user and amount created at
   * `at`, with their bonuses, and the new-user tier among them (the order's
   * promotionTier). A campaign whose per-user limit the user has reached, or
   * whose budget is spent, is not offered.
   */
  async offersFor(order: { userId: string; amountCny: string; amountUsd: string; at: Date }): Promise<{ campaigns: OrderCampaign[]; promotionTier: number | null }> {
    const running = await this.runningAt(order.at);
    if (running.length === 0) return { campaigns: [], promotionTier: null };
    const limited = running.filter((c) => c.perUserLimit !== null);
    const needsPaidOrder = running.some((c) => c.conditions.some((condition) => condition.type === 'first_paid_order'));
    const budgeted = running.filter((c) => c.budgeted);
    const facts = await this.campaigns.orderFacts(order.userId, needsPaidOrder, limited.map((c) => c.id), budgeted.map((c) => c.id));
    if (!facts) return { campaigns: [], promotionTier: null };
    const open = running.filter(
      (c) =>
        (c.perUserLimit === null || (facts.grantsByCampaign[c.id] ?? 0) < c.perUserLimit) &&
        (!c.budgeted || new Money(facts.budgetLeftByCampaign[c.id] ?? 0).gt(0)),
    );
    const offers = offersFor(open, {
      amountCny: order.amountCny,
      amountUsd: order.amountUsd,
      orderCreatedAt: order.at,
      userRegisteredAt: facts.registeredAt,
      hasPaidOrder: facts.hasPaidOrder,
    });
    const newUser = offers.find((offer) => open.find((c) => c.id === offer.campaignId)?.seedKey === NEW_USER_CAMPAIGN);
    return {
      campaigns: offers.map((offer) => ({ id: offer.campaignId, name: offer.name, bonusUsd: offer.bonusUsd, tier: offer.tier })),
      promotionTier: newUser?.tier ?? null,
    };
  }

  /**
   * Grants a paid order's campaigns inside the payment transaction, after
   * the payment's own ledger row (which locked the user's row). Each campaign
   * is taken in id order; each grant is a campaign_grants row (unique per
   * campaign and order), a ledger row of type promotion carrying the
   * campaign, and a promotion.granted event. Returns what was granted.
   */
  async grant(em: EntityManager, order: PaidOrderCampaigns): Promise<GrantedCampaign[]> {
    const offers = order.campaigns ?? (await this.legacyNewUserOffer(em, order));
    const granted: GrantedCampaign[] = [];
    for (const offer of [...offers].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))) {
      const campaign = await this.campaigns.forGrant(em, offer.id, order.userId);
      if (!campaign) continue;
      if (campaign.perUserLimit !== null && campaign.grantsToUser >= campaign.perUserLimit) continue;
      if (campaign.seedKey === NEW_USER_CAMPAIGN) {
        // The new-user bonus as it always was (its promotion marked used, its record, its ledger row), now pointing at its campaign.
        const bonus = await this.promotions.grant(em, { ...order, tier: offer.tier, campaignId: offer.id });
        if (!bonus) continue;
        await this.recordGrant(em, offer.id, order, bonus.bonusUsd);
        granted.push({ campaignId: offer.id, bonusUsd: bonus.bonusUsd, tier: offer.tier });
        continue;
      }
      const bonusUsd = campaign.budgetUsd === null ? offer.bonusUsd : await this.campaigns.spendBudget(em, offer.id, offer.bonusUsd);
      if (new Money(bonusUsd).lte(0)) continue;
      await this.recordGrant(em, offer.id, order, bonusUsd);
      await this.ledger.credit(em, {
        userId: order.userId,
        amount: bonusUsd,
        type: LedgerType.Promotion,
        operator: 'system',
        remark: campaign.name,
        relatedId: order.orderNo,
        campaignId: offer.id,
      });
      await this.outbox.emit(em, 'promotion.granted', order.userId, { orderNo: order.orderNo, campaignId: offer.id, tier: offer.tier, percent: null, bonusUsd });
      granted.push({ campaignId: offer.id, bonusUsd, tier: offer.tier });
    }
    return granted;
  }

  /** Whether the new-user bonus applies to orders created at `at` (configured on, and its campaign neither paused nor ended). */
  async newUserBonusRunning(at = new Date()): Promise<boolean> {
    return (await this.runningAt(at)).some((campaign) => campaign.seedKey === NEW_USER_CAMPAIGN);
  }

  // --- Internals ---

  private async recordGrant(em: EntityManager, campaignId: string, order: PaidOrderCampaigns, bonusUsd: string): Promise<void> {
    if (!(await this.campaigns.insertGrant(em, { campaignId, userId: order.userId, orderNo: order.orderNo, bonusUsd }))) {
      throw new Error(`campaign ${campaignId} already granted order ${order.orderNo}: a payment reached its campaigns twice`);
    }
  }

  /** An order created before campaigns: its new-user tier, as the promotion configuration prices it. */
  private async legacyNewUserOffer(em: EntityManager, order: PaidOrderCampaigns): Promise<OrderCampaign[]> {
    const settings = this.config.promotion;
    const rule = order.promotionTier === null ? undefined : settings.tiers[order.promotionTier];
    if (!settings.enabled || !rule || new Money(order.amountCny).lt(settings.minAmount)) return [];
    const [seeded] = await em.query(`SELECT id, name FROM campaigns WHERE seed_key = $1`, [NEW_USER_CAMPAIGN]);
    if (!seeded) return [];
    return [{ id: seeded.id, name: seeded.name, bonusUsd: percentOf(order.amountUsd, rule.percent), tier: order.promotionTier }];
  }

  private async lockFor(em: EntityManager, id: string, transition: CampaignTransition): Promise<CampaignRow> {
    const campaign = await this.campaigns.lock(em, id);
    if (!campaign) throw CampaignsException.notFound(id);
    const status = statusOf(campaign, new Date());
    if (!canTransition(transition, status)) {
      throw transition === 'edit' ? CampaignsException.notEditable(id, status) : CampaignsException.transitionRefused(id, transition, status);
    }
    return campaign;
  }

  /** The campaigns running at `at`, from a list each instance keeps for a few seconds (scheduled ones included, so one that starts is seen at once). */
  private async runningAt(at: Date): Promise<RunningCampaign[]> {
    const now = Date.now();
    if (!this.running || this.running.until <= now) {
      const campaigns = this.campaigns.notEnded(new Date(now)).then((rows) =>
        rows
          .filter((row) => row.seedKey !== NEW_USER_CAMPAIGN || this.config.promotion.enabled)
          .map((row) => ({
            id: row.id,
            name: row.name,
            priority: row.priority,
            stacking: row.stacking,
            ...this.rulesOf(row),
            seedKey: row.seedKey,
            perUserLimit: row.perUserLimit,
            budgeted: row.budgetUsd !== null,
            startsAt: row.startsAt,
            endsAt: row.endsAt,
          })),
      );
      // A failed read is not kept: the next order asks again.
      campaigns.catch(() => this.forgetRunning());
      this.running = { until: now + RUNNING_CACHE_MS, campaigns };
    }
    return (await this.running.campaigns).filter((c) => c.startsAt <= at && (c.endsAt === null || c.endsAt > at));
  }

  private forgetRunning(): void {
    this.running = null;
  }

  /** A campaign's rules: the stored ones, or for the new-user bonus the promotion configuration's. */
  private rulesOf(row: Pick<CampaignRow, 'seedKey' | 'conditions' | 'action'>): { conditions: RuleArgs[]; action: RuleArgs } {
    if (row.seedKey !== NEW_USER_CAMPAIGN) return { conditions: row.conditions, action: row.action };
    const settings = this.config.promotion;
    return {
      conditions: [
        { type: 'registered_within', hours: settings.durationHours },
        { type: 'min_amount', cny: settings.minAmount },
      ],
      action: { type: 'tiered_percent_bonus', tiers: settings.tiers.map((tier) => ({ withinHours: tier.hours, percent: tier.percent })) },
    };
  }

  private toDto(row: CampaignRow & CampaignTotals): CampaignDto {
    return {
      id: row.id,
      name: row.name,
      status: statusOf(row, new Date()),
      priority: row.priority,
      stacking: row.stacking,
      startsAt: row.startsAt.toISOString(),
      endsAt: row.endsAt?.toISOString() ?? null,
      budgetUsd: row.budgetUsd,
      perUserLimit: row.perUserLimit,
      ...this.rulesOf(row),
      spentUsd: row.spentUsd,
      orders: row.orders,
      users: row.users,
      seeded: row.seedKey !== null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}

function checkWindow(fields: Pick<CampaignFields, 'startsAt' | 'endsAt'>): void {
  if (fields.endsAt !== null && fields.endsAt <= fields.startsAt) throw CampaignsException.windowInvalid();
}
