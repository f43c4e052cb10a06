import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminLedgerView from '../AdminLedgerView.vue';
import { apiError, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import { validateAdjustment } from '../../../composables/useAdminLedger';
import type { RechargeRecord } from '../../../api/types';

function record(id: string, amount: string, type: RechargeRecord['type'], balanceAfter: string): RechargeRecord {
  return {
    id,
    amount,
    type,
    operator: 'admin@example.com',
    remark: 'Ticket 7',
    relatedId: null,
    balanceBefore: '0.00000000',
    balanceAfter,
    createdAt: '2026-11-23T01:02:03.000Z',
    campaignId: null,
  };
}

const LIST = 'GET /api/admin/recharge-records';
const ADJUST = 'POST /api/admin/users/42/balance-adjustments';

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/users/me': me('admin'),
    [LIST]: (req: SeenRequest) => ({
      items: [record('2', '-2.50000000', 'admin', '7.50000000'), record('1', '10.00000000', 'payment', '10.00000000')],
      total: 2,
      page: Number(req.query.get('page')),
      pageSize: 20,
    }),
    ...extra,
  };
}

async function fill(wrapper: VueWrapper, userId: string, amount: string, remark: string) {
  await wrapper.get('[data-testid="adjust-user"]').setValue(userId);
  await wrapper.get('[data-testid="adjust-amount"]').setValue(amount);
  await wrapper.get('[data-testid="adjust-remark"]').setValue(remark);
  await wrapper.get('[data-testid="adjust-submit"]').trigger('click');
  await flushPromises();
}

beforeEach(() => localStorage.clear());

describe('validateAdjustment', () => {
  it.each([
    ['42', '0', 'x', ['amountZero']],
    ['42', '-0.00000000', 'x', ['amountZero']],
    ['42', '1.123456789', 'x', ['amountScale']],
    ['42', '5', '   ', ['remarkRequired']],
    ['42', '', 'x', ['amountRequired']],
    ['42', '1e3', 'x', ['amountFormat']],
    ['42', '1.', 'x', ['amountFormat']],
    ['42', '1000000.00000001', 'x', ['amountRange']],
    ['', '5', 'x', ['userIdRequired']],
    ['4.2', '5', 'x', ['userIdFormat']],
    ['0', 'abc', '', ['userIdFormat', 'amountFormat', 'remarkRequired']],
    ['42', '5', 'x'.repeat(501), ['remarkLength']],
  ])('user %j amount %j remark %j → %j', (userId, amount, remark, problems) => {
    const res = validateAdjustment({ userId, amount, remark });
    expect(res.problems).toEqual(problems);
    expect(res.request).toBeNull();
  });

  it.each([
    ['-2.12345678', '-2.12345678'],
    ['5', '5'],
    ['+0.5', '0.5'],
    [' 1000000 ', '1000000'],
    ['-0.00000001', '-0.00000001'],
  ])('accepts %j and sends %j', (amount, sent) => {
    expect(validateAdjustment({ userId: ' 42 ', amount, remark: ' Ticket 7 ' })).toEqual({
      problems: [],
      request: { userId: '42', amount: sent, remark: 'Ticket 7' },
    });
  });
});

