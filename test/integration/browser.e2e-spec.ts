/// <reference lib="dom" />
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { bearer, registerAdmin, registerUser } from '../support/factories';
import { BrowserHarness, SHOTS, describeInBrowser, expectText, openAdminSection, pageOverflow, startBrowserHarness } from '../support/browser';

describeInBrowser('the web app in a real browser', () => {
  let h: BrowserHarness;
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    h = await startBrowserHarness();
    ({ t, baseUrl } = h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const phonePage = (): Promise<Page> => h.newPage('phone', 'en');
  const signInAs = (page: Page, email: string, password: string): Promise<void> => h.signInAs(page, email, password);

  it('registers, shows the balance, follows a credit, switches language and logs out', async () => {
    const page = await phonePage();
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(/\/login/);

    await page.getByTestId('auth-mode-register').click();
    await page.getByTestId('email').fill('browser@example.test');
    await page.getByTestId('username').fill('browser_user');
    await page.getByTestId('password').fill('browser password 1');
    await page.getByTestId('auth-submit').click();

    await page.waitForURL(`${baseUrl}/`);
    await expectText(page, 'current-user', 'browser_user');
    await expectText(page, 'balance', '0.00');

    const admin = await registerAdmin(t.http, t.db);
    const [{ id }] = await t.db.query(`SELECT id FROM users WHERE email = 'browser@example.test'`);
    await t.http
      .post(`/api/admin/users/${id}/balance-adjustments`)
      .set(bearer(admin))
      .send({ amount: '12.5', remark: 'browser test' })
      .expect(201);
    await page.reload();
    await expectText(page, 'balance', '12.50');
    await page.screenshot({ path: join(SHOTS, 'home-phone.png'), fullPage: true });

    const englishTitle = await page.title();
    await page.getByTestId('locale-select').selectOption('zh');
    await page.reload();
    expect(await page.getByTestId('locale-select').inputValue()).toBe('zh');
    expect(await page.locator('html').getAttribute('lang')).toMatch(/^zh/);
    expect(await page.title()).not.toBe(englishTitle);

    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
  });

  it('recharges through the sandbox: package, preview, checkout page, Pay, result page, records', async () => {
    const page = await phonePage();
    await page.goto(`${baseUrl}/login`);
    await page.getByTestId('auth-mode-register').click();
    await page.getByTestId('email').fill('payer@example.test');
    await page.getByTestId('username').fill('payer_user');
    await page.getByTestId('password').fill('payer password 1');
    await page.getByTestId('auth-submit').click();
    await page.waitForURL(`${baseUrl}/`);

    await page.getByTestId('nav-recharge').click();
    await page.waitForURL(/\/recharge/);
    await page.getByTestId('promotion-banner').waitFor();
    await page.getByTestId('package-100.00').click();
    await page.getByTestId('provider-sandbox').click();
    await page.getByTestId('method-alipay').click();
    // USD at 2 decimals for users, the exact amount in the title.
    await expectText(page, 'preview-usd', '13.89');
    await expectText(page, 'preview-bonus', '4.17');
    await expectText(page, 'preview-total', '18.06');
    expect(await page.getByTestId('preview-usd').locator('.money').getAttribute('title')).toBe('13.88888889');
    expect(await page.getByTestId('preview-total').locator('.money').getAttribute('title')).toBe('18.05555556');
    await page.screenshot({ path: join(SHOTS, 'recharge-phone.png'), fullPage: true });

    await page.getByTestId('recharge-submit').click();
    await page.waitForURL(/\/api\/payment\/sandbox\/checkout\//);
    await expectText(page, 'sandbox-amount', '¥100.00');
    await page.getByTestId('sandbox-pay').click();

    await page.waitForURL(/\/payment\/result\?out_trade_no=/);
    await page.waitForSelector('[data-testid="result-status"][data-status="paid"]', { timeout: 15_000 });
    await expectText(page, 'result-total', '18.06');
    expect(await page.getByTestId('result-total').getAttribute('title')).toBe('18.05555556');
    await page.screenshot({ path: join(SHOTS, 'result-phone.png'), fullPage: true });

    const [{ balance }] = await t.db.query(`SELECT balance FROM users WHERE email = 'payer@example.test'`);
    expect(balance).toBe('18.05555556');

    await page.getByTestId('nav-records').click();
    await page.waitForURL(/\/records/);
    await page.getByTestId('records-row').first().waitFor();
    expect(await page.getByTestId('records-row').count()).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'records-phone.png'), fullPage: true });

    await page.getByTestId('nav-referral').click();
    await page.waitForURL(/\/referral/);
    await expectText(page, 'referral-code', '');
    expect(await page.getByTestId('referral-link').textContent()).toMatch(/\?code=[23456789A-HJKMNP-Z]{8}/);
    await page.screenshot({ path: join(SHOTS, 'referral-phone.png'), fullPage: true });
  });

  it('lets an admin find a paid order, read its raw callback and refund it', async () => {
    const payer = await registerUser(t.http);
    const created = await t.http
      .post('/api/payment/orders')
      .set(bearer(payer))
      .send({ amountCny: '50.00', provider: 'sandbox', method: 'wxpay' })
      .expect(201);
    await t.http.post(`${new URL(created.body.paymentUrl).pathname}/pay`).expect(303);
    const admin = await registerAdmin(t.http, t.db);

    const page = await phonePage();
    await page.goto(`${baseUrl}/login`);
    await page.getByTestId('email').fill(admin.email);
    await page.getByTestId('password').fill(admin.password);
    await page.getByTestId('auth-submit').click();
    await page.waitForURL(`${baseUrl}/`);
    await page.getByTestId('nav-admin').click();
    await page.waitForURL(/\/admin/);
    await page.getByTestId('admin-stats-today').waitFor();
    await page.screenshot({ path: join(SHOTS, 'admin-dashboard-phone.png'), fullPage: true });

    await openAdminSection(page, 'orders');
    await page.getByTestId('admin-orders-filter-q').fill(created.body.orderNo);
    await page.getByTestId('admin-orders-search').click();
    await page.locator(`[data-testid="admin-order-row"][data-order-no="${created.body.orderNo}"]`).click();
    await page.getByTestId('admin-order-detail').waitFor();
    await page.waitForSelector('[data-testid="admin-order-status"][data-status="paid"]');
    await expectText(page, 'admin-callback', `out_trade_no=${created.body.orderNo}`);
    expect(await page.getByTestId('admin-ledger-row').count()).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'admin-order-phone.png'), fullPage: true });

    await page.getByTestId('admin-refund').click();
    await page.getByTestId('admin-action-remark').fill('customer asked');
    await page.getByTestId('admin-action-submit').click();
    await page.waitForSelector('[data-testid="admin-order-status"][data-status="refunded"]', { timeout: 10_000 });
    const [row] = await t.db.query(
      `SELECT o.status, u.balance FROM payment_orders o JOIN users u ON u.id = o.user_id WHERE o.order_no = $1`,
      [created.body.orderNo],
    );
    expect(row).toEqual({ status: 'refunded', balance: '0.00000000' });
  });

  it('redeem codes: an admin creates a batch and sees its codes once, a user redeems one, the batch shows the redemption', async () => {
    const admin = await registerAdmin(t.http, t.db);
    const adminPage = await phonePage();
    await signInAs(adminPage, admin.email, admin.password);
    await adminPage.getByTestId('nav-admin').click();
    await openAdminSection(adminPage, 'redeem');
    await adminPage.waitForURL(/\/admin\/redeem$/);

    await adminPage.getByTestId('batch-count').fill('2');
    await adminPage.getByTestId('batch-amount').fill('2.5');
    await adminPage.getByTestId('batch-note').fill('browser test batch');
    await adminPage.getByTestId('batch-submit').click();
    const panel = adminPage.getByTestId('batch-codes');
    await panel.waitFor();
    await expectText(adminPage, 'show-once-warning', 'These codes are shown once. Download or copy them now.');
    const batchId = await panel.getAttribute('data-batch-id');
    const codes = await adminPage.getByTestId('batch-code').allTextContents();
    expect(codes).toHaveLength(2);
    for (const code of codes) expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    const row = adminPage.locator(`[data-testid="batch-row"][data-batch-id="${batchId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await row.getByTestId('batch-usage').getAttribute('data-redemptions')).toBe('0');
    expect(await pageOverflow(adminPage)).toBe(0);
    await adminPage.screenshot({ path: join(SHOTS, 'admin-redeem-phone.png'), fullPage: true });

    const user = await registerUser(t.http);
    const userPage = await phonePage();
    await signInAs(userPage, user.email, user.password);
    await userPage.getByTestId('nav-recharge').click();
    await userPage.waitForURL(/\/recharge/);
    expect(await userPage.getByTestId('redeem-submit').isDisabled()).toBe(true);
    await userPage.getByTestId('redeem-code').fill(codes[0]!.toLowerCase()); // shown upper case, sent upper case
    await userPage.getByTestId('redeem-submit').click();
    await expectText(userPage, 'redeem-success', '2.50 USD was added to your balance. Your balance is now 2.50 USD.');
    expect(await pageOverflow(userPage)).toBe(0);
    await userPage.screenshot({ path: join(SHOTS, 'recharge-redeem-phone.png'), fullPage: true });
    const [{ balance }] = await t.db.query(`SELECT balance FROM users WHERE id = $1`, [user.id]);
    expect(balance).toBe('2.50000000');
    await userPage.getByTestId('nav-home').click();
    await expectText(userPage, 'balance', '2.50');

    // The same code again: the translated 409.
    await userPage.getByTestId('nav-recharge').click();
    await userPage.getByTestId('redeem-code').fill(codes[0]!);
    await userPage.getByTestId('redeem-submit').click();
    await expectText(userPage, 'redeem-error', 'You have already redeemed this code.');

    // The codes are gone once dismissed; the list shows the redemption.
    await panel.getByTestId('show-once-dismiss').click();
    expect(await adminPage.getByTestId('batch-codes').count()).toBe(0);
    await adminPage.reload();
    await row.waitFor();
    expect(await row.getByTestId('batch-usage').getAttribute('data-redemptions')).toBe('1');
    expect(await row.getByTestId('batch-usage').textContent()).toContain('1 / 2 codes, 1 redemption, 2.50 USD');
  });

  it('shows the server’s reason when login fails, and pre-fills an invite code from the link', async () => {
    const page = await phonePage();
    await page.goto(`${baseUrl}/login`);
    await page.getByTestId('email').fill('nobody@example.test');
    await page.getByTestId('password').fill('wrong password');
    await page.getByTestId('auth-submit').click();
    await expectText(page, 'auth-error', /email or password/i);

    await page.goto(`${baseUrl}/login?code=K7QX2M9P`);
    expect(await page.getByTestId('invite-code').inputValue()).toBe('K7QX2M9P');
    await page.screenshot({ path: join(SHOTS, 'register-with-code-phone.png'), fullPage: true });
  });
});
