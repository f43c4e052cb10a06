import type { Campaign, CampaignAction, CampaignCondition } from '../api/types';
import { formatMoney } from './money';
import { formatDateTime } from './time';

/** The translate function of vue-i18n, as far as these helpers use it. */
export type Translate = (key: string, values?: Record<string, unknown>) => string;

/** An amount in a rule's words: as many decimals as it has ("100.00" → "100", "4.5" → "4.5"), never a JS number. */
const amount = (value: string) => formatMoney(value, 0, 8);

/** One condition in words, e.g. "满 ¥100" / "From ¥100". */
export function describeCondition(condition: CampaignCondition, t: Translate, locale: string): string {
  switch (condition.type) {
    case 'min_amount':
      return t('campaignRules.minAmount', { amount: amount(condition.cny) });
    case 'registered_within':
      return t('campaignRules.registeredWithin', { hours: condition.hours });
    case 'registered_before':
      return t('campaignRules.registeredBefore', { at: formatDateTime(condition.at, locale) });
    case 'first_paid_order':
      return t('campaignRules.firstPaidOrder');
  }
}

/** What a campaign gives, in words, e.g. "赠送 10%（最多 $5）" / "10% bonus (at most $5)". */
export function describeAction(action: CampaignAction, t: Translate): string {
  switch (action.type) {
    case 'percent_bonus': {
      const text = t('campaignRules.percentBonus', { percent: action.percent });
      return action.capUsd ? t('campaignRules.capped', { text, cap: amount(action.capUsd) }) : text;
    }
    case 'tiered_percent_bonus': {
      const tiers = action.tiers.map((tier) => t('campaignRules.tier', { hours: tier.withinHours, percent: tier.percent }));
      const text = t('campaignRules.tieredBonus', { tiers: tiers.join(t('campaignRules.listSeparator')) });
      return action.capUsd ? t('campaignRules.capped', { text, cap: amount(action.capUsd) }) : text;
    }
    case 'fixed_bonus':
      return t('campaignRules.fixedBonus', { amount: amount(action.usd) });
  }
}

/**
 * A campaign's rules on one line: its conditions (all must hold), then what it gives, e.g.
 * "满 ¥100 · 注册 72 小时内 → 赠送 10%（最多 $5）". No condition reads "any order".
 */
export function describeCampaignRules(campaign: Pick<Campaign, 'conditions' | 'action'>, t: Translate, locale: string): string {
  const conditions =
    campaign.conditions.length > 0 ? campaign.conditions.map((c) => describeCondition(c, t, locale)).join(' · ') : t('campaignRules.anyOrder');
  return `${conditions} → ${describeAction(campaign.action, t)}`;
}
