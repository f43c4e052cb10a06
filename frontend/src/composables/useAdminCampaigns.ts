import { reactive, ref, shallowRef } from 'vue';
import { createCampaign, endCampaign, listCampaigns, pauseCampaign, resumeCampaign, updateCampaign } from '../api/admin';
import { ApiError } from '../api/http';
import type {
  Campaign,
  CampaignAction,
  CampaignActionType,
  CampaignCondition,
  CampaignConditionType,
  CampaignStacking,
  CampaignStatus,
  CreateCampaignRequest,
} from '../api/types';
import { localDateTimeToIso } from '../utils/time';
import { useConfirmAction } from './useConfirmAction';
import { useLatestLoad } from './useLatestLoad';

/** The API's limits (src/campaigns/dto/campaign.dto.ts). */
export const CAMPAIGN_NAME_MAX_LENGTH = 100;
export const CAMPAIGN_PRIORITY_LIMIT = 1000;

/**
 * The refusals whose server message says what to fix (each invalid field,
 * condition or action is named in the 400): shown as the server words them.
 */
export const CAMPAIGN_FORM_SERVER_CODES = ['VALIDATION_FAILED', 'CAMPAIGN_WINDOW_INVALID'] as const;

/** A condition row as typed: every field of every type is kept, so switching the type back keeps what was typed. */
export interface ConditionRow {
  /** Tells the rows apart while they are added and removed. */
  key: number;
  type: CampaignConditionType;
  /** min_amount: CNY, a decimal string. */
  cny: string;
  /** registered_within: whole hours. */
  hours: string;
  /** registered_before: a datetime-local value. */
  at: string;
}

export interface TierRow {
  key: number;
  withinHours: string;
  percent: string;
}

/** The action as typed (the fields of the chosen type are sent). */
export interface ActionForm {
  type: CampaignActionType;
  percent: string;
  /** percent_bonus and tiered_percent_bonus: USD, blank for no cap. */
  capUsd: string;
  tiers: TierRow[];
  /** fixed_bonus: USD. */
  usd: string;
}

/** The campaign form as typed; blank budget and per-user limit mean no cap, a blank end no end. */
export interface CampaignForm {
  name: string;
  stacking: CampaignStacking;
  priority: string;
  /** datetime-local values (the admin's local time). */
  startsAt: string;
  endsAt: string;
  budgetUsd: string;
  perUserLimit: string;
  conditions: ConditionRow[];
  action: ActionForm;
}

export type CampaignProblem =
  | 'nameRequired'
  | 'nameLength'
  | 'priorityFormat'
  | 'startsAtRequired'
  | 'startsAtFormat'
  | 'endsAtFormat'
  | 'budgetFormat'
  | 'perUserLimitFormat'
  | 'conditionCny'
  | 'conditionHours'
  | 'conditionAt'
  | 'actionPercent'
  | 'actionCap'
  | 'actionTiersRequired'
  | 'actionTier'
  | 'actionUsd';

let rowSeq = 0;

export function newConditionRow(type: CampaignConditionType = 'min_amount'): ConditionRow {
  return { key: ++rowSeq, type, cny: '', hours: '', at: '' };
}

export function newTierRow(withinHours = '', percent = ''): TierRow {
  return { key: ++rowSeq, withinHours, percent };
}

