import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import RecordsView from '../RecordsView.vue';
import { mountSignedIn, stubApi, type SeenRequest } from '../../__tests__/support';
import type { RechargeRecord } from '../../api/types';

function record(id: string, amount: string, type: RechargeRecord['type'], balanceAfter: string, remark: string | null = null): RechargeRecord {
  return {
    id,
    amount,
    type,
    operator: 'system',
    remark,
    relatedId: null,
    balanceBefore: '0.00000000',
    balanceAfter,
    createdAt: '2026-11-23T01:02:03.000Z',
    campaignId: null,
  };
}

const rows = [
  record('3', '-5.00000000', 'deduct', '13.05555556', 'Manual correction'),
  record('2', '4.16666667', 'promotion', '18.05555556'),
  record('1', '13.88888889', 'payment', '13.88888889'),
];

const KEY = 'GET /api/users/recharge-records';

beforeEach(() => localStorage.clear());

describe('RecordsView', () => {
  it('a bonus row shows its remark: the campaign that paid it', async () => {
    const bonus = { ...record('5', '2.00000000', 'promotion', '20.00000000', 'Spring festival'), campaignId: '4' };
    stubApi({ [KEY]: { items: [bonus], total: 1, page: 1, pageSize: 20 } });
    const { wrapper } = await mountSignedIn(RecordsView, '/records');
    await flushPromises();

    const only = wrapper.get('[data-testid="records-row"]');
    expect(only.get('.type-badge').text()).toBe('Bonus');
    expect(only.get('.remark').text()).toBe('Spring festival');
  });

  it('renders one row per record, amounts signed and coloured, balance after and remark', async () => {
    stubApi({ [KEY]: { items: rows, total: 3, page: 1, pageSize: 20 } });
    const { wrapper } = await mountSignedIn(RecordsView, '/records');
    await flushPromises();

    const rowEls = wrapper.findAll('[data-testid="records-row"]');
    expect(rowEls).toHaveLength(3);
    const amounts = wrapper.findAll('[data-testid="record-amount"]');
    // USD at 2 decimals rounded half-up, the exact amount in the title when rounding hid digits
    expect(amounts.map((a) => a.text())).toEqual(['-5.00', '+4.17', '+13.89']);
    expect(amounts.map((a) => a.attributes('title'))).toEqual([undefined, '+4.16666667', '+13.88888889']);
    expect(amounts[0]!.classes()).toContain('amount-debit');
    expect(amounts[0]!.classes()).not.toContain('amount-credit');
    expect(amounts[1]!.classes()).toContain('amount-credit');
    expect(amounts[2]!.classes()).toContain('amount-credit');
    expect(rowEls[0]!.text()).toContain('Deduction');
    expect(rowEls[0]!.text()).toContain('Manual correction');
    const balances = wrapper.findAll('[data-testid="record-balance"]');
    expect(balances.map((b) => b.text())).toEqual(['Balance 13.06', 'Balance 18.06', 'Balance 13.89']);
    expect(balances.map((b) => b.get('.money').attributes('title'))).toEqual(['13.05555556', '18.05555556', '13.88888889']);
    expect(rowEls[1]!.text()).toContain('Bonus');
    expect(rowEls[2]!.text()).toContain('2026');
  });

  it('passes the type filter to the API and starts again at page 1', async () => {
    const api = stubApi({
      [KEY]: (req: SeenRequest) => {
        const type = req.query.get('type');
        const items = type ? rows.filter((r) => r.type === type) : rows;
        return { items, total: type ? items.length : 45, page: Number(req.query.get('page')), pageSize: 20 };
      },
    });
    const { wrapper } = await mountSignedIn(RecordsView, '/records');
    await flushPromises();

    const first = api.calls(KEY)[0]!;
    expect(first.query.get('type')).toBeNull();
    expect(first.query.get('page')).toBe('1');
    expect(first.query.get('pageSize')).toBe('20');

    await wrapper.get('[data-testid="page-next"]').trigger('click');
    await flushPromises();
    expect(api.calls(KEY).at(-1)!.query.get('page')).toBe('2');

    await wrapper.get('[data-testid="records-type-filter"]').setValue('promotion');
    await flushPromises();
    const last = api.calls(KEY).at(-1)!;
    expect(last.query.get('type')).toBe('promotion');
    expect(last.query.get('page')).toBe('1');
    expect(wrapper.findAll('[data-testid="records-row"]')).toHaveLength(1);
    expect(wrapper.find('[data-testid="page-next"]').exists()).toBe(false);

    await wrapper.get('[data-testid="records-type-filter"]').setValue('');
    await flushPromises();
    expect(api.calls(KEY).at(-1)!.query.get('type')).toBeNull();
  });

  it('says so when there are no records', async () => {
    stubApi({ [KEY]: { items: [], total: 0, page: 1, pageSize: 20 } });
    const { wrapper } = await mountSignedIn(RecordsView, '/records', 'zh');
    await flushPromises();
    expect(wrapper.text()).toContain('暂无记录。');
    expect(wrapper.findAll('[data-testid="records-row"]')).toHaveLength(0);
  });
});
