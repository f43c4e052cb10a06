/// <reference lib="dom" />
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { EventReceiver } from '../support/event-receiver';
import { TestUser, bearer, paySandboxOrder, registerAdmin, registerUser } from '../support/factories';
import { BrowserHarness, SHOTS, UiLocale, Viewport, describeInBrowser, expectText, openAdminSection, pageOverflow, startBrowserHarness } from '../support/browser';

/** A real browser over a real app, and deliveries that go out in the background: more than Jest's default 5 s per test. */
const BROWSER_TEST_MS = 90_000;

/** What each language shows for the steps checked below. */
const TEXTS: Record<UiLocale, Record<string, string>> = {
  en: {
    tab: 'Webhooks',
    secretWarning: 'Store this secret now: it will not be shown again.',
    enabled: 'Enabled',
    delivered: 'Delivered',
    answered200: 'Answered 200',
    resent: 'is sent again now',
    credentialsRefused: 'The URL must not contain a user name or password',
    noMatch: 'No deliveries match these filters.',
    user: 'User:',
    resendDisabled: 'This endpoint is disabled: enable it to resend deliveries.',
  },
  zh: {
    tab: 'Webhook',
    secretWarning: '请立即保存该密钥：它不会再次显示。',
    enabled: '已启用',
    delivered: '已投递',
    answered200: '响应 200',
    resent: '正在重新发送',
    credentialsRefused: 'URL 中不能包含用户名或密码',
    noMatch: '没有符合条件的投递。',
    user: '用户：',
    resendDisabled: '该端点已停用：启用后才能重新发送投递。',
  },
};

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  userId: string;
  status: string;
  lastStatusCode: number | null;
}

