import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import CsvExportButton from '../CsvExportButton.vue';
import AdminOrdersView from '../../../views/admin/AdminOrdersView.vue';
import AdminLedgerView from '../../../views/admin/AdminLedgerView.vue';
import { apiError, me, mountSignedIn, stubApi, type SeenRequest } from '../../../__tests__/support';
import { filenameFromContentDisposition, type DownloadedFile } from '../../../api/http';
import { createAppI18n } from '../../../i18n';

const ORDERS_CSV = 'GET /api/admin/payment/orders.csv';
const LEDGER_CSV = 'GET /api/admin/recharge-records.csv';
const ORDERS_TEXT = '\uFEFForder_no,status,provider\r\nPO-PAID,paid,zpay\r\n';

function csv(text: string, filename: string | null): Response {
  const headers: Record<string, string> = { 'Content-Type': 'text/csv; charset=utf-8' };
  if (filename !== null) headers['Content-Disposition'] = `attachment; filename="${filename}"`;
  return new Response(text, { status: 200, headers });
}

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/users/me': me('admin'),
    'GET /api/admin/payment/orders': (req: SeenRequest) => ({ items: [], total: 0, page: Number(req.query.get('page')), pageSize: 20 }),
    'GET /api/admin/recharge-records': (req: SeenRequest) => ({ items: [], total: 0, page: Number(req.query.get('page')), pageSize: 20 }),
    ...extra,
  };
}

// jsdom has no object URLs: put in place for each test, taken away after.
const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
let blobs: Blob[];
let revoked: string[];
let saved: { href: string; download: string }[];

beforeEach(() => {
  localStorage.clear();
  blobs = [];
  revoked = [];
  saved = [];
  URL.createObjectURL = vi.fn((b: Blob) => {
    blobs.push(b);
    return `blob:test/${blobs.length}`;
  });
  URL.revokeObjectURL = vi.fn((url: string) => void revoked.push(url));
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ href: this.getAttribute('href') ?? '', download: this.download });
  });
});

afterEach(() => {
  vi.useRealTimers();
  URL.createObjectURL = original.create;
  URL.revokeObjectURL = original.revoke;
});

describe('orders export', () => {
  it('sends the searched filters ("needs attention" included) with the token and without paging, and saves the file under the server’s name', async () => {
    const api = stubApi(routes({ [ORDERS_CSV]: () => csv(ORDERS_TEXT, 'orders-20261123T101500Z.csv') }));
    const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders');
    await flushPromises();

    await wrapper.get('[data-testid="admin-orders-filter-status"]').setValue('paid');
    await wrapper.get('[data-testid="admin-orders-filter-q"]').setValue(' PO2026 ');
    await wrapper.get('[data-testid="admin-orders-filter-attention"]').setValue(true);
    await wrapper.get('[data-testid="admin-orders-filter-from"]').setValue('2026-11-01');
    await wrapper.get('[data-testid="admin-orders-search"]').trigger('click');
    await flushPromises();

    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const button = wrapper.get('[data-testid="admin-orders-export"]');
    expect(button.text()).toBe('Export CSV');
    await button.trigger('click');
    await flushPromises();

    const calls = api.calls(ORDERS_CSV);
    expect(calls).toHaveLength(1);
    expect(Object.fromEntries(calls[0]!.query)).toEqual({
      status: 'paid',
      q: 'PO2026',
      attention: 'true',
      createdFrom: new Date(2026, 10, 1).toISOString(),
    });
    expect(calls[0]!.headers.get('Authorization')).toBe('Bearer test-token');

    expect(saved).toEqual([{ href: 'blob:test/1', download: 'orders-20261123T101500Z.csv' }]);
    // saved byte for byte as the server sent it, its byte-order mark included
    expect([...new Uint8Array(await blobs[0]!.arrayBuffer())]).toEqual([...new TextEncoder().encode(ORDERS_TEXT)]);
    expect(document.querySelector('a[download]')).toBeNull(); // the temporary link is gone
    expect(revoked).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(revoked).toEqual(['blob:test/1']);
    expect(wrapper.find('[data-testid="admin-orders-export-error"]').exists()).toBe(false);
  });

  it('exports the list shown: filters typed but not searched yet are not sent', async () => {
    const api = stubApi(routes({ [ORDERS_CSV]: () => csv(ORDERS_TEXT, 'orders-x.csv') }));
    const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders');
    await flushPromises();
    await wrapper.get('[data-testid="admin-orders-filter-status"]').setValue('refunded');
    await wrapper.get('[data-testid="admin-orders-export"]').trigger('click');
    await flushPromises();
    expect([...api.calls(ORDERS_CSV)[0]!.query.keys()]).toEqual([]);
  });

  it('shows the server’s words for a refused filter, and saves nothing', async () => {
    stubApi(routes({ [ORDERS_CSV]: apiError(400, 'VALIDATION_FAILED', 'property page should not exist') }));
    const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders');
    await flushPromises();
    await wrapper.get('[data-testid="admin-orders-export"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="admin-orders-export-error"]').text()).toBe('property page should not exist');
    expect(saved).toEqual([]);
    expect(blobs).toEqual([]);
    expect(wrapper.get('[data-testid="admin-orders-export"]').attributes('disabled')).toBeUndefined();
  });

  it('is disabled and says "Exporting…" while the file comes; a second click sends nothing', async () => {
    let answer!: (r: Response) => void;
    const api = stubApi(routes({ [ORDERS_CSV]: () => new Promise<Response>((resolve) => (answer = resolve)) }));
    const { wrapper } = await mountSignedIn(AdminOrdersView, '/admin/orders');
    await flushPromises();
    const button = wrapper.get('[data-testid="admin-orders-export"]');

    await button.trigger('click');
    await flushPromises();
    expect(button.text()).toBe('Exporting…');
    expect(button.attributes('disabled')).toBeDefined();
    expect(button.attributes('aria-busy')).toBe('true');
    await button.trigger('click');
    (button.element as HTMLButtonElement).click();
    await flushPromises();
    expect(api.calls(ORDERS_CSV)).toHaveLength(1);

    answer(csv(ORDERS_TEXT, 'orders-20261123T101500Z.csv'));
    await flushPromises();
    expect(button.text()).toBe('Export CSV');
    expect(button.attributes('disabled')).toBeUndefined();
    expect(saved.map((s) => s.download)).toEqual(['orders-20261123T101500Z.csv']);
  });
});

