/// <reference lib="dom" />
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { BrowserHarness, SHOTS, describeInBrowser, expectText, openAdminSection, startBrowserHarness } from '../support/browser';

/** A real browser over a real app: more than Jest's default 5 s per test. */
const BROWSER_TEST_MS = 90_000;
/**
 * Campaigns apply to every user's orders, and the database is shared with the other test files: this one only
 * applies to orders of at least ¥9,999.99 (the configured maximum is ¥10,000), and it is ended when the test is done.
 */
const MIN_CNY = '9999.99';

/** The admin's Campaigns page creates a campaign; the recharge page shows its offer for the amount typed. */
describeInBrowser('campaigns in a real browser', () => {
  let h: BrowserHarness;
  let t: TestApp;
  let baseUrl: string;
  let admin: TestUser;
  let user: TestUser;
  const campaignIds = new Set<string>();
  const pages: Page[] = [];

  beforeAll(async () => {
    h = await startBrowserHarness();
    ({ t, baseUrl } = h);
    admin = await registerAdmin(t.http, t.db);
    user = await registerUser(t.http);
  });

  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
  });

  afterAll(async () => {
    // Ended by the test itself when it got that far; a 409 here is fine.
    for (const id of campaignIds) await t?.http.post(`/api/admin/campaigns/${id}/end`).set(bearer(admin));
    await h?.close();
  });

  /** The offers the API answers the user for an amount, once they name `name` (instances keep the running campaigns for a few seconds). */
  async function offersNaming(name: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await t.http.get(`/api/payment/offers?amountCny=${MIN_CNY}`).set(bearer(user)).expect(200);
      if ((res.body.campaigns as { name: string }[]).some((c) => c.name === name)) return;
      if (Date.now() > deadline) throw new Error(`no offer of ${name}: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it(
    'an admin creates a campaign through the form; the recharge page offers it for the amount typed; the admin ends it',
    async () => {
      const name = `Browser campaign ${Date.now()}`;
      const adminPage = await h.newPage('desktop', 'en');
      pages.push(adminPage);
      await h.signInAs(adminPage, admin.email, admin.password);
      await adminPage.goto(`${baseUrl}/admin`);
      await openAdminSection(adminPage, 'campaigns', 'Campaigns');
      await adminPage.waitForURL(/\/admin\/campaigns$/);

      await adminPage.getByTestId('campaign-new').click();
      const form = adminPage.getByTestId('campaign-edit');
      await form.getByTestId('campaign-name').fill(name);
      await form.getByTestId('campaign-stacking-stackable').check();
      // Starts this minute, in the browser's own time zone (a datetime-local value), and ends in an hour.
      const [startsAt, endsAt] = await adminPage.evaluate(() => {
        const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
        const now = new Date();
        return [local(now), local(new Date(now.getTime() + 3_600_000))];
      });
      await form.getByTestId('campaign-starts-at').fill(startsAt);
      await form.getByTestId('campaign-ends-at').fill(endsAt);
      await form.getByTestId('campaign-budget').fill('10.00');
      await form.getByTestId('campaign-per-user-limit').fill('1');
      await form.getByTestId('campaign-condition-add').click();
      await form.getByTestId('campaign-condition-cny').fill(MIN_CNY);
      await form.getByTestId('campaign-action-type').selectOption('fixed_bonus');
      await form.getByTestId('campaign-action-usd').fill('2.00');
      await adminPage.screenshot({ path: join(SHOTS, 'admin-campaign-form-desktop-en.png'), fullPage: true });
      await form.getByTestId('campaign-submit').click();
      await form.waitFor({ state: 'detached' });

      const row = adminPage.locator('[data-testid="campaign-row"]', { hasText: name });
      await row.waitFor();
      const id = (await row.getAttribute('data-campaign-id'))!;
      campaignIds.add(id);
      expect((await row.getByTestId('campaign-rules').textContent())?.trim()).toBe('From ¥9,999.99 → $2 bonus');
      expect((await row.getByTestId('campaign-budget').textContent())?.replace(/\s+/g, ' ').trim()).toBe('0.00 / 10.00 USD');
      await adminPage.screenshot({ path: join(SHOTS, 'admin-campaigns-desktop-en.png'), fullPage: true });

      // The user types the amount: the page names the campaign and its bonus.
      await offersNaming(name);
      const userPage = await h.newPage('phone', 'en');
      pages.push(userPage);
      await h.signInAs(userPage, user.email, user.password);
      await userPage.goto(`${baseUrl}/recharge`);
      await userPage.getByTestId('custom-amount').fill(MIN_CNY);
      await expectText(userPage, 'offer-preview', 'Recharge ¥9,999.99, get $');
      await expectText(userPage, 'offer-preview', `${name} +$2.00`);
      await userPage.screenshot({ path: join(SHOTS, 'recharge-campaign-offer-phone-en.png'), fullPage: true });
      // Below its minimum it does not apply.
      await userPage.getByTestId('custom-amount').fill('9999.98');
      await userPage.waitForFunction(
        (n) => !(document.querySelector('[data-testid="offer-preview"]')?.textContent ?? '').includes(n),
        name,
        { timeout: 10_000 },
      );

      // The admin ends it, after the confirm step.
      await row.getByTestId('campaign-end').click();
      await adminPage.getByTestId('confirm-ok').click();
      await adminPage.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
      await adminPage.locator(`[data-testid="campaign-row"][data-campaign-id="${id}"][data-status="ended"]`).waitFor({ timeout: 10_000 });
      expect((await row.getByTestId('campaign-status').textContent())?.trim()).toBe('Ended');
      expect(await row.getByTestId('campaign-end').count()).toBe(0);
      campaignIds.delete(id);

      // The audit log has the creation and the end.
      const audit = await t.http.get(`/api/admin/audit-logs?targetType=campaign&targetId=${id}`).set(bearer(admin)).expect(200);
      expect((audit.body.items as { action: string }[]).map((l) => l.action).sort()).toEqual(['campaign.create', 'campaign.end']);
    },
    BROWSER_TEST_MS,
  );
});
