import Decimal from 'decimal.js';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { auditLedger } from '../../src/ledger/ledger-audit';
import { zpaySigned } from '../../src/payments/providers/zpay/zpay-signature';
import { FakeZpay } from '../support/fake-gateways';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { TestApp, createTestApp } from '../support/test-app';

/**
 * Model-based test of the money paths: random sequences of orders, gateway
 * notifies (some duplicated, some concurrent), admin confirms, refunds
 * (accepted and refused by the gateway, forced or not) and balance
 * adjustments, applied to the real app over HTTP and to an in-memory model.
 * After every command the balances, ledger sums, order statuses and the
 * invite's state must equal the model's; after every sequence the ledger audit
 * must be clean. Referrals are on: user 0 invited user 1.
 */

const ZPAY_PID = '1002';
const ZPAY_KEY = 'zpay-model-merchant-key';
const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 40);
// Generated commands whose precondition fails are skipped: about 25 of 40 run.
const MAX_COMMANDS = 40;
const MAX_ORDERS = 14;

// Exact decimal arithmetic; every amount the app stores has at most 8 decimals.
const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });
type Dec = InstanceType<typeof D>;
const usd = (d: Dec) => d.toFixed(8);
const min = (a: Dec, b: Dec) => (a.lt(b) ? a : b);

const AMOUNTS_CNY = ['1.00', '20.00', '33.33', '500.00'] as const;
const ADJUSTMENTS = ['5.00', '0.00000001', '12.34567891', '250.00', '-0.00000001', '-1.50', '-20.00', '-1000.00'] as const;

type Status = 'pending' | 'cancelled' | 'paid' | 'refunded';
const UNPAID: readonly Status[] = ['pending', 'cancelled'];
const SETTLED: readonly Status[] = ['paid', 'refunded'];

interface ModelOrder {
  orderNo: string;
  user: number;
  amountCny: string;
  totalUsd: string;
  status: Status;
}

interface Model {
  /** Index 0: the referrer; index 1: the invitee. */
  balances: Dec[];
  orders: ModelOrder[];
  invite: { totalCny: Dec; rewardIssued: boolean; rewardReversed: boolean };
}

interface Real {
  users: TestUser[];
  /** Commands run so far in this sequence. */
  executed: number;
}

const stats = {
  sequences: 0,
  commands: 0,
  longest: 0,
  orders: 0,
  pays: 0,
  duplicateNotifies: 0,
  confirms: 0,
  races: 0,
  cancels: 0,
  refunds: 0,
  forcedShort: 0,
  refusedRefunds: 0,
  tooLowRefusals: 0,
  notRefundable: 0,
  adjustments: 0,
  refusedAdjustments: 0,
  rewards: 0,
  clawbacks: 0,
  mismatches: 0,
};

let t: TestApp;
let zpay: FakeZpay;
let admin: TestUser;
let threshold: Dec;
let reward: Dec;

