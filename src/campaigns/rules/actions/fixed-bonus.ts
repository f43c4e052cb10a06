import { toUsd } from '../../../common/money/money';
import { CampaignAction, amountProblem, unknownFields } from '../campaign-rule';

/** `{type: "fixed_bonus", usd}`: a fixed bonus of `usd`. */
export const fixedBonus: CampaignAction = {
  type: 'fixed_bonus',
  problems: (args) => [...unknownFields(args, ['usd']), amountProblem(args, 'usd', { positive: true })].filter((p): p is string => p !== null),
  bonus: (args) => ({ bonusUsd: toUsd(args.usd as string), tier: null }),
};
