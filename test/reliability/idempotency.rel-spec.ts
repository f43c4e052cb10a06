import Decimal from 'decimal.js';
import { Pool } from 'pg';
import { AppProcess, startAppProcess } from '../support/app-process';
import { FakeZpay } from '../support/fake-gateways';
import { appEnv, checkMoney, report, sleep } from './support/harness';

const databaseUrl = () => process.env.DATABASE_URL!;
/**
 * A short lease, so a key left claimed by the killed process is taken over
 * within seconds; longer than a restart, so the first retries meet it (409).
 */
const LEASE_SECONDS = 8;

/** One keyed request, as a client that retries it with the same key sends it. */
interface Keyed {
  key: string;
  userId: string;
  url: string;
  token: string;
  body: Record<string, string>;
  kind: 'adjustment' | 'order';
  /** The answer before the kill, if one came. */
  first?: { status: number; body: any };
}

async function send(baseUrl: string, request: Keyed): Promise<{ status: number; body: any; retryAfter: number | null }> {
  const res = await fetch(`${baseUrl}${request.url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}`, 'idempotency-key': request.key },
    body: JSON.stringify(request.body),
  });
  const retryAfter = res.headers.get('retry-after');
  return { status: res.status, body: await res.json().catch(() => null), retryAfter: retryAfter === null ? null : Number(retryAfter) };
}

async function register(baseUrl: string, name: string): Promise<{ id: string; token: string }> {
  const res = await fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}@example.test`, username: name, password: 'correct horse battery' }),
  });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(body)}`);
  return { id: body.user.id, token: body.accessToken };
}

