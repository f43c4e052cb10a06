import { CampaignCondition, unknownFields } from '../campaign-rule';

/** `{type: "first_paid_order"}`: the user has no paid order yet. */
export const firstPaidOrder: CampaignCondition = {
  type: 'first_paid_order',
  problems: (args) => unknownFields(args, []),
  holds: (_args, facts) => !facts.hasPaidOrder,
};