describe('AdminLedgerView', () => {
  it('lists the global ledger with signed, coloured amounts', async () => {
    const api = stubApi(routes());
    const { wrapper } = await mountSignedIn(AdminLedgerView, '/admin/ledger');
    await flushPromises();
    const rows = wrapper.findAll('[data-testid="admin-global-ledger-row"]');
    expect(rows).toHaveLength(2);
    const amounts = wrapper.findAll('[data-testid="admin-global-ledger-amount"]');
    expect(amounts.map((a) => a.text())).toEqual(['-2.50', '+10.00']);
    expect(amounts[0]!.classes()).toContain('amount-debit');
    expect(amounts[1]!.classes()).toContain('amount-credit');
    expect(rows[0]!.text()).toContain('admin@example.com');
    expect([...api.calls(LIST)[0]!.query.keys()].sort()).toEqual(['page', 'pageSize']);
  });

  it('sends the user, type and date filters', async () => {
    const api = stubApi(routes());
    const { wrapper } = await mountSignedIn(AdminLedgerView, '/admin/ledger');
    await flushPromises();

    await wrapper.get('[data-testid="admin-ledger-filter-user"]').setValue('42');
    await wrapper.get('[data-testid="admin-ledger-filter-type"]').setValue('admin');
    await wrapper.get('[data-testid="admin-ledger-filter-from"]').setValue('2026-11-20');
    await wrapper.get('[data-testid="admin-ledger-filter-to"]').setValue('2026-11-23');
    await wrapper.get('[data-testid="admin-ledger-search"]').trigger('click');
    await flushPromises();
    const q = api.calls(LIST).at(-1)!.query;
    expect(q.get('userId')).toBe('42');
    expect(q.get('type')).toBe('admin');
    expect(q.get('from')).toBe(new Date(2026, 10, 20).toISOString());
    expect(q.get('to')).toBe(new Date(2026, 10, 24).toISOString());
    expect(q.get('page')).toBe('1');

    // a user id that is not a number is never sent
    const before = api.calls(LIST).length;
    await wrapper.get('[data-testid="admin-ledger-filter-user"]').setValue('abc');
    await wrapper.get('[data-testid="admin-ledger-search"]').element.closest('form')!.requestSubmit();
    await new Promise((r) => setTimeout(r, 350)); // past the debounce too
    await flushPromises();
    expect(api.calls(LIST).length).toBe(before);
    expect(wrapper.text()).toContain('A user ID is a positive whole number.');
  });

  it.each([
    ['0', 'The amount cannot be zero.'],
    ['1.123456789', 'At most 8 decimals.'],
    ['abc', 'Enter a number such as 5, -2.5 or 0.00000001.'],
  ])('refuses amount %j without a request', async (amount, message) => {
    const api = stubApi(routes());
    const { wrapper } = await mountSignedIn(AdminLedgerView, '/admin/ledger');
    await flushPromises();
    await fill(wrapper, '42', amount, 'Ticket 7');
    expect(wrapper.get('[data-testid="adjust-error"]').text()).toBe(message);
    expect(wrapper.get('[data-testid="adjust-amount"]').attributes('aria-invalid')).toBe('true');
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('refuses a missing remark without a request', async () => {
    const api = stubApi(routes());
    const { wrapper } = await mountSignedIn(AdminLedgerView, '/admin/ledger');
    await flushPromises();
    await fill(wrapper, '42', '5', '  ');
    expect(wrapper.get('[data-testid="adjust-error"]').text()).toBe('Enter a remark.');
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('posts the exact amount string and the remark, shows the result and reloads the ledger', async () => {
    const api = stubApi(routes({ [ADJUST]: record('3', '-2.12345678', 'admin', '5.37654322') }));
    const { wrapper } = await mountSignedIn(AdminLedgerView, '/admin/ledger');
    await flushPromises();
    const listCalls = api.calls(LIST).length;

    await fill(wrapper, '42', '-2.12345678', '  Ticket 7 ');

    expect(api.calls(ADJUST)).toHaveLength(1);
    expect(api.calls(ADJUST)[0]!.body).toEqual({ amount: '-2.12345678', remark: 'Ticket 7' });
    expect(api.calls(ADJUST)[0]!.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(wrapper.find('[data-testid="adjust-error"]').exists()).toBe(false);
    const result = wrapper.get('[data-testid="adjust-result"]');
    expect(result.text()).toContain('-2.12345678 USD for user 42');
    expect(result.text()).toContain('5.37654322');
    expect((wrapper.get('[data-testid="adjust-amount"]').element as HTMLInputElement).value).toBe('');
    expect(api.calls(LIST).length).toBe(listCalls + 1);
  });

  it.each([
    [apiError(409, 'LEDGER_INSUFFICIENT_BALANCE', 'balance too low'), 'The balance is too low for this debit.'],
    [apiError(404, 'LEDGER_USER_NOT_FOUND', 'no user 42'), 'There is no user with this ID.'],
  ])('shows the server error %#', async (answer, message) => {
    stubApi(routes({ [ADJUST]: () => answer.clone() }));
    const { wrapper } = await mountSignedIn(AdminLedgerView, '/admin/ledger');
    await flushPromises();
    await fill(wrapper, '42', '-500', 'Ticket 7');
    expect(wrapper.get('[data-testid="adjust-error"]').text()).toBe(message);
    expect(wrapper.find('[data-testid="adjust-result"]').exists()).toBe(false);
    // the form keeps what was typed, to correct and resend
    expect((wrapper.get('[data-testid="adjust-amount"]').element as HTMLInputElement).value).toBe('-500');
  });
});
