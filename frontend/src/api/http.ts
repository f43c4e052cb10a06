import type { ApiErrorBody } from './types';

/** A failed API call: an error answer from the server, or no answer at all. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** The server's message(s); a 400 may carry one per invalid field. */
    readonly messages: string[],
    /** HTTP reason phrase from the body, e.g. "Bad Request". */
    readonly error: string,
    /** Machine-readable error code, when the server sent one. */
    readonly code?: string,
    /** The server's request id, to quote in a support request. */
    readonly requestId?: string,
    /** Seconds from a Retry-After header (429), when the server sent one. */
    readonly retryAfter?: number,
    /** More about some errors, as the server sent it, e.g. `reason` of WEBHOOK_ENDPOINT_URL_REFUSED. */
    readonly details?: Record<string, unknown>,
  ) {
    super(messages.join('; ') || error || `HTTP ${status}`);
  }

  /** Client-side code for "no answer" (offline, DNS, CORS, aborted). */
  static readonly NETWORK = 'NETWORK_ERROR';

  static network(cause: unknown): ApiError {
    const err = new ApiError(0, [], 'Network Error', ApiError.NETWORK);
    (err as { cause?: unknown }).cause = cause;
    return err;
  }

  /** Builds an ApiError from an error answer, whatever its body looks like. */
  static fromBody(status: number, statusText: string, body: unknown, retryAfter?: number): ApiError {
    if (isErrorBody(body)) {
      const messages = Array.isArray(body.message) ? body.message.map(String) : [body.message];
      return new ApiError(
        status,
        messages.filter((m) => m !== ''),
        typeof body.error === 'string' ? body.error : statusText,
        typeof body.code === 'string' ? body.code : undefined,
        typeof body.requestId === 'string' ? body.requestId : undefined,
        retryAfter,
        isRecord(body.details) ? body.details : undefined,
      );
    }
    return new ApiError(status, [], statusText, undefined, undefined, retryAfter);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorBody(body: unknown): body is Partial<ApiErrorBody> & Pick<ApiErrorBody, 'message'> {
  if (typeof body !== 'object' || body === null) return false;
  const message = (body as { message?: unknown }).message;
  return typeof message === 'string' || Array.isArray(message);
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  /** Query string parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON request body. */
  body?: unknown;
  /** Extra request headers, e.g. an Idempotency-Key (see withIdempotencyKey). */
  headers?: Record<string, string>;
  /** false: do not send the bearer token (login, register). Default true. */
  auth?: boolean;
  signal?: AbortSignal;
}

export interface HttpClientOptions {
  /** Prefix of every path. Default "/api". */
  baseUrl?: string;
  /** The current bearer token, or null when signed out. */
  getToken: () => string | null;
  /** Called when an authenticated request answers 401 (expired or revoked session). */
  onUnauthorized: () => void;
  /** Injected for tests; defaults to the global fetch at call time. */
  fetch?: typeof fetch;
}

/** A file the server sent for download, and the name it gave it (Content-Disposition), if any. */
export interface DownloadedFile {
  blob: Blob;
  filename: string | null;
}

export interface HttpClient {
  request<T>(method: HttpMethod, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, options?: Omit<RequestOptions, 'body'>): Promise<T>;
  post<T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>): Promise<T>;
  /**
   * GET a file (a CSV export…) as a Blob with the server's file name: the same
   * token, query string and error handling as every other call; an error answer
   * is still read as JSON into an ApiError.
   */
  getFile(path: string, options?: Omit<RequestOptions, 'body'>): Promise<DownloadedFile>;
}

/** One fetch-based JSON client: base URL, bearer token, typed errors, 401 handling. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const baseUrl = options.baseUrl ?? '/api';

  /** Sends the request; an answer that is not 2xx is thrown as an ApiError (after the 401 hook). */
  async function send(method: HttpMethod, path: string, opts: RequestOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept, ...opts.headers };
    const token = opts.auth === false ? null : options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }

    const doFetch = options.fetch ?? globalThis.fetch;
    let res: Response;
    try {
      res = await doFetch(baseUrl + path + queryString(opts.query), {
        method,
        headers,
        body,
        signal: opts.signal,
      });
    } catch (cause) {
      throw ApiError.network(cause);
    }

    if (!res.ok) {
      const payload = await readBody(res);
      // Only a request that carried a token can mean "your session is over";
      // a 401 from login (wrong password) is an ordinary error for the form.
      if (res.status === 401 && token) options.onUnauthorized();
      throw ApiError.fromBody(res.status, res.statusText, payload, parseRetryAfter(res.headers.get('Retry-After')));
    }
    return res;
  }

  async function request<T>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await send(method, path, opts, 'application/json');
    return (await readBody(res)) as T;
  }

  async function getFile(path: string, opts: Omit<RequestOptions, 'body'> = {}): Promise<DownloadedFile> {
    const res = await send('GET', path, opts, '*/*');
    let blob: Blob;
    try {
      blob = await res.blob();
    } catch (cause) {
      // The connection dropped half-way through the file.
      throw ApiError.network(cause);
    }
    return { blob, filename: filenameFromContentDisposition(res.headers.get('Content-Disposition')) };
  }

  return {
    request,
    get: (path, opts) => request('GET', path, opts),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    getFile,
  };
}

/**
 * The file name of a Content-Disposition header: `filename*=UTF-8''…` (RFC 5987)
 * when given, else `filename="…"` or a bare `filename=…`. Only the last path
 * segment is kept; null when there is none.
 *
 *   attachment; filename="orders-20261123T101500Z.csv" → "orders-20261123T101500Z.csv"
 */
export function filenameFromContentDisposition(header: string | null): string | null {
  if (!header) return null;
  let name: string | null = null;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      name = decodeURIComponent(extended[2]!.trim().replace(/^"(.*)"$/, '$1'));
    } catch {
      name = null;
    }
  }
  if (name === null) {
    const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
    if (plain) name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2]!.trim();
  }
  const base = name?.split(/[\\/]/).pop()?.trim() ?? '';
  return base === '' ? null : base;
}

/**
 * A fresh Idempotency-Key: a random UUID. crypto.randomUUID exists only in secure
 * contexts (HTTPS, localhost); on a plain-HTTP deployment the same version-4 UUID
 * is built from crypto.getRandomValues, which every browser offers everywhere.
 */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Request options for a money-moving POST: an `Idempotency-Key` header, so a retry
 * of the same submission (a lost answer, a double click that got through) is
 * applied once. Make one key per submission and reuse it only to resend that one.
 */
export function withIdempotencyKey<T extends RequestOptions>(options: T, key: string = newIdempotencyKey()): T {
  return { ...options, headers: { ...options.headers, 'Idempotency-Key': key } };
}

/** Retry-After as whole seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, String(value));
  }
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

async function readBody(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
