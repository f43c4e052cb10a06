/// <reference lib="dom" />
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { OrderMaintenanceService } from '../../src/payments/order-maintenance.service';
import { PaymentProviderRegistry } from '../../src/payments/payment-provider.registry';
import { FakeTronGrid, randomTronAddress } from '../support/fake-trongrid';
import { TestApp } from '../support/test-app';
import { bearer, registerUser } from '../support/factories';
import { BrowserHarness, SHOTS, UiLocale, Viewport, describeInBrowser, expectText, pageOverflow, startBrowserHarness } from '../support/browser';

/** What POST /api/payment/orders answers for a USDT order (the fields this test reads). */
interface UsdtOrder {
  orderNo: string;
  status: string;
  totalUsd: string;
  payCurrency: string;
  payAmount: string;
  payAddress: string | null;
  paymentUrl: string | null;
  expireAt: string;
}

const TEXTS = {
  zh: { found: '已收到您的付款', copied: '已复制', credited: '已为您的余额增加' },
  en: { found: 'We found your payment', copied: 'Copied', credited: 'USD was added to your balance' },
} satisfies Record<UiLocale, Record<string, string>>;

/**
 * Paying in USDT (TRC20) in a real browser: the recharge page offers the
 * gateway, the order shows the address panel (exact amount, address, QR code,
 * countdown, Copy), a transfer of exactly that amount appears on a fake
 * TronGrid, a poll (run by the test) credits the order, and the panel says the
 * payment was found before the balance shows it.
 */
