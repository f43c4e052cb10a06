import { Pool } from 'pg';
import { AppProcess, startAppProcess } from '../support/app-process';
import { FakeZpay } from '../support/fake-gateways';
import { FakeTronGrid, randomTronAddress } from '../support/fake-trongrid';
import { Order, appEnv, checkMoney, report, sleep } from './support/harness';

/**
 * USDT-TRC20 under faults: two instances poll one merchant address every
 * second while TronGrid is slow, and the instance that is reading a burst of
 * pages is killed (SIGKILL) in the middle of it, then started again. Every order must
 * be credited exactly once, and the cursor must end past the burst.
 */
describe('USDT-TRC20 polling: two instances, one killed mid-page', () => {
  const ORDERS = 40;
  const STRAYS = 500;
  let zpay: FakeZpay;
  let tron: FakeTronGrid;
  let db: Pool;
  let instances: AppProcess[] = [];
  const merchant = randomTronAddress();
  const databaseUrl = process.env.DATABASE_URL!;

  beforeAll(async () => {
    zpay = await new FakeZpay().start();
    tron = await FakeTronGrid.start();
    db = new Pool({ connectionString: databaseUrl, max: 2 });
  });
  afterAll(async () => {
    await Promise.all(instances.map((app) => app.stop()));
    await tron.close();
    await zpay.stop();
    await db.end();
  });

  /** Each instance sends its own API key, so the fake TronGrid can tell whose poll a request belongs to. */
  const env = (instance: string) =>
    appEnv(databaseUrl, zpay, {
      USDT_TRC20_ENABLED: 'true',
      USDT_TRC20_ADDRESS: merchant,
      TRONGRID_API_URL: tron.url,
      TRONGRID_API_KEY: instance,
      RECHARGE__USDT__POLL_SECONDS: '1',
    });

  async function createUsdtOrders(baseUrl: string): Promise<(Order & { payAmount: string })[]> {
    const run = Math.random().toString(36).slice(2, 8);
    return Promise.all(
      Array.from({ length: ORDERS }, async (_, i) => {
        const post = async (path: string, body: unknown, token?: string) => {
          const res = await fetch(`${baseUrl}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
            body: JSON.stringify(body),
          });
          const answer = await res.json();
          if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(answer)}`);
          return answer;
        };
        const registered = await post('/api/auth/register', { email: `usdt-${run}-${i}@example.test`, username: `usdt_${run}_${i}`, password: 'correct horse battery' });
        // Five prices, so many orders share a price and are told apart by their suffix only.
        const amountCny = `${20 + (i % 5) * 10}.00`;
        const order = await post('/api/payment/orders', { amountCny, provider: 'usdt_trc20', method: 'usdt' }, registered.accessToken);
        return { orderNo: order.orderNo, amountCny, totalUsd: order.totalUsd, userId: registered.user.id, token: registered.accessToken, payAmount: order.payAmount };
      }),
    );
  }

  it('credits every transfer once, whatever instance reads it and however often', async () => {
    instances = await Promise.all([startAppProcess(env('instance-a')), startAppProcess(env('instance-b'))]);
    const orders = await createUsdtOrders(instances[0].baseUrl);
    expect(new Set(orders.map((o) => o.payAmount)).size).toBe(ORDERS);

    // A burst: strays that match no order, with the payments spread among them, over three pages.
    tron.delayMs = 400;
    const at = Date.now();
    for (let i = 0; i < STRAYS; i++) {
      tron.addTransfer({ to: merchant, amount: `0.${String(i + 1).padStart(3, '0')}`, blockTimestamp: at + i });
      if (i % 12 === 0 && i / 12 < ORDERS) tron.addTransfer({ to: merchant, amount: orders[i / 12].payAmount, blockTimestamp: at + i });
    }

    // Kill whichever instance is polling, while it waits for a later page of the burst (each page takes 400 ms to come).
    const firstPageSeen = tron.requests.length;
    const midPage = () => tron.requests.slice(firstPageSeen).find((r) => r.query.fingerprint);
    const deadline = Date.now() + 30_000;
    while (!midPage() && Date.now() < deadline) await sleep(10);
    const poller = midPage()?.headers['tron-pro-api-key'];
    const victim = poller === 'instance-b' ? 1 : 0;
    await instances[victim].kill();
    const killedMidPage = poller ? 1 : 0;
    instances[victim] = await startAppProcess(env(victim === 1 ? 'instance-b' : 'instance-a'), { port: instances[victim].port });

    // Both instances keep polling; wait until every order is paid (or time runs out).
    tron.delayMs = 50;
    const until = Date.now() + 90_000;
    let paid = 0;
    while (Date.now() < until) {
      const { rows } = await db.query(`SELECT COUNT(*)::int AS n FROM payment_orders WHERE order_no = ANY($1) AND status = 'paid'`, [orders.map((o) => o.orderNo)]);
      paid = rows[0].n;
      if (paid === ORDERS) break;
      await sleep(250);
    }
    // One more round of polls reads the tail again from the inclusive cursor: nothing changes.
    await sleep(2500);

    const money = await checkMoney(databaseUrl, orders);
    const { rows: strays } = await db.query(
      `SELECT COUNT(*)::int AS n, COUNT(DISTINCT event_id)::int AS distinct FROM payment_webhook_events WHERE provider = 'usdt_trc20' AND outcome = 'unmatched_payment' AND payload LIKE $1`,
      [`%"to":"${merchant}"%`],
    );
    const { rows: cursor } = await db.query(`SELECT min_timestamp::bigint AS at FROM usdt_trc20_cursors WHERE address = $1`, [merchant]);
    report('usdt-two-pollers-one-killed', {
      orders: ORDERS,
      transfers: STRAYS + ORDERS,
      tronGridRequests: tron.requests.length - firstPageSeen,
      killedMidPage,
      killed: String(poller),
      credited: money.credited,
      lost: money.lost,
      doubled: money.doubled,
      strayRecorded: strays[0].n,
      violations: money.violations,
    });
    expect(killedMidPage).toBe(1);
    expect(money).toEqual({ credited: ORDERS, lost: 0, doubled: 0, wrongBalances: 0, violations: 0 });
    expect(strays[0]).toEqual({ n: STRAYS, distinct: STRAYS });
    expect(Number(cursor[0].at)).toBe(at + STRAYS - 1);
  });
});
