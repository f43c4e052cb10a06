import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory, type Router } from 'vue-router';
import { http } from '../client';
import { ApiError, newIdempotencyKey, withIdempotencyKey } from '../http';
import { login } from '../auth';
import { getMe, redeemCode } from '../users';
import { TOKEN_STORAGE_KEY, useAuthStore } from '../../stores/auth';
import { createAppRouter } from '../../router';
import { connectApiSession } from '../../session';

function jsonResponse(status: number, body: unknown, statusText = ''): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'Content-Type': 'application/json' },
  });
}

const fetchMock = vi.fn<typeof fetch>();

function lastCall(): { url: string; init: RequestInit; headers: Record<string, string> } {
  const call = fetchMock.mock.calls.at(-1);
  if (!call) throw new Error('fetch was not called');
  const [url, init = {}] = call;
  return { url: String(url), init, headers: (init.headers ?? {}) as Record<string, string> };
}

function signIn(token: string): ReturnType<typeof useAuthStore> {
  localStorage.setItem(TOKEN_STORAGE_KEY, token);
  setActivePinia(createPinia()); // the store reads the token from storage, as after a reload
  return useAuthStore();
}

const unauthorized = () =>
  jsonResponse(401, { statusCode: 401, error: 'Unauthorized', message: 'Unauthorized', requestId: 'r2' });

let router: Router;

beforeEach(() => {
  localStorage.clear();
  setActivePinia(createPinia());
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
  // As main.ts does: the client gets the token from the store and a 401 goes through the router.
  router = createAppRouter(createMemoryHistory());
  connectApiSession(router);
});

afterEach(() => {
  localStorage.clear();
});

describe('request client', () => {
  it('sends the bearer token from the auth store to /api', async () => {
    const store = signIn('tok-123');
    expect(store.token).toBe('tok-123');
    fetchMock.mockResolvedValue(
      jsonResponse(200, {
        id: '7',
        email: 'a@example.com',
        username: 'alice',
        role: 'user',
        status: 'active',
        balance: '12.50000000',
        createdAt: '2026-01-01T00:00:00.000Z',
      }),
    );

    const me = await getMe();

    expect(me.balance).toBe('12.50000000');
    const { url, init, headers } = lastCall();
    expect(url).toBe('/api/users/me');
    expect(init.method).toBe('GET');
    expect(headers.Authorization).toBe('Bearer tok-123');
  });

  it('sends no Authorization header when signed out', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { ok: true }));
    await http.get('/health');
    expect(lastCall().headers.Authorization).toBeUndefined();
  });

  it('posts JSON bodies and leaves the token off login', async () => {
    signIn('old-token');
    fetchMock.mockResolvedValue(
      jsonResponse(200, { accessToken: 'new', user: { id: '1', email: 'a@b.c', username: 'a', role: 'user' } }),
    );

    await login({ email: 'a@b.c', password: 'secret-pass' });

    const { url, init, headers } = lastCall();
    expect(url).toBe('/api/auth/login');
    expect(init.method).toBe('POST');
    expect(headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(init.body))).toEqual({ email: 'a@b.c', password: 'secret-pass' });
    expect(headers.Authorization).toBeUndefined();
  });

  it('parses an error body into an ApiError (message list, code, requestId)', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(
        400,
        {
          statusCode: 400,
          error: 'Bad Request',
          message: ['email must be an email', 'password must be longer than or equal to 8 characters'],
          requestId: 'req-42',
          code: 'VALIDATION_FAILED',
        },
        'Bad Request',
      ),
    );

    const err = await http.post('/auth/register', {}).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.error).toBe('Bad Request');
    expect(apiError.messages).toEqual([
      'email must be an email',
      'password must be longer than or equal to 8 characters',
    ]);
    expect(apiError.code).toBe('VALIDATION_FAILED');
    expect(apiError.requestId).toBe('req-42');
    expect(apiError.message).toContain('email must be an email');
  });

  it('parses a single-string message without a code', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(409, { statusCode: 409, error: 'Conflict', message: 'email already registered', requestId: 'r1' }),
    );

    const err = (await http.post('/auth/register', {}).catch((e: unknown) => e)) as ApiError;

    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(409);
    expect(err.messages).toEqual(['email already registered']);
    expect(err.code).toBeUndefined();
    expect(err.details).toBeUndefined();
  });

  it('keeps the details an error body carries (an object only)', async () => {
    const refused = { statusCode: 400, error: 'Bad Request', message: 'url must be https in production', requestId: 'r3', code: 'WEBHOOK_ENDPOINT_URL_REFUSED' };
    fetchMock.mockResolvedValueOnce(jsonResponse(400, { ...refused, details: { reason: 'https_required' } }));
    const err = (await http.post('/admin/webhook-endpoints', {}).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('WEBHOOK_ENDPOINT_URL_REFUSED');
    expect(err.details).toEqual({ reason: 'https_required' });

    fetchMock.mockResolvedValueOnce(jsonResponse(400, { ...refused, details: ['https_required'] }));
    const odd = (await http.post('/admin/webhook-endpoints', {}).catch((e: unknown) => e)) as ApiError;
    expect(odd.details).toBeUndefined();
  });

  it('turns a non-JSON error answer into an ApiError with the status', async () => {
    fetchMock.mockResolvedValue(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));

    const err = (await http.get('/users/me').catch((e: unknown) => e)) as ApiError;

    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(502);
    expect(err.messages).toEqual([]);
    expect(err.error).toBe('Bad Gateway');
  });

  it('turns a failed fetch into a network ApiError', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));

    const err = (await http.get('/users/me').catch((e: unknown) => e)) as ApiError;

    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.code).toBe(ApiError.NETWORK);
  });

  it('reads the token at call time: a new session is used by the next request', async () => {
    const store = signIn('first');
    fetchMock.mockImplementation(async () => jsonResponse(200, { ok: true }));

    await http.get('/health');
    expect(lastCall().headers.Authorization).toBe('Bearer first');

    store.token = 'second';
    await http.get('/health');
    expect(lastCall().headers.Authorization).toBe('Bearer second');
  });

  it('on 401 clears the session and goes to /login, to come back to the page afterwards', async () => {
    const store = signIn('expired-token');
    await router.push('/records');
    expect(router.currentRoute.value.name).toBe('records');
    fetchMock.mockResolvedValue(unauthorized());

    const err = (await getMe().catch((e: unknown) => e)) as ApiError;

    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(store.token).toBeNull();
    expect(store.isAuthenticated).toBe(false);
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    // login is a lazily loaded route: wait for the navigation to settle
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('login'));
    expect(router.currentRoute.value.query).toEqual({ redirect: '/records' });
  });

  it('on 401 on the home page goes to /login without a redirect', async () => {
    signIn('expired-token');
    await router.push('/');
    expect(router.currentRoute.value.name).toBe('home');
    fetchMock.mockResolvedValue(unauthorized());

    await getMe().catch(() => undefined);

    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('login'));
    expect(router.currentRoute.value.query).toEqual({});
  });

  it('a 401 from login (wrong password) is only an error, not a sign-out', async () => {
    const store = signIn('still-valid');
    const replace = vi.spyOn(router, 'replace').mockResolvedValue(undefined);
    fetchMock.mockResolvedValue(
      jsonResponse(401, {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'invalid credentials',
        requestId: 'r3',
        code: 'AUTH_INVALID_CREDENTIALS',
      }),
    );

    const err = (await login({ email: 'a@b.c', password: 'wrong-pass' }).catch((e: unknown) => e)) as ApiError;

    expect(err.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(store.token).toBe('still-valid');
    expect(replace).not.toHaveBeenCalled();
  });
});

