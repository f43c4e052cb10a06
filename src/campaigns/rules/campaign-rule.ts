import { Money } from '../../common/money/money';

/** What a campaign's conditions and action look at: the order as it is created, and its user. */
export interface OrderFacts {
  amountCny: string;
  amountUsd: string;
  /** When the order was created: the user's age and a campaign's dates are judged at this moment, not at payment. */
  orderCreatedAt: Date;
  userRegisteredAt: Date;
  /** Whether the user has a paid order already (this one not counted). */
  hasPaidOrder: boolean;
}

/** A rule's arguments as stored and as an admin sends them: `{type, …}`. */
export type RuleArgs = { type: string } & Record<string, unknown>;

/** A condition type: something true or not of an order. All of a campaign's conditions must hold. */
export interface CampaignCondition {
  type: string;
  /** What is wrong with the arguments, one sentence each; [] when they are fine. */
  problems(args: RuleArgs): string[];
  holds(args: RuleArgs, facts: OrderFacts): boolean;
}

/** What an action grants an order: its bonus in USD (8 places), and for tiered actions the tier (from 0). */
export interface Bonus {
  bonusUsd: string;
  tier: number | null;
}

/** An action type: the bonus a campaign gives an order its conditions hold for; null when it gives none. */
export interface CampaignAction {
  type: string;
  problems(args: RuleArgs): string[];
  bonus(args: RuleArgs, facts: OrderFacts): Bonus | null;
}

const DECIMAL = /^\d{1,12}(\.\d{1,8})?$/;

/** The problem of a money argument (a non-negative decimal string), or null. */
export function amountProblem(args: RuleArgs, field: string, { optional = false, positive = false } = {}): string | null {
  const value = args[field];
  if (value === undefined && optional) return null;
  if (typeof value !== 'string' || !DECIMAL.test(value)) return `${args.type}.${field} must be a non-negative decimal string (up to 8 places)`;
  if (positive && new Money(value).isZero()) return `${args.type}.${field} must be greater than 0`;
  return null;
}

/** The problem of a percent argument: a number in (0, 100], or null. */
export function percentProblem(value: unknown, where: string): string | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 100 ? null : `${where} must be a number greater than 0 and at most 100`;
}

/** The problem of a count of hours: a positive whole number, or null. */
export function hoursProblem(value: unknown, where: string): string | null {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) <= 100_000 ? null : `${where} must be a whole number of hours from 1 to 100000`;
}

/** The fields an argument object may have besides `type`; anything else is named as unknown. */
export function unknownFields(args: RuleArgs, allowed: readonly string[]): string[] {
  return Object.keys(args)
    .filter((key) => key !== 'type' && !allowed.includes(key))
    .map((key) => `${args.type} has no field ${key}`);
}

/** A bonus capped at `capUsd` when the action has a cap. */
export function capped(bonusUsd: Money, capUsd: unknown): Money {
  return typeof capUsd === 'string' ? Money.min(bonusUsd, capUsd) : bonusUsd;
}
