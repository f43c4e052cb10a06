/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { BrowserHarness, SHOTS, UiLocale, Viewport, describeInBrowser, expectText, openAdminSection, pageOverflow, startBrowserHarness } from '../support/browser';

/** Letters only: an email or username with no digit in it cannot match a search for a user id by accident. */
const letters = (n: number) =>
  Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join('');

/** A real browser over a real app: more than Jest's default 5 s per test. */
const BROWSER_TEST_MS = 60_000;

/** What each language shows for the steps checked below. */
const TEXTS: Record<UiLocale, Record<string, string>> = {
  en: {
    usersTab: 'Users',
    title: 'User details',
    active: 'Active',
    disabled: 'Disabled',
    adjustDone: 'New balance:',
    disableTitle: 'Disable',
    disabledDone: 'The account is disabled.',
    enabledDone: 'The account is enabled.',
    tier0: 'Tier 0',
    rewarded: 'Rewarded',
    growthTab: 'Invites & bonus',
    invites: 'Invites',
  },
  zh: {
    usersTab: '用户',
    title: '用户详情',
    active: '正常',
    disabled: '已停用',
    adjustDone: '当前余额',
    disableTitle: '停用',
    disabledDone: '账号已停用。',
    enabledDone: '账号已启用。',
    tier0: '第 0 档',
    rewarded: '已奖励',
    growthTab: '邀请与赠送',
    invites: '邀请',
  },
};

/** A decimal string as admins see it: every stored digit, at least 2 decimals ("12.50000000" → "12.50"). */
function adminUsd(value: string): string {
  const [int, frac = ''] = value.split('.');
  const trimmed = frac.replace(/0+$/, '').padEnd(2, '0');
  return `${Number(int).toLocaleString('en-US')}.${trimmed}`;
}