function expectStatus(res: Response, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${res.status} ${res.text}`);
}

function notifyFor(order: ModelOrder): Record<string, string> {
  return zpaySigned(
    {
      pid: ZPAY_PID,
      trade_no: `ZM${order.orderNo.slice(-16)}`,
      out_trade_no: order.orderNo,
      type: 'alipay',
      name: `Recharge ${order.amountCny}`,
      money: order.amountCny,
      trade_status: 'TRADE_SUCCESS',
      param: order.orderNo,
    },
    ZPAY_KEY,
  );
}

async function sendNotifies(order: ModelOrder, copies: number) {
  const fields = notifyFor(order);
  const answers = await Promise.all(Array.from({ length: copies }, () => t.http.get('/api/payment/webhook/zpay').query(fields)));
  for (const answer of answers) {
    expectStatus(answer, 200, `notify for ${order.orderNo}`);
    expect(answer.text).toBe('success');
  }
}

/** The model's side of a credited payment: the payer's balance, and the invite's totals and one-time reward. */
function modelPaid(m: Model, order: ModelOrder) {
  order.status = 'paid';
  m.balances[order.user] = m.balances[order.user].plus(order.totalUsd);
  if (order.user !== 1) return;
  m.invite.totalCny = m.invite.totalCny.plus(order.amountCny);
  if (m.invite.totalCny.gte(threshold) && !m.invite.rewardIssued && !m.invite.rewardReversed) {
    m.invite.rewardIssued = true;
    m.balances[0] = m.balances[0].plus(reward);
    stats.rewards++;
  }
}

/** The model's side of a completed refund (checking the app's answer): the payer debited up to the balance, the invite reward clawed back. */
function modelRefunded(m: Model, order: ModelOrder, res: Response) {
  const owed = new D(order.totalUsd);
  const balance = m.balances[order.user];
  const taken = min(balance, owed);
  expect(res.body).toMatchObject({ order: { status: 'refunded' }, debitedUsd: usd(taken), shortfallUsd: usd(owed.minus(taken)) });
  if (taken.lt(owed)) stats.forcedShort++;
  m.balances[order.user] = balance.minus(taken);
  order.status = 'refunded';
  stats.refunds++;
  if (order.user !== 1) return;
  // Clawed back (up to the referrer's balance) once the invitee's paid total falls below the threshold.
  const totalAfter = m.invite.totalCny.minus(order.amountCny);
  if (m.invite.rewardIssued && totalAfter.lt(threshold)) {
    m.balances[0] = m.balances[0].minus(min(m.balances[0], reward));
    m.invite.rewardIssued = false;
    m.invite.rewardReversed = true;
    stats.clawbacks++;
  }
  m.invite.totalCny = D.max(totalAfter, 0);
}

const pickFrom = (m: Readonly<Model>, statuses: readonly Status[], pick: number): ModelOrder | undefined => {
  const eligible = m.orders.filter((o) => statuses.includes(o.status));
  return eligible.length === 0 ? undefined : eligible[pick % eligible.length];
};

async function checkInvariants(m: Model, r: Real) {
  const ids = r.users.map((u) => u.id);
  const users: { id: string; balance: string }[] = await t.db.query('SELECT id::text AS id, balance FROM users WHERE id = ANY($1::bigint[])', [ids]);
  const sums: { user_id: string; total: string }[] = await t.db.query(
    `SELECT user_id::text AS user_id, SUM(amount)::numeric(20,8)::text AS total FROM recharge_records WHERE user_id = ANY($1::bigint[]) GROUP BY user_id`,
    [ids],
  );
  const orders: { order_no: string; status: string }[] = await t.db.query(
    'SELECT order_no, status FROM payment_orders WHERE user_id = ANY($1::bigint[])',
    [ids],
  );
  const [invite] = await t.db.query(
    `SELECT total_recharge_cny::text AS total, reward_issued, reward_reversed_at IS NOT NULL AS reversed FROM referral_invites WHERE invitee_id = $1`,
    [r.users[1].id],
  );
  const actual = {
    balances: ids.map((id) => users.find((u) => u.id === id)?.balance),
    ledgerSums: ids.map((id) => sums.find((s) => s.user_id === id)?.total ?? '0.00000000'),
    orders: Object.fromEntries(orders.map((o) => [o.order_no, o.status])),
    invite: { totalCny: new D(invite.total).toFixed(2), rewardIssued: invite.reward_issued, rewardReversed: invite.reversed },
  };
  const expected = {
    balances: m.balances.map(usd),
    ledgerSums: m.balances.map(usd),
    orders: Object.fromEntries(m.orders.map((o) => [o.orderNo, o.status])),
    invite: { totalCny: m.invite.totalCny.toFixed(2), rewardIssued: m.invite.rewardIssued, rewardReversed: m.invite.rewardReversed },
  };
  try {
    expect(actual).toEqual(expected);
  } catch (error) {
    stats.mismatches++;
    throw error;
  }
}

abstract class Step implements fc.AsyncCommand<Model, Real> {
  abstract check(m: Readonly<Model>): boolean;
  protected abstract apply(m: Model, r: Real): Promise<void>;
  abstract toString(): string;
  async run(m: Model, r: Real): Promise<void> {
    stats.commands++;
    r.executed++;
    stats.longest = Math.max(stats.longest, r.executed);
    await this.apply(m, r);
    await checkInvariants(m, r);
  }
}

class CreateOrder extends Step {
  constructor(
    readonly user: number,
    readonly amountCny: string,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.orders.length < MAX_ORDERS;
  }
  protected async apply(m: Model, r: Real) {
    const res = await t.http
      .post('/api/payment/orders')
      .set(bearer(r.users[this.user]))
      .send({ amountCny: this.amountCny, provider: 'zpay', method: 'alipay' });
    expectStatus(res, 201, 'order creation');
    expect(res.body).toMatchObject({ status: 'pending', amountCny: this.amountCny, bonusUsd: '0.00000000' });
    // Promotions are off: the order credits exactly its amount.
    expect(res.body.totalUsd).toBe(res.body.amountUsd);
    m.orders.push({ orderNo: res.body.orderNo, user: this.user, amountCny: this.amountCny, totalUsd: res.body.totalUsd, status: 'pending' });
    stats.orders++;
  }
  toString() {
    return `createOrder(user${this.user}, ${this.amountCny} CNY)`;
  }
}

/** The first notify of an unpaid order, sometimes as several concurrent copies. */
class Pay extends Step {
  constructor(
    readonly pick: number,
    readonly copies: number,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return pickFrom(m, UNPAID, this.pick) !== undefined;
  }
  protected async apply(m: Model) {
    const order = pickFrom(m, UNPAID, this.pick)!;
    await sendNotifies(order, this.copies);
    modelPaid(m, order);
    stats.pays++;
    stats.duplicateNotifies += this.copies - 1;
  }
  toString() {
    return `pay(#${this.pick} x${this.copies})`;
  }
}

