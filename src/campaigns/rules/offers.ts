import { Money } from '../../common/money/money';
import { OrderFacts, RuleArgs } from './campaign-rule';
import { actionOf, conditionOf } from './index';

export type Stacking = 'exclusive' | 'stackable';

/** A campaign as the decision sees it: running at the order's creation, with its rules. */
export interface CampaignRules {
  id: string;
  name: string;
  priority: number;
  stacking: Stacking;
  conditions: RuleArgs[];
  action: RuleArgs;
}

/** A campaign that applies to an order, and the bonus it gives. */
export interface Offer {
  campaignId: string;
  name: string;
  bonusUsd: string;
  /** The tier of a tiered action (from 0), else null. */
  tier: number | null;
}

/** Higher priority first; among equals the older campaign (smaller id), so the decision never depends on row order. */
const byPriority = (a: CampaignRules, b: CampaignRules) => b.priority - a.priority || Number(BigInt(a.id) - BigInt(b.id));

/**
 * The campaigns that apply to an order and what each gives: every campaign
 * whose conditions all hold and whose action gives a bonus above zero; of
 * the exclusive ones only the largest bonus (priority breaks a tie), the
 * stackable ones on top. Budgets and per-user limits are not judged here:
 * they are spent at payment, where concurrent payments are serialised.
 */
export function offersFor(campaigns: readonly CampaignRules[], facts: OrderFacts): Offer[] {
  const offers = [...campaigns].sort(byPriority).flatMap((campaign) => {
    if (!campaign.conditions.every((condition) => conditionOf(condition).holds(condition, facts))) return [];
    const bonus = actionOf(campaign.action).bonus(campaign.action, facts);
    if (!bonus || new Money(bonus.bonusUsd).lte(0)) return [];
    return [{ campaign, offer: { campaignId: campaign.id, name: campaign.name, bonusUsd: bonus.bonusUsd, tier: bonus.tier } }];
  });
  const exclusive = offers
    .filter(({ campaign }) => campaign.stacking === 'exclusive')
    // Sorted by priority already: a stable sort by bonus keeps the higher priority first among equal bonuses.
    .sort((a, b) => new Money(b.offer.bonusUsd).comparedTo(a.offer.bonusUsd))[0];
  const stackable = offers.filter(({ campaign }) => campaign.stacking === 'stackable');
  return [...(exclusive ? [exclusive] : []), ...stackable].map(({ offer }) => offer);
}
