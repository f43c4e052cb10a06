import { CampaignCondition, hoursProblem, unknownFields } from '../campaign-rule';

const HOUR_MS = 3_600_000;

/** `{type: "registered_within", hours}`: the order is created less than `hours` after the user registered. */
export const registeredWithin: CampaignCondition = {
  type: 'registered_within',
  problems: (args) => [...unknownFields(args, ['hours']), hoursProblem(args.hours, 'registered_within.hours')].filter((p): p is string => p !== null),
  holds: (args, facts) => facts.orderCreatedAt.getTime() - facts.userRegisteredAt.getTime() < (args.hours as number) * HOUR_MS,
};