describeInBrowser('paying in USDT (TRC20) in a real browser', () => {
  let h: BrowserHarness;
  let t: TestApp;
  let baseUrl: string;
  let tron: FakeTronGrid;
  const merchant = randomTronAddress();

  beforeAll(async () => {
    tron = await FakeTronGrid.start();
    h = await startBrowserHarness({
      USDT_TRC20_ENABLED: 'true',
      USDT_TRC20_ADDRESS: merchant,
      TRONGRID_API_URL: tron.url,
      // Polls are run by the test; the schedule stays out of the way.
      RECHARGE__USDT__POLL_SECONDS: '3600',
    });
    ({ t, baseUrl } = h);
  });
  afterAll(async () => {
    await h?.close();
    await tron?.close();
  });

  /** One poll of the gateway, as the schedule would run it; answers what it applied. */
  const poll = () => t.app.get(OrderMaintenanceService).poll(t.app.get(PaymentProviderRegistry).get('usdt_trc20')!);

  /** Registers through the form, as a person does, and lands on the home page. */
  async function registerInPage(page: Page): Promise<{ email: string }> {
    const name = `usdt_${Date.now().toString(36)}`;
    const email = `${name}@example.test`;
    await page.goto(`${baseUrl}/login`);
    await page.getByTestId('auth-mode-register').click();
    await page.getByTestId('email').fill(email);
    await page.getByTestId('username').fill(name);
    await page.getByTestId('password').fill('usdt payer password 1');
    await page.getByTestId('auth-submit').click();
    await page.waitForURL(`${baseUrl}/`);
    return { email };
  }

  /** The signed-in user's token, as the web app keeps it. */
  const tokenOf = (page: Page) => page.evaluate(() => localStorage.getItem('recharge.token'));

  async function payInUsdt(page: Page, viewport: Viewport, locale: UiLocale, token: string, packageCny: string): Promise<void> {
    const text = TEXTS[locale];
    // Copy buttons write to the clipboard; the page may also read it back for this test.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });

    await page.getByTestId('nav-recharge').click();
    await page.waitForURL(/\/recharge$/);
    await page.getByTestId(`package-${packageCny}`).click();
    await page.getByTestId('provider-usdt_trc20').click();
    expect(await page.getByTestId('provider-usdt_trc20').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('method-usdt').getAttribute('aria-pressed')).toBe('true'); // its only method, chosen with it

    const answered = page.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/payment/orders');
    await page.getByTestId('recharge-submit').click();
    const response = await answered;
    expect(response.status()).toBe(201);
    const created = (await response.json()) as UsdtOrder;
    expect(created).toMatchObject({ status: 'pending', payCurrency: 'USDT', payAddress: merchant, paymentUrl: merchant });
    expect(created.payAmount).toMatch(/^\d+\.\d{3}$/);

    // The user's own order list says the same amount.
    const listed = await t.http.get('/api/payment/orders').set(bearer({ token })).expect(200);
    expect(listed.body.items.find((o: UsdtOrder) => o.orderNo === created.orderNo)?.payAmount).toBe(created.payAmount);

    // The panel: the exact amount, the address, a QR code of it, a running countdown.
    const panel = page.getByTestId('address-pay-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-order-no')).toBe(created.orderNo);
    expect(await panel.getAttribute('data-status')).toBe('pending');
    const shownAmount = await page.getByTestId('address-pay-amount-value').textContent();
    expect(shownAmount).toBe(created.payAmount);
    expect(await page.getByTestId('address-pay-amount').textContent()).toBe(`${created.payAmount} USDT`);
    expect(await page.getByTestId('address-pay-address').textContent()).toBe(merchant);
    await expectText(page, 'address-pay-warning', created.payAmount);

    const qr = page.getByTestId('address-pay-qr').locator('img[data-testid="qr-code"]');
    await qr.waitFor();
    expect(await qr.getAttribute('data-value')).toBe(merchant);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    await page.waitForFunction(
      () => ((document.querySelector('[data-testid="address-pay-qr"] img') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0,
      undefined,
      { timeout: 5_000 },
    );
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const box = await qr.boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(150); // big enough to scan

    const countdown = await page.getByTestId('address-pay-countdown').textContent();
    expect(countdown).toMatch(/^(30:00|29:[0-5]\d)$/);
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="address-pay-countdown"]')?.textContent !== before,
      countdown,
      { timeout: 5_000 },
    );

    // Copy the amount: the clipboard holds exactly it, and the button says so.
    await page.evaluate(() => navigator.clipboard.writeText('something else'));
    await page.getByTestId('address-pay-copy-amount').click();
    await expectText(page, 'address-pay-copy-amount', text.copied);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(created.payAmount);
    expect(await page.getByTestId('address-pay-copy-failed').count()).toBe(0);
    await page.getByTestId('address-pay-copy-address').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(merchant);

    if (viewport === 'phone') expect(await pageOverflow(page)).toBe(0);
    await panel.screenshot({ path: join(SHOTS, `usdt-panel-${viewport}-${locale}.png`) });
    await page.screenshot({ path: join(SHOTS, `usdt-${viewport}-${locale}.png`), fullPage: true });

    // Nothing has arrived yet: a poll finds nothing and the panel keeps waiting.
    expect(await poll()).toBe(0);
    expect(await panel.getAttribute('data-status')).toBe('pending');

    // The payer sends exactly the amount; the next poll credits the order.
    tron.addTransfer({ to: merchant, amount: created.payAmount, from: randomTronAddress() });
    expect(await poll()).toBe(1);
    const paid = (await t.http.get(`/api/payment/orders/${created.orderNo}`).set(bearer({ token })).expect(200)).body as UsdtOrder;
    expect(paid.status).toBe('paid');

    // The panel notices by itself (it polls the order): "we found your payment", with what was credited.
    await page.waitForSelector(`[data-testid="address-pay-panel"][data-order-no="${created.orderNo}"][data-status="paid"]`, { timeout: 10_000 });
    await expectText(page, 'address-pay-found', text.found);
    await expectText(page, 'address-pay-credited', text.credited);
    const credited = page.getByTestId('address-pay-credited').locator('.money');
    const creditedText = (await credited.textContent()) ?? '';
    expect(creditedText).toMatch(/^\d+\.\d\d$/);
    expect(Math.abs(Number(creditedText) - Number(paid.totalUsd))).toBeLessThanOrEqual(0.005);
    expect(await credited.getAttribute('title')).toBe(paid.totalUsd); // the exact amount behind the rounded one
    if (viewport === 'phone') expect(await pageOverflow(page)).toBe(0);
    await panel.screenshot({ path: join(SHOTS, `usdt-found-${viewport}-${locale}.png`) });

    // It moves on to the result page by itself; the balance on the home page is what was credited.
    await page.waitForURL(new RegExp(`/payment/result\\?out_trade_no=${created.orderNo}$`), { timeout: 10_000 });
    await page.waitForSelector('[data-testid="result-status"][data-status="paid"]');
    await page.getByTestId('nav-home').click();
    await page.waitForURL(`${baseUrl}/`);
    const me = (await t.http.get('/api/users/me').set(bearer({ token })).expect(200)).body as { balance: string };
    expect(me.balance).toBe(paid.totalUsd);
    await expectText(page, 'balance', creditedText);
    if (viewport === 'phone') expect(await pageOverflow(page)).toBe(0);
  }

  it('phone, zh: registers, pays a package in USDT and sees the payment found and credited', async () => {
    const page = await h.newPage('phone', 'zh');
    await registerInPage(page);
    const token = await tokenOf(page);
    expect(token).toBeTruthy();
    await payInUsdt(page, 'phone', 'zh', token!, '100.00');
  }, 60_000);

  it('desktop, en: signs in, pays a package in USDT and sees the payment found and credited', async () => {
    const user = await registerUser(t.http);
    const page = await h.newPage('desktop', 'en');
    await h.signInAs(page, user.email, user.password);
    const token = await tokenOf(page);
    expect(token).toBeTruthy();
    await payInUsdt(page, 'desktop', 'en', token!, '50.00');
  }, 60_000);
});
