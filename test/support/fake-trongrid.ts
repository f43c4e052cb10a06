import bs58check from 'bs58check';
import { createHash, randomBytes } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export interface FakeTransfer {
  transaction_id: string;
  token_info: { symbol: string; address: string; decimals: number; name: string };
  block_timestamp: number;
  from: string;
  to: string;
  type: 'Transfer';
  value: string;
  /** Not sent: TronGrid only uses it to answer only_confirmed. Tests may flip it on the returned object. */
  confirmed: boolean;
}

type ListedTransfer = Omit<FakeTransfer, 'confirmed'>;

const USDT_CONTRACT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
/** A valid mainnet address (0x41 + twenty 0x00 bytes): the default payer. */
const DEFAULT_FROM = 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb';
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;
const PATH = /^\/v1\/accounts\/([^/]+)\/transactions\/trc20\/?$/;

interface Stored {
  transfer: FakeTransfer;
  /** Insertion order: the last tie-breaker, so equal (timestamp, id) rows still sort the same way every time. */
  seq: number;
}

/** Where a page ended, in sort-key terms, plus the query it belongs to. */
interface Cursor {
  queryKey: string;
  blockTimestamp: number;
  transactionId: string;
  seq: number;
}

/**
 * A stand-in for TronGrid's `GET /v1/accounts/{address}/transactions/trc20`
 * on loopback, answering the real shape. Paging uses a keyset cursor (the last
 * row served) rather than an offset, so rows added between pages never shift
 * or repeat the ones already served.
 */
export class FakeTronGrid {
  readonly requests: { path: string; query: Record<string, string>; headers: Record<string, string | string[] | undefined> }[] = [];
  private readonly transfers: Stored[] = [];
  private failures: { remaining: number; status: number } = { remaining: 0, status: 0 };
  /** Every answer waits this long: a slow TronGrid, so a poller can be stopped in the middle of its pages. */
  delayMs = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeTronGrid> {
    let fake: FakeTronGrid | undefined;
    const server = createServer((req, res) => fake!.handle(req, res));
    const url = await new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });
    fake = new FakeTronGrid(server, url);
    return fake;
  }

  /** Adds a transfer; the returned object is the stored one (set `confirmed` on it to confirm later). */
  addTransfer(t: {
    to: string;
    amount: string;
    from?: string;
    contract?: string;
    decimals?: number;
    blockTimestamp?: number;
    confirmed?: boolean;
    transactionId?: string;
  }): FakeTransfer {
    const decimals = t.decimals ?? 6;
    const contract = t.contract ?? USDT_CONTRACT;
    const isUsdt = contract === USDT_CONTRACT;
    const transfer: FakeTransfer = {
      transaction_id: t.transactionId ?? randomBytes(32).toString('hex'),
      token_info: { symbol: isUsdt ? 'USDT' : 'TKN', address: contract, decimals, name: isUsdt ? 'Tether USD' : 'Test Token' },
      block_timestamp: t.blockTimestamp ?? Date.now(),
      from: t.from ?? DEFAULT_FROM,
      to: t.to,
      type: 'Transfer',
      value: decimalToUnits(t.amount, decimals),
      confirmed: t.confirmed ?? true,
    };
    this.transfers.push({ transfer, seq: this.transfers.length });
    return transfer;
  }

  /** The next n requests answer this status (429 with Retry-After: 1 and body {"Error":"..."}; 5xx with a plain body). */
  failNext(n: number, status: number): void {
    this.failures = { remaining: n, status };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.delayMs > 0) {
      setTimeout(() => this.answer(req, res), this.delayMs);
      return;
    }
    this.answer(req, res);
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const requestUrl = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(requestUrl.searchParams);
    this.requests.push({ path: requestUrl.pathname, query, headers: { ...req.headers } });

    if (this.failures.remaining > 0) {
      this.failures.remaining -= 1;
      return fail(res, this.failures.status);
    }

    const match = req.method === 'GET' ? PATH.exec(requestUrl.pathname) : null;
    if (!match) return json(res, 404, { success: false, error: 'Not Found', statusCode: 404 });
    const address = decodeURIComponent(match[1]);
    if (!address.startsWith('T')) return json(res, 400, { success: false, error: `${address} is not a valid address`, statusCode: 400 });

    const page = this.page(address, requestUrl);
    if ('error' in page) return json(res, 400, { success: false, error: page.error, statusCode: 400 });
    json(res, 200, page);
  }

  private page(address: string, requestUrl: URL): { error: string } | { data: ListedTransfer[]; success: true; meta: Record<string, unknown> } {
    const params = requestUrl.searchParams;
    const contract = params.get('contract_address');
    const onlyConfirmed = params.get('only_confirmed') === 'true';
    const minTimestamp = params.has('min_timestamp') ? Number(params.get('min_timestamp')) : 0;
    if (!Number.isFinite(minTimestamp)) return { error: 'min_timestamp must be a number' };
    const orderBy = params.get('order_by') ?? 'block_timestamp,desc';
    if (orderBy !== 'block_timestamp,asc' && orderBy !== 'block_timestamp,desc') return { error: `order_by ${orderBy} is not supported` };
    const ascending = orderBy === 'block_timestamp,asc';
    const limit = params.has('limit') ? Number(params.get('limit')) : DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) return { error: 'limit must be a positive integer' };

    const queryKey = createHash('sha256')
      .update(JSON.stringify([address, contract, onlyConfirmed, minTimestamp, orderBy]))
      .digest('hex')
      .slice(0, 16);
    let after: Cursor | null = null;
    const fingerprint = params.get('fingerprint');
    if (fingerprint) {
      after = decodeCursor(fingerprint);
      if (!after || after.queryKey !== queryKey) return { error: 'fingerprint does not belong to this query' };
    }

    const direction = ascending ? 1 : -1;
    const rows = this.transfers
      .filter(({ transfer: t }) => t.to === address || t.from === address)
      .filter(({ transfer: t }) => !contract || t.token_info.address === contract)
      .filter(({ transfer: t }) => !onlyConfirmed || t.confirmed)
      .filter(({ transfer: t }) => t.block_timestamp >= minTimestamp)
      .sort((a, b) => direction * compareKeys(keyOf(a), keyOf(b)))
      .filter((row) => !after || direction * compareKeys(keyOf(row), after) > 0);

    const served = rows.slice(0, Math.min(limit, MAX_LIMIT));
    const meta: Record<string, unknown> = { at: Date.now(), page_size: served.length };
    if (rows.length > served.length) {
      const last = keyOf(served[served.length - 1]);
      const next = encodeCursor({ queryKey, ...last });
      const nextUrl = new URL(requestUrl.pathname, this.url);
      params.forEach((value, name) => name !== 'fingerprint' && nextUrl.searchParams.set(name, value));
      nextUrl.searchParams.set('fingerprint', next);
      meta.fingerprint = next;
      meta.links = { next: nextUrl.toString() };
    }
    return { data: served.map(({ transfer: { confirmed: _confirmed, ...listed } }) => listed), success: true, meta };
  }
}

