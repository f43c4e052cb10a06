/// <reference lib="dom" />
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { BrowserHarness, SHOTS, describeInBrowser, expectText, pageOverflow, startBrowserHarness } from '../support/browser';

/** My orders (/orders): the list, its status filter, paying a pending order again, cancelling one, and the ways there. */
describeInBrowser('My orders in a real browser', () => {
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

  interface Created {
    orderNo: string;
    paymentUrl: string;
  }

  /** A sandbox order made through the API, as the recharge page makes it. */
  async function createOrder(user: TestUser, amountCny: string): Promise<Created> {
    const res = await t.http
      .post('/api/payment/orders')
      .set(bearer(user))
      .send({ amountCny, provider: 'sandbox', method: 'alipay' })
      .expect(201);
    return { orderNo: res.body.orderNo, paymentUrl: res.body.paymentUrl };
  }

  /** Pays an order on the sandbox's checkout page, without a browser. */
  async function payInSandbox(order: Created): Promise<void> {
    await t.http.post(`${new URL(order.paymentUrl).pathname}/pay`).expect(303);
  }

  async function statusInDb(orderNo: string): Promise<string> {
    const [row] = await t.db.query(`SELECT status FROM payment_orders WHERE order_no = $1`, [orderNo]);
    return row.status;
  }

  const rowOf = (page: Page, orderNo: string) => page.locator(`[data-testid="order-row"][data-order-no="${orderNo}"]`);
  const rowCount = (page: Page, n: number) =>
    page.waitForFunction((count) => document.querySelectorAll('[data-testid="order-row"]').length === count, n, { timeout: 10_000 });

  /** Every tab of the bottom bar lies inside the viewport and its label is not cut off. */
  async function navFits(page: Page): Promise<{ count: number; problems: string[] }> {
    return page.evaluate(() => {
      const links = Array.from(document.querySelectorAll<HTMLElement>('.app-nav .nav-link'));
      const width = document.documentElement.clientWidth;
      const problems = links.flatMap((link) => {
        const box = link.getBoundingClientRect();
        const label = link.querySelector('span');
        const out: string[] = [];
        if (box.left < 0 || box.right > width + 0.5) out.push(`${link.dataset.testid} outside the viewport`);
        if (label && label.scrollWidth > link.clientWidth) out.push(`${link.dataset.testid} label cut off`);
        return out;
      });
      return { count: links.length, problems };
    });
  }

  it('phone, zh: lists, filters, resumes and cancels orders, reached from the tab bar and the result page', async () => {
    const user = await registerUser(t.http);
    const toResume = await createOrder(user, '100.00');
    const toCancel = await createOrder(user, '20.00');
    const paid = await createOrder(user, '50.00');
    await payInSandbox(paid);

    const page = await h.newPage('phone', 'zh');
    await h.signInAs(page, user.email, user.password);

    // From the bottom tab bar; five tabs fit at 390 px.
    await expectText(page, 'nav-orders', '订单');
    expect(await navFits(page)).toEqual({ count: 5, problems: [] });
    await page.getByTestId('nav-orders').click();
    await page.waitForURL(`${baseUrl}/orders`);
    expect(await page.locator('h1').textContent()).toBe('我的订单');
    expect(await page.getByTestId('nav-orders').getAttribute('class')).toContain('active');

    await rowCount(page, 3);
    expect(await page.getByTestId('order-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-order-no')))).toEqual([
      paid.orderNo,
      toCancel.orderNo,
      toResume.orderNo,
    ]); // newest first
    expect(await rowOf(page, paid.orderNo).getAttribute('data-status')).toBe('paid');
    expect(await rowOf(page, paid.orderNo).getByTestId('order-status').textContent()).toContain('已支付');
    expect(await rowOf(page, toResume.orderNo).getByTestId('order-status').textContent()).toContain('等待支付');
    expect(await rowOf(page, paid.orderNo).getByTestId('order-resume').count()).toBe(0);

    // ¥100 = 13.88888889 USD: shown at 2 decimals, the exact amount in the title.
    const usd = rowOf(page, toResume.orderNo).getByTestId('order-total-usd');
    expect(await usd.textContent()).toBe('13.89');
    expect(await usd.getAttribute('title')).toBe('13.88888889');
    expect(await rowOf(page, toResume.orderNo).getByTestId('order-amount-cny').textContent()).toBe('100.00');

    // The status filter.
    await page.getByTestId('orders-status-filter').selectOption('paid');
    await rowCount(page, 1);
    expect(await page.getByTestId('order-row').getAttribute('data-order-no')).toBe(paid.orderNo);
    await page.getByTestId('orders-status-filter').selectOption('refunded');
    await expectText(page, 'orders-empty', '没有该状态的订单。');
    await page.getByTestId('orders-status-filter').selectOption('');
    await rowCount(page, 3);

    // Paying a pending order again: the payment page behind a button, and a running countdown.
    await rowOf(page, toResume.orderNo).getByTestId('order-resume').click();
    const panel = page.getByTestId('pay-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-order-no')).toBe(toResume.orderNo);
    await expectText(page, 'pay-panel', '支付 ¥100.00');
    await expectText(page, 'pay-link', '前往支付页面');
    expect(await page.getByTestId('pay-link').getAttribute('href')).toBe(toResume.paymentUrl);
    const shown = await page.getByTestId('pay-countdown').textContent();
    expect(shown).toMatch(/^(30:00|29:[0-5]\d)$/);
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="pay-countdown"]')?.textContent !== before,
      shown,
      { timeout: 5_000 },
    );
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'orders-phone-zh.png'), fullPage: true });

    // Cancelling another one after confirming: its status changes.
    await rowOf(page, toCancel.orderNo).getByTestId('order-cancel').click();
    await expectText(page, 'confirm-dialog', `订单 ${toCancel.orderNo}（¥20.00）将被取消`);
    await page.getByTestId('confirm-ok').click();
    await expectText(page, 'orders-notice', `订单 ${toCancel.orderNo} 已取消。`);
    await page.waitForSelector(`[data-testid="order-row"][data-order-no="${toCancel.orderNo}"][data-status="cancelled"]`);
    expect(await rowOf(page, toCancel.orderNo).getByTestId('order-status').textContent()).toContain('已取消');
    expect(await rowOf(page, toCancel.orderNo).getByTestId('order-cancel').count()).toBe(0);
    expect(await statusInDb(toCancel.orderNo)).toBe('cancelled');
    expect(await statusInDb(toResume.orderNo)).toBe('pending');
    expect(await pageOverflow(page)).toBe(0);

    // Each row opens its result page, which links back here.
    await rowOf(page, paid.orderNo).getByTestId('order-link').click();
    await page.waitForURL(`${baseUrl}/payment/result?out_trade_no=${paid.orderNo}`);
    await page.waitForSelector('[data-testid="result-status"][data-status="paid"]');
    await expectText(page, 'result-orders', '我的订单');
    expect(await pageOverflow(page)).toBe(0);
    await page.getByTestId('result-orders').click();
    await page.waitForURL(`${baseUrl}/orders`);
    await rowCount(page, 3);
  });

  it('phone: six tabs (an admin’s) still fit at 390 px, in both languages', async () => {
    const admin = await registerAdmin(t.http, t.db);
    for (const locale of ['zh', 'en'] as const) {
      const page = await h.newPage('phone', locale);
      await h.signInAs(page, admin.email, admin.password);
      await page.getByTestId('nav-admin').waitFor();
      expect(await navFits(page)).toEqual({ count: 6, problems: [] });
      expect(await pageOverflow(page)).toBe(0);
      await page.context().close();
    }
  });

  it('desktop, en: cancels from the payment panel, pays a resumed order at the gateway and comes back to the list', async () => {
    const user = await registerUser(t.http);
    const toPay = await createOrder(user, '100.00');
    const toCancel = await createOrder(user, '30.00');

    const page = await h.newPage('desktop', 'en');
    await h.signInAs(page, user.email, user.password);
    await expectText(page, 'nav-orders', 'Orders');
    await page.getByTestId('nav-orders').click();
    await page.waitForURL(`${baseUrl}/orders`);
    expect(await page.locator('h1').textContent()).toBe('My orders');
    await rowCount(page, 2);
    expect(await rowOf(page, toPay.orderNo).getByTestId('order-status').textContent()).toContain('Waiting for payment');

    await page.getByTestId('orders-status-filter').selectOption('pending');
    await rowCount(page, 2);
    await page.getByTestId('orders-status-filter').selectOption('cancelled');
    await expectText(page, 'orders-empty', 'No orders with this status.');
    await page.getByTestId('orders-status-filter').selectOption('pending');
    await rowCount(page, 2);

    // Cancel from the panel of a resumed order: asked first, then the panel closes and the row leaves the pending list.
    await rowOf(page, toCancel.orderNo).getByTestId('order-resume').click();
    await page.getByTestId('pay-panel').waitFor();
    await page.getByTestId('pay-cancel').click();
    await expectText(page, 'confirm-dialog', 'Cancel this order?');
    await expectText(page, 'confirm-dialog', `Order ${toCancel.orderNo} for ¥30.00 will be cancelled`);
    await page.getByTestId('confirm-ok').click();
    await expectText(page, 'orders-notice', `Order ${toCancel.orderNo} was cancelled.`);
    expect(await page.getByTestId('pay-panel').count()).toBe(0);
    await rowCount(page, 1);
    expect(await statusInDb(toCancel.orderNo)).toBe('cancelled');

    // Resume the other: the button to the payment page and the countdown.
    await rowOf(page, toPay.orderNo).getByTestId('order-resume').click();
    await page.getByTestId('pay-panel').waitFor();
    await expectText(page, 'pay-panel', 'Pay ¥100.00');
    await expectText(page, 'pay-panel', 'Expires in');
    expect(await page.getByTestId('pay-countdown').textContent()).toMatch(/^(30:00|29:[0-5]\d)$/);
    await expectText(page, 'pay-link', 'Go to the payment page');
    const usd = rowOf(page, toPay.orderNo).getByTestId('order-total-usd');
    expect(await usd.textContent()).toBe('13.89');
    expect(await usd.getAttribute('title')).toBe('13.88888889');
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'orders-desktop-en.png'), fullPage: true });

    // Pay it at the gateway: back on the result page, then "My orders" shows it paid.
    await page.getByTestId('pay-link').click();
    await page.waitForURL(/\/api\/payment\/sandbox\/checkout\//);
    await expectText(page, 'sandbox-amount', '¥100.00');
    await page.getByTestId('sandbox-pay').click();
    await page.waitForURL(/\/payment\/result\?out_trade_no=/);
    expect(new URL(page.url()).searchParams.get('out_trade_no')).toBe(toPay.orderNo);
    await page.waitForSelector('[data-testid="result-status"][data-status="paid"]', { timeout: 15_000 });
    const [{ total_usd: totalUsd }] = await t.db.query(`SELECT total_usd FROM payment_orders WHERE order_no = $1`, [toPay.orderNo]);
    const total = page.getByTestId('result-total');
    expect(await total.getAttribute('title')).toBe(totalUsd);
    expect(await total.textContent()).toMatch(/^\d+\.\d\d$/);
    expect(Math.abs(Number(await total.textContent()) - Number(totalUsd))).toBeLessThanOrEqual(0.005);

    await expectText(page, 'result-orders', 'My orders');
    await page.getByTestId('result-orders').click();
    await page.waitForURL(`${baseUrl}/orders`);
    await page.waitForSelector(`[data-testid="order-row"][data-order-no="${toPay.orderNo}"][data-status="paid"]`);
    expect(await rowOf(page, toPay.orderNo).getByTestId('order-status').textContent()).toContain('Paid');
    expect(await rowOf(page, toPay.orderNo).getByTestId('order-resume').count()).toBe(0);
    expect(await rowOf(page, toCancel.orderNo).getAttribute('data-status')).toBe('cancelled');
  });
});
