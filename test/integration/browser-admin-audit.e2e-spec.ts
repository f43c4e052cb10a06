/// <reference lib="dom" />
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Download, Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { BrowserHarness, SHOTS, UiLocale, Viewport, describeInBrowser, expectText, openAdminSection, pageOverflow, startBrowserHarness } from '../support/browser';

const BOM = '\ufeff';
const ORDERS_HEADER =
  'order_no,status,provider,payment_method,user_id,username,user_email,amount_cny,amount_usd,bonus_usd,total_usd,' +
  'exchange_rate,promotion_tier,trade_no,needs_attention,created_at,paid_at,expire_at,pay_currency,pay_amount,pay_rate,pay_address';
const LEDGER_HEADER = 'id,user_id,type,amount_usd,balance_before_usd,balance_after_usd,operator,related_id,remark,created_at';

/** The lines of a downloaded CSV file: the byte-order mark checked and dropped, CRLF or LF. */
async function downloadedLines(download: Download): Promise<string[]> {
  const path = await download.path();
  const text = await readFile(path, 'utf8');
  expect(text.startsWith(BOM)).toBe(true);
  return text.slice(1).trimEnd().split(/\r?\n/);
}

/** The cells of a CSV line (the cells checked here hold no quotes, commas or newlines). */
const cells = (line: string) => line.split(',');

const VIEWS: [Viewport, UiLocale][] = [
  ['desktop', 'en'],
  ['phone', 'zh'],
];