describe('Idempotency-Key', () => {
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('withIdempotencyKey adds the header to the request, next to the token and JSON headers', async () => {
    signIn('tok-9');
    fetchMock.mockResolvedValue(jsonResponse(200, { ok: true }));
    await http.post('/users/redeem', { code: 'X' }, withIdempotencyKey({}, 'key-1'));
    const { headers } = lastCall();
    expect(headers['Idempotency-Key']).toBe('key-1');
    expect(headers.Authorization).toBe('Bearer tok-9');
    expect(headers['Content-Type']).toBe('application/json');
  });

  it('redeemCode sends a new random key with each call', async () => {
    fetchMock.mockImplementation(async () => jsonResponse(200, { amountUsd: '1.00000000', balance: '1.00000000' }));
    await redeemCode('ABCD');
    const first = lastCall();
    await redeemCode('ABCD');
    const second = lastCall();
    expect(first.url).toBe('/api/users/redeem');
    expect(first.headers['Idempotency-Key']).toMatch(UUID_V4);
    expect(second.headers['Idempotency-Key']).toMatch(UUID_V4);
    expect(second.headers['Idempotency-Key']).not.toBe(first.headers['Idempotency-Key']);
  });

  it('builds a version-4 UUID from getRandomValues where randomUUID is missing (plain HTTP)', () => {
    const getRandomValues = vi.fn(<T extends ArrayBufferView | null>(a: T): T => {
      (a as unknown as Uint8Array).fill(0xff);
      return a;
    });
    vi.stubGlobal('crypto', { getRandomValues });
    expect(newIdempotencyKey()).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(getRandomValues).toHaveBeenCalledOnce();
  });
});
