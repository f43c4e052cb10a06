import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminCampaignsView from '../AdminCampaignsView.vue';
import { apiError, json, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import type { Campaign } from '../../../api/types';
import { campaignToForm, emptyCampaignForm, validateCampaign } from '../../../composables/useAdminCampaigns';

const LIST = 'GET /api/admin/campaigns';
const CREATE = 'POST /api/admin/campaigns';

function campaign(id: string, overrides: Partial<Campaign> = {}): Campaign {
  return {
    id,
    name: `Campaign ${id}`,
    status: 'scheduled',
    priority: 0,
    stacking: 'stackable',
    startsAt: '2026-12-20T00:00:00.000Z',
    endsAt: '2026-12-31T00:00:00.000Z',
    budgetUsd: '500.00000000',
    perUserLimit: 1,
    conditions: [
      { type: 'min_amount', cny: '100.00' },
      { type: 'registered_within', hours: 72 },
    ],
    action: { type: 'percent_bonus', percent: 10, capUsd: '5.00000000' },
    spentUsd: '12.50000000',
    orders: 3,
    users: 2,
    seeded: false,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    ...overrides,
  };
}

const SCHEDULED = campaign('4', { name: 'Spring festival' });
const ACTIVE = campaign('3', { status: 'active', stacking: 'exclusive', priority: 5, budgetUsd: null, perUserLimit: null, endsAt: null });
const PAUSED = campaign('2', { status: 'paused' });
const SEEDED = campaign('1', {
  name: 'New-user bonus',
  status: 'scheduled',
  seeded: true,
  stacking: 'exclusive',
  conditions: [],
  action: { type: 'tiered_percent_bonus', tiers: [{ withinHours: 24, percent: 30 }] },
});
const ENDED = campaign('0', { status: 'ended' });

function routes(extra: Record<string, unknown> = {}) {
  return { 'GET /api/users/me': me('admin'), [LIST]: [SCHEDULED, ACTIVE, PAUSED, SEEDED, ENDED], ...extra };
}

async function mountView(locale: 'en' | 'zh' = 'en') {
  const mounted = await mountSignedIn(AdminCampaignsView, '/admin/campaigns', locale);
  await flushPromises();
  return mounted;
}

const row = (w: VueWrapper, id: string) => w.get(`[data-testid="campaign-row"][data-campaign-id="${id}"]`);
const actionsOf = (w: VueWrapper, id: string) =>
  row(w, id)
    .findAll('.row-actions button')
    .map((b) => b.attributes('data-testid'));

beforeEach(() => localStorage.clear());

describe('validateCampaign', () => {
  it('sends money as the strings typed, percent and hours as numbers, times as ISO, blanks as no cap', () => {
    const form = emptyCampaignForm();
    Object.assign(form, { name: '  Spring  ', stacking: 'exclusive', priority: '5', startsAt: '2026-12-20T10:00', budgetUsd: '500.10', perUserLimit: '' });
    form.conditions = [{ key: 1, type: 'min_amount', cny: '100.00', hours: '', at: '' }];
    form.action.type = 'percent_bonus';
    form.action.percent = '12.5';
    form.action.capUsd = '5.00';
    const checked = validateCampaign(form);
    expect(checked.problems).toEqual([]);
    expect(checked.request).toEqual({
      name: 'Spring',
      stacking: 'exclusive',
      priority: 5,
      startsAt: new Date(2026, 11, 20, 10, 0).toISOString(),
      endsAt: null,
      budgetUsd: '500.10',
      perUserLimit: null,
      conditions: [{ type: 'min_amount', cny: '100.00' }],
      action: { type: 'percent_bonus', percent: 12.5, capUsd: '5.00' },
    });
  });

  it('names what is missing or not a number, and sends nothing', () => {
    const form = emptyCampaignForm();
    form.perUserLimit = '0';
    form.budgetUsd = '1e3';
    form.conditions = [{ key: 1, type: 'registered_within', cny: '', hours: 'x', at: '' }];
    form.action.type = 'tiered_percent_bonus';
    form.action.tiers = [{ key: 2, withinHours: '24', percent: '' }];
    expect(validateCampaign(form)).toEqual({
      problems: ['nameRequired', 'startsAtRequired', 'budgetFormat', 'perUserLimitFormat', 'conditionHours', 'actionTier'],
      request: null,
    });
  });

  it('a campaign read back into the form gives the same rules', () => {
    const form = campaignToForm(SCHEDULED);
    const checked = validateCampaign(form);
    expect(checked.request?.conditions).toEqual(SCHEDULED.conditions);
    expect(checked.request?.action).toEqual(SCHEDULED.action);
    expect(checked.request?.startsAt).toBe(SCHEDULED.startsAt);
    expect(checked.request?.budgetUsd).toBe(SCHEDULED.budgetUsd);
  });
});

describe('AdminCampaignsView', () => {
  it('lists each campaign with its status, rules in words, window, budget and what it paid out', async () => {
    stubApi(routes());
    const { wrapper } = await mountView();

    expect(wrapper.get('[data-testid="campaigns-total"]').text()).toBe('Campaigns: 5');
    const spring = row(wrapper, '4');
    expect(spring.get('[data-testid="campaign-name"]').text()).toBe('Spring festival');
    expect(spring.get('[data-testid="campaign-status"]').text()).toBe('Scheduled');
    expect(spring.get('[data-testid="campaign-rules"]').text()).toBe('From ¥100 · Signed up within 72 h → 10% bonus (at most $5)');
    expect(spring.get('[data-testid="campaign-budget"]').text()).toBe('12.50 / 500.00 USD');
    expect(spring.get('[data-testid="campaign-per-user-limit"]').text()).toBe('1');
    expect(spring.get('[data-testid="campaign-orders"]').text()).toBe('3 orders');
    expect(spring.get('[data-testid="campaign-users"]').text()).toBe('2 users');
    expect(spring.get('[data-testid="campaign-stacking"]').text()).toBe('Stackable');

    const active = row(wrapper, '3');
    expect(active.get('[data-testid="campaign-status"]').classes()).toContain('campaign-active');
    expect(active.get('[data-testid="campaign-budget"]').text()).toBe('12.50 / no cap');
    expect(active.get('[data-testid="campaign-per-user-limit"]').text()).toBe('no cap');
    expect(active.get('[data-testid="campaign-window"]').text()).toContain('no end');
    expect(active.get('[data-testid="campaign-priority"]').text()).toBe('Priority 5');
    expect(row(wrapper, '1').get('[data-testid="campaign-rules"]').text()).toBe('Any order → Bonus by account age: 30% within 24 h');
  });

  it('offers only the actions the status allows; the seeded new-user bonus is never edited here', async () => {
    stubApi(routes());
    const { wrapper } = await mountView();

    expect(actionsOf(wrapper, '4')).toEqual(['campaign-edit-open', 'campaign-pause', 'campaign-end']);
    expect(actionsOf(wrapper, '3')).toEqual(['campaign-pause', 'campaign-end']);
    expect(actionsOf(wrapper, '2')).toEqual(['campaign-resume', 'campaign-end']);
    expect(actionsOf(wrapper, '1')).toEqual(['campaign-pause', 'campaign-end']);
    expect(actionsOf(wrapper, '0')).toEqual([]);
  });

  it('pauses after the confirm step and shows the campaign as answered', async () => {
    const api = stubApi(routes({ 'POST /api/admin/campaigns/3/pause': { ...ACTIVE, status: 'paused' } }));
    const { wrapper } = await mountView();

    await row(wrapper, '3').get('[data-testid="campaign-pause"]').trigger('click');
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('Pause “Campaign 3”?');
    expect(api.calls('POST /api/admin/campaigns/3/pause')).toHaveLength(0);
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();

    expect(api.calls('POST /api/admin/campaigns/3/pause')).toHaveLength(1);
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(row(wrapper, '3').get('[data-testid="campaign-status"]').text()).toBe('Paused');
    expect(actionsOf(wrapper, '3')).toEqual(['campaign-resume', 'campaign-end']);
  });

  it('a refused end stays in the question with its reason, and the list is loaded again', async () => {
    const api = stubApi(routes({ 'POST /api/admin/campaigns/2/end': apiError(409, 'CAMPAIGN_TRANSITION_REFUSED', 'Already ended') }));
    const { wrapper } = await mountView();

    await row(wrapper, '2').get('[data-testid="campaign-end"]').trigger('click');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();

    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('The campaign’s status has changed meanwhile; the list has been reloaded.');
    expect(api.calls(LIST)).toHaveLength(2);
  });

  it('creates a campaign from the builder: conditions and tiers added and removed, the request as the API takes it', async () => {
    const created = campaign('9', { name: 'Winter', stacking: 'exclusive', status: 'scheduled', spentUsd: '0.00000000', orders: 0, users: 0 });
    let body: unknown;
    const api = stubApi(
      routes({
        [CREATE]: (req: SeenRequest) => {
          body = req.body;
          return json(201, created);
        },
      }),
    );
    const { wrapper } = await mountView();

    await wrapper.get('[data-testid="campaign-new"]').trigger('click');
    const drawer = wrapper.get('[data-testid="campaign-edit"]');
    await drawer.get('[data-testid="campaign-name"]').setValue('Winter');
    await drawer.get('[data-testid="campaign-stacking-exclusive"]').setValue(true);
    await drawer.get('[data-testid="campaign-priority"]').setValue('-3');
    await drawer.get('[data-testid="campaign-starts-at"]').setValue('2026-12-20T10:00');
    await drawer.get('[data-testid="campaign-ends-at"]').setValue('2026-12-31T10:00');
    await drawer.get('[data-testid="campaign-budget"]').setValue('250.50');
    await drawer.get('[data-testid="campaign-per-user-limit"]').setValue('2');
    // Three rows added (min amount, registered within, registered before), the last one removed.
    for (let i = 0; i < 3; i++) await drawer.get('[data-testid="campaign-condition-add"]').trigger('click');
    expect(drawer.findAll('[data-testid="campaign-condition"]')).toHaveLength(3);
    await drawer.findAll('[data-testid="campaign-condition-remove"]')[2]!.trigger('click');
    await drawer.get('[data-testid="campaign-condition-cny"]').setValue('100');
    await drawer.get('[data-testid="campaign-condition-hours"]').setValue('72');
    await drawer.get('[data-testid="campaign-action-type"]').setValue('tiered_percent_bonus');
    await drawer.get('[data-testid="campaign-tier-add"]').trigger('click');
    const hours = drawer.findAll('[data-testid="campaign-tier-hours"]');
    const percents = drawer.findAll('[data-testid="campaign-tier-percent"]');
    await hours[0]!.setValue('24');
    await percents[0]!.setValue('30');
    await hours[1]!.setValue('72');
    await percents[1]!.setValue('20');
    await drawer.get('[data-testid="campaign-action-cap"]').setValue('10.00');
    await drawer.get('form').trigger('submit');
    await flushPromises();

    expect(api.calls(CREATE)).toHaveLength(1);
    expect(body).toEqual({
      name: 'Winter',
      stacking: 'exclusive',
      priority: -3,
      startsAt: new Date(2026, 11, 20, 10, 0).toISOString(),
      endsAt: new Date(2026, 11, 31, 10, 0).toISOString(),
      budgetUsd: '250.50',
      perUserLimit: 2,
      conditions: [
        { type: 'min_amount', cny: '100' },
        { type: 'registered_within', hours: 72 },
      ],
      action: {
        type: 'tiered_percent_bonus',
        tiers: [
          { withinHours: 24, percent: 30 },
          { withinHours: 72, percent: 20 },
        ],
        capUsd: '10.00',
      },
    });
    expect(wrapper.find('[data-testid="campaign-edit"]').exists()).toBe(false);
    expect(wrapper.findAll('[data-testid="campaign-row"]')[0]!.attributes('data-campaign-id')).toBe('9');
  });

  it('shows each problem the API names in its 400, and the form’s own problems without a request', async () => {
    const api = stubApi(
      routes({
        [CREATE]: json(400, {
          statusCode: 400,
          error: 'Bad Request',
          code: 'VALIDATION_FAILED',
          requestId: 'r',
          message: ['action.percent must be in (0, 100]', 'endsAt must be after startsAt'],
        }),
      }),
    );
    const { wrapper } = await mountView();
    await wrapper.get('[data-testid="campaign-new"]').trigger('click');
    const drawer = wrapper.get('[data-testid="campaign-edit"]');

    await drawer.get('form').trigger('submit');
    expect(api.calls(CREATE)).toHaveLength(0);
    expect(drawer.get('[data-testid="campaign-form-error"]').text()).toContain('Enter a name.');

    await drawer.get('[data-testid="campaign-name"]').setValue('Too much');
    await drawer.get('[data-testid="campaign-starts-at"]').setValue('2026-12-20T10:00');
    await drawer.get('[data-testid="campaign-action-percent"]').setValue('150');
    await drawer.get('form').trigger('submit');
    await flushPromises();

    expect(api.calls(CREATE)).toHaveLength(1);
    expect(drawer.get('[data-testid="campaign-form-error"]').text()).toBe('action.percent must be in (0, 100]\nendsAt must be after startsAt');
    expect(wrapper.find('[data-testid="campaign-edit"]').exists()).toBe(true);
  });

  it('edits a scheduled campaign: the form starts from its values and the answer replaces the row', async () => {
    let body: Record<string, unknown> = {};
    const api = stubApi(
      routes({
        'PATCH /api/admin/campaigns/4': (req: SeenRequest) => {
          body = req.body as Record<string, unknown>;
          return { ...SCHEDULED, name: 'Spring festival+', action: { type: 'fixed_bonus', usd: '2.00' } };
        },
      }),
    );
    const { wrapper } = await mountView();

    await row(wrapper, '4').get('[data-testid="campaign-edit-open"]').trigger('click');
    const drawer = wrapper.get('[data-testid="campaign-edit"]');
    expect((drawer.get('[data-testid="campaign-name"]').element as HTMLInputElement).value).toBe('Spring festival');
    expect((drawer.get('[data-testid="campaign-condition-cny"]').element as HTMLInputElement).value).toBe('100.00');
    expect((drawer.get('[data-testid="campaign-action-percent"]').element as HTMLInputElement).value).toBe('10');
    await drawer.get('[data-testid="campaign-name"]').setValue('Spring festival+');
    await drawer.get('[data-testid="campaign-action-type"]').setValue('fixed_bonus');
    await drawer.get('[data-testid="campaign-action-usd"]').setValue('2.00');
    await drawer.get('form').trigger('submit');
    await flushPromises();

    expect(api.calls('PATCH /api/admin/campaigns/4')).toHaveLength(1);
    expect(body.name).toBe('Spring festival+');
    expect(body.action).toEqual({ type: 'fixed_bonus', usd: '2.00' });
    expect(body.budgetUsd).toBe('500.00000000');
    expect(row(wrapper, '4').get('[data-testid="campaign-rules"]').text()).toBe('From ¥100 · Signed up within 72 h → $2 bonus');
  });

  it('speaks Chinese in zh', async () => {
    stubApi(routes());
    const { wrapper } = await mountView('zh');

    expect(wrapper.get('h1').text()).toBe('充值活动');
    expect(row(wrapper, '4').get('[data-testid="campaign-rules"]').text()).toBe('满 ¥100 · 注册 72 小时内 → 赠送 10%（最多 $5）');
    expect(row(wrapper, '3').get('[data-testid="campaign-status"]').text()).toBe('进行中');
    expect(row(wrapper, '3').get('[data-testid="campaign-budget"]').text()).toBe('12.50 / 不限');
  });
});
