import { GatewayError } from '../../payment-provider';

/** One TRC20 transfer touching an account, as TronGrid lists it (either direction). */
export interface Trc20Transfer {
  transactionId: string;
  /** The token contract (base58). */
  tokenAddress: string;
  from: string;
  to: string;
  /** Integer amount in the token's smallest unit, as TronGrid sends it ("2781000"). */
  value: string;
  decimals: number;
  /** Block time, ms since the epoch. */
  blockTimestamp: number;
  type: string;
}

export interface TransferPage {
  transfers: Trc20Transfer[];
  /** null when this was the last page */
  fingerprint: string | null;
}

export interface TronGridOptions {
  apiUrl: string;
  apiKey: string;
  timeoutMs?: number;
}

/**
 * TronGrid did not answer, or answered with an error: nothing can be concluded
 * about the account's transfers. `status` is null when there was no usable
 * HTTP answer; `retryAfterMs` comes from Retry-After on a 429.
 */
export class TronGridError extends GatewayError {
  override name = 'TronGridError';

  constructor(
    message: string,
    readonly status: number | null,
    override readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_LIMIT = 200;
/** TronGrid refuses larger pages. */
const MAX_LIMIT = 200;
const TX_ID = /^[0-9a-fA-F]{64}$/;
/** A uint256 has at most 78 digits. */
const UNITS = /^\d{1,78}$/;

/**
 * Reads TronGrid's "TRC20 transactions of an account" endpoint. It only
 * fetches and checks the shape: deciding which transfers pay which order is
 * the caller's business, so outgoing transfers are returned too.
 */
export class TronGridClient {
  private readonly apiUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;

  constructor(options: TronGridOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * One page of confirmed transfers of `contract` touching `address`, oldest
   * first from `minTimestamp` (inclusive). Pass the returned fingerprint back,
   * with the same query, for the next page.
   */
  async transfersPage(query: {
    address: string;
    contract: string;
    minTimestamp: number;
    fingerprint?: string | null;
    limit?: number;
  }): Promise<TransferPage> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RangeError(`trongrid: limit must be 1..${MAX_LIMIT}`);

    const url = new URL(`${this.apiUrl}/v1/accounts/${encodeURIComponent(query.address)}/transactions/trc20`);
    url.searchParams.set('only_confirmed', 'true');
    url.searchParams.set('contract_address', query.contract);
    url.searchParams.set('min_timestamp', String(query.minTimestamp));
    url.searchParams.set('limit', String(limit));
    url.searchParams.set('order_by', 'block_timestamp,asc');
    if (query.fingerprint) url.searchParams.set('fingerprint', query.fingerprint);

    const body = await this.getJson(url);
    return parsePage(body);
  }

  /** Errors name the failure only: never the URL (it identifies the merchant) nor the key. */
  private async getJson(url: URL): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.apiKey) headers['TRON-PRO-API-KEY'] = this.apiKey;

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await response.text();
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer in ${this.timeoutMs} ms` : 'unreachable';
      throw new TronGridError(`trongrid: ${reason}`, null, null);
    }

    if (response.status === 429) {
      throw new TronGridError('trongrid: rate limited (HTTP 429)', 429, retryAfterMs(response.headers.get('retry-after')));
    }
    if (!response.ok) throw new TronGridError(`trongrid: HTTP ${response.status}`, response.status, null);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TronGridError('trongrid: the answer is not JSON', null, null);
    }
  }
}

/** Retry-After is either delay-seconds or an HTTP date. */
function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parsePage(body: unknown): TransferPage {
  if (!isRecord(body) || body.success !== true) throw new TronGridError('trongrid: the answer does not say success', null, null);
  if (!Array.isArray(body.data)) throw new TronGridError('trongrid: the answer has no data list', null, null);

  const transfers = body.data.map((item: unknown, index: number) => parseTransfer(item, index));
  const meta = isRecord(body.meta) ? body.meta : {};
  const fingerprint = meta.fingerprint;
  if (fingerprint !== undefined && fingerprint !== null && typeof fingerprint !== 'string') {
    throw new TronGridError('trongrid: meta.fingerprint is not a string', null, null);
  }
  return { transfers, fingerprint: fingerprint ? fingerprint : null };
}

/**
 * A transfer we cannot read is an error, not something to skip: skipping it
 * could leave a paid order unpaid with nobody noticing.
 */
function parseTransfer(item: unknown, index: number): Trc20Transfer {
  const bad = (what: string) => new TronGridError(`trongrid: transfer #${index} ${what}`, null, null);
  if (!isRecord(item)) throw bad('is not an object');
  const { transaction_id, token_info, block_timestamp, from, to, type, value } = item;

  if (typeof transaction_id !== 'string' || !TX_ID.test(transaction_id)) throw bad('has no 64-hex transaction_id');
  if (typeof value !== 'string' || !UNITS.test(value)) throw bad('has a value that is not a digit string');
  if (typeof block_timestamp !== 'number' || !Number.isSafeInteger(block_timestamp) || block_timestamp < 0) {
    throw bad('has no block_timestamp');
  }
  if (!isRecord(token_info) || typeof token_info.address !== 'string' || token_info.address === '') throw bad('has no token_info.address');
  const decimals = token_info.decimals;
  if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 77) throw bad('has no token_info.decimals');
  if (typeof from !== 'string' || typeof to !== 'string' || from === '' || to === '') throw bad('has no from/to');
  if (typeof type !== 'string') throw bad('has no type');

  return {
    // Lower case: it is the key the caller deduplicates payments on.
    transactionId: transaction_id.toLowerCase(),
    tokenAddress: token_info.address,
    from,
    to,
    value,
    decimals,
    blockTimestamp: block_timestamp,
    type,
  };
}

/**
 * Token units → decimal string: ("2781000", 6) → "2.781"; ("2781234", 6) →
 * "2.781234". Pure string arithmetic, so a uint256 of any size stays exact.
 */
export function unitsToDecimal(value: string, decimals: number): string {
  if (!/^\d+$/.test(value)) throw new RangeError(`unitsToDecimal: "${value}" is not a digit string`);
  if (!Number.isInteger(decimals) || decimals < 0) throw new RangeError(`unitsToDecimal: bad decimals ${decimals}`);
  const digits = value.replace(/^0+/, '').padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}