describeInBrowser('the admin webhooks page in a real browser', () => {
  let h: BrowserHarness;
  let t: TestApp;
  let baseUrl: string;
  let admin: TestUser;
  /** An integrator's endpoint: node:http on 127.0.0.1 (the test config allows private addresses). */
  const receiver = new EventReceiver();
  /** Every endpoint made here: the database outlives this file, and other files' apps would keep delivering to them. */
  const endpointIds = new Set<string>();
  const pages: Page[] = [];

  beforeAll(async () => {
    await receiver.start();
    h = await startBrowserHarness();
    ({ t, baseUrl } = h);
    admin = await registerAdmin(t.http, t.db);
  });

  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
  });

  afterAll(async () => {
    // Deleted by the test itself when it got that far; a 404 here is fine.
    for (const id of endpointIds) await t?.http.delete(`/api/admin/webhook-endpoints/${id}`).set(bearer(admin));
    await h?.close();
    await receiver.stop();
  });

  const paidOrder = (user: TestUser) => paySandboxOrder(t.http, user);

  /** The endpoint's delivery of one event, through the API, once `done` says it is what the test waits for. */
  async function deliveryOf(endpointId: string, eventId: string, done: (d: Delivery) => boolean): Promise<Delivery> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await t.http.get(`/api/admin/webhook-endpoints/${endpointId}/deliveries?pageSize=100`).set(bearer(admin)).expect(200);
      const found = (res.body.items as Delivery[]).find((d) => d.eventId === eventId);
      if (found && done(found)) return found;
      if (Date.now() > deadline) throw new Error(`delivery of ${eventId}: ${JSON.stringify(found)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it.each([
    ['desktop', 'en'],
    ['phone', 'zh'],
  ] as [Viewport, UiLocale][])(
    'webhooks (%s, %s): adds an endpoint for order.paid, shows the secret once, lists the delivery of a paid order, narrows by type and user, and resends it',
    async (viewport, locale) => {
      const text = TEXTS[locale];
      const url = `${receiver.url}?browser-${viewport}-${locale}`;
      const page = await h.newPage(viewport, locale);
      pages.push(page);
      await h.signInAs(page, admin.email, admin.password);
      await page.goto(`${baseUrl}/admin`);
      await openAdminSection(page, 'webhooks', text.tab);
      await page.waitForURL(/\/admin\/webhooks$/);

      // A URL with credentials is refused by the API; the reason it gives is shown in the page's language.
      await page.getByTestId('webhook-new-url').fill(url.replace('http://', 'http://hook:pw@'));
      await page.getByTestId('webhook-new-event-order.paid').check();
      await page.getByTestId('webhook-new-submit').click();
      await expectText(page, 'webhook-new-error', text.credentialsRefused);
      expect(await page.getByTestId('webhook-secret-panel').count()).toBe(0);

      // Add it: the URL, a description, order.paid only.
      await page.getByTestId('webhook-new-url').fill(url);
      await page.getByTestId('webhook-new-description').fill(`browser ${viewport}`);
      await page.getByTestId('webhook-new-submit').click();

      // The secret, once: with its warning and a copy button, and nowhere in the list.
      const panel = page.getByTestId('webhook-secret-panel');
      await panel.waitFor();
      const secret = ((await panel.getByTestId('webhook-secret').textContent()) ?? '').trim();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      receiver.secret = secret;
      expect(await panel.getByTestId('show-once-warning').textContent()).toContain(text.secretWarning);
      expect(await panel.getByTestId('show-once-copy').isVisible()).toBe(true);
      const endpointId = (await panel.getAttribute('data-endpoint-id'))!;
      endpointIds.add(endpointId);
      const row = page.locator(`[data-testid="webhook-row"][data-endpoint-id="${endpointId}"]`);
      await row.waitFor();
      expect(await row.getByTestId('webhook-url').textContent()).toBe(url);
      expect((await row.getByTestId('webhook-events').textContent())?.trim()).toBe('order.paid');
      expect((await row.getByTestId('webhook-status').textContent())?.trim()).toBe(text.enabled);
      expect(await row.textContent()).not.toContain(secret);
      if (viewport === 'phone') expect(await pageOverflow(page)).toBe(0);
      await page.screenshot({ path: join(SHOTS, `admin-webhooks-secret-${viewport}-${locale}.png`), fullPage: true });

      await panel.getByTestId('show-once-dismiss').click();
      await panel.waitFor({ state: 'detached' });
      expect(await page.textContent('body')).not.toContain(secret);
      await page.reload();
      await row.waitFor();
      expect(await page.textContent('body')).not.toContain(secret);

      // A user pays: the receiver gets order.paid, signed with that secret, and answers 200.
      const user = await registerUser(t.http);
      const orderNo = await paidOrder(user);
      await receiver.waitFor(() => receiver.of(user.id).some((d) => d.event.type === 'order.paid'));
      const [first] = receiver.of(user.id);
      expect(first.event.type).toBe('order.paid');
      expect(first.event.data).toMatchObject({ orderNo, status: 'paid' });
      expect(first.verified).toBe(true);
      const eventId = first.event.id;
      // The answer is recorded just after the receiver answered; the delivery names the user the event is about.
      expect((await deliveryOf(endpointId, eventId, (d) => d.status === 'delivered')).userId).toBe(user.id);

      // The deliveries: order.paid, delivered, answered 200.
      await row.getByTestId('webhook-show-deliveries').click();
      const drawer = page.getByTestId('webhook-deliveries');
      await drawer.waitFor();
      const delivery = drawer.locator(`[data-testid="webhook-delivery-row"][data-event-id="${eventId}"]`);
      await delivery.waitFor();
      expect(await delivery.getAttribute('data-status')).toBe('delivered');
      expect((await delivery.getByTestId('webhook-delivery-type').textContent())?.trim()).toBe('order.paid');
      expect((await delivery.getByTestId('webhook-delivery-status').textContent())?.trim()).toBe(text.delivered);
      expect(await delivery.getByTestId('webhook-delivery-answer').getAttribute('data-code')).toBe('200');
      expect(await delivery.getByTestId('webhook-delivery-answer').textContent()).toContain(text.answered200);
      expect(await delivery.getAttribute('data-user-id')).toBe(user.id);
      expect((await delivery.getByTestId('webhook-delivery-user').textContent())?.replace(/\s+/g, ' ').trim()).toBe(`${text.user} ${user.id}`);

      // Narrowed by event type (nothing of order.created: the endpoint gets order.paid only), then by the user.
      const deliveriesAsked = (query: string) =>
        page.waitForResponse((r) => r.url().includes(`/api/admin/webhook-endpoints/${endpointId}/deliveries?`) && r.url().includes(query) && r.status() === 200);
      let asked = deliveriesAsked('eventType=order.created');
      await drawer.getByTestId('webhook-deliveries-type').selectOption('order.created');
      await asked;
      await expectText(page, 'webhook-deliveries-empty', text.noMatch);
      asked = deliveriesAsked('eventType=order.paid');
      await drawer.getByTestId('webhook-deliveries-type').selectOption('order.paid');
      await asked;
      await delivery.waitFor();
      asked = deliveriesAsked(`userId=${user.id}`);
      await drawer.getByTestId('webhook-deliveries-user').fill(user.id);
      await drawer.getByTestId('webhook-deliveries-user').press('Enter');
      await asked;
      await delivery.waitFor();
      expect(await drawer.getByTestId('webhook-delivery-row').count()).toBe(1);
      if (viewport === 'phone') {
        expect((await drawer.boundingBox())?.width).toBe(390);
        expect(await pageOverflow(page)).toBe(0);
      }
      await page.screenshot({ path: join(SHOTS, `admin-webhooks-deliveries-${viewport}-${locale}.png`), fullPage: true });

      // Resend: the receiver gets the same event again, and the delivery is delivered again.
      await delivery.getByTestId('webhook-delivery-resend').click();
      await expectText(page, 'webhook-resend-done', text.resent);
      await receiver.waitFor(() => receiver.of(user.id).filter((d) => d.event.id === eventId).length === 2);
      const again = receiver.of(user.id).filter((d) => d.event.id === eventId)[1]!;
      expect(again.body).toBe(first.body);
      expect(again.verified).toBe(true);
      await deliveryOf(endpointId, eventId, (d) => d.status === 'delivered');
      await drawer.getByTestId('webhook-deliveries-refresh').click();
      await page.waitForSelector(`[data-testid="webhook-delivery-row"][data-event-id="${eventId}"][data-status="delivered"]`);

      await drawer.getByTestId('webhook-deliveries-close').click();
      await drawer.waitFor({ state: 'detached' });

      // Edit the description; switch it off and on; rotate the secret (asked first): a new one, shown once.
      await row.getByTestId('webhook-edit-open').click();
      const edit = page.getByTestId('webhook-edit');
      await edit.waitFor();
      expect(await edit.getByTestId('webhook-edit-url').inputValue()).toBe(url);
      expect(await edit.getByTestId('webhook-edit-event-order.paid').isChecked()).toBe(true);
      await edit.getByTestId('webhook-edit-description').fill(`browser ${viewport} (edited)`);
      if (viewport === 'phone') expect(await pageOverflow(page)).toBe(0);
      await page.screenshot({ path: join(SHOTS, `admin-webhooks-edit-${viewport}-${locale}.png`) });
      await edit.getByTestId('webhook-edit-submit').click();
      await edit.waitFor({ state: 'detached' });
      // Other files' endpoints may be listed too (the database is shared): this row's.
      await page.waitForFunction(
        ([id, expected]) => document.querySelector(`[data-testid="webhook-row"][data-endpoint-id="${id}"] [data-testid="webhook-description"]`)?.textContent === expected,
        [endpointId, `browser ${viewport} (edited)`] as const,
      );
      await row.getByTestId('webhook-disable').click();
      await page.waitForSelector(`[data-testid="webhook-row"][data-endpoint-id="${endpointId}"][data-enabled="false"]`);
      // Disabled: its deliveries are listed, but cannot be resent (the API would answer 409).
      await row.getByTestId('webhook-show-deliveries').click();
      await drawer.waitFor();
      await expectText(page, 'webhook-resend-disabled', text.resendDisabled);
      await delivery.waitFor();
      expect(await delivery.getByTestId('webhook-delivery-resend').isDisabled()).toBe(true);
      await drawer.getByTestId('webhook-deliveries-close').click();
      await drawer.waitFor({ state: 'detached' });
      await row.getByTestId('webhook-enable').click();
      await page.waitForSelector(`[data-testid="webhook-row"][data-endpoint-id="${endpointId}"][data-enabled="true"]`);
      await row.getByTestId('webhook-rotate').click();
      await page.getByTestId('confirm-dialog').waitFor();
      await page.getByTestId('confirm-ok').click();
      const rotated = page.locator('[data-testid="webhook-secret-panel"][data-reason="rotated"]');
      await rotated.waitFor();
      const newSecret = ((await rotated.getByTestId('webhook-secret').textContent()) ?? '').trim();
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(secret);
      const audit = (await t.http.get(`/api/admin/audit-logs?targetType=webhook_endpoint&targetId=${endpointId}`).set(bearer(admin)).expect(200)).body;
      expect(audit.items.map((i: { action: string }) => i.action).sort()).toEqual(
        ['webhook_delivery.resend', 'webhook_endpoint.create', 'webhook_endpoint.rotate_secret', 'webhook_endpoint.update', 'webhook_endpoint.update', 'webhook_endpoint.update'].sort(),
      );

      // Delete it (asked first): the row goes, and nothing is left of it in the database.
      await row.getByTestId('webhook-delete').click();
      await page.getByTestId('confirm-dialog').waitFor();
      await page.getByTestId('confirm-ok').click();
      await row.waitFor({ state: 'detached' });
      await t.http.get(`/api/admin/webhook-endpoints/${endpointId}`).set(bearer(admin)).expect(404);
      endpointIds.delete(endpointId);
    },
    BROWSER_TEST_MS,
  );
});