describeInBrowser('the admin audit log and CSV exports in a real browser', () => {
  let h: BrowserHarness;
  let t: TestApp;
  let baseUrl: string;
  let admin: TestUser;
  let user: TestUser;
  let orderNo: string;
  let adjustment: { id: string; balanceBefore: string; balanceAfter: string };
  const remark = `Goodwill credit ticket ${Date.now()}`;
  const pages: Page[] = [];

  beforeAll(async () => {
    h = await startBrowserHarness();
    ({ t, baseUrl } = h);
    admin = await registerAdmin(t.http, t.db);
    user = await registerUser(t.http);

    // A paid order of the user's (before the account is disabled)…
    const created = await t.http
      .post('/api/payment/orders')
      .set(bearer(user))
      .send({ amountCny: '50.00', provider: 'sandbox', method: 'wxpay' })
      .expect(201);
    orderNo = created.body.orderNo;
    await t.http.post(`${new URL(created.body.paymentUrl).pathname}/pay`).expect(303);

    // …then two admin actions on the user, through the API: a credit with every digit used, and a disable.
    const credit = await t.http
      .post(`/api/admin/users/${user.id}/balance-adjustments`)
      .set(bearer(admin))
      .send({ amount: '5.12345678', remark })
      .expect(201);
    adjustment = credit.body;
    await t.http.post(`/api/admin/users/${user.id}/status`).set(bearer(admin)).send({ status: 'disabled', remark: 'Chargeback fraud' }).expect(200);

    // Someone else's order and ledger row, which a filtered export must leave out.
    const other = await registerUser(t.http);
    await t.http.post('/api/payment/orders').set(bearer(other)).send({ amountCny: '20.00', provider: 'sandbox', method: 'alipay' }).expect(201);
    await t.http.post(`/api/admin/users/${other.id}/balance-adjustments`).set(bearer(admin)).send({ amount: '1', remark: 'other user' }).expect(201);
  });

  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
  });

  afterAll(async () => {
    await h?.close();
  });

  async function adminPage(viewport: Viewport, locale: UiLocale): Promise<Page> {
    const page = await h.newPage(viewport, locale);
    pages.push(page);
    await h.signInAs(page, admin.email, admin.password);
    return page;
  }

  const row = (page: Page, action: string) => page.locator(`[data-testid="audit-row"][data-action="${action}"]`);

  it.each(VIEWS)('the audit log on a %s in %s: lists the actions with their remarks, filters by action, shows the diff', async (viewport, locale) => {
    const page = await adminPage(viewport, locale);
    await page.getByTestId('nav-admin').click();
    await openAdminSection(page, 'audit');
    await page.waitForURL(/\/admin\/audit$/);

    // The link an admin would follow from the user: only this user's entries.
    await page.goto(`${baseUrl}/admin/audit?targetType=user&targetId=${user.id}`);
    await row(page, 'balance.adjust').waitFor();
    await row(page, 'user.status').waitFor();
    expect(await page.getByTestId('audit-row').count()).toBe(2);
    await expectText(page, 'audit-total', locale === 'zh' ? '共 2 条' : 'Entries found: 2');
    expect(await row(page, 'balance.adjust').getByTestId('audit-remark').textContent()).toBe(remark);
    expect(await row(page, 'user.status').getByTestId('audit-remark').textContent()).toBe('Chargeback fraud');
    expect(await row(page, 'balance.adjust').getByTestId('audit-admin').textContent()).toBe(admin.email);
    expect(await row(page, 'balance.adjust').getByTestId('audit-action').textContent()).toBe(locale === 'zh' ? '调整余额' : 'Balance adjusted');
    expect(await page.getByTestId('audit-filter-target-id').inputValue()).toBe(user.id);

    // Filter by action: the URL carries it, only that action is left.
    await page.getByTestId('audit-filter-action').selectOption('user.status');
    await page.getByTestId('audit-search').click();
    await page.waitForURL(/[?&]action=user\.status/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-row"][data-action="balance.adjust"]').length === 0);
    expect(await page.getByTestId('audit-row').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('targetId')).toBe(user.id);

    // The disable: status active → disabled.
    await row(page, 'user.status').getByTestId('audit-diff-toggle').click();
    const status = row(page, 'user.status').locator('[data-testid="audit-diff-row"][data-key="status"]');
    await status.waitFor();
    expect(await status.getAttribute('data-change')).toBe('changed');
    expect(await status.getByTestId('audit-diff-before').textContent()).toBe('active');
    expect(await status.getByTestId('audit-diff-after').textContent()).toBe('disabled');
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `admin-audit-status-${viewport}.png`), fullPage: true });

    // The credit: the balance before and after, every digit; the amount and the ledger row as added fields.
    await page.getByTestId('audit-filter-action').selectOption('balance.adjust');
    await page.getByTestId('audit-search').click();
    await page.waitForURL(/[?&]action=balance\.adjust/);
    await row(page, 'balance.adjust').getByTestId('audit-diff-toggle').click();
    const diff = row(page, 'balance.adjust').getByTestId('audit-diff');
    await diff.waitFor();
    const balance = diff.locator('[data-testid="audit-diff-row"][data-key="balance"]');
    expect(await balance.getAttribute('data-change')).toBe('changed');
    expect(await balance.getByTestId('audit-diff-before').textContent()).toBe(adjustment.balanceBefore);
    expect(await balance.getByTestId('audit-diff-after').textContent()).toBe(adjustment.balanceAfter);
    const amount = diff.locator('[data-testid="audit-diff-row"][data-key="amount"]');
    expect(await amount.getAttribute('data-change')).toBe('added');
    expect(await amount.getByTestId('audit-diff-after').textContent()).toBe('5.12345678');
    expect(await diff.locator('[data-testid="audit-diff-row"][data-key="rechargeRecordId"]').getByTestId('audit-diff-after').textContent()).toBe(
      adjustment.id,
    );
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `admin-audit-${viewport}.png`), fullPage: true });
  });

  it.each(VIEWS)('exports the filtered order list as CSV on a %s in %s, and the export is in the audit log', async (viewport, locale) => {
    const page = await adminPage(viewport, locale);
    await page.goto(`${baseUrl}/admin/orders`);
    await page.getByTestId('admin-order-row').first().waitFor();
    await page.getByTestId('admin-orders-filter-q').fill(orderNo);
    await page.getByTestId('admin-orders-search').click();
    await page.waitForFunction((no) => {
      const rows = Array.from(document.querySelectorAll('[data-testid="admin-order-row"]'));
      return rows.length === 1 && rows[0]!.getAttribute('data-order-no') === no;
    }, orderNo);

    const button = page.getByTestId('admin-orders-export');
    expect(await button.textContent()).toContain(locale === 'zh' ? '导出 CSV' : 'Export CSV');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^orders-\d{8}T\d{6}Z\.csv$/);
    const lines = await downloadedLines(download);
    expect(lines[0]).toBe(ORDERS_HEADER);
    // Only the order the list shows: the search went with the export.
    expect(lines).toHaveLength(2);
    const [no, status, provider, , userId] = cells(lines[1]!);
    expect([no, status, provider, userId]).toEqual([orderNo, 'paid', 'sandbox', user.id]);
    await page.waitForFunction(() => !(document.querySelector('[data-testid="admin-orders-export"]') as HTMLButtonElement).disabled);
    expect(await page.getByTestId('admin-orders-export-error').count()).toBe(0);
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `admin-orders-export-${viewport}.png`), fullPage: true });

    // The export is audited with its filter, shown flattened in the diff.
    await page.goto(`${baseUrl}/admin/audit?action=orders.export&adminId=${admin.id}`);
    const newest = page.getByTestId('audit-row').first();
    await newest.waitFor();
    expect(await newest.getAttribute('data-action')).toBe('orders.export');
    await newest.getByTestId('audit-diff-toggle').click();
    const search = newest.locator('[data-testid="audit-diff-row"][data-key="filter.search"]');
    await search.waitFor();
    expect(await search.getAttribute('data-change')).toBe('added');
    expect(await search.getByTestId('audit-diff-after').textContent()).toBe(orderNo);
    expect(await pageOverflow(page)).toBe(0);
  });

  it.each(VIEWS)('exports the ledger filtered by user as CSV on a %s in %s', async (viewport, locale) => {
    const page = await adminPage(viewport, locale);
    await page.goto(`${baseUrl}/admin/ledger`);
    await page.getByTestId('admin-global-ledger-row').first().waitFor();
    await page.getByTestId('admin-ledger-filter-user').fill(user.id);
    await page.getByTestId('admin-ledger-search').click();
    await page.locator('[data-testid="admin-global-ledger-row"]', { hasText: remark }).waitFor();
    // The list shows this user's rows only (the filter is applied).
    await page.waitForFunction((id) => {
      const users = Array.from(document.querySelectorAll('[data-testid="admin-global-ledger-user"]'));
      return users.length > 0 && users.every((u) => (u.textContent ?? '').trim().endsWith(`#${id}`));
    }, user.id);

    const button = page.getByTestId('admin-ledger-export');
    expect(await button.textContent()).toContain(locale === 'zh' ? '导出 CSV' : 'Export CSV');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^ledger-\d{8}T\d{6}Z\.csv$/);
    const lines = await downloadedLines(download);
    expect(lines[0]).toBe(LEDGER_HEADER);
    const rows = lines.slice(1).map(cells);
    // The user's payment, its new-user bonus and the credit; nobody else's rows.
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => r[1] === user.id)).toBe(true);
    const credit = rows.find((r) => r[0] === adjustment.id);
    expect(credit).toBeDefined();
    expect(credit!.slice(2, 7)).toEqual(['admin', '5.12345678', adjustment.balanceBefore, adjustment.balanceAfter, admin.email]);
    expect(credit![8]).toBe(remark);
    expect(rows.some((r) => r[2] === 'payment' && r[7] === orderNo)).toBe(true);
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `admin-ledger-export-${viewport}.png`), fullPage: true });
  });
});
