import { Money, toUsd } from '../../../common/money/money';
import { CampaignAction, amountProblem, capped, hoursProblem, percentProblem, unknownFields } from '../campaign-rule';

type Tier = { withinHours: number; percent: number };
const HOUR_MS = 3_600_000;

function tierProblems(tiers: unknown): string[] {
  if (!Array.isArray(tiers) || tiers.length === 0 || tiers.length > 20) return ['tiered_percent_bonus.tiers must be a list of 1 to 20 tiers'];
  const problems = tiers.flatMap((tier: Partial<Tier>, i) => {
    if (!tier || typeof tier !== 'object') return [`tiered_percent_bonus.tiers[${i}] must be {withinHours, percent}`];
    const extra = Object.keys(tier).filter((key) => key !== 'withinHours' && key !== 'percent');
    return [
      ...extra.map((key) => `tiered_percent_bonus.tiers[${i}] has no field ${key}`),
      hoursProblem(tier.withinHours, `tiered_percent_bonus.tiers[${i}].withinHours`),
      percentProblem(tier.percent, `tiered_percent_bonus.tiers[${i}].percent`),
    ].filter((p): p is string => p !== null);
  });
  const ordered = (tiers as Tier[]).every((tier, i) => i === 0 || tier.withinHours > tiers[i - 1].withinHours);
  return ordered ? problems : [...problems, 'tiered_percent_bonus.tiers must be in increasing withinHours'];
}

/**
 * `{type: "tiered_percent_bonus", tiers: [{withinHours, percent}], capUsd?}`:
 * the percent of the first tier the user's age at the order's creation falls
 * under (tier i covers the previous tier's hours up to its own, exclusive);
 * none past the last tier. The tier's number (from 0) is the order's
 * `promotionTier`.
 */
export const tieredPercentBonus: CampaignAction = {
  type: 'tiered_percent_bonus',
  problems: (args) =>
    [...unknownFields(args, ['tiers', 'capUsd']), ...tierProblems(args.tiers), amountProblem(args, 'capUsd', { optional: true })].filter((p): p is string => p !== null),
  bonus: (args, facts) => {
    const ageMs = facts.orderCreatedAt.getTime() - facts.userRegisteredAt.getTime();
    const tiers = args.tiers as Tier[];
    const tier = tiers.findIndex((t) => ageMs < t.withinHours * HOUR_MS);
    if (tier < 0) return null;
    return { bonusUsd: toUsd(capped(new Money(facts.amountUsd).times(tiers[tier].percent).dividedBy(100), args.capUsd)), tier };
  },
};
