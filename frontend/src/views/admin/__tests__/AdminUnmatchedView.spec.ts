import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminUnmatchedView from '../AdminUnmatchedView.vue';
import { PROVIDERS, apiError, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import type { AdminProvider, UnmatchedPayment } from '../../../api/types';
import { unmatchedFilterToQuery } from '../../../composables/useAdminUnmatchedPayments';

const LIST = 'GET /api/admin/payment/unmatched-payments';
const MERCHANT = 'TQ7c2ZbM4vHn9X2wG6r1dE5sYp8kLmN3aB';
const PAYER = 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8';
const TOKEN = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
const TX_OPEN = 'a3f1c9e07b5d4c2e8f6a1b0d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e';
const TX_OLD = '0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c';

function payment(eventId: string, amount: string, overrides: Partial<UnmatchedPayment> = {}): UnmatchedPayment {
  return {
    provider: PROVIDERS.address.name,
    eventId,
    outcome: 'unmatched_payment',
    payload: JSON.stringify({
      transaction_id: eventId,
      from: PAYER,
      to: MERCHANT,
      token: TOKEN,
      value: String(Math.round(Number(amount) * 1e6)),
      amount,
      block_timestamp: 1795395600000,
    }),
    createdAt: '2026-11-23T01:05:00.000Z',
    resolvedAt: null,
    resolvedBy: null,
    ...overrides,
  };
}

const OPEN = payment(TX_OPEN, '12.345678');
const RESOLVED = payment(TX_OLD, '5', { resolvedAt: '2026-11-24T02:00:00.000Z', resolvedBy: 'ops@example.com' });

const ADMIN_PROVIDERS: AdminProvider[] = [{ ...PROVIDERS.address, enabled: true, configured: true, refundsByApi: false }];

/** The API's list: narrowed by `resolved` as the server does, one page of `pageSize`. */
function listAnswer(all: UnmatchedPayment[]) {
  return (req: SeenRequest) => {
    const resolved = req.query.get('resolved');
    const matching = all.filter((p) => resolved === null || (p.resolvedAt !== null) === (resolved === 'true'));
    const page = Number(req.query.get('page') ?? 1);
    const size = Number(req.query.get('pageSize') ?? 20);
    return { items: matching.slice((page - 1) * size, page * size), total: matching.length, page, pageSize: size };
  };
}

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/users/me': me('admin'),
    'GET /api/admin/payment/providers': ADMIN_PROVIDERS,
    [LIST]: listAnswer([OPEN, RESOLVED]),
    ...extra,
  };
}

async function mountView(locale: 'en' | 'zh' = 'en') {
  const { wrapper } = await mountSignedIn(AdminUnmatchedView, '/admin/unmatched-payments', locale);
  await flushPromises();
  return wrapper;
}

const rows = (wrapper: VueWrapper) => wrapper.findAll('[data-testid="unmatched-row"]');
const RESOLVE = `POST /api/admin/payment/unmatched-payments/${PROVIDERS.address.name}/${TX_OPEN}/resolve`;

async function choose(wrapper: VueWrapper, filter: string) {
  await wrapper.get('[data-testid="unmatched-filter"]').setValue(filter);
  await flushPromises();
}

beforeEach(() => localStorage.clear());

