/// <reference lib="dom" />
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { TestApp } from '../support/test-app';
import { TestUser, registerAdmin } from '../support/factories';
import { BrowserHarness, SHOTS, UiLocale, describeInBrowser, expectText, pageOverflow, startBrowserHarness } from '../support/browser';

/** A small phone (the 390 px of the other browser tests is a roomy one). */
const SMALL_PHONE = { width: 375, height: 740 };

const SECTIONS = ['dashboard', 'users', 'orders', 'unmatched', 'ledger', 'growth', 'campaigns', 'redeem', 'webhooks', 'audit'];

/**
 * Every place of a navigation within reach on a phone: no bar scrolling sideways (nothing wider than its box), each
 * link inside the viewport and the element a tap there would hit (nothing fixed on top of it).
 */
async function navProblems(page: Page, navSelector: string, linkSelector: string): Promise<{ links: string[]; problems: string[] }> {
  return page.evaluate(
    ([navSel, linkSel]) => {
      const problems: string[] = [];
      const nav = document.querySelector<HTMLElement>(navSel);
      if (!nav) return { links: [], problems: [`${navSel} is missing`] };
      // (Text only for screen readers is clipped to a pixel on purpose.)
      for (const el of [nav, ...Array.from(nav.querySelectorAll<HTMLElement>('*:not(.visually-hidden)'))]) {
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') {
          problems.push(`${el.dataset.testid ?? el.className} scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`);
        }
      }
      const { clientWidth: width, clientHeight: height } = document.documentElement;
      const links = Array.from(nav.querySelectorAll<HTMLElement>(linkSel));
      for (const link of links) {
        const id = link.dataset.testid ?? link.textContent ?? '?';
        const box = link.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) problems.push(`${id} is not shown`);
        else if (box.left < -0.5 || box.top < -0.5 || box.right > width + 0.5 || box.bottom > height + 0.5) {
          problems.push(`${id} lies outside the viewport`);
        } else if (!link.contains(document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2))) {
          problems.push(`${id} is covered`);
        }
        const label = link.querySelector('span:not(.visually-hidden)') ?? link;
        if (label.scrollWidth > label.clientWidth + 1) problems.push(`${id} label cut off`);
      }
      return { links: links.map((l) => l.dataset.testid ?? ''), problems };
    },
    [navSelector, linkSelector] as const,
  );
}

describeInBrowser('navigation on a phone: every section within reach, nothing scrolling sideways', () => {
  let h: BrowserHarness;
  let t: TestApp;
  let baseUrl: string;
  let admin: TestUser;

  beforeAll(async () => {
    h = await startBrowserHarness();
    ({ t, baseUrl } = h);
    admin = await registerAdmin(t.http, t.db);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function smallPhone(locale: UiLocale): Promise<Page> {
    const page = await h.newPage('phone', locale);
    await page.setViewportSize(SMALL_PHONE);
    await h.signInAs(page, admin.email, admin.password);
    return page;
  }

  const expanded = (page: Page) => page.getByTestId('admin-nav-toggle').getAttribute('aria-expanded');

  const TEXTS = {
    en: { dashboard: 'Dashboard', ledger: 'Ledger', audit: 'Audit log' },
    zh: { dashboard: '概览', ledger: '账本', audit: '操作日志' },
  } as const;

  it.each(['zh', 'en'] as const)('the admin on a small phone (%s): a menu lists every section, Escape closes it, a section opens', async (locale) => {
    const text = TEXTS[locale];
    const page = await smallPhone(locale);
    await page.getByTestId('nav-admin').click();
    await page.waitForURL(`${baseUrl}/admin`);
    await page.getByTestId('admin-stats-today').waitFor();

    // Closed: one button naming the current section, no bar of tabs running off the screen.
    const toggle = page.getByTestId('admin-nav-toggle');
    await expectText(page, 'admin-nav-toggle', text.dashboard);
    expect(await expanded(page)).toBe('false');
    expect(await navProblems(page, '[data-testid="admin-nav"]', '[data-testid="admin-nav-toggle"]')).toEqual({
      links: ['admin-nav-toggle'],
      problems: [],
    });
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `admin-nav-closed-small-phone-${locale}.png`) });

    // Open: every section at once, inside the screen, none scrolling; by the keyboard too.
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await expanded(page)).toBe('true');
    expect(await navProblems(page, '[data-testid="admin-nav"]', '.admin-tab')).toEqual({
      links: SECTIONS.map((s) => `admin-tab-${s}`),
      problems: [],
    });
    expect(await page.getByTestId('admin-tab-dashboard').getAttribute('aria-current')).toBe('page');
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `admin-nav-open-small-phone-${locale}.png`) });

    // Escape closes it and gives the focus back to the button.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    expect(await expanded(page)).toBe('false');
    expect(await page.getByTestId('admin-tab-ledger').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('admin-nav-toggle');

    // A section from the menu: it opens, the menu closes and the button names it.
    await toggle.click();
    await page.getByTestId('admin-tab-audit').click();
    await page.waitForURL(`${baseUrl}/admin/audit`);
    await page.getByTestId('audit-filter-action').waitFor();
    expect(await expanded(page)).toBe('false');
    await expectText(page, 'admin-nav-toggle', text.audit);
    await toggle.click();
    expect(await page.getByTestId('admin-tab-audit').getAttribute('aria-current')).toBe('page');
    await page.getByTestId('admin-tab-ledger').click();
    await page.waitForURL(`${baseUrl}/admin/ledger`);
    await expectText(page, 'admin-nav-toggle', text.ledger);
    expect(await pageOverflow(page)).toBe(0);
    await page.context().close();
  });

  it.each(['zh', 'en'] as const)('the tab bar on a small phone (%s): an admin’s six tabs fit, each one tappable', async (locale) => {
    const page = await smallPhone(locale);
    await page.getByTestId('nav-admin').waitFor();
    const nav = await navProblems(page, '.app-nav', '.nav-link');
    expect(nav.problems).toEqual([]);
    expect(nav.links).toEqual(expect.arrayContaining(['nav-home', 'nav-recharge', 'nav-records', 'nav-orders', 'nav-referral', 'nav-admin']));
    expect(await pageOverflow(page)).toBe(0);
    await page.screenshot({ path: join(SHOTS, `app-nav-small-phone-${locale}.png`) });
    await page.context().close();
  });

  it('desktop: the admin keeps its row of tabs, no menu button', async () => {
    const page = await h.newPage('desktop', 'en');
    await h.signInAs(page, admin.email, admin.password);
    await page.goto(`${baseUrl}/admin`);
    await page.getByTestId('admin-tab-dashboard').waitFor();
    expect(await page.getByTestId('admin-nav-toggle').isVisible()).toBe(false);
    expect(await navProblems(page, '[data-testid="admin-nav"]', '.admin-tab')).toEqual({
      links: SECTIONS.map((s) => `admin-tab-${s}`),
      problems: [],
    });
    const tops = await page.locator('.admin-tab').evaluateAll((tabs) => new Set(tabs.map((tab) => Math.round(tab.getBoundingClientRect().top))).size);
    expect(tops).toBe(1); // one row
    await page.getByTestId('admin-tab-growth').click();
    await page.waitForURL(`${baseUrl}/admin/growth`);
    await page.context().close();
  });
});
