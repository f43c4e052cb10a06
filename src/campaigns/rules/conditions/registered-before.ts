import { CampaignCondition, unknownFields } from '../campaign-rule';

const isInstant = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));

/** `{type: "registered_before", at}`: the user registered before `at` (an ISO-8601 time), e.g. a first-recharge offer for older accounts. */
export const registeredBefore: CampaignCondition = {
  type: 'registered_before',
  problems: (args) => [...unknownFields(args, ['at']), ...(isInstant(args.at) ? [] : ['registered_before.at must be an ISO-8601 date-time'])],
  holds: (args, facts) => facts.userRegisteredAt.getTime() < Date.parse(args.at as string),
};