/** The same notify again for an order whose payment was settled (paid, refunded, or confirmed by hand): no effect. */
class NotifyAgain extends Step {
  constructor(
    readonly pick: number,
    readonly copies: number,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return pickFrom(m, SETTLED, this.pick) !== undefined;
  }
  protected async apply(m: Model) {
    await sendNotifies(pickFrom(m, SETTLED, this.pick)!, this.copies);
    stats.duplicateNotifies += this.copies;
  }
  toString() {
    return `notifyAgain(#${this.pick} x${this.copies})`;
  }
}

class Confirm extends Step {
  constructor(readonly pick: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return pickFrom(m, UNPAID, this.pick) !== undefined;
  }
  protected async apply(m: Model) {
    const order = pickFrom(m, UNPAID, this.pick)!;
    const res = await t.http.post(`/api/admin/payment/orders/${order.orderNo}/confirm`).set(bearer(admin)).send({ remark: 'seen in the console' });
    expectStatus(res, 200, `confirm ${order.orderNo}`);
    expect(res.body.order).toMatchObject({ status: 'paid', totalUsd: order.totalUsd });
    modelPaid(m, order);
    stats.confirms++;
  }
  toString() {
    return `confirm(#${this.pick})`;
  }
}

class ConfirmSettled extends Step {
  constructor(readonly pick: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return pickFrom(m, SETTLED, this.pick) !== undefined;
  }
  protected async apply(m: Model) {
    const order = pickFrom(m, SETTLED, this.pick)!;
    const res = await t.http.post(`/api/admin/payment/orders/${order.orderNo}/confirm`).set(bearer(admin)).send({ remark: 'again' });
    expectStatus(res, 409, `confirm of ${order.status} ${order.orderNo}`);
    expect(res.body.code).toBe('ADMIN_ORDER_CANNOT_CONFIRM');
  }
  toString() {
    return `confirmSettled(#${this.pick})`;
  }
}

