/**
 * Test helpers (not a spec file): a fetch stub that answers by
 * "METHOD /path", and a mount helper with a signed-in session.
 */
import { afterEach, vi } from 'vitest';
import { enableAutoUnmount, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory, type Router } from 'vue-router';
import type { Component } from 'vue';
import { createAppRouter } from '../router';
import { createAppI18n, type AppLocale } from '../i18n';
import type { Provider } from '../api/types';
import { TOKEN_STORAGE_KEY } from '../stores/auth';
import { connectApiSession } from '../session';

// Mounted views are attached to the document (real form submission); unmount after each test.
enableAutoUnmount(afterEach);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function apiError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { statusCode: status, error: 'Error', message, requestId: 'req-1', code }, headers);
}

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

/** A handler gets the request and answers a Response, or any other value as a 200 JSON body. */
export type Handler = (req: SeenRequest) => unknown;

/**
 * Stubs the global fetch. `routes` keys are "GET /api/payment/config";
 * a missing route fails the test loudly with a 599.
 */
export function stubApi(routes: Record<string, Handler | unknown>) {
  const requests: SeenRequest[] = [];
  const fetchMock = vi.fn<typeof fetch>(async (input, init) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const req: SeenRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    };
    requests.push(req);
    const key = `${method} ${url.pathname}`;
    if (!(key in routes)) return json(599, { statusCode: 599, error: 'unmocked', message: key, requestId: 'x' });
    const route = routes[key];
    const answer = typeof route === 'function' ? await (route as Handler)(req) : route;
    return answer instanceof Response ? answer : json(200, answer);
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    fetchMock,
    requests,
    calls: (key: string) => requests.filter((r) => `${r.method} ${r.path}` === key),
  };
}

/** Signed in (token in storage, as after a reload), at `url`, English unless told. */
export async function mountSignedIn(component: Component, url: string, locale: AppLocale = 'en') {
  localStorage.setItem(TOKEN_STORAGE_KEY, 'test-token');
  const pinia = createPinia();
  setActivePinia(pinia);
  const router: Router = createAppRouter(createMemoryHistory());
  connectApiSession(router); // as main.ts does: token from the store, a 401 goes to /login
  await router.push(url);
  await router.isReady();
  const wrapper = mount(component, { global: { plugins: [pinia, router, createAppI18n(locale)] }, attachTo: document.body });
  return { wrapper, router };
}

/** GET /api/users/me for a signed-in user of this role (admin pages ask for it in the route guard). */
export function me(role: 'user' | 'admin' = 'user') {
  return {
    id: role === 'admin' ? '1' : '2',
    email: `${role}@example.com`,
    username: role,
    role,
    status: 'active',
    balance: '0.00000000',
    createdAt: '2026-11-23T00:00:00.000Z',
  };
}

/**
 * Gateways as GET /api/payment/providers answers them (the web app knows none
 * by name: tests name them only here and where a test needs a special one).
 */
export const PROVIDERS = {
  /** Sends the payer to a page, and can answer with QR content instead. */
  qrCapable: {
    name: 'zpay',
    labels: { zh: '支付宝 / 微信支付', en: 'Alipay / WeChat Pay' },
    methods: ['alipay', 'wxpay'],
    display: 'redirect',
    offersQrCode: true,
  },
  /** Sends the payer to a page only. */
  redirectOnly: {
    name: 'sandbox',
    labels: { zh: '沙箱（测试）', en: 'Sandbox' },
    methods: ['alipay'],
    display: 'redirect',
    offersQrCode: false,
  },
  /** The payer sends an exact amount to an address. */
  address: {
    name: 'usdt_trc20',
    labels: { zh: 'USDT（TRON TRC20）', en: 'TRON (TRC20)' },
    methods: ['usdt'],
    display: 'address',
    offersQrCode: false,
  },
} satisfies Record<string, Provider>;
