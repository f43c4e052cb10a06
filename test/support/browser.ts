/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { TestApp, createTestApp } from './test-app';
import { freePort } from './free-port';

/** Debian's Chromium (.ci/run installs it); playwright-core never downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True where Chromium is installed; CI must have it, a developer's machine may skip the browser tests. */
export const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && process.env.CI) throw new Error(`${CHROMIUM} is missing; .ci/run installs Debian's chromium`);
if (!browserAvailable) console.warn(`${CHROMIUM} is not installed: the browser tests are skipped`);

/** `describe` where Chromium is installed, `describe.skip` elsewhere. */
export const describeInBrowser = browserAvailable ? describe : describe.skip;

/** Screenshots land here for a person to look at (git-ignored). */
export const SHOTS = join(__dirname, '..', '..', 'test-results');

export type Viewport = 'phone' | 'desktop';
export type UiLocale = 'en' | 'zh';

const VIEWPORTS: Record<Viewport, { width: number; height: number }> = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1366, height: 900 },
};

/** The app serving the built web app on a real port, and one Chromium. */
export interface BrowserHarness {
  t: TestApp;
  browser: Browser;
  baseUrl: string;
  /** A fresh page (its own cookies and storage) at a viewport, in a language (remembered as the user's choice). */
  newPage(viewport?: Viewport, locale?: UiLocale): Promise<Page>;
  /** Logs in through the login form and waits for the home page. */
  signInAs(page: Page, email: string, password: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserHarness(env: Record<string, string> = {}): Promise<BrowserHarness> {
  // Gateways (here the sandbox) send the browser back to PUBLIC_BASE_URL, so it must be this server.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ RECHARGE__APP__SERVE_FRONTEND: 'true', PUBLIC_BASE_URL: baseUrl, ...env });
  await t.app.listen({ port, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(SHOTS, { recursive: true });

  return {
    t,
    browser,
    baseUrl,
    async newPage(viewport = 'phone', locale = 'en') {
      const context = await browser.newContext({ viewport: VIEWPORTS[viewport], locale: locale === 'zh' ? 'zh-CN' : 'en-US' });
      // The app remembers the language under this key; seeding it once makes the starting language independent of
      // the browser's, and a switch made in the page still survives a reload.
      await context.addInitScript((chosen) => {
        if (localStorage.getItem('recharge.locale') === null) localStorage.setItem('recharge.locale', chosen);
      }, locale);
      return context.newPage();
    },
    async signInAs(page, email, password) {
      await page.goto(`${baseUrl}/login`);
      await page.getByTestId('email').fill(email);
      await page.getByTestId('password').fill(password);
      await page.getByTestId('auth-submit').click();
      await page.waitForURL(`${baseUrl}/`);
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** How many pixels the page is wider than the viewport (0: no sideways scrolling). */
export async function pageOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth));
}

/** Waits until the element with this test id is visible and its text contains `expected` (or matches it). */
export async function expectText(page: Page, testId: string, expected: string | RegExp): Promise<void> {
  const locator = page.getByTestId(testId);
  await locator.waitFor({ state: 'visible', timeout: 10_000 });
  await page.waitForFunction(
    ([id, pattern, flags]) => {
      const text = document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
      return flags === null ? text.includes(pattern) : new RegExp(pattern, flags).test(text);
    },
    [testId, typeof expected === 'string' ? expected : expected.source, typeof expected === 'string' ? null : expected.flags] as const,
    { timeout: 10_000 },
  );
}