describeInBrowser('admin users and invites & bonus pages in a real browser', () => {
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

  async function balanceOf(user: TestUser): Promise<string> {
    const [{ balance }] = await t.db.query(`SELECT balance FROM users WHERE id = $1`, [user.id]);
    return balance as string;
  }

  /** A paid sandbox order of `amountCny` for `user`; answers its order number. */
  async function paidOrder(user: TestUser, amountCny: string): Promise<string> {
    const created = await t.http
      .post('/api/payment/orders')
      .set(bearer(user))
      .send({ amountCny, provider: 'sandbox', method: 'alipay' })
      .expect(201);
    await t.http.post(`${new URL(created.body.paymentUrl).pathname}/pay`).expect(303);
    return created.body.orderNo as string;
  }

  async function openAdminTab(page: Page, admin: TestUser, tab: 'users' | 'growth', text: string): Promise<void> {
    await h.signInAs(page, admin.email, admin.password);
    await page.goto(`${baseUrl}/admin`);
    await openAdminSection(page, tab, text);
    await page.waitForURL(new RegExp(`/admin/${tab}$`));
  }

  async function search(page: Page, q: string): Promise<void> {
    await page.getByTestId('admin-users-filter-q').fill(q);
    await page.getByTestId('admin-users-search').click();
  }

  async function changeStatus(page: Page, button: 'disable' | 'enable', remark: string): Promise<void> {
    await page.getByTestId(`admin-user-${button}`).click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('admin-user-status-remark').fill(remark);
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
  }

  it.each([
    ['desktop', 'en'],
    ['phone', 'zh'],
  ] as [Viewport, UiLocale][])(
    'users (%s, %s): finds a user by email and by id, adjusts the balance, disables and enables the account',
    async (viewport, locale) => {
      const text = TEXTS[locale];
      const admin = await registerAdmin(t.http, t.db);
      const name = letters(10);
      const target = await registerUser(t.http, { email: `target-${name}@example.test`, username: `target_${name}` });
      const orderNo = await paidOrder(target, '50.00');
      const before = await balanceOf(target);

      const page = await h.newPage(viewport, locale);
      await openAdminTab(page, admin, 'users', text.usersTab);

      // By email: exactly this user.
      await search(page, target.email);
      const row = page.locator(`[data-testid="admin-user-row"][data-user-id="${target.id}"]`);
      await row.waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="admin-user-row"]').length === 1);
      expect(await row.getByTestId('admin-user-row-balance').textContent()).toContain(adminUsd(before));

      // By id: the email and username hold no digit, so only the id can match.
      await search(page, 'nobody-matches-this');
      await page.getByTestId('admin-users-empty').waitFor();
      await search(page, target.id);
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('active');
      if (viewport === 'phone') expect(await pageOverflow(page)).toBe(0);

      await row.click();
      const panel = page.getByTestId('admin-user-detail');
      await panel.waitFor();
      expect(await panel.textContent()).toContain(text.title);
      await expectText(page, 'admin-user-email', target.email);
      await expectText(page, 'admin-user-status', text.active);
      await expectText(page, 'admin-user-balance', adminUsd(before));
      await page.locator(`[data-testid="admin-user-order-row"][data-order-no="${orderNo}"]`).waitFor();
      expect(await page.getByTestId('admin-user-ledger-row').count()).toBeGreaterThanOrEqual(1);
      if (viewport === 'phone') {
        // Full width on a phone, and nothing wider than the screen.
        const box = await panel.boundingBox();
        expect(box?.width).toBe(390);
        expect(await pageOverflow(page)).toBe(0);
      }

      // Adjust: +2.12345678 USD. The new balance shows in the panel and the row, and the ledger has the row.
      const remark = `browser goodwill ${name}`;
      await page.getByTestId('adjust-amount').fill('2.12345678');
      await page.getByTestId('adjust-remark').fill(remark);
      await page.getByTestId('adjust-submit').click();
      await expectText(page, 'adjust-result', text.adjustDone);
      const after = await balanceOf(target);
      const [{ expected }] = await t.db.query(`SELECT ($1::numeric + 2.12345678)::numeric(20,8)::text AS expected`, [before]);
      expect(after).toBe(expected);
      await expectText(page, 'admin-user-balance', adminUsd(after));
      expect(await row.getByTestId('admin-user-row-balance').textContent()).toContain(adminUsd(after));
      const ledgerRow = page.locator('[data-testid="admin-user-ledger-row"]', { hasText: remark });
      await ledgerRow.waitFor();
      expect(await ledgerRow.getAttribute('data-type')).toBe('admin');
      expect((await ledgerRow.getByTestId('admin-user-ledger-amount').textContent())?.trim()).toBe('+2.12345678');
      await page.screenshot({ path: join(SHOTS, `admin-user-${viewport}-${locale}.png`), fullPage: true });

      // Disable: asked first, then the status shows and the user's own calls are refused.
      await changeStatus(page, 'disable', 'browser test: disable');
      await page.waitForSelector('[data-testid="admin-user-detail"][data-status="disabled"]');
      await expectText(page, 'admin-user-status', text.disabled);
      await expectText(page, 'admin-user-status-done', text.disabledDone);
      expect(await row.getAttribute('data-status')).toBe('disabled');
      const refused = await t.http.get('/api/users/me').set(bearer(target));
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('AUTH_USER_DISABLED');
      await t.http.post('/api/auth/login').send({ email: target.email, password: target.password }).expect(403);

      // Enable again: the user can sign in again.
      await changeStatus(page, 'enable', 'browser test: enable');
      await page.waitForSelector('[data-testid="admin-user-detail"][data-status="active"]');
      await expectText(page, 'admin-user-status', text.active);
      await expectText(page, 'admin-user-status-done', text.enabledDone);
      expect(await row.getAttribute('data-status')).toBe('active');
      const login = await t.http.post('/api/auth/login').send({ email: target.email, password: target.password });
      expect(login.status).toBeLessThan(300);
      await t.http.get('/api/users/me').set(bearer(login.body)).expect(200);

      if (viewport === 'phone') expect(await pageOverflow(page)).toBe(0);
    },
    BROWSER_TEST_MS,
  );

  it('users: an admin cannot disable their own account, and is told why', async () => {
    const admin = await registerAdmin(t.http, t.db);
    const page = await h.newPage('desktop', 'en');
    await openAdminTab(page, admin, 'users', TEXTS.en.usersTab);
    await search(page, admin.email);
    await page.locator(`[data-testid="admin-user-row"][data-user-id="${admin.id}"]`).click();
    await page.getByTestId('admin-user-disable').click();
    await page.getByTestId('admin-user-status-remark').fill('oops');
    await page.getByTestId('confirm-ok').click();
    await expectText(page, 'confirm-error', 'you cannot disable your own account');
    const [{ status }] = await t.db.query(`SELECT status FROM users WHERE id = $1`, [admin.id]);
    expect(status).toBe('active');
  }, BROWSER_TEST_MS);

  it.each([
    ['phone', 'en'],
    ['desktop', 'zh'],
  ] as [Viewport, UiLocale][])('invites & bonus (%s, %s): a bonus granted in the first 24 hours is under tier 0, and the invite is listed', async (viewport, locale) => {
    const text = TEXTS[locale];
    const admin = await registerAdmin(t.http, t.db);
    const referrer = await registerUser(t.http);
    const code = (await t.http.get('/api/users/referral/info').set(bearer(referrer)).expect(200)).body.code as string;
    const invitee = await registerUser(t.http, { inviteCode: code });
    const tier0Before =
      ((await t.http.get('/api/admin/promotions/stats').set(bearer(admin)).expect(200)).body.byTier as { tier: number; count: number }[]).find(
        (r) => r.tier === 0,
      )?.count ?? 0;

    // Paid right after registering: the first tier; 50 CNY also qualifies the invite and rewards the referrer.
    await paidOrder(invitee, '50.00');
    const [bonus] = await t.db.query(`SELECT tier FROM promotion_records WHERE user_id = $1`, [invitee.id]);
    expect(bonus.tier).toBe(0);

    const page = await h.newPage(viewport, locale);
    await openAdminTab(page, admin, 'growth', text.growthTab);

    const tier0 = page.locator('[data-testid="growth-tier-row"][data-tier="0"]');
    await tier0.waitFor();
    expect((await tier0.getByTestId('growth-tier-label').textContent())?.trim()).toBe(text.tier0);
    expect(Number(await tier0.getByTestId('growth-tier-count').textContent())).toBeGreaterThanOrEqual(tier0Before + 1);
    expect(await page.getByTestId('growth-enabled').getAttribute('data-enabled')).toBe('true');

    await page.getByTestId('growth-filter-invitee').fill(invitee.id);
    await page.getByTestId('growth-search').click();
    await expectText(page, 'growth-invites-total', '1');
    const invite = page.getByTestId('growth-invite-row');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="growth-invite-row"]').length === 1);
    expect(await invite.getByTestId('growth-invite-invitee').textContent()).toContain(invitee.username);
    expect(await invite.getByTestId('growth-invite-referrer').textContent()).toContain(referrer.username);
    expect(await invite.getByTestId('growth-invite-recharged').textContent()).toContain('¥50.00');
    expect(await invite.getAttribute('data-status')).toBe('rewarded');
    expect((await invite.getByTestId('growth-invite-status').textContent())?.trim()).toBe(text.rewarded);
    expect((await invite.getByTestId('growth-invite-reward').textContent())?.trim()).toBe('10.00');
    expect(await page.textContent('body')).toContain(text.invites);

    if (viewport === 'phone') expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `admin-growth-${viewport}-${locale}.png`), fullPage: true });
  }, BROWSER_TEST_MS);
});
