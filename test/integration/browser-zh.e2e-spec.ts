/// <reference lib="dom" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { TestUser, bearer, registerUser } from '../support/factories';
import {
  BrowserHarness,
  SHOTS,
  cjkGlyphs,
  describeInBrowser,
  expectText,
  launchChromium,
  openPage,
  pageOverflow,
  startBrowserHarness,
} from '../support/browser';

/**
 * The web app as a Chinese user sees it: its Chinese text is drawn with real glyphs, not tofu boxes. Chromium draws
 * CJK text only with a font that has it; .ci/run installs fonts-noto-cjk for that.
 */
describeInBrowser('the web app in Chinese: CJK text renders with real glyphs', () => {
  let h: BrowserHarness;
  let t: TestApp;
  let baseUrl: string;
  let user: TestUser;

  beforeAll(async () => {
    h = await startBrowserHarness();
    ({ t, baseUrl } = h);
    user = await registerUser(t.http);
    const created = await t.http
      .post('/api/payment/orders')
      .set(bearer(user))
      .send({ amountCny: '100.00', provider: 'sandbox', method: 'alipay' })
      .expect(201);
    await t.http.post(`${new URL(created.body.paymentUrl).pathname}/pay`).expect(303);
    await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '20.00', provider: 'sandbox', method: 'wxpay' }).expect(201);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The recharge page in Chinese, its packages shown. */
  async function rechargePage(page: Page): Promise<void> {
    await page.goto(`${baseUrl}/recharge`);
    await expectText(page, 'package-100.00', '100.00');
    expect(await page.locator('h1').textContent()).toBe('充值');
  }

  /** My orders in Chinese, both of the user's orders listed. */
  async function ordersPage(page: Page): Promise<void> {
    await page.goto(`${baseUrl}/orders`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="order-row"]').length === 2, undefined, { timeout: 10_000 });
    expect(await page.locator('h1').textContent()).toBe('我的订单');
    expect(await page.locator('[data-testid="order-row"][data-status="paid"]').textContent()).toContain('已支付');
  }

  it.each(['phone', 'desktop'] as const)('%s: the recharge and orders pages draw every Chinese character they show', async (viewport) => {
    const page = await h.newPage(viewport, 'zh');
    await h.signInAs(page, user.email, user.password);

    await rechargePage(page);
    const recharge = await cjkGlyphs(page);
    expect(recharge.checked.length).toBeGreaterThan(20); // title, packages, methods, the tab bar…
    expect(recharge.checked).toEqual(expect.arrayContaining([...'充值']));
    expect({ tofu: recharge.tofu, alike: recharge.alike }).toEqual({ tofu: [], alike: [] });
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `zh-recharge-${viewport}.png`), fullPage: true });

    await ordersPage(page);
    const orders = await cjkGlyphs(page);
    expect(orders.checked.length).toBeGreaterThan(10);
    expect(orders.checked).toEqual(expect.arrayContaining([...'我的订单已支付']));
    expect({ tofu: orders.tofu, alike: orders.alike }).toEqual({ tofu: [], alike: [] });
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `zh-orders-${viewport}.png`), fullPage: true });
    await page.context().close();
  });

  // The check above could pass for a wrong reason (a page without Chinese, a check that cannot see tofu): here the
  // same pages go to a Chromium whose fontconfig drops every font with Chinese in it, as on a machine without
  // fonts-noto-cjk, and the same check must find every character to be tofu.
  it('the check sees tofu: without a CJK font the same pages are all boxes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recharge-no-cjk-'));
    const config = join(dir, 'fonts.conf');
    writeFileSync(
      config,
      `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><pattern><patelt name="lang"><string>zh-cn</string></patelt></pattern></rejectfont></selectfont>
</fontconfig>
`,
    );
    let bare: Browser | undefined;
    try {
      bare = await launchChromium({ FONTCONFIG_FILE: config });
      const page = await openPage(bare, 'phone', 'zh');
      await h.signInAs(page, user.email, user.password);

      await rechargePage(page);
      const recharge = await cjkGlyphs(page);
      expect(recharge.checked.length).toBeGreaterThan(20);
      expect(recharge.tofu.sort()).toEqual([...recharge.checked].sort());
      await page.screenshot({ path: join(SHOTS, 'zh-recharge-phone-without-cjk-fonts.png'), fullPage: true });

      await ordersPage(page);
      const orders = await cjkGlyphs(page);
      expect(orders.tofu.sort()).toEqual([...orders.checked].sort());
    } finally {
      await bare?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
