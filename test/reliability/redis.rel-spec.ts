import Redis from 'ioredis';
import { startAppProcess } from '../support/app-process';
import { FakeZpay } from '../support/fake-gateways';
import { freePort } from '../support/free-port';
import { RunningRedis, startRedisServer } from '../support/redis-server';
import { appEnv, checkMoney, createOrders, deliverUntilTaken, report, sendNotify, sleep } from './support/harness';

/** Commands Redis has processed; each reading is one command itself (no ready check on this connection). */
async function commandsProcessed(client: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))![1]);
}

async function readiness(baseUrl: string): Promise<{ http: number; status: string; cache: string }> {
  const res = await fetch(`${baseUrl}/api/health/ready`);
  const body = await res.json();
  return { http: res.status, status: body.status, cache: body.info.cache.status };
}

describe('Redis stopped and started again under load', () => {
  it('webhooks never touch Redis; order creation and every limited route keep working on the fallback; readiness degraded; back on Redis after', async () => {
    const zpay = await new FakeZpay().start();
    const port = await freePort();
    let redis: RunningRedis = (await startRedisServer(port))!;
    const app = await startAppProcess(
      appEnv(process.env.DATABASE_URL!, zpay, {
        REDIS_URL: redis.url,
        // No job may talk to Redis while the commands are counted.
        RECHARGE__JOBS__RECONCILE_ORDERS: '0 0 0 1 1 *',
      }),
    );
    try {
      const orders = await createOrders(app.baseUrl, 10, 20);
      const [first, rest] = [orders.slice(0, 40), orders.slice(40)];

      // 1. Webhooks alone: Redis sees no command from them.
      const counter = new Redis(redis.url, { enableReadyCheck: false, lazyConnect: true });
      await counter.connect();
      const before = await commandsProcessed(counter);
      for (const order of first) expect(await sendNotify(app.baseUrl, order)).toBe('success');
      // The first reading is the one command between the two.
      const webhookCommands = (await commandsProcessed(counter)) - before - 1;
      counter.disconnect();

      // 2. Load: users create orders and read their profile while the rest of the webhooks arrive; Redis stops midway and returns.
      const statuses: Record<string, number> = {};
      let stop = false;
      const users = [...new Map(orders.map((o) => [o.userId, o.token])).values()];
      const userLoad = Promise.all(
        users.map(async (token, i) => {
          while (!stop) {
            const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
            const [created, me] = await Promise.all([
              fetch(`${app.baseUrl}/api/payment/orders`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ amountCny: `${10 + i}.00`, provider: 'zpay', method: 'alipay' }),
              }),
              fetch(`${app.baseUrl}/api/users/me`, { headers }),
            ]);
            for (const res of [created, me]) statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            await Promise.all([created.arrayBuffer(), me.arrayBuffer()]);
          }
        }),
      );
      const webhooks = deliverUntilTaken(rest, () => app.baseUrl, { concurrency: 4, deadlineMs: 60_000 });

      await sleep(1_000);
      await redis.stop();
      await sleep(500);
      const duringOutage = await readiness(app.baseUrl);
      const requestsBeforeOutageEnds = Object.values(statuses).reduce((a, b) => a + b, 0);
      await sleep(2_500);
      const duringOutageLater = Object.values(statuses).reduce((a, b) => a + b, 0) - requestsBeforeOutageEnds;
      redis = (await startRedisServer(port))!;
      const back = Date.now();
      let after = await readiness(app.baseUrl);
      while (after.status !== 'ok' && Date.now() - back < 10_000) {
        await sleep(100);
        after = await readiness(app.baseUrl);
      }
      const recoveredMs = Date.now() - back;
      await sleep(1_000);
      stop = true;
      await userLoad;
      const delivery = await webhooks;

      const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
      const fallbackOperations = Number(/^cache_fallback_operations_total (\d+)/m.exec(metrics)?.[1] ?? 0);
      const money = await checkMoney(process.env.DATABASE_URL!, orders);
      const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
      const serverErrors = Object.entries(statuses).filter(([status]) => status.startsWith('5')).reduce((a, [, n]) => a + n, 0);
      report('Redis stopped', {
        webhookRedisCommands: webhookCommands,
        userRequests: requests,
        userRequestsWhileDown: duringOutageLater,
        statuses: JSON.stringify(statuses),
        serverErrors,
        fallbackOperations,
        readinessDuringOutage: `${duringOutage.http}/${duringOutage.status}`,
        backOnRedisAfterMs: recoveredMs,
        webhookRequests: delivery.requests,
        webhookServerErrors: delivery.serverErrors,
        ...money,
      });
      expect(webhookCommands).toBe(0);
      expect(serverErrors).toBe(0);
      expect(Object.keys(statuses).sort()).toEqual(['200', '201']);
      expect(duringOutageLater).toBeGreaterThan(0);
      expect(fallbackOperations).toBeGreaterThan(0);
      expect(duringOutage).toEqual({ http: 200, status: 'degraded', cache: 'degraded' });
      expect(after).toEqual({ http: 200, status: 'ok', cache: 'up' });
      expect(delivery.serverErrors).toBe(0);
      expect(delivery.undelivered).toEqual([]);
      expect(money).toEqual({ credited: orders.length, lost: 0, doubled: 0, wrongBalances: 0, violations: 0 });
    } finally {
      await app.stop();
      await redis.stop();
      await zpay.stop();
    }
  });
});
