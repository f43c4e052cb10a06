import { fixedBonus } from './actions/fixed-bonus';
import { percentBonus } from './actions/percent-bonus';
import { tieredPercentBonus } from './actions/tiered-percent-bonus';
import { CampaignAction, CampaignCondition, RuleArgs } from './campaign-rule';
import { firstPaidOrder } from './conditions/first-paid-order';
import { minAmount } from './conditions/min-amount';
import { registeredBefore } from './conditions/registered-before';
import { registeredWithin } from './conditions/registered-within';

/** Every condition type a campaign can use: a new one is its file plus a line here. */
export const CONDITIONS: readonly CampaignCondition[] = [minAmount, registeredWithin, registeredBefore, firstPaidOrder];

/** Every action type a campaign can use: a new one is its file plus a line here. */
export const ACTIONS: readonly CampaignAction[] = [percentBonus, tieredPercentBonus, fixedBonus];

const byType = <T extends { type: string }>(list: readonly T[]) => new Map(list.map((item) => [item.type, item]));
const conditionTypes = byType(CONDITIONS);
const actionTypes = byType(ACTIONS);

const isArgs = (value: unknown): value is RuleArgs => !!value && typeof value === 'object' && !Array.isArray(value) && typeof (value as RuleArgs).type === 'string';

/** What is wrong with a campaign's conditions, one sentence each; [] when they are fine. */
export function conditionProblems(conditions: unknown): string[] {
  if (!Array.isArray(conditions) || conditions.length > 10) return ['conditions must be a list of at most 10 conditions'];
  return conditions.flatMap((condition, i) => {
    if (!isArgs(condition)) return [`conditions[${i}] must be an object with a type`];
    const type = conditionTypes.get(condition.type);
    if (!type) return [`conditions[${i}].type must be one of ${[...conditionTypes.keys()].join(', ')}`];
    return type.problems(condition);
  });
}

/** What is wrong with a campaign's action, one sentence each; [] when it is fine. */
export function actionProblems(action: unknown): string[] {
  if (!isArgs(action)) return ['action must be an object with a type'];
  const type = actionTypes.get(action.type);
  if (!type) return [`action.type must be one of ${[...actionTypes.keys()].join(', ')}`];
  return type.problems(action);
}

/** What is wrong with a campaign's conditions and action (a 400 lists them); [] when they are fine. */
export function ruleProblems(conditions: unknown, action: unknown): string[] {
  return [...conditionProblems(conditions), ...actionProblems(action)];
}

export function conditionOf(args: RuleArgs): CampaignCondition {
  const type = conditionTypes.get(args.type);
  if (!type) throw new Error(`unknown campaign condition ${args.type}`);
  return type;
}

export function actionOf(args: RuleArgs): CampaignAction {
  const type = actionTypes.get(args.type);
  if (!type) throw new Error(`unknown campaign action ${args.type}`);
  return type;
}
