import { describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import BalanceAdjustForm from '../BalanceAdjustForm.vue';
import { createAppI18n } from '../../../i18n';
import { apiError, stubApi, type SeenRequest } from '../../../__tests__/support';
import type { RechargeRecord } from '../../../api/types';

const record: RechargeRecord = {
  id: '3',
  amount: '-2.12345678',
  type: 'admin',
  operator: 'admin@example.com',
  remark: 'Ticket 7',
  relatedId: null,
  balanceBefore: '7.50000000',
  balanceAfter: '5.37654322',
  createdAt: '2026-11-23T01:02:03.000Z',
  campaignId: null,
};

/** Attached to the document: a click on submit submits the form only there. */
function mountForm(userId?: string) {
  return mount(BalanceAdjustForm, { props: userId === undefined ? {} : { userId }, global: { plugins: [createAppI18n('en')] }, attachTo: document.body });
}

async function send(wrapper: VueWrapper, amount: string, remark: string) {
  await wrapper.get('[data-testid="adjust-amount"]').setValue(amount);
  await wrapper.get('[data-testid="adjust-remark"]').setValue(remark);
  await wrapper.get('[data-testid="adjust-submit"]').trigger('click');
  await flushPromises();
}

const keysOf = (requests: SeenRequest[]) => requests.map((r) => r.headers.get('Idempotency-Key'));

describe('BalanceAdjustForm', () => {
  it('with a user id: no user field, posts for that user and tells the parent', async () => {
    const api = stubApi({ 'POST /api/admin/users/42/balance-adjustments': record });
    const wrapper = mountForm('42');
    expect(wrapper.find('[data-testid="adjust-user"]').exists()).toBe(false);
    await send(wrapper, '-2.12345678', 'Ticket 7');
    expect(api.calls('POST /api/admin/users/42/balance-adjustments')).toHaveLength(1);
    expect(wrapper.emitted('adjusted')).toEqual([[{ userId: '42', record }]]);
    expect(wrapper.get('[data-testid="adjust-result"]').text()).toBe('Done: -2.12345678 USD for user 42. New balance: 5.37654322 USD.');
  });

  it('without a user id: the admin types it, and it is checked before any request', async () => {
    const api = stubApi({ 'POST /api/admin/users/7/balance-adjustments': record });
    const wrapper = mountForm();
    await send(wrapper, '5', 'x');
    expect(wrapper.get('[data-testid="adjust-error"]').text()).toBe('Enter the user ID.');
    expect(api.requests).toHaveLength(0);
    await wrapper.get('[data-testid="adjust-user"]').setValue('7');
    await send(wrapper, '5', 'x');
    expect(api.calls('POST /api/admin/users/7/balance-adjustments')).toHaveLength(1);
  });

  it('a new Idempotency-Key per submission; resending one whose answer was lost reuses its key', async () => {
    let answer: 'lost' | 'ok' | 'refused' = 'lost';
    const api = stubApi({
      'POST /api/admin/users/42/balance-adjustments': () => {
        if (answer === 'lost') throw new TypeError('Failed to fetch');
        if (answer === 'refused') return apiError(409, 'LEDGER_INSUFFICIENT_BALANCE', 'balance too low');
        return record;
      },
    });
    const posts = () => api.calls('POST /api/admin/users/42/balance-adjustments');
    const wrapper = mountForm('42');

    await send(wrapper, '-2.12345678', 'Ticket 7');
    expect(wrapper.get('[data-testid="adjust-error"]').text()).toBe('Cannot reach the server. Check your connection and try again.');
    // The same submission again: the same key, so the server applies it at most once.
    await wrapper.get('[data-testid="adjust-submit"]').trigger('click');
    await flushPromises();
    // Another amount is another submission.
    await send(wrapper, '-2.5', 'Ticket 7');
    const [first, retry, other] = keysOf(posts());
    expect(first).toBeTruthy();
    expect(retry).toBe(first);
    expect(other).not.toBe(first);

    // A definite refusal settles the submission: sending it again is a new one.
    answer = 'refused';
    await send(wrapper, '-3', 'Ticket 8');
    await wrapper.get('[data-testid="adjust-submit"]').trigger('click');
    await flushPromises();
    const refusedKeys = keysOf(posts()).slice(3);
    expect(refusedKeys).toHaveLength(2);
    expect(refusedKeys[0]).not.toBe(refusedKeys[1]);

    // A success clears the form; the next one has a key of its own.
    answer = 'ok';
    await send(wrapper, '-3', 'Ticket 8');
    await send(wrapper, '-3', 'Ticket 8');
    const okKeys = keysOf(posts()).slice(5);
    expect(okKeys).toHaveLength(2);
    expect(okKeys[0]).not.toBe(okKeys[1]);
    expect(new Set(keysOf(posts())).size).toBe(6); // only the retry of the lost one shared a key
  });

  it('clears what was typed and shown when another user is opened', async () => {
    stubApi({ 'POST /api/admin/users/42/balance-adjustments': record });
    const wrapper = mountForm('42');
    await send(wrapper, '-2.12345678', 'Ticket 7');
    await wrapper.get('[data-testid="adjust-amount"]').setValue('9');
    await wrapper.setProps({ userId: '43' });
    expect(wrapper.find('[data-testid="adjust-result"]').exists()).toBe(false);
    expect((wrapper.get('[data-testid="adjust-amount"]').element as HTMLInputElement).value).toBe('');
  });
});
