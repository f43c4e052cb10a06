import { describe, expect, it } from 'vitest';
import { createAppI18n, type AppLocale } from '../../i18n';
import type { Campaign } from '../../api/types';
import { describeAction, describeCampaignRules, describeCondition, type Translate } from '../campaignRules';

function translator(locale: AppLocale): Translate {
  const i18n = createAppI18n(locale);
  return (key, values) => i18n.global.t(key, values ?? {});
}

const spring: Pick<Campaign, 'conditions' | 'action'> = {
  conditions: [
    { type: 'min_amount', cny: '100.00' },
    { type: 'registered_within', hours: 72 },
  ],
  action: { type: 'percent_bonus', percent: 10, capUsd: '5.00' },
};

describe('describeCampaignRules', () => {
  it('reads conditions, then the bonus, on one line in Chinese', () => {
    expect(describeCampaignRules(spring, translator('zh'), 'zh')).toBe('满 ¥100 · 注册 72 小时内 → 赠送 10%（最多 $5）');
  });

  it('and in English', () => {
    expect(describeCampaignRules(spring, translator('en'), 'en')).toBe('From ¥100 · Signed up within 72 h → 10% bonus (at most $5)');
  });

  it('no condition reads “any order”; a percent without a cap says none', () => {
    const t = translator('en');
    expect(describeCampaignRules({ conditions: [], action: { type: 'percent_bonus', percent: 12.5 } }, t, 'en')).toBe('Any order → 12.5% bonus');
  });

  it('the new-user tiers list each window with its percent', () => {
    const action = {
      type: 'tiered_percent_bonus' as const,
      tiers: [
        { withinHours: 24, percent: 30 },
        { withinHours: 72, percent: 20 },
      ],
    };
    expect(describeAction(action, translator('zh'))).toBe('按注册时长赠送：24 小时内 30%，72 小时内 20%');
    expect(describeAction({ ...action, capUsd: '10.5' }, translator('en'))).toBe('Bonus by account age: 30% within 24 h, 20% within 72 h (at most $10.5)');
  });

  it('a fixed bonus keeps every decimal of the amount (money is never a JS number)', () => {
    expect(describeAction({ type: 'fixed_bonus', usd: '2.12345678' }, translator('en'))).toBe('$2.12345678 bonus');
    expect(describeAction({ type: 'fixed_bonus', usd: '2.00' }, translator('zh'))).toBe('赠送 $2');
  });

  it('first paid order and registered before', () => {
    const t = translator('en');
    expect(describeCondition({ type: 'first_paid_order' }, t, 'en')).toBe('First paid order');
    const before = describeCondition({ type: 'registered_before', at: '2026-12-01T00:00:00.000Z' }, t, 'en');
    expect(before).toMatch(/^Signed up before .*2026/);
    expect(describeCondition({ type: 'registered_before', at: '2026-12-01T00:00:00.000Z' }, translator('zh'), 'zh')).toMatch(/^2026.* 前注册$/);
  });
});
