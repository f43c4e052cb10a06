import { OrderFacts, RuleArgs } from './campaign-rule';
import { ruleProblems } from './index';
import { CampaignRules, offersFor } from './offers';

const HOUR = 3_600_000;
const registered = new Date('2026-12-01T00:00:00Z');
const facts = (over: Partial<OrderFacts> = {}): OrderFacts => ({
  amountCny: '100.00',
  amountUsd: '13.88888889',
  orderCreatedAt: new Date(registered.getTime() + 10 * HOUR),
  userRegisteredAt: registered,
  hasPaidOrder: false,
  ...over,
});
const NEW_USER_TIERS: RuleArgs = {
  type: 'tiered_percent_bonus',
  tiers: [
    { withinHours: 24, percent: 30 },
    { withinHours: 36, percent: 20 },
    { withinHours: 48, percent: 10 },
    { withinHours: 72, percent: 5 },
  ],
};
const campaign = (id: string, over: Partial<CampaignRules>): CampaignRules => ({
  id,
  name: `c${id}`,
  priority: 0,
  stacking: 'exclusive',
  conditions: [],
  action: { type: 'fixed_bonus', usd: '1' },
  ...over,
});

describe('campaign rules', () => {
  it('tiers by the user’s age at the order’s creation, as the new-user bonus always did (24 h is the second tier, 72 h none)', () => {
    const at = (hours: number) => offersFor([campaign('1', { action: NEW_USER_TIERS })], facts({ orderCreatedAt: new Date(registered.getTime() + hours * HOUR) }));
    expect(at(0)).toEqual([{ campaignId: '1', name: 'c1', bonusUsd: '4.16666667', tier: 0 }]);
    expect(at(23.99)[0].tier).toBe(0);
    expect(at(24)[0]).toMatchObject({ tier: 1, bonusUsd: '2.77777778' });
    expect(at(47)[0]).toMatchObject({ tier: 2, bonusUsd: '1.38888889' });
    expect(at(71)[0]).toMatchObject({ tier: 3, bonusUsd: '0.69444444' });
    expect(at(72)).toEqual([]);
  });

  it('needs every condition to hold', () => {
    const c = campaign('1', { conditions: [{ type: 'min_amount', cny: '100' }, { type: 'first_paid_order' }], action: { type: 'percent_bonus', percent: 10 } });
    expect(offersFor([c], facts())).toEqual([{ campaignId: '1', name: 'c1', bonusUsd: '1.38888889', tier: null }]);
    expect(offersFor([c], facts({ amountCny: '99.99' }))).toEqual([]);
    expect(offersFor([c], facts({ hasPaidOrder: true }))).toEqual([]);
    const older = campaign('2', { conditions: [{ type: 'registered_before', at: '2026-12-01T00:00:00Z' }] });
    expect(offersFor([older], facts())).toEqual([]);
    expect(offersFor([older], facts({ userRegisteredAt: new Date('2026-11-30T23:59:59Z') }))).toHaveLength(1);
    const young = campaign('3', { conditions: [{ type: 'registered_within', hours: 10 }] });
    expect(offersFor([young], facts())).toEqual([]);
    expect(offersFor([young], facts({ orderCreatedAt: new Date(registered.getTime() + 9 * HOUR) }))).toHaveLength(1);
  });

  it('caps a percent bonus at capUsd', () => {
    const c = campaign('1', { action: { type: 'percent_bonus', percent: 50, capUsd: '5' } });
    expect(offersFor([c], facts())[0].bonusUsd).toBe('5.00000000');
    expect(offersFor([c], facts({ amountUsd: '2' }))[0].bonusUsd).toBe('1.00000000');
  });

  it('gives the largest exclusive bonus, priority breaking a tie, and adds the stackable ones', () => {
    const small = campaign('1', { action: { type: 'fixed_bonus', usd: '1' }, priority: 9 });
    const large = campaign('2', { action: { type: 'fixed_bonus', usd: '2' } });
    const tieLow = campaign('3', { action: { type: 'fixed_bonus', usd: '2' }, priority: -1 });
    const extra = campaign('4', { action: { type: 'fixed_bonus', usd: '0.5' }, stacking: 'stackable' });
    expect(offersFor([small, tieLow, extra, large], facts()).map((o) => o.campaignId)).toEqual(['2', '4']);
    const tieHigh = campaign('5', { action: { type: 'fixed_bonus', usd: '2' }, priority: 3 });
    expect(offersFor([large, tieHigh], facts()).map((o) => o.campaignId)).toEqual(['5']);
    expect(offersFor([small, large].map((c) => ({ ...c, stacking: 'stackable' as const })), facts()).map((o) => o.campaignId)).toEqual(['1', '2']);
  });

  it('names each problem of a campaign’s rules', () => {
    expect(ruleProblems([], NEW_USER_TIERS)).toEqual([]);
    expect(ruleProblems([{ type: 'min_amount', cny: '10' }, { type: 'registered_before', at: '2026-01-01T00:00:00Z' }], { type: 'percent_bonus', percent: 100, capUsd: '3' })).toEqual([]);
    expect(ruleProblems([{ type: 'weekday' }], { type: 'percent_bonus', percent: 10 })).toEqual([
      'conditions[0].type must be one of min_amount, registered_within, registered_before, first_paid_order',
    ]);
    expect(ruleProblems([], { type: 'cashback' })).toEqual(['action.type must be one of percent_bonus, tiered_percent_bonus, fixed_bonus']);
    expect(ruleProblems([], { type: 'percent_bonus', percent: 0 })).toEqual(['percent_bonus.percent must be a number greater than 0 and at most 100']);
    expect(ruleProblems([], { type: 'percent_bonus', percent: 100.5 })).toHaveLength(1);
    expect(ruleProblems([], { type: 'fixed_bonus', usd: '-1' })).toEqual(['fixed_bonus.usd must be a non-negative decimal string (up to 8 places)']);
    expect(ruleProblems([{ type: 'min_amount', cny: 5 }], { type: 'fixed_bonus', usd: '1', extra: true })).toEqual([
      'min_amount.cny must be a non-negative decimal string (up to 8 places)',
      'fixed_bonus has no field extra',
    ]);
    expect(ruleProblems([], { type: 'tiered_percent_bonus', tiers: [{ withinHours: 48, percent: 10 }, { withinHours: 24, percent: 30 }] })).toEqual([
      'tiered_percent_bonus.tiers must be in increasing withinHours',
    ]);
    expect(ruleProblems('x', null)).toEqual(['conditions must be a list of at most 10 conditions', 'action must be an object with a type']);
  });
});
