import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import AdminRedeemView from '../AdminRedeemView.vue';
import { apiError, json, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import { validateApiKey, validateBatch, type BatchForm } from '../../../composables/useAdminRedeem';
import type { ApiKey, CreatedApiKey, CreatedRedeemBatch, RedeemBatch } from '../../../api/types';

const LIST = 'GET /api/admin/redeem-batches';
const CREATE = 'POST /api/admin/redeem-codes';
const KEYS = 'GET /api/admin/api-keys';
const CREATE_KEY = 'POST /api/admin/api-keys';

function batch(id: string, overrides: Partial<RedeemBatch> = {}): RedeemBatch {
  return {
    id,
    amountUsd: '5.00000000',
    codeCount: 100,
    maxRedemptions: 1,
    expiresAt: null,
    note: 'Spring campaign',
    status: 'active',
    redemptions: 37,
    codesUsed: 37,
    redeemedUsd: '185.00000000',
    createdAt: '2026-11-23T01:00:00.000Z',
    disabledAt: null,
    ...overrides,
  };
}

function apiKey(id: string, overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id,
    name: 'api-gateway (production)',
    prefix: 'rk_Xy12abc',
    scopes: ['charges:write', 'balances:read'],
    createdAt: '2026-11-23T01:00:00.000Z',
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

const CREATED: CreatedRedeemBatch = {
  batchId: '12',
  amountUsd: '2.12345678',
  maxRedemptions: 1,
  expiresAt: null,
  note: 'Flyers',
  codes: ['ABCD-EFGH-JKMN-PQRS', 'WXYZ-2345-6789-ABCD'],
};

function routes(extra: Record<string, unknown> = {}) {
  return stubApi({
    'GET /api/users/me': me('admin'),
    [LIST]: (req: SeenRequest) => ({ items: [batch('2'), batch('1', { status: 'expired' })], total: 2, page: Number(req.query.get('page')), pageSize: 20 }),
    [KEYS]: [apiKey('3'), apiKey('2', { name: 'billing', prefix: 'rk_Ab34def', scopes: ['balances:read'], lastUsedAt: '2026-11-24T01:00:00.000Z', revokedAt: '2026-11-25T01:00:00.000Z' })],
    ...extra,
  });
}

async function mountPage() {
  const mounted = await mountSignedIn(AdminRedeemView, '/admin/redeem');
  await flushPromises();
  return mounted;
}

async function fillBatch(wrapper: VueWrapper, values: Partial<Record<'count' | 'amount' | 'max-redemptions' | 'expires' | 'note', string>>) {
  for (const [field, value] of Object.entries(values)) await wrapper.get(`[data-testid="batch-${field}"]`).setValue(value);
  await wrapper.get('[data-testid="batch-submit"]').trigger('click');
  await flushPromises();
}

// jsdom has no object URLs: a test that downloads puts these in place; they are taken away after.
const objectUrls = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
beforeEach(() => localStorage.clear());
afterEach(() => {
  URL.createObjectURL = objectUrls.create;
  URL.revokeObjectURL = objectUrls.revoke;
});

describe('validateBatch', () => {
  const NOW = Date.parse('2026-11-23T12:00:00.000Z');
  const ok: BatchForm = { count: '2', amountUsd: '5', maxRedemptions: '1', expiresAt: '', note: 'Flyers' };

  it.each([
    [{ count: '' }, ['countRequired']],
    [{ count: '0' }, ['countRange']],
    [{ count: '10001' }, ['countRange']],
    [{ count: '2.5' }, ['countRange']],
    [{ amountUsd: '' }, ['amountRequired']],
    [{ amountUsd: '1e3' }, ['amountFormat']],
    [{ amountUsd: '-5' }, ['amountFormat']],
    [{ amountUsd: '1.123456789' }, ['amountScale']],
    [{ amountUsd: '0.00000000' }, ['amountZero']],
    [{ amountUsd: '100000.00000001' }, ['amountRange']],
    [{ maxRedemptions: '0' }, ['maxRedemptionsRange']],
    [{ maxRedemptions: '1000001' }, ['maxRedemptionsRange']],
    [{ expiresAt: 'tomorrow' }, ['expiresFormat']],
    [{ expiresAt: '2026-02-30T10:00' }, ['expiresFormat']],
    [{ expiresAt: '2020-01-01T00:00' }, ['expiresPast']],
    [{ note: '   ' }, ['noteRequired']],
    [{ note: 'x'.repeat(201) }, ['noteLength']],
    [{ count: 'x', amountUsd: '0', note: '' }, ['countRange', 'amountZero', 'noteRequired']],
  ])('%j → %j', (change, problems) => {
    const res = validateBatch({ ...ok, ...change }, NOW);
    expect(res.problems).toEqual(problems);
    expect(res.request).toBeNull();
  });

  it('sends the amount exactly as typed, the expiry as ISO (local time), and leaves out a blank maximum', () => {
    expect(validateBatch({ count: ' 10000 ', amountUsd: ' 0.00000001 ', maxRedemptions: '', expiresAt: '', note: ' Flyers ' }, NOW)).toEqual({
      problems: [],
      request: { count: 10000, amountUsd: '0.00000001', note: 'Flyers' },
    });
    expect(validateBatch({ ...ok, amountUsd: '100000', maxRedemptions: '3', expiresAt: '2027-01-01T09:30' }, NOW).request).toEqual({
      count: 2,
      amountUsd: '100000',
      maxRedemptions: 3,
      expiresAt: new Date(2027, 0, 1, 9, 30).toISOString(),
      note: 'Flyers',
    });
  });
});

describe('validateApiKey', () => {
  it('needs a name of at most 100 characters and at least one scope', () => {
    expect(validateApiKey({ name: ' ', scopes: [] }).problems).toEqual(['nameRequired', 'scopesRequired']);
    expect(validateApiKey({ name: 'x'.repeat(101), scopes: ['balances:read'] }).problems).toEqual(['nameLength']);
    expect(validateApiKey({ name: ' gw ', scopes: ['charges:write'] })).toEqual({ problems: [], request: { name: 'gw', scopes: ['charges:write'] } });
  });
});

describe('AdminRedeemView: redeem-code batches', () => {
  it('lists batches with status, usage and full-precision amounts, paged', async () => {
    const api = routes();
    const { wrapper } = await mountPage();
    const rows = wrapper.findAll('[data-testid="batch-row"]');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.get('[data-testid="batch-status"]').text()).toBe('Active');
    expect(rows[1]!.get('[data-testid="batch-status"]').text()).toBe('Expired');
    expect(rows[0]!.get('[data-testid="batch-usage"]').text()).toBe('37 / 100 codes, 37 redemptions, 185.00 USD');
    expect(rows[0]!.find('[data-testid="batch-disable"]').exists()).toBe(true);
    expect(rows[1]!.find('[data-testid="batch-disable"]').exists()).toBe(false); // only active batches can be disabled
    const q = api.calls(LIST)[0]!.query;
    expect([q.get('page'), q.get('pageSize')]).toEqual(['1', '20']);
  });

  it('says "1 redemption" for one', async () => {
    routes({ [LIST]: { items: [batch('4', { codeCount: 2, codesUsed: 1, redemptions: 1, redeemedUsd: '2.12345678' })], total: 1, page: 1, pageSize: 20 } });
    const { wrapper } = await mountPage();
    expect(wrapper.get('[data-testid="batch-usage"]').text()).toBe('1 / 2 codes, 1 redemption, 2.12345678 USD');
  });

  it('refuses an invalid form without a request', async () => {
    const api = routes({ [CREATE]: CREATED });
    const { wrapper } = await mountPage();
    await fillBatch(wrapper, { count: '20000', amount: '1.123456789', note: '' });
    expect(wrapper.get('[data-testid="batch-error"]').text()).toBe(
      'The number of codes is a whole number from 1 to 10,000.\nAt most 8 decimals.\nEnter a note.',
    );
    expect(wrapper.get('[data-testid="batch-count"]').attributes('aria-invalid')).toBe('true');
    expect(api.calls(CREATE)).toHaveLength(0);
  });

  it('creates a batch and shows its codes once, with the warning, until dismissed', async () => {
    const api = routes({ [CREATE]: json(201, CREATED) });
    const { wrapper } = await mountPage();
    expect(wrapper.find('[data-testid="batch-codes"]').exists()).toBe(false);

    await fillBatch(wrapper, { count: '2', amount: '2.12345678', note: 'Flyers' });

    expect(api.calls(CREATE)[0]!.body).toEqual({ count: 2, amountUsd: '2.12345678', maxRedemptions: 1, note: 'Flyers' });
    const panel = wrapper.get('[data-testid="batch-codes"]');
    expect(panel.attributes('data-batch-id')).toBe('12');
    expect(panel.get('[data-testid="show-once-warning"]').text()).toBe('These codes are shown once. Download or copy them now.');
    expect(panel.findAll('[data-testid="batch-code"]').map((c) => c.text())).toEqual(CREATED.codes);
    expect(panel.text()).toContain('Batch #12: 2 codes of 2.12345678 USD');
    expect(api.calls(LIST)).toHaveLength(2); // the list is shown again from its first page
    expect((wrapper.get('[data-testid="batch-count"]').element as HTMLInputElement).value).toBe('');

    // there until dismissed; then nothing on the page shows the codes again
    await panel.get('[data-testid="show-once-dismiss"]').trigger('click');
    expect(wrapper.find('[data-testid="batch-codes"]').exists()).toBe(false);
    expect(wrapper.text()).not.toContain('ABCD-EFGH-JKMN-PQRS');
  });

  it('downloads the codes as CSV built from the answer, and copies them all', async () => {
    routes({ [CREATE]: json(201, { ...CREATED, note: '=SUM(A1), "x"' }) });
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => (blobs.push(b), `blob:test/${blobs.length}`));
    URL.revokeObjectURL = vi.fn();
    const saved: { href: string | null; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.getAttribute('href'), download: this.download });
    });
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const { wrapper } = await mountPage();
    await fillBatch(wrapper, { count: '2', amount: '2.12345678', note: 'x' });

    await wrapper.get('[data-testid="batch-download"]').trigger('click');
    expect(saved).toEqual([{ href: 'blob:test/1', download: 'redeem-batch-12.csv' }]);
    expect((await blobs[0]!.text()).replace(/^\uFEFF/, '')).toBe(
      'code,amount_usd,max_redemptions,expires_at,batch_id,note\r\n' +
        `ABCD-EFGH-JKMN-PQRS,2.12345678,1,,12,"'=SUM(A1), ""x"""\r\n` +
        `WXYZ-2345-6789-ABCD,2.12345678,1,,12,"'=SUM(A1), ""x"""\r\n`,
    );

    await wrapper.get('[data-testid="batch-codes"] [data-testid="show-once-copy"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledExactlyOnceWith('ABCD-EFGH-JKMN-PQRS\nWXYZ-2345-6789-ABCD');
    expect(wrapper.get('[data-testid="batch-codes"] [data-testid="show-once-copy"]').text()).toBe('Copied!');
  });

  it('shows the server’s message when creating fails', async () => {
    routes({ [CREATE]: apiError(400, 'VALIDATION_FAILED', 'expiresAt must be in the future') });
    const { wrapper } = await mountPage();
    await fillBatch(wrapper, { count: '2', amount: '5', note: 'x' });
    expect(wrapper.get('[data-testid="batch-error"]').text()).toBe('Some of the values are not valid.');
    expect(wrapper.find('[data-testid="batch-codes"]').exists()).toBe(false);
  });

  it('disables a batch only after confirming, and shows it disabled', async () => {
    const api = routes({
      'POST /api/admin/redeem-batches/2/disable': batch('2', { status: 'disabled', disabledAt: '2026-11-24T00:00:00.000Z' }),
    });
    const { wrapper } = await mountPage();
    const disableCalls = () => api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/disable'));

    await wrapper.get('[data-testid="batch-row"][data-batch-id="2"] [data-testid="batch-disable"]').trigger('click');
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.text()).toContain('Disable batch #2?');
    expect(dialog.text()).toContain('None of its 100 codes can be redeemed from now on.');
    expect(disableCalls()).toHaveLength(0);

    await dialog.get('[data-testid="confirm-cancel"]').trigger('click');
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(disableCalls()).toHaveLength(0);

    await wrapper.get('[data-testid="batch-row"][data-batch-id="2"] [data-testid="batch-disable"]').trigger('click');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(disableCalls().map((r) => r.path)).toEqual(['/api/admin/redeem-batches/2/disable']);
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    const row = wrapper.get('[data-testid="batch-row"][data-batch-id="2"]');
    expect(row.attributes('data-status')).toBe('disabled');
    expect(row.get('[data-testid="batch-status"]').text()).toBe('Disabled');
    expect(row.find('[data-testid="batch-disable"]').exists()).toBe(false);
  });

  it('keeps the question open with the error when disabling fails', async () => {
    routes({ 'POST /api/admin/redeem-batches/2/disable': apiError(404, 'REDEEM_BATCH_NOT_FOUND', 'redeem batch 2 not found') });
    const { wrapper } = await mountPage();
    await wrapper.get('[data-testid="batch-row"][data-batch-id="2"] [data-testid="batch-disable"]').trigger('click');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="confirm-error"]').text()).toBe('This batch of codes does not exist.');
    expect(wrapper.get('[data-testid="batch-row"][data-batch-id="2"]').attributes('data-status')).toBe('active');
  });
});

