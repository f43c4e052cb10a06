import { AppProcess, startAppProcess } from '../support/app-process';
import { FakeZpay } from '../support/fake-gateways';
import { appEnv, checkMoney, createOrders, deliverUntilTaken, Order, report, RestartablePostgres, sendNotify, sleep } from './support/harness';

/** Fisher–Yates with a seeded generator, so a failing order of events can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('webhooks under faults', () => {
  let zpay: FakeZpay;
  beforeAll(async () => {
    zpay = await new FakeZpay().start();
  });
  afterAll(() => zpay.stop());

  it('duplicate storm: 200 notifies for 50 orders, shuffled and all at once → each order credited once', async () => {
    const app = await startAppProcess(appEnv(process.env.DATABASE_URL!, zpay));
    try {
      const orders = await createOrders(app.baseUrl, 10, 5);
      // Each order 2 to 6 times (200 in all), in a random order, every request in flight together.
      const copies = orders.flatMap((order, i) => Array.from({ length: 2 + (i % 5) }, () => order));
      expect(copies).toHaveLength(200);
      const seed = Date.now() % 100_000;
      const answers = await Promise.all(shuffled(copies, seed).map((order) => sendNotify(app.baseUrl, order)));
      const money = await checkMoney(process.env.DATABASE_URL!, orders);
      const notSuccess = answers.filter((a) => a !== 'success').length;
      report('duplicate storm', { seed, orders: orders.length, notifies: answers.length, notSuccess, ...money });
      expect(notSuccess).toBe(0);
      expect(money).toEqual({ credited: 50, lost: 0, doubled: 0, wrongBalances: 0, violations: 0 });
    } finally {
      await app.stop();
    }
  });

  describe('PostgreSQL crashes and restarts under webhook load', () => {
    let postgres: RestartablePostgres;
    let app: AppProcess;
    beforeAll(async () => {
      postgres = await RestartablePostgres.start();
      app = await startAppProcess(appEnv(postgres.url, zpay));
    });
    afterAll(async () => {
      await app?.stop();
      await postgres?.stop();
    });

    it('recovers by itself; no notify is answered success unless its credit committed; after redelivery each order is credited once', async () => {
      const orders = await createOrders(app.baseUrl, 40, 25);
      const taken: Order[] = [];
      const delivery = deliverUntilTaken(orders, () => app.baseUrl, { concurrency: 16, deadlineMs: 120_000, onSuccess: (order) => taken.push(order) });

      // Three crashes, at a quarter, half and three quarters of the orders taken; each time the database stays down for 2 s.
      const readinessDuringOutages: number[] = [];
      const userAnswersDuringOutages: string[] = [];
      for (const share of [0.25, 0.5, 0.75]) {
        while (taken.length < orders.length * share) await sleep(5);
        await postgres.crash();
        readinessDuringOutages.push((await fetch(`${app.baseUrl}/api/health/ready`)).status);
        const me = await fetch(`${app.baseUrl}/api/users/me`, { headers: { authorization: `Bearer ${orders[0].token}` } });
        userAnswersDuringOutages.push(`${me.status} ${(await me.json()).code} retry-after=${me.headers.get('retry-after')}`);
        await sleep(2_000);
        await postgres.restart();
      }

      const stats = await delivery;
      const readinessAfter = (await fetch(`${app.baseUrl}/api/health/ready`)).status;
      const money = await checkMoney(postgres.url, orders);
      // Every order answered `success` must be paid now: a success answered before a credit that did not commit would show here.
      const falseSuccesses = (await checkMoney(postgres.url, taken)).lost;
      report('PostgreSQL crash + restart', {
        orders: orders.length,
        requests: stats.requests,
        faults: readinessDuringOutages.length,
        downMsEach: 2000,
        answeredFail: stats.refused,
        answered503: stats.serverErrors - stats.internalErrors,
        answered500: stats.internalErrors,
        unreachable: stats.unreachable,
        falseSuccesses,
        ...money,
      });
      expect(readinessDuringOutages).toEqual([503, 503, 503]);
      expect(userAnswersDuringOutages).toEqual(Array(3).fill('503 DATABASE_UNAVAILABLE retry-after=5'));
      expect(readinessAfter).toBe(200);
      // While the database is away a notify is answered 503 (retry later), never a bare 500.
      expect(stats.internalErrors).toBe(0);
      expect(stats.undelivered).toEqual([]);
      expect(falseSuccesses).toBe(0);
      expect(money).toEqual({ credited: orders.length, lost: 0, doubled: 0, wrongBalances: 0, violations: 0 });
    });
  });
});