class Cancel extends Step {
  constructor(readonly pick: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return pickFrom(m, ['pending'], this.pick) !== undefined;
  }
  protected async apply(m: Model, r: Real) {
    const order = pickFrom(m, ['pending'], this.pick)!;
    const res = await t.http.post(`/api/payment/orders/${order.orderNo}/cancel`).set(bearer(r.users[order.user]));
    expectStatus(res, 200, `cancel ${order.orderNo}`);
    expect(res.body.status).toBe('cancelled');
    order.status = 'cancelled';
    stats.cancels++;
  }
  toString() {
    return `cancel(#${this.pick})`;
  }
}

/** An admin refund of a paid order; the gateway accepts it, or (refused) answers with a considered refusal. */
class Refund extends Step {
  constructor(
    readonly pick: number,
    readonly force: boolean,
    readonly refused: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return pickFrom(m, ['paid'], this.pick) !== undefined;
  }
  protected async apply(m: Model) {
    const order = pickFrom(m, ['paid'], this.pick)!;
    const owed = new D(order.totalUsd);
    const balance = m.balances[order.user];
    const gatewayCalls = zpay.refundsFor(order.orderNo);
    if (this.refused) zpay.refundAnswer = 'refuse';
    let res: Response;
    try {
      res = await t.http
        .post(`/api/admin/payment/orders/${order.orderNo}/refund`)
        .set(bearer(admin))
        .send({ remark: 'customer asked', ...(this.force && { force: true }) });
    } finally {
      zpay.refundAnswer = 'ok';
    }
    const what = `refund ${order.orderNo} (force ${this.force}, refused ${this.refused})`;
    const asked = zpay.refundsFor(order.orderNo) - gatewayCalls;

    if (!this.force && balance.lt(owed)) {
      // Refused before the gateway is asked; the transaction (debit and clawback) rolls back.
      expectStatus(res, 409, what);
      expect(res.body.code).toBe('ADMIN_REFUND_BALANCE_TOO_LOW');
      expect(asked).toBe(0);
      stats.tooLowRefusals++;
      return;
    }
    if (this.refused) {
      // Everything taken is given back: nothing changes net.
      expectStatus(res, 502, what);
      expect(res.body.code).toBe('ADMIN_REFUND_GATEWAY_FAILED');
      expect(asked).toBe(1);
      stats.refusedRefunds++;
      return;
    }
    expectStatus(res, 200, what);
    expect(asked).toBe(1);
    modelRefunded(m, order, res);
  }
  toString() {
    return `${this.refused ? 'refusedRefund' : 'refund'}(#${this.pick}${this.force ? ', force' : ''})`;
  }
}

class RefundUnpaid extends Step {
  constructor(readonly pick: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return pickFrom(m, ['pending', 'cancelled', 'refunded'], this.pick) !== undefined;
  }
  protected async apply(m: Model) {
    const order = pickFrom(m, ['pending', 'cancelled', 'refunded'], this.pick)!;
    const res = await t.http.post(`/api/admin/payment/orders/${order.orderNo}/refund`).set(bearer(admin)).send({ remark: 'x', force: true });
    expectStatus(res, 409, `refund of ${order.status} ${order.orderNo}`);
    expect(res.body.code).toBe('ADMIN_ORDER_CANNOT_REFUND');
    stats.notRefundable++;
  }
  toString() {
    return `refundUnpaid(#${this.pick})`;
  }
}

