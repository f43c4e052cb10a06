import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminWebhooksView from '../AdminWebhooksView.vue';
import { apiError, json, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import { WEBHOOK_EVENT_TYPES, type CreatedWebhookEndpoint, type WebhookDelivery, type WebhookEndpoint } from '../../../api/types';
import { createRequest, emptyEndpointForm, updateRequest, validateEndpoint, type EndpointForm } from '../../../composables/useAdminWebhooks';

const LIST = 'GET /api/admin/webhook-endpoints';
const CREATE = 'POST /api/admin/webhook-endpoints';
const SECRET = 'whsec_Q2hlY2tUaGVTaWduYXR1cmVPZkV2ZXJ5RGVsaXZlcnk';
const ROTATED = 'whsec_TmV3U2VjcmV0QWZ0ZXJSb3RhdGlvbk9mVGhlT2xkT25l';
const EVENT_A = '5b0c2f8e-8d0e-4a57-9a43-0f3c1f1d2b7e';
const EVENT_B = '9d7e1c55-0b4f-4c3e-8a61-2f5d3b8e1a90';

function endpoint(id: string, overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id,
    url: `https://shop.example.com/hooks/${id}`,
    description: 'Shop balance sync',
    eventTypes: ['order.paid', 'balance.changed'],
    enabled: true,
    previousSecretExpiresAt: null,
    createdBy: 'ops@example.com',
    createdAt: '2026-11-23T01:00:00.000Z',
    updatedAt: '2026-11-23T01:00:00.000Z',
    pending: 2,
    failed: 1,
    delivered: 120,
    ...overrides,
  };
}

function delivery(id: string, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id,
    endpointId: '2',
    eventId: EVENT_A,
    eventType: 'order.paid',
    userId: '42',
    status: 'delivered',
    attempts: 1,
    nextAttemptAt: null,
    lastAttemptAt: '2026-11-23T02:00:05.000Z',
    lastStatusCode: 200,
    lastError: null,
    deliveredAt: '2026-11-23T02:00:05.000Z',
    createdAt: '2026-11-23T02:00:00.000Z',
    ...overrides,
  };
}

const ALL = endpoint('2');
const EVERYTHING = endpoint('1', { url: 'https://erp.example.com/in', description: '', eventTypes: ['*'], enabled: false, pending: 0, failed: 0, delivered: 3 });

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/users/me': me('admin'),
    [LIST]: [ALL, EVERYTHING],
    ...extra,
  };
}

/** 400 WEBHOOK_ENDPOINT_URL_REFUSED as the API answers it: English words, and why in `details.reason`. */
function urlRefused(reason: string, message: string) {
  return json(400, { statusCode: 400, error: 'Bad Request', message, requestId: 'req-1', code: 'WEBHOOK_ENDPOINT_URL_REFUSED', details: { reason } });
}

async function mountView(locale: 'en' | 'zh' = 'en') {
  const { wrapper } = await mountSignedIn(AdminWebhooksView, '/admin/webhooks', locale);
  await flushPromises();
  return wrapper;
}

const row = (wrapper: VueWrapper, id: string) => wrapper.get(`[data-testid="webhook-row"][data-endpoint-id="${id}"]`);

async function fill(wrapper: VueWrapper, prefix: string, values: { url?: string; description?: string; all?: boolean; types?: string[] }) {
  if (values.url !== undefined) await wrapper.get(`[data-testid="${prefix}-url"]`).setValue(values.url);
  if (values.description !== undefined) await wrapper.get(`[data-testid="${prefix}-description"]`).setValue(values.description);
  if (values.all !== undefined) await wrapper.get(`[data-testid="${prefix}-all-events"]`).setValue(values.all);
  for (const type of values.types ?? []) await wrapper.get(`[data-testid="${prefix}-event-${type}"]`).setValue(true);
}

async function submitNew(wrapper: VueWrapper) {
  await wrapper.get('[data-testid="webhook-new-submit"]').trigger('click');
  await flushPromises();
}

beforeEach(() => localStorage.clear());