describe('ledger export', () => {
  it('sends the ledger filters applied, without paging; the button speaks Chinese in zh', async () => {
    const api = stubApi(routes({ [LEDGER_CSV]: () => csv('\uFEFFid,user_id\r\n', 'ledger-20261123T101500Z.csv') }));
    const { wrapper } = await mountSignedIn(AdminLedgerView, '/admin/ledger', 'zh');
    await flushPromises();
    expect(wrapper.get('[data-testid="admin-ledger-export"]').text()).toBe('导出 CSV');

    await wrapper.get('[data-testid="admin-ledger-filter-user"]').setValue('42');
    await wrapper.get('[data-testid="admin-ledger-filter-type"]').setValue('admin');
    await wrapper.get('[data-testid="admin-ledger-filter-to"]').setValue('2026-11-23');
    await wrapper.get('[data-testid="admin-ledger-search"]').trigger('click');
    await flushPromises();
    await wrapper.get('[data-testid="admin-ledger-export"]').trigger('click');
    await flushPromises();

    const q = api.calls(LEDGER_CSV)[0]!.query;
    expect(Object.fromEntries(q)).toEqual({ userId: '42', type: 'admin', to: new Date(2026, 10, 24).toISOString() });
    expect(saved.map((s) => s.download)).toEqual(['ledger-20261123T101500Z.csv']);
  });

  it('cannot export while the user id filter is not a number', async () => {
    stubApi(routes());
    const { wrapper } = await mountSignedIn(AdminLedgerView, '/admin/ledger');
    await flushPromises();
    await wrapper.get('[data-testid="admin-ledger-filter-user"]').setValue('abc');
    expect(wrapper.get('[data-testid="admin-ledger-export"]').attributes('disabled')).toBeDefined();
  });
});

describe('CsvExportButton', () => {
  const mountButton = (download: () => Promise<DownloadedFile>) =>
    mount(CsvExportButton, {
      props: { download, filename: 'orders.csv', testid: 'export' },
      global: { plugins: [createAppI18n('en')] },
    });

  it('uses its own file name when the server gives none', async () => {
    const wrapper = mountButton(() => Promise.resolve({ blob: new Blob(['a\r\n']), filename: null }));
    await wrapper.get('[data-testid="export"]').trigger('click');
    await flushPromises();
    expect(saved.map((s) => s.download)).toEqual(['orders.csv']);
  });

  it('a lost connection says so', async () => {
    stubApi({});
    const fetchFails = vi.fn(() => Promise.reject(new TypeError('Failed to fetch')));
    vi.stubGlobal('fetch', fetchFails);
    const { exportAdminOrdersCsv } = await import('../../../api/admin');
    const wrapper = mountButton(() => exportAdminOrdersCsv({}));
    await wrapper.get('[data-testid="export"]').trigger('click');
    await flushPromises();
    expect(fetchFails).toHaveBeenCalledOnce();
    expect(wrapper.get('[data-testid="export-error"]').text()).toBe('Cannot reach the server. Check your connection and try again.');
  });

  it('the API call drops page and pageSize even when handed them', async () => {
    const api = stubApi({ [ORDERS_CSV]: () => csv('x', 'orders-1.csv'), [LEDGER_CSV]: () => csv('x', 'ledger-1.csv') });
    const { exportAdminLedgerCsv, exportAdminOrdersCsv } = await import('../../../api/admin');
    const orders = await exportAdminOrdersCsv({ status: 'paid', page: 2, pageSize: 20 } as Parameters<typeof exportAdminOrdersCsv>[0]);
    await exportAdminLedgerCsv({ userId: '42', page: 1, pageSize: 20 } as Parameters<typeof exportAdminLedgerCsv>[0]);
    expect(Object.fromEntries(api.calls(ORDERS_CSV)[0]!.query)).toEqual({ status: 'paid' });
    expect(Object.fromEntries(api.calls(LEDGER_CSV)[0]!.query)).toEqual({ userId: '42' });
    expect(orders.filename).toBe('orders-1.csv');
    expect(await orders.blob.text()).toBe('x');
  });
});

describe('filenameFromContentDisposition', () => {
  it.each([
    ['attachment; filename="orders-20261123T101500Z.csv"', 'orders-20261123T101500Z.csv'],
    ['attachment; filename=ledger-20261123T101500Z.csv', 'ledger-20261123T101500Z.csv'],
    ['attachment; FILENAME="a b.csv"; size=3', 'a b.csv'],
    [`attachment; filename="fallback.csv"; filename*=UTF-8''%E8%AE%A2%E5%8D%95.csv`, '订单.csv'],
    ['attachment; filename="../../etc/passwd"', 'passwd'],
    ['attachment; filename="C:\\\\temp\\\\x.csv"', 'x.csv'],
    ['attachment', null],
    ['attachment; filename=""', null],
    [null, null],
  ])('%j → %j', (header, name) => {
    expect(filenameFromContentDisposition(header)).toBe(name);
  });
});