/** Races on one order: a notify against an admin confirm, or two admins refunding (force) at once. Exactly one wins. */
class Race extends Step {
  constructor(
    readonly kind: 'pay-confirm' | 'refund-refund',
    readonly pick: number,
  ) {
    super();
  }
  private statuses(): readonly Status[] {
    return this.kind === 'pay-confirm' ? UNPAID : ['paid'];
  }
  check(m: Readonly<Model>) {
    return pickFrom(m, this.statuses(), this.pick) !== undefined;
  }
  protected async apply(m: Model) {
    const order = pickFrom(m, this.statuses(), this.pick)!;
    stats.races++;
    if (this.kind === 'pay-confirm') {
      const [, confirm] = await Promise.all([
        sendNotifies(order, 1),
        t.http.post(`/api/admin/payment/orders/${order.orderNo}/confirm`).set(bearer(admin)).send({ remark: 'race' }),
      ]);
      if (confirm.status !== 200) {
        expectStatus(confirm, 409, `confirm racing a notify for ${order.orderNo}`);
        expect(confirm.body.code).toBe('ADMIN_ORDER_CANNOT_CONFIRM');
      }
      modelPaid(m, order);
      return;
    }
    const answers = await Promise.all(
      [1, 2].map(() => t.http.post(`/api/admin/payment/orders/${order.orderNo}/refund`).set(bearer(admin)).send({ remark: 'race', force: true })),
    );
    const statuses = answers.map((a) => a.status).sort();
    if (statuses[0] !== 200 || statuses[1] !== 409) {
      throw new Error(`two refunds of ${order.orderNo}: expected one 200 and one 409, got ${answers.map((a) => `${a.status} ${a.text}`).join(' | ')}`);
    }
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('ADMIN_ORDER_CANNOT_REFUND');
    modelRefunded(m, order, answers.find((a) => a.status === 200)!);
  }
  toString() {
    return `race(${this.kind}, #${this.pick})`;
  }
}

/** A signed admin adjustment; `all` debits exactly the whole balance. */
class Adjust extends Step {
  constructor(
    readonly user: number,
    readonly amount: string,
    readonly all = false,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !this.all || m.balances[this.user].gt(0);
  }
  protected async apply(m: Model, r: Real) {
    const amount = this.all ? usd(m.balances[this.user].negated()) : this.amount;
    const after = m.balances[this.user].plus(amount);
    const res = await t.http
      .post(`/api/admin/users/${r.users[this.user].id}/balance-adjustments`)
      .set(bearer(admin))
      .send({ amount, remark: 'model adjustment' });
    if (after.lt(0)) {
      expectStatus(res, 409, `adjustment ${amount} of ${usd(m.balances[this.user])}`);
      expect(res.body.code).toBe('LEDGER_INSUFFICIENT_BALANCE');
      stats.refusedAdjustments++;
      return;
    }
    expectStatus(res, 201, `adjustment ${amount}`);
    expect(res.body).toMatchObject({ type: 'admin', amount: usd(new D(amount)), balanceAfter: usd(after) });
    m.balances[this.user] = after;
    stats.adjustments++;
  }
  toString() {
    return this.all ? `adjustAll(user${this.user})` : `adjust(user${this.user}, ${this.amount})`;
  }
}

const user = fc.constantFrom(0, 1);
const pick = fc.nat({ max: 50 });
const copies = fc.integer({ min: 1, max: 4 });
const createOrder = fc.record({ user, amount: fc.constantFrom(...AMOUNTS_CNY) }).map(({ user, amount }) => new CreateOrder(user, amount));
const pay = fc.tuple(pick, copies).map(([p, c]) => new Pay(p, c));
// Repeated entries weigh orders and payments up, so that refunds have paid orders to work on.
const commandArbs = [
  createOrder,
  createOrder,
  createOrder,
  pay,
  pay,
  pay,
  fc.tuple(pick, copies).map(([p, c]) => new NotifyAgain(p, c)),
  pick.map((p) => new Confirm(p)),
  pick.map((p) => new ConfirmSettled(p)),
  pick.map((p) => new Cancel(p)),
  fc.tuple(pick, fc.boolean()).map(([p, force]) => new Refund(p, force, false)),
  fc.tuple(pick, fc.boolean()).map(([p, force]) => new Refund(p, force, true)),
  pick.map((p) => new RefundUnpaid(p)),
  fc.record({ user, amount: fc.constantFrom(...ADJUSTMENTS) }).map(({ user, amount }) => new Adjust(user, amount)),
  user.map((u) => new Adjust(u, '', true)),
  fc.tuple(fc.constantFrom('pay-confirm' as const, 'refund-refund' as const), pick).map(([kind, p]) => new Race(kind, p)),
];