describe('the endpoint form', () => {
  const ok: EndpointForm = { url: 'https://shop.example.com/hooks', description: '', allEvents: false, eventTypes: ['order.paid'] };

  it.each([
    [{ url: '' }, ['urlRequired']],
    [{ url: 'shop.example.com/hooks' }, ['urlFormat']],
    [{ url: 'ftp://files.example.com/x' }, ['urlFormat']],
    [{ url: 'https://' }, ['urlFormat']],
    [{ url: `https://shop.example.com/${'x'.repeat(2030)}` }, ['urlLength']],
    [{ eventTypes: [] }, ['eventTypesRequired']],
    [{ description: 'x'.repeat(201) }, ['descriptionLength']],
    [{ url: ' ', eventTypes: [], description: 'x'.repeat(201) }, ['urlRequired', 'eventTypesRequired', 'descriptionLength']],
  ] as [Partial<EndpointForm>, string[]][])('%j → %j', (change, problems) => {
    const checked = validateEndpoint({ ...ok, ...change });
    expect(checked.problems).toEqual(problems);
    expect(checked.values).toBeNull();
  });

  it('sends the types in the API’s order, ["*"] for all events, trims, and leaves out a blank description', () => {
    const picked = validateEndpoint({ ...ok, url: ' http://127.0.0.1:9000/in ', eventTypes: ['redeem.redeemed', 'order.paid'] });
    expect(picked.values).toEqual({ url: 'http://127.0.0.1:9000/in', description: '', eventTypes: ['order.paid', 'redeem.redeemed'] });
    expect(createRequest(picked.values!)).toEqual({ url: 'http://127.0.0.1:9000/in', eventTypes: ['order.paid', 'redeem.redeemed'] });
    const all = validateEndpoint({ ...ok, allEvents: true, eventTypes: ['order.paid'], description: ' ERP ' });
    expect(createRequest(all.values!)).toEqual({ url: ok.url, eventTypes: ['*'], description: 'ERP' });
    expect(validateEndpoint({ ...emptyEndpointForm(), url: ok.url, allEvents: true }).problems).toEqual([]);
  });

  it('an edit sends only what changed', () => {
    const values = { url: ALL.url, description: ALL.description, eventTypes: ['balance.changed', 'order.paid'] as const };
    expect(updateRequest(ALL, { ...values, eventTypes: [...values.eventTypes] })).toEqual({});
    expect(updateRequest(ALL, { ...values, eventTypes: ['*'], description: '' })).toEqual({ eventTypes: ['*'], description: '' });
    expect(updateRequest(ALL, { ...values, eventTypes: [...values.eventTypes], url: 'https://new.example.com/h' })).toEqual({ url: 'https://new.example.com/h' });
  });
});