export function emptyCampaignForm(): CampaignForm {
  return {
    name: '',
    stacking: 'stackable',
    priority: '0',
    startsAt: '',
    endsAt: '',
    budgetUsd: '',
    perUserLimit: '',
    conditions: [],
    action: { type: 'percent_bonus', percent: '', capUsd: '', tiers: [newTierRow()], usd: '' },
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO time as a datetime-local value in the admin's time zone ("2026-12-07T09:30"); blank for none. */
export function isoToLocalDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A campaign as the edit form shows it. */
export function campaignToForm(campaign: Campaign): CampaignForm {
  const form = emptyCampaignForm();
  form.name = campaign.name;
  form.stacking = campaign.stacking;
  form.priority = String(campaign.priority);
  form.startsAt = isoToLocalDateTime(campaign.startsAt);
  form.endsAt = isoToLocalDateTime(campaign.endsAt);
  form.budgetUsd = campaign.budgetUsd ?? '';
  form.perUserLimit = campaign.perUserLimit === null ? '' : String(campaign.perUserLimit);
  form.conditions = campaign.conditions.map((c) => {
    const row = newConditionRow(c.type);
    if (c.type === 'min_amount') row.cny = c.cny;
    if (c.type === 'registered_within') row.hours = String(c.hours);
    if (c.type === 'registered_before') row.at = isoToLocalDateTime(c.at);
    return row;
  });
  const a = campaign.action;
  form.action.type = a.type;
  if (a.type === 'percent_bonus') {
    form.action.percent = String(a.percent);
    form.action.capUsd = a.capUsd ?? '';
  } else if (a.type === 'tiered_percent_bonus') {
    form.action.tiers = a.tiers.map((tier) => newTierRow(String(tier.withinHours), String(tier.percent)));
    form.action.capUsd = a.capUsd ?? '';
  } else {
    form.action.usd = a.usd;
  }
  return form;
}

/** A non-negative decimal string as the API takes money (at most 8 decimals). */
const isMoney = (value: string) => /^\d+(\.\d{1,8})?$/.test(value);
/** Whole numbers for hours, limits and priority: digits only (a sign for priority), never money. */
const wholeNumber = (value: string, signed = false): number | null => ((signed ? /^-?\d{1,9}$/ : /^\d{1,9}$/).test(value) ? Number(value) : null);
/** A percent as typed: a plain number ("10", "12.5"); its range (0, 100] is the API's to check and name. */
const percentOf = (value: string): number | null => (/^\d{1,3}(\.\d{1,4})?$/.test(value) ? Number(value) : null);

/**
 * Checks what the form can check before sending (what is missing or not a
 * number, a date or an amount): the problems in field order, or the request —
 * money as the decimal strings typed, percent and hours as numbers, times as
 * ISO. Ranges (a percent above 100, an end before the start…) are the API's
 * to judge: its 400 names each problem.
 */
export function validateCampaign(form: CampaignForm): { problems: CampaignProblem[]; request: null } | { problems: []; request: CreateCampaignRequest } {
  const problems: CampaignProblem[] = [];
  const name = form.name.trim();
  if (name === '') problems.push('nameRequired');
  else if (name.length > CAMPAIGN_NAME_MAX_LENGTH) problems.push('nameLength');

  const priorityText = form.priority.trim();
  const priority = priorityText === '' ? 0 : wholeNumber(priorityText, true);
  if (priority === null || Math.abs(priority) > CAMPAIGN_PRIORITY_LIMIT) problems.push('priorityFormat');

  const startsText = form.startsAt.trim();
  const startsAt = localDateTimeToIso(startsText);
  if (startsText === '') problems.push('startsAtRequired');
  else if (startsAt === undefined) problems.push('startsAtFormat');
  const endsText = form.endsAt.trim();
  const endsAt = endsText === '' ? null : localDateTimeToIso(endsText);
  if (endsAt === undefined) problems.push('endsAtFormat');

  const budgetText = form.budgetUsd.trim();
  if (budgetText !== '' && !isMoney(budgetText)) problems.push('budgetFormat');
  const limitText = form.perUserLimit.trim();
  const perUserLimit = limitText === '' ? null : wholeNumber(limitText);
  if (perUserLimit === 0 || (limitText !== '' && perUserLimit === null)) problems.push('perUserLimitFormat');

  const conditions: CampaignCondition[] = [];
  for (const row of form.conditions) {
    if (row.type === 'min_amount') {
      const cny = row.cny.trim();
      if (!/^\d+(\.\d{1,2})?$/.test(cny)) problems.push('conditionCny');
      conditions.push({ type: 'min_amount', cny });
    } else if (row.type === 'registered_within') {
      const hours = wholeNumber(row.hours.trim());
      if (hours === null || hours < 1) problems.push('conditionHours');
      conditions.push({ type: 'registered_within', hours: hours ?? 0 });
    } else if (row.type === 'registered_before') {
      const at = localDateTimeToIso(row.at);
      if (at === undefined) problems.push('conditionAt');
      conditions.push({ type: 'registered_before', at: at ?? '' });
    } else {
      conditions.push({ type: 'first_paid_order' });
    }
  }

  const a = form.action;
  const capText = a.capUsd.trim();
  let action: CampaignAction;
  if (a.type === 'percent_bonus' || a.type === 'tiered_percent_bonus') {
    if (capText !== '' && !isMoney(capText)) problems.push('actionCap');
  }
  if (a.type === 'percent_bonus') {
    const percent = percentOf(a.percent.trim());
    if (percent === null) problems.push('actionPercent');
    action = { type: 'percent_bonus', percent: percent ?? 0, ...(capText !== '' ? { capUsd: capText } : {}) };
  } else if (a.type === 'tiered_percent_bonus') {
    if (a.tiers.length === 0) problems.push('actionTiersRequired');
    const tiers = a.tiers.map((tier) => ({ withinHours: wholeNumber(tier.withinHours.trim()), percent: percentOf(tier.percent.trim()) }));
    if (tiers.some((tier) => tier.withinHours === null || tier.withinHours < 1 || tier.percent === null)) problems.push('actionTier');
    action = {
      type: 'tiered_percent_bonus',
      tiers: tiers.map((tier) => ({ withinHours: tier.withinHours ?? 0, percent: tier.percent ?? 0 })),
      ...(capText !== '' ? { capUsd: capText } : {}),
    };
  } else {
    const usd = a.usd.trim();
    if (!isMoney(usd)) problems.push('actionUsd');
    action = { type: 'fixed_bonus', usd };
  }

  // One message per kind of problem, in field order.
  const unique = [...new Set(problems)];
  if (unique.length > 0 || priority === null || startsAt === undefined || endsAt === undefined) return { problems: unique, request: null };
  return {
    problems: [],
    request: {
      name,
      stacking: form.stacking,
      priority,
      startsAt,
      endsAt,
      budgetUsd: budgetText === '' ? null : budgetText,
      perUserLimit,
      conditions,
      action,
    },
  };
}

/** What an admin may do to a campaign in each state (the API refuses the rest with a 409). */
export type CampaignTransition = 'pause' | 'resume' | 'end';
const ALLOWED: Record<CampaignTransition, readonly CampaignStatus[]> = {
  pause: ['scheduled', 'active'],
  resume: ['paused'],
  end: ['scheduled', 'active', 'paused'],
};

export function canTransition(campaign: Pick<Campaign, 'status'>, transition: CampaignTransition): boolean {
  return ALLOWED[transition].includes(campaign.status);
}

/** Only a campaign that has not started can be changed, and never the seeded new-user bonus (its rules are configuration). */
export function canEdit(campaign: Pick<Campaign, 'status' | 'seeded'>): boolean {
  return campaign.status === 'scheduled' && !campaign.seeded;
}

const TRANSITIONS: Record<CampaignTransition, (id: string) => Promise<Campaign>> = {
  pause: pauseCampaign,
  resume: resumeCampaign,
  end: endCampaign,
};

/** A refusal that means the list is out of date (another admin changed or removed the campaign meanwhile). */
const isStale = (err: unknown) => err instanceof ApiError && (err.status === 404 || err.status === 409);

/**
 * The campaigns page: every campaign (newest first, never paged: there are
 * few) with what it paid out; pause, resume and end, each with a confirm step.
 * A refusal because the list was out of date loads it again; the error stays
 * in the question.
 */
export function useAdminCampaigns() {
  const campaigns = shallowRef<Campaign[]>([]);
  const { loading, error: loadError, run } = useLatestLoad();

  function load(): Promise<void> {
    return run(listCampaigns, (answer) => {
      campaigns.value = answer;
    });
  }

  /** A campaign as the API just answered it: replaces its row, or comes first when it is new. */
  function replace(campaign: Campaign): void {
    const known = campaigns.value.some((c) => c.id === campaign.id);
    campaigns.value = known ? campaigns.value.map((c) => (c.id === campaign.id ? campaign : c)) : [campaign, ...campaigns.value];
  }

  const transition = useConfirmAction<{ campaign: Campaign; transition: CampaignTransition }>(async ({ campaign, transition: which }) => {
    try {
      replace(await TRANSITIONS[which](campaign.id));
    } catch (err) {
      if (isStale(err)) void load();
      throw err;
    }
  });

  return { campaigns, loading, loadError, load, replace, transition };
}

/**
 * The create / edit form: checked first (its problems, no request), then sent;
 * `onSaved` gets the campaign as the API answered it. Editing sends every field
 * (the API keeps what is left out, and a campaign that has not started has
 * nothing it would keep otherwise).
 */
export function useCampaignForm(campaign: Campaign | null, onSaved: (campaign: Campaign) => void) {
  const form = reactive<CampaignForm>(campaign ? campaignToForm(campaign) : emptyCampaignForm());
  const problems = ref<CampaignProblem[]>([]);
  const error = ref<unknown>(null);
  const busy = ref(false);

  function addCondition(): void {
    // The next type not used yet: each kind of condition is there once at most.
    const used = new Set(form.conditions.map((c) => c.type));
    const next = (['min_amount', 'registered_within', 'registered_before', 'first_paid_order'] as const).find((ty) => !used.has(ty));
    form.conditions.push(newConditionRow(next ?? 'min_amount'));
  }

  function removeCondition(key: number): void {
    form.conditions = form.conditions.filter((c) => c.key !== key);
  }

  function addTier(): void {
    form.action.tiers.push(newTierRow());
  }

  function removeTier(key: number): void {
    form.action.tiers = form.action.tiers.filter((tier) => tier.key !== key);
  }

  async function submit(): Promise<boolean> {
    if (busy.value) return false;
    const checked = validateCampaign(form);
    problems.value = checked.problems;
    error.value = null;
    if (checked.request === null) return false;
    busy.value = true;
    try {
      onSaved(campaign ? await updateCampaign(campaign.id, checked.request) : await createCampaign(checked.request));
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { form, problems, error, busy, addCondition, removeCondition, addTier, removeTier, submit };
}
