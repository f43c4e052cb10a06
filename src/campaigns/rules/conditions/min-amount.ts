import { Money } from '../../../common/money/money';
import { CampaignCondition, amountProblem, unknownFields } from '../campaign-rule';

/** `{type: "min_amount", cny}`: the order is for at least `cny` yuan. */
export const minAmount: CampaignCondition = {
  type: 'min_amount',
  problems: (args) => [...unknownFields(args, ['cny']), amountProblem(args, 'cny', { positive: true })].filter((p): p is string => p !== null),
  holds: (args, facts) => new Money(facts.amountCny).gte(args.cny as string),
};