describe('AdminWebhooksView', () => {
  it('lists the endpoints: URL, types ("All events" for *), state, delivery counts, who created them and when', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();
    expect(api.calls(LIST)).toHaveLength(1);
    expect(wrapper.get('h1').text()).toBe('Webhooks');
    expect(wrapper.get('[data-testid="webhooks-total"]').text()).toBe('Endpoints: 2');

    const shop = row(wrapper, '2');
    expect(shop.get('[data-testid="webhook-url"]').text()).toBe('https://shop.example.com/hooks/2');
    expect(shop.get('[data-testid="webhook-url"]').classes()).toContain('break'); // a long URL wraps on a phone
    expect(shop.get('[data-testid="webhook-description"]').text()).toBe('Shop balance sync');
    expect(shop.get('[data-testid="webhook-events"]').text()).toContain('order.paid');
    expect(shop.get('[data-testid="webhook-events"]').text()).toContain('balance.changed');
    expect(shop.get('[data-testid="webhook-status"]').text()).toBe('Enabled');
    expect(shop.get('[data-testid="webhook-pending"]').text()).toBe('Pending: 2');
    expect(shop.get('[data-testid="webhook-failed"]').text()).toBe('Failed: 1');
    expect(shop.get('[data-testid="webhook-delivered"]').text()).toBe('Delivered: 120');
    expect(shop.get('[data-testid="webhook-created-by"]').text()).toBe('ops@example.com');
    expect(shop.get('time').attributes('datetime')).toBe('2026-11-23T01:00:00.000Z');
    expect(shop.get('time').text()).toMatch(/2026/);
    expect(shop.find('[data-testid="webhook-disable"]').exists()).toBe(true);

    const erp = row(wrapper, '1');
    expect(erp.get('[data-testid="webhook-events"]').text()).toBe('All events');
    expect(erp.get('[data-testid="webhook-status"]').text()).toBe('Disabled');
    expect(erp.find('[data-testid="webhook-description"]').exists()).toBe(false);
    expect(erp.find('[data-testid="webhook-enable"]').exists()).toBe(true);
    // Every cell says what it is when a phone stacks the row.
    expect(shop.findAll('td').every((td) => (td.attributes('data-label') ?? '') !== '')).toBe(true);
  });

  it('says so when there is no endpoint yet', async () => {
    stubApi(routes({ [LIST]: [] }));
    const wrapper = await mountView();
    expect(wrapper.get('[data-testid="webhooks-empty"]').text()).toBe('No webhook endpoints yet.');
  });

  it('refuses a form without a URL or an event type, without a request', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();
    await fill(wrapper, 'webhook-new', { url: 'shop.example.com' });
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe(
      'Enter a full address starting with https:// (or http://).\nChoose at least one event type, or all events.',
    );
    expect(wrapper.get('[data-testid="webhook-new-url"]').attributes('aria-invalid')).toBe('true');
    expect(api.calls(CREATE)).toHaveLength(0);
  });

  it('adds an endpoint with the chosen event types and shows its secret once, with a copy button, never in the list', async () => {
    const added = endpoint('3', {
      url: 'https://shop.example.com/recharge/webhooks',
      eventTypes: ['order.paid', 'hold.captured'],
      description: 'Shop',
      pending: 0,
      failed: 0,
      delivered: 0,
    });
    const created: CreatedWebhookEndpoint = { ...added, secret: SECRET };
    let listed = [ALL, EVERYTHING];
    const api = stubApi(
      routes({
        [LIST]: () => listed,
        [CREATE]: () => {
          listed = [added, ...listed];
          return json(201, created);
        },
      }),
    );
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const wrapper = await mountView();
    expect(wrapper.find('[data-testid="webhook-secret-panel"]').exists()).toBe(false);

    await fill(wrapper, 'webhook-new', { url: ' https://shop.example.com/recharge/webhooks ', description: ' Shop ', types: ['hold.captured', 'order.paid'] });
    await submitNew(wrapper);

    expect(api.calls(CREATE).map((r) => r.body)).toEqual([
      { url: 'https://shop.example.com/recharge/webhooks', eventTypes: ['order.paid', 'hold.captured'], description: 'Shop' },
    ]);
    const panel = wrapper.get('[data-testid="webhook-secret-panel"]');
    expect(panel.attributes('data-endpoint-id')).toBe('3');
    expect(panel.get('[data-testid="webhook-secret"]').text()).toBe(SECRET);
    expect(panel.text()).toContain('Signing secret for https://shop.example.com/recharge/webhooks');
    expect(panel.get('[data-testid="show-once-warning"]').text()).toContain('Store this secret now: it will not be shown again.');
    expect(panel.get('[data-testid="show-once-warning"]').attributes('role')).toBe('alert');

    // The list is asked for again and shows the new endpoint, without its secret.
    expect(api.calls(LIST)).toHaveLength(2);
    expect(row(wrapper, '3').text()).toContain('hold.captured');
    expect(wrapper.get('.list-card').text()).not.toContain(SECRET);
    // The form is empty for the next one.
    expect((wrapper.get('[data-testid="webhook-new-url"]').element as HTMLInputElement).value).toBe('');
    expect((wrapper.get('[data-testid="webhook-new-event-order.paid"]').element as HTMLInputElement).checked).toBe(false);

    await panel.get('[data-testid="show-once-copy"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledExactlyOnceWith(SECRET);
    expect(panel.get('[data-testid="show-once-copy"]').text()).toBe('Copied!');

    await panel.get('[data-testid="show-once-dismiss"]').trigger('click');
    expect(wrapper.find('[data-testid="webhook-secret-panel"]').exists()).toBe(false);
    expect(wrapper.text()).not.toContain(SECRET);
  });

  it('"All events" sends ["*"] and greys out the single types', async () => {
    const api = stubApi(routes({ [CREATE]: json(201, { ...endpoint('3', { eventTypes: ['*'] }), secret: SECRET }) }));
    const wrapper = await mountView();
    await fill(wrapper, 'webhook-new', { url: 'https://erp.example.com/in', types: ['order.paid'], all: true });
    expect((wrapper.get('[data-testid="webhook-new-event-balance.changed"]').element as HTMLInputElement).disabled).toBe(true);
    await submitNew(wrapper);
    expect(api.calls(CREATE)[0]!.body).toEqual({ url: 'https://erp.example.com/in', eventTypes: ['*'] });
  });

  it('says why the URL is refused in the admin’s language, by the reason the API gives; an unknown reason in the server’s words', async () => {
    let answer = urlRefused('https_required', 'url must be https in production');
    stubApi(routes({ [CREATE]: () => answer }));
    const wrapper = await mountView();
    await fill(wrapper, 'webhook-new', { url: 'http://shop.example.com/hooks', types: ['order.paid'] });
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe('This server sends webhooks to https:// URLs only.');
    expect(wrapper.get('[data-testid="webhook-new-error"]').attributes('role')).toBe('alert');
    expect(wrapper.find('[data-testid="webhook-secret-panel"]').exists()).toBe(false);
    // What was typed stays, to be corrected.
    expect((wrapper.get('[data-testid="webhook-new-url"]').element as HTMLInputElement).value).toBe('http://shop.example.com/hooks');

    const reasons: [string, string][] = [
      ['not_a_url', 'This is not a valid URL.'],
      ['scheme', 'The URL must start with https:// (or http://).'],
      ['credentials', 'The URL must not contain a user name or password: every delivery is signed instead.'],
      ['private_address', 'The URL points to a private or local address (such as localhost, 10.x.x.x or 192.168.x.x), which this server does not send webhooks to.'],
    ];
    for (const [reason, text] of reasons) {
      answer = urlRefused(reason, `url (${reason})`);
      await submitNew(wrapper);
      expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe(text);
    }

    // A reason this web app does not know yet, or none: the server's own words.
    answer = urlRefused('dns_failure', 'url shop.example.com does not resolve');
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe('url shop.example.com does not resolve');
    answer = urlRefused('constructor', 'url is odd');
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe('url is odd');
    answer = apiError(400, 'WEBHOOK_ENDPOINT_URL_REFUSED', 'url must be http or https');
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe('url must be http or https');

    answer = json(400, {
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: ['description must be shorter than or equal to 200 characters', 'eventTypes must contain at least 1 elements'],
      requestId: 'req-2',
    });
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe(
      'description must be shorter than or equal to 200 characters\neventTypes must contain at least 1 elements',
    );
  });

  it('disables and enables an endpoint', async () => {
    const bodies: unknown[] = [];
    stubApi(
      routes({
        'PATCH /api/admin/webhook-endpoints/2': (req: SeenRequest) => {
          bodies.push(req.body);
          return { ...ALL, ...(req.body as object) };
        },
      }),
    );
    const wrapper = await mountView();
    await row(wrapper, '2').get('[data-testid="webhook-disable"]').trigger('click');
    await flushPromises();
    expect(bodies).toEqual([{ enabled: false }]);
    expect(row(wrapper, '2').attributes('data-enabled')).toBe('false');
    expect(row(wrapper, '2').get('[data-testid="webhook-status"]').text()).toBe('Disabled');

    await row(wrapper, '2').get('[data-testid="webhook-enable"]').trigger('click');
    await flushPromises();
    expect(bodies).toEqual([{ enabled: false }, { enabled: true }]);
    expect(row(wrapper, '2').get('[data-testid="webhook-status"]').text()).toBe('Enabled');
  });

  it('edits the URL and the types, sending only what changed', async () => {
    const bodies: unknown[] = [];
    const api = stubApi(
      routes({
        'PATCH /api/admin/webhook-endpoints/2': (req: SeenRequest) => {
          bodies.push(req.body);
          return { ...ALL, ...(req.body as object) };
        },
      }),
    );
    const wrapper = await mountView();
    await row(wrapper, '2').get('[data-testid="webhook-edit-open"]').trigger('click');
    const panel = wrapper.get('[data-testid="webhook-edit"]');
    expect((panel.get('[data-testid="webhook-edit-url"]').element as HTMLInputElement).value).toBe(ALL.url);
    expect((panel.get('[data-testid="webhook-edit-event-order.paid"]').element as HTMLInputElement).checked).toBe(true);
    expect((panel.get('[data-testid="webhook-edit-event-order.created"]').element as HTMLInputElement).checked).toBe(false);

    // Nothing changed: closed without a request.
    await panel.get('[data-testid="webhook-edit-submit"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="webhook-edit"]').exists()).toBe(false);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);

    await row(wrapper, '2').get('[data-testid="webhook-edit-open"]').trigger('click');
    await fill(wrapper, 'webhook-edit', { url: 'https://shop.example.com/v2/hooks', types: ['order.refunded'] });
    await wrapper.get('[data-testid="webhook-edit-submit"]').trigger('click');
    await flushPromises();
    expect(bodies).toEqual([{ url: 'https://shop.example.com/v2/hooks', eventTypes: ['order.paid', 'order.refunded', 'balance.changed'] }]);
    expect(wrapper.find('[data-testid="webhook-edit"]').exists()).toBe(false);
    expect(row(wrapper, '2').get('[data-testid="webhook-url"]').text()).toBe('https://shop.example.com/v2/hooks');
    expect(row(wrapper, '2').get('[data-testid="webhook-events"]').text()).toContain('order.refunded');
  });

  it('a refused edit stays open with the reason', async () => {
    stubApi(
      routes({
        'PATCH /api/admin/webhook-endpoints/2': urlRefused('private_address', 'url 10.0.0.8 is a private address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'),
      }),
    );
    const wrapper = await mountView();
    await row(wrapper, '2').get('[data-testid="webhook-edit-open"]').trigger('click');
    await fill(wrapper, 'webhook-edit', { url: 'https://10.0.0.8/hooks' });
    await wrapper.get('[data-testid="webhook-edit-submit"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="webhook-edit-error"]').text()).toMatch(/^The URL points to a private or local address/);
    expect(wrapper.find('[data-testid="webhook-edit"]').exists()).toBe(true);
    expect(row(wrapper, '2').get('[data-testid="webhook-url"]').text()).toBe(ALL.url);
  });

  it('the edit drawer: titled by the endpoint, closed with Escape or Close, but not while saving', async () => {
    let answer: (value: unknown) => void = () => {};
    stubApi(routes({ 'PATCH /api/admin/webhook-endpoints/2': () => new Promise((resolve) => (answer = resolve)) }));
    const wrapper = await mountView();
    await row(wrapper, '2').get('[data-testid="webhook-edit-open"]').trigger('click');
    const panel = wrapper.get('[data-testid="webhook-edit"]');
    expect(panel.attributes('role')).toBe('dialog');
    expect(panel.attributes('aria-labelledby')).toBe('webhook-edit-title');
    expect(panel.classes()).toEqual(expect.arrayContaining(['drawer', 'webhook-drawer']));
    expect(panel.attributes('data-endpoint-id')).toBe('2');
    expect(panel.get('#webhook-edit-title').text()).toBe('Edit endpoint');
    expect(panel.text()).toContain(ALL.url);
    expect(document.activeElement).toBe(panel.element);

    await fill(wrapper, 'webhook-edit', { description: 'Shop v2' });
    await wrapper.get('[data-testid="webhook-edit-submit"]').trigger('click');
    await flushPromises();
    // Saving: Escape, a click beside it and Close do nothing.
    expect(wrapper.get('[data-testid="webhook-edit-close"]').attributes('disabled')).toBeDefined();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await wrapper.get('.drawer-backdrop').trigger('click');
    expect(wrapper.find('[data-testid="webhook-edit"]').exists()).toBe(true);
    answer({ ...ALL, description: 'Shop v2' });
    await flushPromises();
    expect(wrapper.find('[data-testid="webhook-edit"]').exists()).toBe(false);

    await row(wrapper, '2').get('[data-testid="webhook-edit-open"]').trigger('click');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await flushPromises();
    expect(wrapper.find('[data-testid="webhook-edit"]').exists()).toBe(false);
    await row(wrapper, '2').get('[data-testid="webhook-edit-open"]').trigger('click');
    await wrapper.get('[data-testid="webhook-edit-close"]').trigger('click');
    expect(wrapper.find('[data-testid="webhook-edit"]').exists()).toBe(false);
  });

  it('rotates the secret only after confirming, and shows the new one once', async () => {
    const api = stubApi(routes({ 'POST /api/admin/webhook-endpoints/2/rotate-secret': { ...ALL, updatedAt: '2026-11-24T00:00:00.000Z', secret: ROTATED } }));
    const wrapper = await mountView();
    const rotations = () => api.requests.filter((r) => r.path.endsWith('/rotate-secret'));

    await row(wrapper, '2').get('[data-testid="webhook-rotate"]').trigger('click');
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.get('#confirm-title').text()).toBe(`Rotate the secret of ${ALL.url}?`);
    expect(dialog.get('#confirm-message').text()).toContain('signed with both the new and the old secret');
    await dialog.get('[data-testid="confirm-cancel"]').trigger('click');
    expect(rotations()).toHaveLength(0);

    await row(wrapper, '2').get('[data-testid="webhook-rotate"]').trigger('click');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(rotations()).toHaveLength(1);
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    const panel = wrapper.get('[data-testid="webhook-secret-panel"]');
    expect(panel.attributes('data-reason')).toBe('rotated');
    expect(panel.get('[data-testid="webhook-secret"]').text()).toBe(ROTATED);
    expect(panel.text()).toContain(`New signing secret for ${ALL.url}`);
    expect(wrapper.get('.list-card').text()).not.toContain(ROTATED);
  });

  it('deletes an endpoint only after confirming', async () => {
    const api = stubApi(routes({ 'DELETE /api/admin/webhook-endpoints/2': ALL }));
    const wrapper = await mountView();
    await row(wrapper, '2').get('[data-testid="webhook-delete"]').trigger('click');
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.get('#confirm-title').text()).toBe(`Delete the endpoint ${ALL.url}?`);
    expect(dialog.get('#confirm-message').text()).toContain('(2 pending, 1 failed)');
    expect(api.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);

    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(['/api/admin/webhook-endpoints/2']);
    expect(wrapper.find('[data-testid="webhook-row"][data-endpoint-id="2"]').exists()).toBe(false);
    expect(wrapper.findAll('[data-testid="webhook-row"]')).toHaveLength(1);
  });

  it('a 404 (deleted meanwhile) keeps the question open with the reason and loads the list again', async () => {
    const api = stubApi(routes({ 'DELETE /api/admin/webhook-endpoints/2': apiError(404, 'WEBHOOK_ENDPOINT_NOT_FOUND', 'webhook endpoint 2 not found') }));
    const wrapper = await mountView();
    await row(wrapper, '2').get('[data-testid="webhook-delete"]').trigger('click');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('This webhook endpoint does not exist any more; another admin may have deleted it.');
    expect(api.calls(LIST)).toHaveLength(2);
  });

  describe('deliveries', () => {
    const DELIVERIES = 'GET /api/admin/webhook-endpoints/2/deliveries';
    const RESEND = 'POST /api/admin/webhook-endpoints/2/deliveries/31/resend';
    const DELIVERED = delivery('31', { attempts: 2 });
    const RETRYING = delivery('32', {
      eventId: EVENT_B,
      eventType: 'balance.changed',
      status: 'pending',
      attempts: 3,
      lastStatusCode: null,
      lastError: 'ECONNREFUSED: connect ECONNREFUSED 203.0.113.7:443',
      deliveredAt: null,
      nextAttemptAt: '2026-11-23T02:10:00.000Z',
    });
    const GAVE_UP = delivery('33', { status: 'failed', attempts: 9, lastStatusCode: 500, lastError: 'answered 500', deliveredAt: null });
    const NEVER_TRIED = delivery('34', { status: 'pending', attempts: 0, lastAttemptAt: null, lastStatusCode: null, deliveredAt: null, nextAttemptAt: '2026-11-23T02:00:00.000Z' });

    /** The API's list: narrowed by status, event type and user, one page. */
    function page(all: WebhookDelivery[]) {
      return (req: SeenRequest) => {
        const [status, type, user] = ['status', 'eventType', 'userId'].map((k) => req.query.get(k));
        const matching = all.filter((d) => (status === null || d.status === status) && (type === null || d.eventType === type) && (user === null || d.userId === user));
        const p = Number(req.query.get('page') ?? 1);
        const size = Number(req.query.get('pageSize') ?? 20);
        return { items: matching.slice((p - 1) * size, p * size), total: matching.length, page: p, pageSize: size };
      };
    }

    const deliveryRow = (wrapper: VueWrapper, id: string) => wrapper.get(`[data-testid="webhook-delivery-row"][data-delivery-id="${id}"]`);

    async function openDeliveries(wrapper: VueWrapper) {
      await row(wrapper, '2').get('[data-testid="webhook-show-deliveries"]').trigger('click');
      await flushPromises();
      return wrapper.get('[data-testid="webhook-deliveries"]');
    }

    it('lists an endpoint’s deliveries with status, attempts, the last answer’s code (or the error) and time, and the next attempt', async () => {
      const api = stubApi(
        routes({ [DELIVERIES]: page([DELIVERED, RETRYING, GAVE_UP, NEVER_TRIED]), 'GET /api/admin/webhook-endpoints/2': { ...ALL, pending: 1, delivered: 121 } }),
      );
      const wrapper = await mountView();
      const panel = await openDeliveries(wrapper);
      expect(panel.text()).toContain(ALL.url);
      expect(api.calls(DELIVERIES)).toHaveLength(1);
      const q = api.calls(DELIVERIES)[0]!.query;
      expect([q.get('page'), q.get('pageSize'), q.has('status')]).toEqual(['1', '20', false]);
      expect(panel.get('[data-testid="webhook-deliveries-total"]').text()).toBe('Deliveries found: 4');

      const ok = deliveryRow(wrapper, '31');
      expect(ok.attributes('data-status')).toBe('delivered');
      expect(ok.get('[data-testid="webhook-delivery-type"]').text()).toBe('order.paid');
      expect(ok.text()).toContain(EVENT_A);
      // The user the event is about, a link to them on the users page.
      expect(ok.attributes('data-user-id')).toBe('42');
      expect(ok.get('[data-testid="webhook-delivery-user"]').text()).toBe('User: 42');
      expect(ok.get('[data-testid="webhook-delivery-user"] a').attributes('href')).toBe('/admin/users?q=42');
      expect(ok.get('[data-testid="webhook-delivery-status"]').text()).toBe('Delivered');
      expect(ok.get('[data-testid="webhook-delivery-attempts"]').text()).toBe('Attempts: 2');
      const answer = ok.get('[data-testid="webhook-delivery-answer"]');
      expect(answer.text()).toMatch(/^Answered 200 · .*2026/);
      expect(answer.attributes('data-code')).toBe('200');
      expect(answer.get('time').attributes('datetime')).toBe('2026-11-23T02:00:05.000Z');
      expect(ok.find('[data-testid="webhook-delivery-next"]').exists()).toBe(false);

      const retrying = deliveryRow(wrapper, '32');
      expect(retrying.get('[data-testid="webhook-delivery-status"]').text()).toBe('Pending');
      expect(retrying.get('[data-testid="webhook-delivery-answer"]').text()).toContain('No answer: ECONNREFUSED: connect ECONNREFUSED 203.0.113.7:443');
      expect(retrying.get('[data-testid="webhook-delivery-next"]').text()).toMatch(/^Next attempt: .*2026/);
      expect(retrying.get('[data-testid="webhook-delivery-next"] time').attributes('datetime')).toBe('2026-11-23T02:10:00.000Z');

      const failed = deliveryRow(wrapper, '33');
      expect(failed.get('[data-testid="webhook-delivery-status"]').text()).toBe('Failed');
      expect(failed.get('[data-testid="webhook-delivery-answer"]').text()).toMatch(/^Answered 500/);
      expect(deliveryRow(wrapper, '34').get('[data-testid="webhook-delivery-answer"]').text()).toBe('Not sent yet');

      // Closed with Escape; deliveries went out meanwhile, so the endpoint's counts are asked for again.
      expect(api.calls('GET /api/admin/webhook-endpoints/2')).toHaveLength(0);
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      await flushPromises();
      expect(wrapper.find('[data-testid="webhook-deliveries"]').exists()).toBe(false);
      expect(api.calls('GET /api/admin/webhook-endpoints/2')).toHaveLength(1);
      expect(row(wrapper, '2').get('[data-testid="webhook-delivered"]').text()).toBe('Delivered: 121');
    });

    it('filters by status from page 1, and pages through, keeping the filter', async () => {
      const many = Array.from({ length: 25 }, (_, i) => delivery(String(100 + i), { status: 'failed', lastStatusCode: 503 }));
      const api = stubApi(routes({ [DELIVERIES]: page([DELIVERED, ...many]) }));
      const wrapper = await mountView();
      await openDeliveries(wrapper);

      await wrapper.get('[data-testid="webhook-deliveries-filter"]').setValue('failed');
      await flushPromises();
      let q = api.calls(DELIVERIES).at(-1)!.query;
      expect([q.get('status'), q.get('page')]).toEqual(['failed', '1']);
      expect(wrapper.findAll('[data-testid="webhook-delivery-row"]')).toHaveLength(20);

      await wrapper.get('[data-testid="page-next"]').trigger('click');
      await flushPromises();
      q = api.calls(DELIVERIES).at(-1)!.query;
      expect([q.get('status'), q.get('page')]).toEqual(['failed', '2']);
      expect(wrapper.findAll('[data-testid="webhook-delivery-row"]').map((r) => r.attributes('data-delivery-id'))).toEqual(['120', '121', '122', '123', '124']);

      await wrapper.get('[data-testid="webhook-deliveries-filter"]').setValue('pending');
      await flushPromises();
      expect(wrapper.get('[data-testid="webhook-deliveries-empty"]').text()).toBe('No pending deliveries.');
    });

    it('resends a delivery: it is pending again, the list and the endpoint’s counts are asked for again', async () => {
      let resent = false;
      const api = stubApi(
        routes({
          [DELIVERIES]: (req: SeenRequest) => page([resent ? { ...DELIVERED, status: 'pending', nextAttemptAt: '2026-11-23T03:00:00.000Z' } : DELIVERED, GAVE_UP])(req),
          [RESEND]: () => {
            resent = true;
            return { ...DELIVERED, status: 'pending', nextAttemptAt: '2026-11-23T03:00:00.000Z' };
          },
          'GET /api/admin/webhook-endpoints/2': { ...ALL, pending: 3, delivered: 119 },
        }),
      );
      const wrapper = await mountView();
      await openDeliveries(wrapper);
      expect(api.calls(DELIVERIES)).toHaveLength(1);

      await deliveryRow(wrapper, '31').get('[data-testid="webhook-delivery-resend"]').trigger('click');
      await flushPromises();

      expect(api.calls(RESEND)).toHaveLength(1);
      expect(api.calls(DELIVERIES)).toHaveLength(2);
      expect(deliveryRow(wrapper, '31').attributes('data-status')).toBe('pending');
      expect(deliveryRow(wrapper, '31').get('[data-testid="webhook-delivery-status"]').text()).toBe('Pending');
      expect(wrapper.get('[data-testid="webhook-resend-done"]').text()).toBe(`The order.paid event ${EVENT_A} is sent again now.`);
      expect(api.calls('GET /api/admin/webhook-endpoints/2')).toHaveLength(1);
      expect(row(wrapper, '2').get('[data-testid="webhook-pending"]').text()).toBe('Pending: 3');
      expect(row(wrapper, '2').get('[data-testid="webhook-delivered"]').text()).toBe('Delivered: 119');
    });

    it('a failed resend says why', async () => {
      stubApi(routes({ [DELIVERIES]: page([DELIVERED]), [RESEND]: apiError(404, 'WEBHOOK_DELIVERY_NOT_FOUND', 'delivery 31 of webhook endpoint 2 not found') }));
      const wrapper = await mountView();
      await openDeliveries(wrapper);
      await deliveryRow(wrapper, '31').get('[data-testid="webhook-delivery-resend"]').trigger('click');
      await flushPromises();
      expect(wrapper.get('[data-testid="webhook-resend-error"]').text()).toBe('This delivery does not exist any more.');
      expect(wrapper.find('[data-testid="webhook-resend-done"]').exists()).toBe(false);
    });

    it('narrows by event type (every type offered) and by user, from page 1, together with the status', async () => {
      const OF_7 = delivery('35', { eventType: 'balance.changed', userId: '7' });
      const api = stubApi(routes({ [DELIVERIES]: page([DELIVERED, RETRYING, GAVE_UP, OF_7]) }));
      const wrapper = await mountView();
      await openDeliveries(wrapper);
      const query = () => Object.fromEntries(api.calls(DELIVERIES).at(-1)!.query);
      const ids = () => wrapper.findAll('[data-testid="webhook-delivery-row"]').map((r) => r.attributes('data-delivery-id'));

      const types = wrapper.get('[data-testid="webhook-deliveries-type"]');
      expect(types.findAll('option').map((o) => o.attributes('value'))).toEqual(['all', ...WEBHOOK_EVENT_TYPES]);
      expect(types.get('option').text()).toBe('All types');
      await types.setValue('balance.changed');
      await flushPromises();
      expect(query()).toEqual({ eventType: 'balance.changed', page: '1', pageSize: '20' });
      expect(ids()).toEqual(['32', '35']);

      await wrapper.get('[data-testid="webhook-deliveries-user"]').setValue(' 7 ');
      await wrapper.get('[data-testid="webhook-deliveries-refresh"]').trigger('submit');
      await flushPromises();
      expect(query()).toEqual({ eventType: 'balance.changed', userId: '7', page: '1', pageSize: '20' });
      expect(ids()).toEqual(['35']);

      await wrapper.get('[data-testid="webhook-deliveries-filter"]').setValue('failed');
      await flushPromises();
      expect(query()).toEqual({ status: 'failed', eventType: 'balance.changed', userId: '7', page: '1', pageSize: '20' });
      expect(wrapper.get('[data-testid="webhook-deliveries-empty"]').text()).toBe('No deliveries match these filters.');

      await types.setValue('all');
      await wrapper.get('[data-testid="webhook-deliveries-user"]').setValue('');
      await wrapper.get('form.deliveries-bar').trigger('submit');
      await flushPromises();
      expect(query()).toEqual({ status: 'failed', page: '1', pageSize: '20' });
      expect(ids()).toEqual(['33']);
    });

    it('a user id that is not a number is not sent: the bar says so', async () => {
      const api = stubApi(routes({ [DELIVERIES]: page([DELIVERED]) }));
      const wrapper = await mountView();
      await openDeliveries(wrapper);
      const input = wrapper.get('[data-testid="webhook-deliveries-user"]');
      for (const bad of ['abc', '0', '-3', '4.5', '01']) {
        await input.setValue(bad);
        await wrapper.get('form.deliveries-bar').trigger('submit');
        await wrapper.get('[data-testid="webhook-deliveries-type"]').setValue('order.paid');
        await flushPromises();
        expect(api.calls(DELIVERIES)).toHaveLength(1);
        expect(input.attributes('aria-invalid')).toBe('true');
        expect(wrapper.get('[data-testid="webhook-deliveries-user-error"]').text()).toBe('A user ID is a positive whole number.');
        expect(wrapper.get('[data-testid="webhook-deliveries-refresh"]').attributes('disabled')).toBeDefined();
      }
      await input.setValue('42');
      expect(wrapper.find('[data-testid="webhook-deliveries-user-error"]').exists()).toBe(false);
      await wrapper.get('form.deliveries-bar').trigger('submit');
      await flushPromises();
      expect(api.calls(DELIVERIES).at(-1)!.query.get('userId')).toBe('42');
      expect(api.calls(DELIVERIES).at(-1)!.query.get('eventType')).toBe('order.paid');
    });

    it('Refresh loads the same page again when the filters did not change', async () => {
      const many = Array.from({ length: 25 }, (_, i) => delivery(String(100 + i)));
      const api = stubApi(routes({ [DELIVERIES]: page(many), 'GET /api/admin/webhook-endpoints/2': ALL }));
      const wrapper = await mountView();
      await openDeliveries(wrapper);
      await wrapper.get('[data-testid="page-next"]').trigger('click');
      await flushPromises();
      await wrapper.get('[data-testid="webhook-deliveries-refresh"]').trigger('click');
      await flushPromises();
      expect(api.calls(DELIVERIES).map((r) => r.query.get('page'))).toEqual(['1', '2', '2']);
      expect(api.calls('GET /api/admin/webhook-endpoints/2')).toHaveLength(1); // and the endpoint's counts
    });

    it('a disabled endpoint’s deliveries cannot be resent: the buttons are off, and the drawer says why', async () => {
      const off = { ...ALL, enabled: false };
      const api = stubApi(routes({ [LIST]: [off, EVERYTHING], [DELIVERIES]: page([DELIVERED, GAVE_UP]) }));
      const wrapper = await mountView();
      await openDeliveries(wrapper);
      const hint = wrapper.get('[data-testid="webhook-resend-disabled"]');
      expect(hint.text()).toBe('This endpoint is disabled: enable it to resend deliveries.');
      for (const button of wrapper.findAll('[data-testid="webhook-delivery-resend"]')) {
        expect(button.attributes('disabled')).toBeDefined();
        expect(button.attributes('aria-describedby')).toBe(hint.attributes('id'));
      }
      await deliveryRow(wrapper, '31').get('[data-testid="webhook-delivery-resend"]').trigger('click');
      await flushPromises();
      expect(api.calls(RESEND)).toHaveLength(0);
    });

    it('a 409 (disabled meanwhile) says to enable it first, and the endpoint is asked for again: Resend goes off', async () => {
      const api = stubApi(
        routes({
          [DELIVERIES]: page([DELIVERED]),
          [RESEND]: apiError(409, 'WEBHOOK_ENDPOINT_DISABLED', 'webhook endpoint 2 is disabled: enable it to send deliveries'),
          'GET /api/admin/webhook-endpoints/2': { ...ALL, enabled: false },
        }),
      );
      const wrapper = await mountView();
      await openDeliveries(wrapper);
      expect(wrapper.find('[data-testid="webhook-resend-disabled"]').exists()).toBe(false);
      await deliveryRow(wrapper, '31').get('[data-testid="webhook-delivery-resend"]').trigger('click');
      await flushPromises();
      expect(wrapper.get('[data-testid="webhook-resend-error"]').text()).toBe('This endpoint is disabled. Enable it first, then resend the delivery.');
      expect(api.calls('GET /api/admin/webhook-endpoints/2')).toHaveLength(1);
      expect(row(wrapper, '2').get('[data-testid="webhook-status"]').text()).toBe('Disabled');
      expect(wrapper.find('[data-testid="webhook-resend-disabled"]').exists()).toBe(true);
      expect(deliveryRow(wrapper, '31').get('[data-testid="webhook-delivery-resend"]').attributes('disabled')).toBeDefined();
    });
  });

  it('speaks Chinese in the zh locale', async () => {
    stubApi(
      routes({
        [CREATE]: urlRefused('private_address', 'url 10.0.0.8 is a private address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'),
        'GET /api/admin/webhook-endpoints/1/deliveries': { items: [delivery('40', { endpointId: '1', userId: '9' })], total: 1, page: 1, pageSize: 20 },
      }),
    );
    const wrapper = await mountView('zh');
    expect(wrapper.get('h1').text()).toBe('Webhook');
    expect(row(wrapper, '1').get('[data-testid="webhook-events"]').text()).toBe('全部事件');
    expect(row(wrapper, '1').get('[data-testid="webhook-status"]').text()).toBe('已停用');
    expect(row(wrapper, '2').get('[data-testid="webhook-pending"]').text()).toBe('待投递：2');
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe('请输入 URL。\n请至少选择一种事件类型，或选择全部事件。');
    await fill(wrapper, 'webhook-new', { url: 'https://10.0.0.8/hooks', all: true });
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe(
      '该 URL 指向内网或本机地址（如 localhost、10.x.x.x、192.168.x.x），本服务不向这类地址发送 Webhook。',
    );

    await row(wrapper, '1').get('[data-testid="webhook-show-deliveries"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="webhook-delivery-user"]').text()).toBe('用户： 9');
    expect(wrapper.get('[data-testid="webhook-deliveries-type"] option').text()).toBe('全部类型');
    expect(wrapper.get('[data-testid="webhook-resend-disabled"]').text()).toBe('该端点已停用：启用后才能重新发送投递。');
  });
});