type SortKey = Omit<Cursor, 'queryKey'>;

function keyOf({ transfer, seq }: Stored): SortKey {
  return { blockTimestamp: transfer.block_timestamp, transactionId: transfer.transaction_id, seq };
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a.blockTimestamp !== b.blockTimestamp) return a.blockTimestamp - b.blockTimestamp;
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  return a.seq - b.seq;
}

/** Opaque to clients, like TronGrid's: base64url of JSON. */
function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(fingerprint: string): Cursor | null {
  try {
    const value = JSON.parse(Buffer.from(fingerprint, 'base64url').toString('utf8')) as Partial<Cursor>;
    const valid =
      typeof value.queryKey === 'string' &&
      typeof value.blockTimestamp === 'number' &&
      typeof value.transactionId === 'string' &&
      typeof value.seq === 'number';
    return valid ? (value as Cursor) : null;
  } catch {
    return null;
  }
}

/** "2.781" at 6 decimals → "2781000", exactly (string arithmetic, no float). */
function decimalToUnits(amount: string, decimals: number): string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) throw new Error(`FakeTronGrid: amount "${amount}" is not a plain decimal`);
  const [, whole, fraction = ''] = match;
  if (fraction.length > decimals) throw new Error(`FakeTronGrid: amount "${amount}" has more than ${decimals} decimals`);
  return (whole + fraction.padEnd(decimals, '0')).replace(/^0+(?=\d)/, '');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number): void {
  if (status === 429) {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ Error: 'request rate exceeded the allowed_rps(15), and the query server is suspended for 1s' }));
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain' }).end(`fake TronGrid failure ${status}`);
}

/** A fresh valid mainnet address (0x41 and 20 random bytes, base58check), for a merchant or a payer of one test file. */
export function randomTronAddress(): string {
  return bs58check.encode(Buffer.concat([Buffer.from([0x41]), randomBytes(20)]));
}