describe('keyed money requests in flight when the app is killed (SIGKILL)', () => {
  let zpay: FakeZpay;
  let db: Pool;
  let app: AppProcess;
  const env = () => appEnv(databaseUrl(), zpay, { RECHARGE__IDEMPOTENCY__LEASE_SECONDS: String(LEASE_SECONDS) });

  beforeAll(async () => {
    zpay = await new FakeZpay().start();
    db = new Pool({ connectionString: databaseUrl(), max: 2 });
    app = await startAppProcess(env());
  });
  afterAll(async () => {
    await app?.stop();
    await zpay.stop();
    await db.end();
  });

  it('retried with the same keys after the restart: each gets its first answer or runs once, no 409 beyond the lease, no double credit', async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const admin = await register(app.baseUrl, `rel_idem_admin_${run}`);
    await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
    const users = await Promise.all(Array.from({ length: 20 }, (_, u) => register(app.baseUrl, `rel_idem_${run}_${u}`)));

    const requests: Keyed[] = [];
    users.forEach((user, u) => {
      for (let i = 0; i < 12; i++) {
        const amount = `${1 + ((u * 5 + i * 3) % 17)}.${String((u + i) % 100).padStart(2, '0')}`;
        const key = `rel-adjust-${run}-${u}-${i}`;
        const url = `/api/admin/users/${user.id}/balance-adjustments`;
        requests.push({ key, userId: user.id, url, token: admin.token, body: { amount, remark: key }, kind: 'adjustment' });
      }
      for (let i = 0; i < 3; i++) {
        const key = `rel-order-${run}-${u}-${i}`;
        const body = { amountCny: `${20 + i}.00`, provider: 'zpay', method: 'alipay' };
        requests.push({ key, userId: user.id, url: '/api/payment/orders', token: user.token, body, kind: 'order' });
      }
    });

    // Everything at once (a few at a time per connection), killed when about a third has been answered.
    let answered = 0;
    const firstTry = Promise.all(
      requests.map((request) =>
        send(app.baseUrl, request).then(
          (answer) => {
            answered++;
            request.first = answer;
          },
          () => undefined,
        ),
      ),
    );
    while (answered < requests.length / 3) await sleep(1);
    await app.kill();
    const killedAt = Date.now();
    await firstTry;
    const answeredBeforeKill = requests.filter((r) => r.first).length;
    // What the dead process left: keys still claimed (no effect committed), and effects committed whose answer never left.
    const { rows: left } = await db.query(`SELECT key, status FROM idempotency_keys WHERE key = ANY($1)`, [requests.map((r) => r.key)]);
    const leftClaimed = left.filter((k) => k.status === 'in_progress').length;
    const unansweredDone = left.filter((k) => k.status === 'done' && !requests.find((r) => r.key === k.key)!.first).length;
    app = await startAppProcess(env(), { port: app.port });
    const restartMs = Date.now() - killedAt;

    // Every request again with its key, as its client would, honouring Retry-After.
    let inUseAnswers = 0;
    let longestInUseMs = 0;
    let badRetryAfter = 0;
    const finals = await Promise.all(
      requests.map(async (request) => {
        let firstInUseAt: number | null = null;
        for (;;) {
          const answer = await send(app.baseUrl, request);
          if (answer.status !== 409 || answer.body?.code !== 'IDEMPOTENCY_KEY_IN_USE') {
            if (firstInUseAt !== null) longestInUseMs = Math.max(longestInUseMs, Date.now() - firstInUseAt);
            return answer;
          }
          inUseAnswers++;
          firstInUseAt ??= Date.now();
          const wait = answer.retryAfter ?? 0;
          if (wait < 1 || wait > LEASE_SECONDS) badRetryAfter++;
          if (Date.now() - killedAt > 45_000) return answer;
          await sleep(Math.min(Math.max(wait, 1), LEASE_SECONDS) * 1000);
        }
      }),
    );

    const adjustments = requests.filter((r) => r.kind === 'adjustment');
    const orders = requests.filter((r) => r.kind === 'order');
    const { rows: ledger } = await db.query(
      `SELECT remark, user_id, amount, id FROM recharge_records WHERE type = 'admin' AND remark = ANY($1)`,
      [adjustments.map((r) => r.key)],
    );
    const rowsByKey = new Map<string, { amount: string; id: string }[]>();
    for (const row of ledger) rowsByKey.set(row.remark, [...(rowsByKey.get(row.remark) ?? []), row]);
    const { rows: orderCounts } = await db.query(`SELECT user_id, count(*)::int AS n FROM payment_orders WHERE user_id = ANY($1) GROUP BY user_id`, [
      users.map((u) => u.id),
    ]);
    const { rows: balances } = await db.query(`SELECT id, balance FROM users WHERE id = ANY($1)`, [users.map((u) => u.id)]);

    const notOk = finals.filter((answer) => answer.status !== 201).map((answer) => `${answer.status} ${JSON.stringify(answer.body)}`.slice(0, 200));
    const doubled = adjustments.filter((r) => (rowsByKey.get(r.key)?.length ?? 0) > 1).length;
    const lost = adjustments.filter((r) => (rowsByKey.get(r.key)?.length ?? 0) === 0).length;
    // A retry answers what the first answer said: the same ledger row, the same order.
    const changedAnswers = requests.filter((r, i) => {
      if (!r.first || r.first.status !== 201) return false;
      const id = (answer: { body: any }) => (r.kind === 'order' ? answer.body?.orderNo : answer.body?.id);
      return id(r.first) !== id(finals[i]);
    }).length;
    const retriedAnswerNotInLedger = adjustments.filter((r) => {
      const answer = finals[requests.indexOf(r)];
      return answer.status === 201 && !(rowsByKey.get(r.key) ?? []).some((row) => String(row.id) === String(answer.body.id));
    }).length;
    const ordersMade = orderCounts.reduce((sum, row) => sum + row.n, 0);
    const wrongBalances = users.filter((user) => {
      const expected = adjustments.filter((r) => r.userId === user.id).reduce((sum, r) => sum.plus(r.body.amount), new Decimal(0));
      return !new Decimal(balances.find((b) => b.id === user.id).balance).eq(expected);
    }).length;
    const money = await checkMoney(databaseUrl(), []);

    report('SIGKILL with keyed requests in flight', {
      requests: requests.length,
      answeredBeforeKill,
      restartMs,
      leftClaimed,
      unansweredDone,
      inUseAnswers,
      badRetryAfter,
      longestInUseMs,
      notOk: notOk.length,
      doubled,
      lost,
      changedAnswers,
      ordersMade,
      wrongBalances,
      violations: money.violations,
    });
    expect(notOk).toEqual([]);
    expect(badRetryAfter).toBe(0);
    // The kill did leave keys claimed by requests that died.
    expect(leftClaimed).toBeGreaterThan(0);
    // A key the dead process held is free once its lease has run out (plus the retry's own wait and run).
    expect(longestInUseMs).toBeLessThanOrEqual((LEASE_SECONDS + 3) * 1000);
    expect({ doubled, lost, changedAnswers, retriedAnswerNotInLedger, wrongBalances }).toEqual({
      doubled: 0,
      lost: 0,
      changedAnswers: 0,
      retriedAnswerNotInLedger: 0,
      wrongBalances: 0,
    });
    expect(ordersMade).toBe(orders.length);
    expect(money.violations).toBe(0);
  });
});
