import { Money, toUsd } from '../../../common/money/money';
import { CampaignAction, amountProblem, capped, percentProblem, unknownFields } from '../campaign-rule';

/** `{type: "percent_bonus", percent, capUsd?}`: `percent` % of the order's USD amount, at most `capUsd`. */
export const percentBonus: CampaignAction = {
  type: 'percent_bonus',
  problems: (args) =>
    [...unknownFields(args, ['percent', 'capUsd']), percentProblem(args.percent, 'percent_bonus.percent'), amountProblem(args, 'capUsd', { optional: true })].filter(
      (p): p is string => p !== null,
    ),
  bonus: (args, facts) => ({ bonusUsd: toUsd(capped(new Money(facts.amountUsd).times(args.percent as number).dividedBy(100), args.capUsd)), tier: null }),
};
