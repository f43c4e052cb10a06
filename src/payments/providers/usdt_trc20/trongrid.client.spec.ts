import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeTronGrid } from '../../../../test/support/fake-trongrid';
import { GatewayError } from '../../payment-provider';
import { TronGridClient, TronGridError, Trc20Transfer, unitsToDecimal } from './trongrid.client';

const USDT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
/** Valid mainnet addresses (0x41 + 20 bytes of 0x00 / 0xff, and USDC's contract). */
const MERCHANT = 'TZJozAg1ruapycCicgz31GxvYJ1FraLjZa';
const PAYER = 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb';
const OTHER_TOKEN = 'TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8';
const API_KEY = 'secret-trongrid-key-123';

describe('TronGridClient against FakeTronGrid', () => {
  let fake: FakeTronGrid;

  beforeEach(async () => {
    fake = await FakeTronGrid.start();
  });
  afterEach(() => fake.close());

  const client = (apiKey = '') => new TronGridClient({ apiUrl: fake.url, apiKey });
  const query = (extra: { minTimestamp?: number; fingerprint?: string | null; limit?: number } = {}) => ({
    address: MERCHANT,
    contract: USDT,
    minTimestamp: 0,
    ...extra,
  });

  it('reads one page and sends the documented query', async () => {
    const sent = fake.addTransfer({ to: MERCHANT, amount: '2.781', blockTimestamp: 1_733_500_000_000 });

    const page = await client().transfersPage(query({ minTimestamp: 1_733_000_000_000 }));

    expect(page).toEqual({
      fingerprint: null,
      transfers: [
        {
          transactionId: sent.transaction_id,
          tokenAddress: USDT,
          from: PAYER,
          to: MERCHANT,
          value: '2781000',
          decimals: 6,
          blockTimestamp: 1_733_500_000_000,
          type: 'Transfer',
        },
      ],
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].path).toBe(`/v1/accounts/${MERCHANT}/transactions/trc20`);
    expect(fake.requests[0].query).toEqual({
      only_confirmed: 'true',
      contract_address: USDT,
      min_timestamp: '1733000000000',
      limit: '200',
      order_by: 'block_timestamp,asc',
    });
    expect(fake.requests[0].headers.accept).toBe('application/json');
  });

  it('pages through 450 transfers at limit 200: each once, in ascending order', async () => {
    const base = 1_733_500_000_000;
    // Added out of order, with some equal timestamps, so the server's sort is what is tested.
    for (let i = 0; i < 450; i += 1) {
      fake.addTransfer({ to: MERCHANT, amount: `0.${String(i + 1).padStart(6, '0')}`, blockTimestamp: base + ((i * 7919) % 300) * 1000 });
    }

    const seen: Trc20Transfer[] = [];
    const pageSizes: number[] = [];
    let fingerprint: string | null = null;
    do {
      const page: Awaited<ReturnType<TronGridClient['transfersPage']>> = await client().transfersPage(query({ fingerprint, limit: 200 }));
      pageSizes.push(page.transfers.length);
      seen.push(...page.transfers);
      fingerprint = page.fingerprint;
    } while (fingerprint);

    expect(pageSizes).toEqual([200, 200, 50]);
    expect(new Set(seen.map((t) => t.transactionId)).size).toBe(450);
    const times = seen.map((t) => t.blockTimestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(fake.requests.map((r) => r.query.fingerprint)).toEqual([undefined, expect.any(String), expect.any(String)]);
  });

  it('keeps paging stable when later transfers arrive between pages', async () => {
    const base = 1_733_500_000_000;
    for (let i = 0; i < 5; i += 1) fake.addTransfer({ to: MERCHANT, amount: `1.00000${i}`, blockTimestamp: base + i });

    const first = await client().transfersPage(query({ limit: 3 }));
    const late = fake.addTransfer({ to: MERCHANT, amount: '9', blockTimestamp: base + 100 });
    const second = await client().transfersPage(query({ limit: 3, fingerprint: first.fingerprint }));

    expect(first.transfers.map((t) => t.value)).toEqual(['1000000', '1000001', '1000002']);
    expect(second.transfers.map((t) => t.value)).toEqual(['1000003', '1000004', '9000000']);
    expect(second.transfers[2].transactionId).toBe(late.transaction_id);
    expect(second.fingerprint).toBeNull();
  });

  it('sends TRON-PRO-API-KEY only when a key is set', async () => {
    await client().transfersPage(query());
    await client(API_KEY).transfersPage(query());

    expect(fake.requests[0].headers['tron-pro-api-key']).toBeUndefined();
    expect(fake.requests[1].headers['tron-pro-api-key']).toBe(API_KEY);
  });

  it('returns what the server lists: both directions of the asked contract, confirmed, from min_timestamp on', async () => {
    const t = 1_733_500_000_000;
    const incoming = fake.addTransfer({ to: MERCHANT, amount: '5', blockTimestamp: t + 1 });
    const outgoing = fake.addTransfer({ from: MERCHANT, to: PAYER, amount: '1.5', blockTimestamp: t + 2 });
    fake.addTransfer({ to: MERCHANT, amount: '5', contract: OTHER_TOKEN, blockTimestamp: t + 3 }); // another token
    fake.addTransfer({ from: PAYER, to: OTHER_TOKEN, amount: '7', blockTimestamp: t + 4 }); // not this account
    fake.addTransfer({ to: MERCHANT, amount: '8', blockTimestamp: t + 5, confirmed: false }); // not yet confirmed
    fake.addTransfer({ to: MERCHANT, amount: '3', blockTimestamp: t - 1 }); // before min_timestamp

    const page = await client().transfersPage(query({ minTimestamp: t }));

    expect(page.transfers.map((x) => x.transactionId)).toEqual([incoming.transaction_id, outgoing.transaction_id]);
    expect(page.transfers[1]).toMatchObject({ from: MERCHANT, to: PAYER, value: '1500000' });
  });

  it('turns a 429 into TronGridError with status 429 and Retry-After in ms', async () => {
    fake.failNext(1, 429);

    const error = await client(API_KEY).transfersPage(query()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TronGridError);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 1000 });
    expectSafeMessage(error as Error, fake.url);
    // The failure is spent: the next call succeeds.
    await expect(client().transfersPage(query())).resolves.toEqual({ transfers: [], fingerprint: null });
  });

  it('turns a 500 into TronGridError with status 500', async () => {
    fake.failNext(1, 500);

    const error = await client(API_KEY).transfersPage(query()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TronGridError);
    expect(error).toMatchObject({ status: 500, retryAfterMs: null, message: 'trongrid: HTTP 500' });
    expectSafeMessage(error as Error, fake.url);
  });

  it('turns the 400 for a non-TRON address into TronGridError with status 400', async () => {
    await expect(client().transfersPage({ ...query(), address: '0xdeadbeef' })).rejects.toMatchObject({ name: 'TronGridError', status: 400 });
  });

  it('answers 404 JSON on unknown paths', async () => {
    const response = await fetch(`${fake.url}/v1/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ success: false });
  });
});

describe('TronGridClient against a misbehaving server', () => {
  let server: Server;
  let url: string;
  /** What the next request gets. */
  let answer: { status: number; body: string; delayMs?: number };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      const send = () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const fetchPage = (timeoutMs?: number) =>
    new TronGridClient({ apiUrl: `${url}/`, apiKey: API_KEY, timeoutMs }).transfersPage({ address: MERCHANT, contract: USDT, minTimestamp: 0 });

  const validItem = {
    transaction_id: 'ab'.repeat(32),
    token_info: { symbol: 'USDT', address: USDT, decimals: 6, name: 'Tether USD' },
    block_timestamp: 1_733_500_000_000,
    from: PAYER,
    to: MERCHANT,
    type: 'Transfer',
    value: '2781000',
  };
  const pageWith = (item: unknown) => JSON.stringify({ data: [item], success: true, meta: { at: 1, page_size: 1 } });

  it.each([
    ['a body that is not JSON', '<html>bad gateway</html>'],
    ['success false', JSON.stringify({ data: [], success: false, meta: {} })],
    ['no success field', JSON.stringify({ data: [] })],
    ['data not an array', JSON.stringify({ data: {}, success: true, meta: {} })],
    ['a JSON array', '[]'],
    ['a short transaction_id', pageWith({ ...validItem, transaction_id: 'abc' })],
    ['a numeric value', pageWith({ ...validItem, value: 2781000 })],
    ['a decimal value', pageWith({ ...validItem, value: '2.781' })],
    ['a string block_timestamp', pageWith({ ...validItem, block_timestamp: '1733500000000' })],
    ['no token_info', pageWith({ ...validItem, token_info: undefined })],
    ['no decimals', pageWith({ ...validItem, token_info: { ...validItem.token_info, decimals: undefined } })],
    ['a null item', pageWith(null)],
  ])('rejects %s with TronGridError (status null)', async (_label, body) => {
    answer = { status: 200, body };

    const error = await fetchPage().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TronGridError);
    expect(error).toMatchObject({ status: null, retryAfterMs: null });
    expectSafeMessage(error as Error, url);
  });

  it('accepts a well-formed item (the control for the table above)', async () => {
    answer = { status: 200, body: pageWith(validItem) };
    await expect(fetchPage()).resolves.toMatchObject({ transfers: [{ value: '2781000', decimals: 6 }], fingerprint: null });
  });

  it('times out with TronGridError (status null)', async () => {
    answer = { status: 200, body: pageWith(validItem), delayMs: 500 };

    const error = await fetchPage(50).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TronGridError);
    expect(error).toMatchObject({ status: null, message: 'trongrid: no answer in 50 ms' });
  });

  it('reports an unreachable server with TronGridError (status null)', async () => {
    const error = await new TronGridClient({ apiUrl: 'http://127.0.0.1:1', apiKey: API_KEY })
      .transfersPage({ address: MERCHANT, contract: USDT, minTimestamp: 0 })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TronGridError);
    expect(error).toMatchObject({ status: null, message: 'trongrid: unreachable' });
  });
});

describe('unitsToDecimal', () => {
  it.each([
    ['2781000', 6, '2.781'],
    ['2781234', 6, '2.781234'],
    ['2000000', 6, '2'],
    ['1', 6, '0.000001'],
    ['0', 6, '0'],
    ['000123', 2, '1.23'],
    ['123', 0, '123'],
    ['100', 2, '1'],
    ['115792089237316195423570985008687907853269984665640564039457584007913129639935', 18, '115792089237316195423570985008687907853269984665640564039457.584007913129639935'],
  ])('(%s, %d) → %s', (value, decimals, expected) => {
    expect(unitsToDecimal(value, decimals)).toBe(expected);
  });

  it.each([
    ['-1', 6],
    ['1.5', 6],
    ['', 6],
    ['1e6', 6],
    ['1', -1],
    ['1', 1.5],
  ])('rejects (%s, %d)', (value, decimals) => {
    expect(() => unitsToDecimal(value, decimals)).toThrow(RangeError);
  });
});

/** No key, no URL, one line, prefixed. */
function expectSafeMessage(error: Error, url: string) {
  expect(error.message).toMatch(/^trongrid: /);
  expect(error.message).not.toContain(API_KEY);
  expect(error.message).not.toContain(url);
  expect(error.message).not.toContain(MERCHANT);
}
