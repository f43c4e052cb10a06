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

/** Debian's Chromium with the tests' flags; `env` is added to its environment (e.g. FONTCONFIG_FILE). */
export function launchChromium(env: Record<string, string> = {}): Promise<Browser> {
  return chromium.launch({
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
    env: { ...process.env, ...env } as Record<string, string>,
  });
}

/** A fresh page of `browser` (its own cookies and storage) at a viewport, in a language (remembered as the user's choice). */
export async function openPage(browser: Browser, viewport: Viewport = 'phone', locale: UiLocale = 'en'): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], locale: locale === 'zh' ? 'zh-CN' : 'en-US' });
  // The app remembers the language under this key; seeding it once makes the starting language independent of
  // the browser's, and a switch made in the page still survives a reload.
  await context.addInitScript((chosen) => {
    if (localStorage.getItem('recharge.locale') === null) localStorage.setItem('recharge.locale', chosen);
  }, locale);
  return context.newPage();
}

export async function startBrowserHarness(env: Record<string, string> = {}): Promise<BrowserHarness> {
  // Gateways (here the sandbox) send the browser back to PUBLIC_BASE_URL, so it must be this server.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ RECHARGE__APP__SERVE_FRONTEND: 'true', PUBLIC_BASE_URL: baseUrl, ...env });
  await t.app.listen({ port, host: '127.0.0.1' });
  const browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });

  return {
    t,
    browser,
    baseUrl,
    newPage: (viewport, locale) => openPage(browser, viewport, locale),
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

/** What `cjkGlyphs` found: the distinct CJK characters the page shows, and those drawn without a real glyph. */
export interface CjkGlyphs {
  checked: string[];
  /** Drawn as the font's .notdef box (what U+FFFF, which no font has, draws as), or as nothing. */
  tofu: string[];
  /** Drawn exactly like another character: tofu of a fallback font that boxes every missing character alike. */
  alike: string[];
}

/**
 * Whether the CJK text under `selector` renders with real glyphs: every distinct Han character (and CJK punctuation) of
 * its visible text is drawn on a canvas in the page, in the font family, weight and style of the element showing it,
 * and compared pixel by pixel with U+FFFF in the same font. Without a CJK font Chromium draws each of them as the
 * same empty box; `document.fonts.check` cannot tell, it answers true either way.
 */
export async function cjkGlyphs(page: Page, selector = 'body'): Promise<CjkGlyphs> {
  return page.evaluate((rootSelector) => {
    const root = document.querySelector(rootSelector);
    if (!root) throw new Error(`${rootSelector} is not in the page`);
    const cjk = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;
    const fonts = new Map<string, string>(); // character → font of the first element showing it
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || element.getClientRects().length === 0) continue; // not rendered
      const style = getComputedStyle(element);
      if (style.visibility !== 'visible') continue;
      for (const ch of node.textContent ?? '') {
        if (cjk.test(ch) && !fonts.has(ch)) fonts.set(ch, `${style.fontStyle} ${style.fontWeight} 48px ${style.fontFamily}`);
      }
    }
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const draw = (ch: string, font: string): string => {
      ctx.clearRect(0, 0, 64, 64);
      ctx.font = font;
      ctx.textBaseline = 'top';
      ctx.fillStyle = '#000';
      ctx.fillText(ch, 8, 8);
      const alpha = ctx.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 3);
      return alpha.some((a) => a > 0) ? Array.from(alpha, (a) => (a > 127 ? '1' : '0')).join('') : '';
    };
    const checked: string[] = [];
    const tofu: string[] = [];
    const byBitmap = new Map<string, string[]>();
    for (const [ch, font] of fonts) {
      checked.push(ch);
      const bitmap = draw(ch, font);
      if (bitmap === '' || bitmap === draw('\uffff', font)) tofu.push(ch);
      byBitmap.set(`${font}|${bitmap}`, [...(byBitmap.get(`${font}|${bitmap}`) ?? []), ch]);
    }
    const alike = [...byBitmap.values()].filter((chars) => chars.length > 1).flat();
    return { checked, tofu, alike };
  }, selector);
}

/** Opens an admin section with the admin's navigation: on a phone its menu is opened first. */
export async function openAdminSection(page: Page, section: string, label?: string): Promise<void> {
  await page.getByTestId('admin-nav').waitFor({ timeout: 10_000 });
  const toggle = page.getByTestId('admin-nav-toggle');
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  if (label !== undefined) await expectText(page, `admin-tab-${section}`, label);
  await page.getByTestId(`admin-tab-${section}`).click();
}