describe('model-based: orders, notifies, refunds and adjustments against an in-memory model', () => {
  beforeAll(async () => {
    zpay = await new FakeZpay().start();
    t = await createTestApp({
      ...(process.env.TEST_REDIS_URL && { REDIS_URL: process.env.TEST_REDIS_URL, RECHARGE__REDIS__KEY_PREFIX: `model-${Date.now()}:` }),
      PUBLIC_BASE_URL: 'https://pay.example',
      ZPAY_ENABLED: 'true',
      ZPAY_PID,
      ZPAY_KEY,
      ZPAY_API_URL: zpay.url,
      ZPAY_REFUND_ENABLED: 'true',
      // No time-dependent bonus: every order credits exactly its amount.
      PROMOTION_ENABLED: 'false',
      REFERRAL_ENABLED: 'true',
      // Both test users register from loopback, as their referrer did.
      REFERRAL_REWARD_SAME_IP: 'true',
      RECHARGE__PAYMENT__MAX_ORDERS_PER_MINUTE: '1000',
      RECHARGE__PAYMENT__MAX_PENDING_ORDERS: '1000',
      RECHARGE__PAYMENT__RECONCILE_QUERIES_PER_SECOND: '1000',
      RECHARGE__DATABASE__POOL_SIZE: '20',
    });
    threshold = new D(t.config.referral.qualifiedRechargeCny);
    reward = new D(t.config.referral.rewardUsd);
    admin = await registerAdmin(t.http, t.db);
  });
  afterAll(async () => {
    await t?.close();
    await zpay?.stop();
  });

  it('keeps balances, ledger, order statuses and the invite equal to the model, and the audit clean', async () => {
    const setup = async (): Promise<{ model: Model; real: Real }> => {
      const referrer = await registerUser(t.http);
      const info = await t.http.get('/api/users/referral/info').set(bearer(referrer));
      expectStatus(info, 200, 'referral info');
      const invitee = await registerUser(t.http, { inviteCode: info.body.code });
      return {
        model: { balances: [new D(0), new D(0)], orders: [], invite: { totalCny: new D(0), rewardIssued: false, rewardReversed: false } },
        real: { users: [referrer, invitee], executed: 0 },
      };
    };

    try {
      await fc.assert(
        fc.asyncProperty(fc.commands(commandArbs, { maxCommands: MAX_COMMANDS, size: 'max' }), async (cmds) => {
          stats.sequences++;
          await fc.asyncModelRun(setup, cmds);
          expect(await auditLedger(t.db)).toEqual([]);
        }),
        {
          numRuns: NUM_RUNS,
          ...(process.env.MODEL_SEED && { seed: Number(process.env.MODEL_SEED) }),
          // Shrinking replays whole sequences against the app: bound it so a failure is still reported in time.
          interruptAfterTimeLimit: 240_000,
        },
      );
    } finally {
      // Printed on failure too: the figures show how far the run got.
      const s = stats;
      console.log(
        `model: ${s.sequences} sequences, ${s.commands} commands (longest ${s.longest}; orders ${s.orders}, pay ${s.pays}, ` +
          `duplicate notifies ${s.duplicateNotifies}, confirms ${s.confirms}, races ${s.races}, cancels ${s.cancels}, ` +
          `refunds ${s.refunds} (${s.forcedShort} forced short), refused refunds ${s.refusedRefunds}, ` +
          `refunds refused for balance ${s.tooLowRefusals}, refunds of unpaid/refunded ${s.notRefundable}, adjustments ${s.adjustments}, ` +
          `refused adjustments ${s.refusedAdjustments}, invite rewards ${s.rewards}, clawbacks ${s.clawbacks}), ${s.mismatches} mismatches`,
      );
    }
  }, 290_000);
});