describe('AdminUnmatchedView', () => {
  it('lists the open payments first: gateway label, amount and token, payer, transaction and time, each with Resolve', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();

    const first = api.calls(LIST)[0]!.query;
    expect(first.get('resolved')).toBe('false');
    expect(first.get('page')).toBe('1');
    expect(first.get('pageSize')).toBe('20');
    expect((wrapper.get('[data-testid="unmatched-filter"]').element as HTMLSelectElement).value).toBe('open');

    expect(rows(wrapper).map((r) => r.attributes('data-event-id'))).toEqual([TX_OPEN]);
    const row = rows(wrapper)[0]!;
    expect(row.attributes('data-resolved')).toBe('false');
    expect(row.get('[data-testid="unmatched-provider"]').text()).toBe('TRON (TRC20)');
    expect(row.get('[data-testid="unmatched-amount"]').text()).toBe('12.345678'); // exactly as recorded, never rounded
    expect(row.get('[data-testid="unmatched-token"]').text()).toBe(TOKEN);
    expect(row.get('[data-testid="unmatched-from"]').text()).toBe(PAYER);
    expect(row.get('[data-testid="unmatched-transaction"]').text()).toBe(TX_OPEN);
    expect(row.get('[data-testid="unmatched-time"]').attributes('datetime')).toBe('2026-11-23T01:05:00.000Z');
    expect(row.get('[data-testid="unmatched-time"]').text()).toMatch(/2026/);
    expect(row.get('[data-testid="unmatched-status"]').text()).toBe('Open');
    expect(row.find('[data-testid="unmatched-resolve"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="unmatched-total"]').text()).toBe('Payments found: 1');
    // Long addresses and ids may break anywhere, so a phone never scrolls sideways.
    expect(row.get('[data-testid="unmatched-from"]').classes()).toContain('break');
    expect(row.get('[data-testid="unmatched-transaction"]').classes()).toContain('break');
  });

  it('the filter is sent as `resolved` (left out for all) and starts again at page 1; resolved rows say by whom, without Resolve', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();

    await choose(wrapper, 'resolved');
    let q = api.calls(LIST).at(-1)!.query;
    expect(q.get('resolved')).toBe('true');
    expect(q.get('page')).toBe('1');
    expect(rows(wrapper).map((r) => r.attributes('data-event-id'))).toEqual([TX_OLD]);
    const done = rows(wrapper)[0]!;
    expect(done.attributes('data-resolved')).toBe('true');
    expect(done.get('[data-testid="unmatched-status"]').text()).toBe('Resolved');
    expect(done.get('[data-testid="unmatched-resolved-by"]').text()).toContain('ops@example.com');
    expect(done.find('[data-testid="unmatched-resolve"]').exists()).toBe(false);
    expect(done.get('[data-testid="unmatched-audit-link"]').attributes('href')).toBe(
      `/admin/audit?targetType=payment_event&targetId=${PROVIDERS.address.name}:${TX_OLD}`,
    );

    await choose(wrapper, 'all');
    q = api.calls(LIST).at(-1)!.query;
    expect(q.has('resolved')).toBe(false);
    expect(rows(wrapper).map((r) => r.attributes('data-event-id'))).toEqual([TX_OPEN, TX_OLD]);

    await choose(wrapper, 'open');
    expect(api.calls(LIST).at(-1)!.query.get('resolved')).toBe('false');
    expect(api.calls(LIST)).toHaveLength(4);
  });

  it('says so when the filter matches nothing, in words for that filter', async () => {
    stubApi(routes({ [LIST]: listAnswer([RESOLVED]) }));
    const wrapper = await mountView();
    expect(rows(wrapper)).toHaveLength(0);
    expect(wrapper.get('[data-testid="unmatched-empty"]').text()).toBe('No open unmatched payments.');
    await choose(wrapper, 'resolved');
    expect(rows(wrapper)).toHaveLength(1);
    expect(wrapper.find('[data-testid="unmatched-empty"]').exists()).toBe(false);
  });

  it('pages through the list, keeping the filter', async () => {
    const many = Array.from({ length: 25 }, (_, i) => payment(`tx-${String(i).padStart(2, '0')}`, `1.${i}`));
    const api = stubApi(routes({ [LIST]: listAnswer(many) }));
    const wrapper = await mountView();
    expect(rows(wrapper)).toHaveLength(20);
    await wrapper.get('[data-testid="page-next"]').trigger('click');
    await flushPromises();
    const q = api.calls(LIST).at(-1)!.query;
    expect(q.get('page')).toBe('2');
    expect(q.get('resolved')).toBe('false');
    expect(rows(wrapper).map((r) => r.attributes('data-event-id'))).toEqual(['tx-20', 'tx-21', 'tx-22', 'tx-23', 'tx-24']);
  });

  it('resolve asks first, requires a remark, posts it trimmed, then loads the list again (the payment leaves the open list)', async () => {
    let resolved = false;
    const bodies: unknown[] = [];
    const api = stubApi(
      routes({
        [LIST]: (req: SeenRequest) =>
          listAnswer([resolved ? { ...OPEN, resolvedAt: '2026-11-25T00:00:00.000Z', resolvedBy: 'admin@example.com' } : OPEN, RESOLVED])(req),
        [RESOLVE]: (req: SeenRequest) => {
          bodies.push(req.body);
          resolved = true;
          return { ...OPEN, resolvedAt: '2026-11-25T00:00:00.000Z', resolvedBy: 'admin@example.com' };
        },
      }),
    );
    const wrapper = await mountView();
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);

    await rows(wrapper)[0]!.get('[data-testid="unmatched-resolve"]').trigger('click');
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.get('#confirm-title').text()).toBe('Mark this payment resolved');
    const message = dialog.get('#confirm-message').text();
    expect(message).toContain('12.345678');
    expect(message).toContain('TRON (TRC20)');
    expect(message).toContain(PAYER);
    expect(message).toContain(TX_OPEN);
    expect(message).toContain('Nothing is sent to the gateway');
    expect(dialog.get('[data-testid="confirm-ok"]').text()).toBe('Mark resolved');

    // No remark: refused before any request.
    await wrapper.get('[data-testid="unmatched-remark"]').setValue('   ');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('Enter a remark.');
    expect(wrapper.get('[data-testid="unmatched-remark"]').attributes('aria-invalid')).toBe('true');
    expect(api.calls(RESOLVE)).toHaveLength(0);

    const listCalls = api.calls(LIST).length;
    await wrapper.get('[data-testid="unmatched-remark"]').setValue('  Sent back to the payer, tx 77aa  ');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();

    expect(bodies).toEqual([{ remark: 'Sent back to the payer, tx 77aa' }]);
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(api.calls(LIST)).toHaveLength(listCalls + 1);
    expect(api.calls(LIST).at(-1)!.query.get('resolved')).toBe('false');
    expect(rows(wrapper)).toHaveLength(0);
    expect(wrapper.get('[data-testid="unmatched-empty"]').text()).toBe('No open unmatched payments.');
    expect(wrapper.get('[data-testid="unmatched-done"]').text()).toBe(`The payment ${TX_OPEN} is marked resolved.`);
    expect(wrapper.get('[data-testid="unmatched-done"]').classes()).toContain('break'); // a long id wraps on a phone
  });

  it('cancel closes the question without a request; a new question starts with an empty remark', async () => {
    const api = stubApi(routes());
    const wrapper = await mountView();
    await rows(wrapper)[0]!.get('[data-testid="unmatched-resolve"]').trigger('click');
    await wrapper.get('[data-testid="unmatched-remark"]').setValue('half typed');
    await wrapper.get('[data-testid="confirm-cancel"]').trigger('click');
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(api.calls(RESOLVE)).toHaveLength(0);
    await rows(wrapper)[0]!.get('[data-testid="unmatched-resolve"]').trigger('click');
    expect((wrapper.get('[data-testid="unmatched-remark"]').element as HTMLTextAreaElement).value).toBe('');
  });

  it('a 404 (resolved meanwhile by someone else) keeps the question open with the reason and loads the list again', async () => {
    const api = stubApi(
      routes({
        [RESOLVE]: apiError(404, 'PAYMENT_NO_UNMATCHED_PAYMENT', `no open unmatched payment ${TX_OPEN}`),
      }),
    );
    const wrapper = await mountView();
    const listCalls = api.calls(LIST).length;
    await rows(wrapper)[0]!.get('[data-testid="unmatched-resolve"]').trigger('click');
    await wrapper.get('[data-testid="unmatched-remark"]').setValue('Sent back');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();

    expect(api.calls(RESOLVE)).toHaveLength(1);
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('This payment is no longer open; another admin may have resolved it already.');
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="unmatched-done"]').exists()).toBe(false);
    expect(api.calls(LIST)).toHaveLength(listCalls + 1);
  });

  it('a failed load shows the error with Retry, which loads again', async () => {
    let fail = true;
    const api = stubApi(routes({ [LIST]: (req: SeenRequest) => (fail ? apiError(500, 'INTERNAL', 'database is down') : listAnswer([OPEN])(req)) }));
    const wrapper = await mountView();
    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('Something went wrong on our side.');
    expect(rows(wrapper)).toHaveLength(0);
    expect(wrapper.find('[data-testid="unmatched-empty"]').exists()).toBe(false); // an error is not "nothing to show"

    fail = false;
    await alert.get('button').trigger('click');
    await flushPromises();
    expect(api.calls(LIST)).toHaveLength(2);
    expect(rows(wrapper)).toHaveLength(1);
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });

  it('a payload without the transfer’s fields still lists the payment, by its event id', async () => {
    stubApi(routes({ [LIST]: listAnswer([{ ...OPEN, eventId: 'evt-raw', payload: 'not json' }]) }));
    const wrapper = await mountView();
    const row = rows(wrapper)[0]!;
    expect(row.get('[data-testid="unmatched-amount"]').text()).toBe('—');
    expect(row.get('[data-testid="unmatched-from"]').text()).toBe('—');
    expect(row.get('[data-testid="unmatched-transaction"]').text()).toBe('evt-raw');
    expect(row.find('[data-testid="unmatched-token"]').exists()).toBe(false);
  });

  it('speaks Chinese in the zh locale', async () => {
    stubApi(routes());
    const wrapper = await mountView('zh');
    expect(wrapper.get('h1').text()).toBe('无主付款');
    const row = rows(wrapper)[0]!;
    expect(row.get('[data-testid="unmatched-provider"]').text()).toBe('USDT（TRON TRC20）');
    expect(row.get('[data-testid="unmatched-status"]').text()).toBe('待处理');
    await row.get('[data-testid="unmatched-resolve"]').trigger('click');
    expect(wrapper.get('#confirm-title').text()).toBe('标记该付款已处理');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('请填写备注。');
  });
});

describe('unmatchedFilterToQuery', () => {
  it('maps open / resolved / all to the API’s `resolved`', () => {
    expect(unmatchedFilterToQuery('open')).toEqual({ resolved: 'false' });
    expect(unmatchedFilterToQuery('resolved')).toEqual({ resolved: 'true' });
    expect(unmatchedFilterToQuery('all')).toEqual({});
  });
});