describe('AdminRedeemView: API keys', () => {
  const NEW_KEY: CreatedApiKey = { ...apiKey('4', { name: 'gateway', prefix: 'rk_New1234', scopes: ['charges:write'] }), key: 'rk_New1234secretsecretsecret' };

  it('lists keys with prefix, scopes, last use and status', async () => {
    routes();
    const { wrapper } = await mountPage();
    const rows = wrapper.findAll('[data-testid="api-key-row"]');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.get('[data-testid="api-key-prefix"]').text()).toBe('rk_Xy12abc…');
    expect(rows[0]!.text()).toContain('charges:write');
    expect(rows[0]!.text()).toContain('Never');
    expect(rows[0]!.get('[data-testid="api-key-status"]').text()).toBe('Active');
    expect(rows[1]!.get('[data-testid="api-key-status"]').text()).toBe('Revoked');
    expect(rows[1]!.text()).not.toContain('Never');
    expect(rows[1]!.find('[data-testid="api-key-revoke"]').exists()).toBe(false);
  });

  it('needs a name and a scope before sending', async () => {
    const api = routes({ [CREATE_KEY]: json(201, NEW_KEY) });
    const { wrapper } = await mountPage();
    await wrapper.get('[data-testid="api-key-submit"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="api-key-error"]').text()).toBe('Enter a name.\nChoose at least one scope.');
    expect(api.calls(CREATE_KEY)).toHaveLength(0);
  });

  it('creates a key and shows the secret once, with a copy button, until dismissed', async () => {
    const api = routes({ [CREATE_KEY]: json(201, NEW_KEY) });
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const { wrapper } = await mountPage();

    await wrapper.get('[data-testid="api-key-name"]').setValue(' gateway ');
    await wrapper.get('[data-testid="api-key-scope-charges:write"]').setValue(true);
    await wrapper.get('[data-testid="api-key-submit"]').trigger('click');
    await flushPromises();

    expect(api.calls(CREATE_KEY)[0]!.body).toEqual({ name: 'gateway', scopes: ['charges:write'] });
    const panel = wrapper.get('[data-testid="api-key-secret-panel"]');
    expect(panel.get('[data-testid="api-key-secret"]').text()).toBe('rk_New1234secretsecretsecret');
    expect(panel.get('[data-testid="show-once-warning"]').text()).toContain('This key is shown once.');
    expect(api.calls(KEYS)).toHaveLength(2); // the list is asked for again

    await panel.get('[data-testid="show-once-copy"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledExactlyOnceWith('rk_New1234secretsecretsecret');

    await panel.get('[data-testid="show-once-dismiss"]').trigger('click');
    expect(wrapper.find('[data-testid="api-key-secret-panel"]').exists()).toBe(false);
    expect(wrapper.text()).not.toContain('rk_New1234secretsecretsecret');
  });

  it('revokes a key only after confirming', async () => {
    const api = routes({ 'DELETE /api/admin/api-keys/3': apiKey('3', { revokedAt: '2026-11-26T00:00:00.000Z' }) });
    const { wrapper } = await mountPage();
    const deletes = () => api.requests.filter((r) => r.method === 'DELETE');

    await wrapper.get('[data-testid="api-key-row"][data-key-id="3"] [data-testid="api-key-revoke"]').trigger('click');
    const dialog = wrapper.get('[data-testid="confirm-dialog"]');
    expect(dialog.text()).toContain('Revoke key “api-gateway (production)”?');
    expect(dialog.text()).toContain('rk_Xy12abc…');
    expect(deletes()).toHaveLength(0);

    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await flushPromises();
    expect(wrapper.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(deletes()).toHaveLength(0);

    await wrapper.get('[data-testid="api-key-row"][data-key-id="3"] [data-testid="api-key-revoke"]').trigger('click');
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(deletes().map((r) => r.path)).toEqual(['/api/admin/api-keys/3']);
    const row = wrapper.get('[data-testid="api-key-row"][data-key-id="3"]');
    expect(row.attributes('data-status')).toBe('revoked');
    expect(row.get('[data-testid="api-key-status"]').text()).toBe('Revoked');
  });
});
