import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminWebhooksView from '../AdminWebhooksView.vue';
import { apiError, json, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import type { CreatedWebhookEndpoint, WebhookDelivery, WebhookEndpoint } from '../../../api/types';
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

  it('shows the server’s message when the URL is refused, and each message of a 400 that lists them', async () => {
    let answer = apiError(400, 'WEBHOOK_ENDPOINT_URL_REFUSED', 'url must be https in production');
    stubApi(routes({ [CREATE]: () => answer }));
    const wrapper = await mountView();
    await fill(wrapper, 'webhook-new', { url: 'http://shop.example.com/hooks', types: ['order.paid'] });
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe('url must be https in production');
    expect(wrapper.get('[data-testid="webhook-new-error"]').attributes('role')).toBe('alert');
    expect(wrapper.find('[data-testid="webhook-secret-panel"]').exists()).toBe(false);
    // What was typed stays, to be corrected.
    expect((wrapper.get('[data-testid="webhook-new-url"]').element as HTMLInputElement).value).toBe('http://shop.example.com/hooks');

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

  it('a refused edit stays open with the server’s message', async () => {
    stubApi(routes({ 'PATCH /api/admin/webhook-endpoints/2': apiError(400, 'WEBHOOK_ENDPOINT_URL_REFUSED', 'url 10.0.0.8 is a private address') }));
    const wrapper = await mountView();
    await row(wrapper, '2').get('[data-testid="webhook-edit-open"]').trigger('click');
    await fill(wrapper, 'webhook-edit', { url: 'https://10.0.0.8/hooks' });
    await wrapper.get('[data-testid="webhook-edit-submit"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="webhook-edit-error"]').text()).toBe('url 10.0.0.8 is a private address');
    expect(row(wrapper, '2').get('[data-testid="webhook-url"]').text()).toBe(ALL.url);
  });

  it('rotates the secret only after confirming, and shows the new one once', async () => {
    const api = stubApi(routes({ 'POST /api/admin/webhook-endpoints/2/rotate-secret': { ...ALL, updatedAt: '2026-11-24T00:00:00.000Z', secret: ROTATED } }));
    const wrapper = await mountView();
    const rotations = () => api.requests.filter((r) => r.path.endsWith('/rotate-secret'));

    await row(wrapper, '2').get('[data-testid="webhook-rotate"]').trigger('click');
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.get('#confirm-title').text()).toBe(`Rotate the secret of ${ALL.url}?`);
    expect(dialog.get('#confirm-message').text()).toContain('The old one stops working at once');
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

    /** The API's list: narrowed by status, one page. */
    function page(all: WebhookDelivery[]) {
      return (req: SeenRequest) => {
        const status = req.query.get('status');
        const matching = all.filter((d) => status === null || d.status === status);
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
  });

  it('speaks Chinese in the zh locale', async () => {
    stubApi(routes({ [CREATE]: apiError(400, 'WEBHOOK_ENDPOINT_URL_REFUSED', 'url must be https in production') }));
    const wrapper = await mountView('zh');
    expect(wrapper.get('h1').text()).toBe('Webhook');
    expect(row(wrapper, '1').get('[data-testid="webhook-events"]').text()).toBe('全部事件');
    expect(row(wrapper, '1').get('[data-testid="webhook-status"]').text()).toBe('已停用');
    expect(row(wrapper, '2').get('[data-testid="webhook-pending"]').text()).toBe('待投递：2');
    await submitNew(wrapper);
    expect(wrapper.get('[data-testid="webhook-new-error"]').text()).toBe('请输入 URL。\n请至少选择一种事件类型，或选择全部事件。');
  });
});
