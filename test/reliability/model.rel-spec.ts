import Decimal from 'decimal.js';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { auditLedger } from '../../src/ledger/ledger-audit';
import { epaySigned } from '../../src/payments/providers/epay/epay-signature';
import { REDEEM_CODE_ALPHABET, hashRedeemCode, normalizeRedeemCode } from '../../src/redeem/redeem-code';
import { schemaProblems } from '../support/event-receiver';
import { FakeZpay } from '../support/fake-gateways';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { TestApp, createTestApp } from '../support/test-app';
import { report } from './support/harness';

/**
 * Model-based test of the money paths: random sequences of orders, gateway
 * notifies (some duplicated, some concurrent), admin confirms, refunds
 * (accepted and refused by the gateway, forced or not) and balance
 * adjustments; and the spending side: service-API charges (single,
 * concurrent, replayed by Idempotency-Key), charge refunds, holds (create,
 * capture, release, races between them and charges) and redeem codes
 * (batches, single and concurrent redemptions, disabled batches, wrong codes
 * up to the lockout). Each is applied to the real app over HTTP and to an
 * in-memory model. After every command the balances, what holds reserve
 * (in the database and as GET /api/v1/balances answers), ledger sums, order
 * statuses, the invite's state, each charge's refunded amount, each hold's
 * state and each code's uses must equal the model's; after every sequence
 * the ledger audit must be clean. Referrals are on: user 0 invited user 1.
 */

const ZPAY_PID = '1002';
const ZPAY_KEY = 'zpay-model-merchant-key';
const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 40);
// Generated commands whose precondition fails are skipped: about 30 of 50 run.
const MAX_COMMANDS = 100;
const MAX_ORDERS = 14;
const MAX_CODES = 9;
/**
 * Wrong codes (404s of any kind) a user may send in a sequence outside the
 * lockout command: well under the limit, so no redemption is refused
 * unless the model says so. Each redeem comes from its own address
 * (X-Forwarded-For, trusted here), so the per-address limit never adds up
 * over the run.
 */
const REDEEM_FAILURE_BUDGET = 3;

// Exact decimal arithmetic; every amount the app stores has at most 8 decimals.
const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });
type Dec = InstanceType<typeof D>;
const usd = (d: Dec) => d.toFixed(8);
const min = (a: Dec, b: Dec) => (a.lt(b) ? a : b);
const UNIT = new D('0.00000001');
const ZERO_USD = '0.00000000';
const sum = (amounts: Dec[]) => amounts.reduce((a, b) => a.plus(b), new D(0));

const AMOUNTS_CNY = ['1.00', '20.00', '33.33', '500.00'] as const;
const ADJUSTMENTS = ['5.00', '0.00000001', '12.34567891', '250.00', '-0.00000001', '-1.50', '-20.00', '-1000.00'] as const;
const REDEEM_AMOUNTS = ['0.5', '5.00', '12.34567891'] as const;

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

interface ModelCharge {
  id: string;
  user: number;
  amount: Dec;
  refunded: Dec;
  holdId: string | null;
  /** The balance right after the charge, as its answer (and every later view of it) says. */
  balanceAfter: string;
}

/** A charge request as sent, with the answer a replay of its Idempotency-Key must get again. */
interface ChargeAttempt {
  key: string;
  body: Record<string, unknown>;
  status: number;
  answer: unknown;
}

type HoldStatus = 'active' | 'captured' | 'released';

interface ModelHold {
  id: string;
  user: number;
  amount: Dec;
  status: HoldStatus;
  captured: Dec | null;
}

interface ModelCode {
  code: string;
  batchId: string;
  amount: Dec;
  maxRedemptions: number;
  /** Users who redeemed it, in order; its uses. */
  redeemedBy: number[];
}

interface Model {
  /** Index 0: the referrer; index 1: the invitee. */
  balances: Dec[];
  /** What active holds reserve of each balance. */
  held: Dec[];
  orders: ModelOrder[];
  invite: { totalCny: Dec; rewardIssued: boolean; rewardReversed: boolean };
  charges: ModelCharge[];
  attempts: ChargeAttempt[];
  holds: ModelHold[];
  batches: { id: string; disabled: boolean }[];
  codes: ModelCode[];
  /** Wrong codes per user in this sequence (every 404 of a redeem counts). */
  redeemFailures: number[];
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
  // Spending.
  charges: 0,
  charges402: 0,
  sameKeyCopies: 0,
  concurrentChargeRuns: 0,
  concurrentCharges: 0,
  concurrentCharges402: 0,
  concurrentTwoUsers: 0,
  keyInUse409: 0,
  replays: 0,
  replaysAfterRefund: 0,
  keyReused422: 0,
  chargeRefunds: 0,
  chargeRefundReplays: 0,
  chargeRefunds409: 0,
  holds: 0,
  holds402: 0,
  captures: 0,
  captures400: 0,
  releases: 0,
  notActive409: 0,
  chargeHoldRaces: 0,
  captureReleaseRaces: 0,
  refundRaces: 0,
  // Redeem codes.
  redeemBatches: 0,
  disables: 0,
  redeemed: 0,
  redeem409: 0,
  redeem404: 0,
  concurrentRedeems: 0,
  lockouts: 0,
  redeem429: 0,
  mismatches: 0,
};

let t: TestApp;
let zpay: FakeZpay;
let admin: TestUser;
let threshold: Dec;
let reward: Dec;
let redeemFailureLimit: number;
/** The service API's key (scopes charges:write and balances:read). */
let apiKey: string;

const runTag = Date.now().toString(36);
let keyNo = 0;
let addressNo = 0;
/** A fresh Idempotency-Key. */
const nextKey = () => `model-${runTag}-${++keyNo}`;
/** A fresh client address for one redeem request. */
const nextAddress = () => {
  const n = ++addressNo;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

function expectStatus(res: Response, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${res.status} ${res.text}`);
}

function expectError(res: Response, status: number, code: string, what: string) {
  expectStatus(res, status, what);
  if (res.body?.code !== code) throw new Error(`${what}: expected ${code}, got ${res.text}`);
}

const available = (m: Readonly<Model>, user: number) => m.balances[user].minus(m.held[user]);

/** A service-API POST with its Idempotency-Key. */
function v1Post(path: string, key: string, body?: object) {
  const req = t.http.post(`/api/v1${path}`).set('Authorization', `Bearer ${apiKey}`).set('Idempotency-Key', key);
  return body === undefined ? req : req.send(body);
}

function notifyFor(order: ModelOrder): Record<string, string> {
  return epaySigned(
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

/**
 * The model's side of a completed refund (checking the app's answer): the
 * payer debited up to what is available (holds keep their reservation), the
 * invite reward clawed back the same way.
 */
function modelRefunded(m: Model, order: ModelOrder, res: Response) {
  const owed = new D(order.totalUsd);
  const taken = min(available(m, order.user), owed);
  expect(res.body).toMatchObject({ order: { status: 'refunded' }, debitedUsd: usd(taken), shortfallUsd: usd(owed.minus(taken)) });
  if (taken.lt(owed)) stats.forcedShort++;
  m.balances[order.user] = m.balances[order.user].minus(taken);
  order.status = 'refunded';
  stats.refunds++;
  if (order.user !== 1) return;
  // Clawed back (up to the referrer's available balance) once the invitee's paid total falls below the threshold.
  const totalAfter = m.invite.totalCny.minus(order.amountCny);
  if (m.invite.rewardIssued && totalAfter.lt(threshold)) {
    m.balances[0] = m.balances[0].minus(min(available(m, 0), reward));
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

const pickOf = <T>(items: readonly T[], pick: number): T | undefined => (items.length === 0 ? undefined : items[pick % items.length]);
const refundable = (c: Readonly<ModelCharge>) => c.amount.minus(c.refunded);
const hashOf = (code: string) => hashRedeemCode(normalizeRedeemCode(code)!);

/**
 * Each user's events as the outbox holds them: numbered 1..n in commit order,
 * each matching its published schema, and one balance.changed per ledger row
 * with the row's figures, in the ledger's order.
 */
async function eventTrail(ids: string[]) {
  const events: { user_id: string; sequence: number; event: object; type: string; data: Record<string, unknown> }[] = await t.db.query(
    `SELECT user_id::text AS user_id, sequence::int AS sequence, type, data,
            jsonb_build_object('id', id, 'type', type, 'occurredAt', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                               'userId', user_id::text, 'sequence', sequence, 'data', data) AS event
       FROM outbox_events WHERE user_id = ANY($1::bigint[]) ORDER BY user_id, sequence`,
    [ids],
  );
  const ledger: { user_id: string; entry: Record<string, unknown> }[] = await t.db.query(
    `SELECT r.user_id::text AS user_id, jsonb_build_object('entryId', r.id::text, 'type', r.type, 'amount', r.amount::text, 'balanceBefore', r.balance_before::text,
            'balanceAfter', r.balance_after::text, 'relatedId', r.related_id) AS entry
       FROM recharge_records r WHERE r.user_id = ANY($1::bigint[]) ORDER BY r.id`,
    [ids],
  );
  return ids.map((id) => {
    const mine = events.filter((e) => e.user_id === id);
    return {
      numbered: mine.every((e, i) => e.sequence === i + 1),
      schemaProblems: mine.flatMap((e) => schemaProblems(e.event)),
      balanceChangesMatchLedger:
        JSON.stringify(mine.filter((e) => e.type === 'balance.changed').map((e) => e.data)) ===
        JSON.stringify(ledger.filter((r) => r.user_id === id).map((r) => r.entry)),
    };
  });
}

async function checkInvariants(m: Model, r: Real) {
  const ids = r.users.map((u) => u.id);
  const batchIds = m.batches.map((b) => b.id);
  const [users, sums, orders, [invite], charges, holds, codes, batches, views] = await Promise.all([
    t.db.query('SELECT id::text AS id, balance, held FROM users WHERE id = ANY($1::bigint[])', [ids]) as Promise<{ id: string; balance: string; held: string }[]>,
    t.db.query(
      `SELECT user_id::text AS user_id, SUM(amount)::numeric(20,8)::text AS total FROM recharge_records WHERE user_id = ANY($1::bigint[]) GROUP BY user_id`,
      [ids],
    ) as Promise<{ user_id: string; total: string }[]>,
    t.db.query('SELECT order_no, status FROM payment_orders WHERE user_id = ANY($1::bigint[])', [ids]) as Promise<{ order_no: string; status: string }[]>,
    t.db.query(
      `SELECT total_recharge_cny::text AS total, reward_issued, reward_reversed_at IS NOT NULL AS reversed FROM referral_invites WHERE invitee_id = $1`,
      [r.users[1].id],
    ),
    t.db.query(
      `SELECT id::text AS id, user_id::text AS user_id, amount_usd::text AS amount, refunded_usd::text AS refunded, hold_id::text AS hold_id
         FROM charges WHERE user_id = ANY($1::bigint[])`,
      [ids],
    ) as Promise<{ id: string; user_id: string; amount: string; refunded: string; hold_id: string | null }[]>,
    t.db.query(
      `SELECT id::text AS id, user_id::text AS user_id, amount_usd::text AS amount, status, captured_usd::text AS captured FROM holds WHERE user_id = ANY($1::bigint[])`,
      [ids],
    ) as Promise<{ id: string; user_id: string; amount: string; status: string; captured: string | null }[]>,
    t.db.query(
      `SELECT c.code_hash, c.redemptions, COALESCE(array_agg(m.user_id::text ORDER BY m.id) FILTER (WHERE m.id IS NOT NULL), '{}') AS users
         FROM redeem_codes c LEFT JOIN redemptions m ON m.code_id = c.id WHERE c.batch_id = ANY($1::bigint[]) GROUP BY c.id`,
      [batchIds],
    ) as Promise<{ code_hash: string; redemptions: number; users: string[] }[]>,
    t.db.query(`SELECT id::text AS id, disabled_at IS NOT NULL AS disabled FROM redeem_batches WHERE id = ANY($1::bigint[])`, [batchIds]) as Promise<
      { id: string; disabled: boolean }[]
    >,
    Promise.all(ids.map((id) => t.http.get(`/api/v1/balances/${id}`).set('Authorization', `Bearer ${apiKey}`))),
  ]);
  const userOf = (id: string) => ids.indexOf(id);
  const actual = {
    balances: ids.map((id) => users.find((u) => u.id === id)?.balance),
    held: ids.map((id) => users.find((u) => u.id === id)?.held),
    ledgerSums: ids.map((id) => sums.find((s) => s.user_id === id)?.total ?? ZERO_USD),
    views: views.map((v) => (v.status === 200 ? v.body : `HTTP ${v.status} ${v.text}`)),
    orders: Object.fromEntries(orders.map((o) => [o.order_no, o.status])),
    invite: { totalCny: new D(invite.total).toFixed(2), rewardIssued: invite.reward_issued, rewardReversed: invite.reversed },
    charges: Object.fromEntries(charges.map((c) => [c.id, { user: userOf(c.user_id), amount: c.amount, refunded: c.refunded, holdId: c.hold_id }])),
    holds: Object.fromEntries(holds.map((h) => [h.id, { user: userOf(h.user_id), amount: h.amount, status: h.status, captured: h.captured }])),
    // Who redeemed a code, in any order: concurrent redeemers win in an order the model does not know.
    codes: Object.fromEntries(codes.map((c) => [c.code_hash, { uses: c.redemptions, users: c.users.map(userOf).sort() }])),
    batches: Object.fromEntries(batches.map((b) => [b.id, b.disabled])),
  };
  const expected = {
    balances: m.balances.map(usd),
    held: m.held.map(usd),
    ledgerSums: m.balances.map(usd),
    views: ids.map((userId, i) => ({ userId, balance: usd(m.balances[i]), held: usd(m.held[i]), available: usd(available(m, i)) })),
    orders: Object.fromEntries(m.orders.map((o) => [o.orderNo, o.status])),
    invite: { totalCny: m.invite.totalCny.toFixed(2), rewardIssued: m.invite.rewardIssued, rewardReversed: m.invite.rewardReversed },
    charges: Object.fromEntries(m.charges.map((c) => [c.id, { user: c.user, amount: usd(c.amount), refunded: usd(c.refunded), holdId: c.holdId }])),
    holds: Object.fromEntries(
      m.holds.map((h) => [h.id, { user: h.user, amount: usd(h.amount), status: h.status, captured: h.captured ? usd(h.captured) : null }]),
    ),
    codes: Object.fromEntries(m.codes.map((c) => [hashOf(c.code), { uses: c.redeemedBy.length, users: [...c.redeemedBy].sort() }])),
    batches: Object.fromEntries(m.batches.map((b) => [b.id, b.disabled])),
  };
  try {
    expect(actual).toEqual(expected);
    expect(await eventTrail(ids)).toEqual(ids.map(() => ({ numbered: true, schemaProblems: [], balanceChangesMatchLedger: true })));
    // What the model itself promises: nothing reserved beyond the balance.
    for (let u = 0; u < m.balances.length; u++) expect(available(m, u).gte(0) && m.held[u].gte(0)).toBe(true);
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
    // What a refund can take: the balance less what holds reserve.
    const spendable = available(m, order.user);
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

    if (!this.force && spendable.lt(owed)) {
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

/** A signed admin adjustment; `all` debits exactly what is available (the whole balance when nothing is held). */
class Adjust extends Step {
  constructor(
    readonly user: number,
    readonly amount: string,
    readonly all = false,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !this.all || available(m, this.user).gt(0);
  }
  protected async apply(m: Model, r: Real) {
    const amount = this.all ? usd(available(m, this.user).negated()) : this.amount;
    const after = m.balances[this.user].plus(amount);
    const res = await t.http
      .post(`/api/admin/users/${r.users[this.user].id}/balance-adjustments`)
      .set(bearer(admin))
      .send({ amount, remark: 'model adjustment' });
    // A debit may not take what holds reserve.
    if (after.lt(m.held[this.user])) {
      expectStatus(res, 409, `adjustment ${amount} of ${usd(m.balances[this.user])} (held ${usd(m.held[this.user])})`);
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

// ---------------------------------------------------------------------------
// Spending: charges, charge refunds and holds through the service API.
// ---------------------------------------------------------------------------

/**
 * An amount relative to what the user has available when the command runs:
 * a fraction of it (rounded down to 8 places, at least 0.00000001), a fixed
 * amount, or just beyond it.
 */
type AmountSpec = { frac: string } | { fixed: string } | 'over';

function resolveAmount(spec: AmountSpec, spendable: Dec): Dec {
  if (spec === 'over') return spendable.plus(UNIT);
  if ('fixed' in spec) return new D(spec.fixed);
  const amount = spendable.times(spec.frac).toDecimalPlaces(8, Decimal.ROUND_DOWN);
  return amount.gt(0) ? amount : UNIT;
}

/** A fraction of nothing is not worth sending: a spec relative to the available balance waits until there is some. */
const canSpend = (m: Readonly<Model>, user: number, spec: AmountSpec) => spec === 'over' || 'fixed' in spec || available(m, user).gt(0);

const specText = (spec: AmountSpec) => (spec === 'over' ? 'over' : 'fixed' in spec ? spec.fixed : `${spec.frac}×available`);

/** The body of a 402: the code, and what was available when the request was refused. */
function expectInsufficient(res: Response, spendable: Dec | Dec[], what: string) {
  expectError(res, 402, 'INSUFFICIENT_BALANCE', what);
  const options = (Array.isArray(spendable) ? spendable : [spendable]).map(usd);
  if (!options.includes(res.body.details?.available)) {
    throw new Error(`${what}: details.available ${JSON.stringify(res.body.details)} is none of ${options.join(', ')}`);
  }
}

let chargeNo = 0;

/** A charge body as a service sends it; amounts are sent as plain decimals (not padded) so the app's formatting is checked too. */
function chargeBody(r: Real, user: number, amount: Dec, withMetadata: boolean): Record<string, unknown> {
  const n = ++chargeNo;
  return {
    userId: r.users[user].id,
    amountUsd: amount.toFixed(),
    description: `model charge ${n}`,
    ...(withMetadata && { metadata: { request: `req-${n}`, tokens: n, nested: { ok: true } } }),
  };
}

/** A 201 for a charge of `amount` leaving `balanceAfter`. */
function expectCharged(res: Response, body: Record<string, unknown>, amount: Dec, balanceAfter: Dec, what: string) {
  expectStatus(res, 201, what);
  expect(res.body).toEqual({
    id: expect.stringMatching(/^\d+$/),
    userId: body.userId,
    amountUsd: usd(amount),
    refundedUsd: ZERO_USD,
    description: body.description,
    metadata: body.metadata ?? null,
    holdId: null,
    balanceAfter: usd(balanceAfter),
    createdAt: expect.any(String),
  });
}

/** The model's side of a charge the app made; `charge` is its answer (a ChargeDto). */
function modelCharged(m: Model, user: number, amount: Dec, charge: { id: string; balanceAfter: string }, holdId: string | null = null) {
  m.balances[user] = m.balances[user].minus(amount);
  m.charges.push({ id: charge.id, user, amount, refunded: new D(0), holdId, balanceAfter: charge.balanceAfter });
}

/**
 * One charge; with copies > 1 the same request (same Idempotency-Key and
 * body) is sent that many times at once, as a client retrying too early
 * would: one charge at most, every copy answered with the first answer (or
 * 409 while it is still running).
 */
class Charge extends Step {
  constructor(
    readonly user: number,
    readonly spec: AmountSpec,
    readonly copies: number,
    readonly withMetadata: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return canSpend(m, this.user, this.spec);
  }
  protected async apply(m: Model, r: Real) {
    const spendable = available(m, this.user);
    const amount = resolveAmount(this.spec, spendable);
    const body = chargeBody(r, this.user, amount, this.withMetadata);
    const key = nextKey();
    const answers = await Promise.all(Array.from({ length: this.copies }, () => v1Post('/charges', key, body)));
    const what = `charge of ${usd(amount)} with ${usd(spendable)} available`;
    const real = answers.filter((a) => !(a.status === 409 && a.body?.code === 'IDEMPOTENCY_KEY_IN_USE'));
    if (real.length === 0) throw new Error(`${what}: every copy got 409 IDEMPOTENCY_KEY_IN_USE`);
    for (const other of real.slice(1)) {
      expect({ status: other.status, body: other.body }).toEqual({ status: real[0].status, body: real[0].body });
    }
    const res = real[0];
    stats.sameKeyCopies += this.copies - 1;
    stats.keyInUse409 += answers.length - real.length;
    if (amount.gt(spendable)) {
      expectInsufficient(res, spendable, what);
      stats.charges402++;
    } else {
      expectCharged(res, body, amount, m.balances[this.user].minus(amount), what);
      modelCharged(m, this.user, amount, res.body);
      stats.charges++;
    }
    m.attempts.push({ key, body, status: res.status, answer: res.body });
  }
  toString() {
    return `charge(user${this.user}, ${specText(this.spec)}${this.copies > 1 ? ` x${this.copies} same key` : ''}${this.withMetadata ? ', metadata' : ''})`;
  }
}

/**
 * 2–6 charges at once, each with its own key: all of one user, or of both
 * users mixed (so one batch can carry several accounts). Whatever order the
 * app applies them in, each user's outcome must be a serial one: the
 * accepted charges' balanceAfter values form one chain down from the
 * balance, each refused one did not fit what was left at its turn (and its
 * 402 says what that was), and the available balance never goes negative.
 * With equal amounts, the number accepted is exactly what fits.
 */
class ConcurrentCharges extends Step {
  constructor(
    readonly users: readonly number[],
    readonly specs: AmountSpec[],
    readonly equal: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return this.users.every((u) => available(m, u).gt(0));
  }
  protected async apply(m: Model, r: Real) {
    const spendable = [0, 1].map((u) => available(m, u));
    const tries = this.specs.map((spec, i) => {
      const user = this.users[i];
      const amount = resolveAmount(this.equal ? this.specs[0] : spec, spendable[user]);
      return { user, amount, key: nextKey(), body: chargeBody(r, user, amount, false) };
    });
    const answers = await Promise.all(tries.map((c) => v1Post('/charges', c.key, c.body)));
    const outcomes = tries.map((c, i) => ({ ...c, res: answers[i] }));
    for (const u of new Set(this.users)) {
      const what = `concurrent charges [${tries.map((c) => `user${c.user} ${usd(c.amount)}`).join(', ')}] with ${usd(spendable[u])} available to user${u}`;
      const accepted = outcomes.filter((c) => c.user === u && c.res.status === 201);
      const refused = outcomes.filter((c) => c.user === u && c.res.status !== 201);
      // The accepted ones in the order the app applied them: by balanceAfter, descending; each takes its amount from the one before.
      accepted.sort((a, b) => new D(b.res.body.balanceAfter).comparedTo(a.res.body.balanceAfter));
      let balance = m.balances[u];
      const leftAtTurn = [spendable[u]];
      for (const c of accepted) {
        balance = balance.minus(c.amount);
        expectCharged(c.res, c.body, c.amount, balance, what);
        leftAtTurn.push(leftAtTurn[leftAtTurn.length - 1].minus(c.amount));
      }
      const taken = sum(accepted.map((c) => c.amount));
      if (taken.gt(spendable[u])) throw new Error(`${what}: accepted ${usd(taken)}, more than available`);
      for (const c of refused) {
        // Refused when what was left at its turn did not cover it: so it does not fit what is left now either.
        expectInsufficient(c.res, leftAtTurn, `${what}: the charge of ${usd(c.amount)}`);
        expect(new D(c.res.body.details.available).lt(c.amount)).toBe(true);
        expect(c.amount.gt(spendable[u].minus(taken))).toBe(true);
      }
      if (this.equal) {
        const mine = tries.filter((c) => c.user === u);
        const fits = D.min(mine.length, spendable[u].dividedToIntegerBy(mine[0].amount)).toNumber();
        if (accepted.length !== fits) throw new Error(`${what}: ${accepted.length} accepted, ${fits} fit`);
      }
      for (const c of accepted) modelCharged(m, u, c.amount, c.res.body);
      stats.concurrentCharges += accepted.length;
      stats.concurrentCharges402 += refused.length;
    }
    for (const c of outcomes) m.attempts.push({ key: c.key, body: c.body, status: c.res.status, answer: c.res.body });
    stats.concurrentChargeRuns++;
    if (new Set(this.users).size > 1) stats.concurrentTwoUsers++;
  }
  toString() {
    return `concurrentCharges(${this.specs.map((s, i) => `user${this.users[i]} ${specText(this.equal ? this.specs[0] : s)}`).join(' | ')})`;
  }
}

/**
 * A charge request sent again with its Idempotency-Key: the same body gets
 * the first answer (status and body, a 402 included, however the balance
 * moved since) and charges nothing; another body is a 422.
 */
class ChargeReplay extends Step {
  constructor(
    readonly pick: number,
    readonly mode: 'same' | 'same-twice' | 'other-body',
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.attempts.length > 0;
  }
  protected async apply(m: Model) {
    const attempt = pickOf(m.attempts, this.pick)!;
    if (this.mode === 'other-body') {
      const res = await v1Post('/charges', attempt.key, { ...attempt.body, amountUsd: new D(attempt.body.amountUsd as string).plus(UNIT).toFixed() });
      expectError(res, 422, 'IDEMPOTENCY_KEY_REUSED', `charge key ${attempt.key} with another body`);
      stats.keyReused422++;
      return;
    }
    const answers = await Promise.all(Array.from({ length: this.mode === 'same-twice' ? 2 : 1 }, () => v1Post('/charges', attempt.key, attempt.body)));
    for (const res of answers) {
      expect({ status: res.status, body: res.body, replayed: res.headers['idempotent-replayed'] }).toEqual({
        status: attempt.status,
        body: attempt.answer,
        replayed: 'true',
      });
    }
    stats.replays += answers.length;
    // The first answer said nothing was refunded yet, and so must its replay, whatever was refunded since.
    const charged = attempt.status === 201 && m.charges.find((c) => c.id === (attempt.answer as { id: string }).id);
    if (charged && charged.refunded.gt(0)) stats.replaysAfterRefund += answers.length;
  }
  toString() {
    return `chargeReplay(#${this.pick}, ${this.mode})`;
  }
}

/** The charge part of a refund's answer: the charge now, with the balance right after it was made. */
function expectChargeView(view: unknown, charge: ModelCharge, r: Real) {
  expect(view).toMatchObject({
    id: charge.id,
    userId: r.users[charge.user].id,
    amountUsd: usd(charge.amount),
    refundedUsd: usd(charge.refunded),
    holdId: charge.holdId,
    balanceAfter: charge.balanceAfter,
  });
}

/**
 * A refund of a charge: part of what is left, all of it (named or omitted),
 * or more than is left (409, nothing changes). A refund that succeeded is
 * sometimes sent again with its key: the same answer, nothing more refunded.
 */
class ChargeRefund extends Step {
  constructor(
    readonly pick: number,
    readonly kind: 'part' | 'all' | 'omit' | 'over',
    readonly replay: boolean,
  ) {
    super();
  }
  private eligible(m: Readonly<Model>) {
    return this.kind === 'over' ? m.charges : m.charges.filter((c) => refundable(c).gt(0));
  }
  check(m: Readonly<Model>) {
    return this.eligible(m).length > 0;
  }
  protected async apply(m: Model, r: Real) {
    const charge = pickOf(this.eligible(m), this.pick)!;
    const left = refundable(charge);
    const amount =
      this.kind === 'over'
        ? left.plus(this.pick % 2 === 0 ? UNIT : new D('1'))
        : this.kind === 'part'
          ? D.max(left.times('0.4').toDecimalPlaces(8, Decimal.ROUND_DOWN), UNIT)
          : left;
    const body = this.kind === 'omit' ? {} : { amountUsd: amount.toFixed() };
    const key = nextKey();
    const res = await v1Post(`/charges/${charge.id}/refunds`, key, body);
    const what = `refund ${this.kind} (${usd(amount)}) of charge ${charge.id} with ${usd(left)} left`;
    if (this.kind === 'over') {
      expectError(res, 409, 'CHARGE_REFUND_EXCEEDS_CHARGE', what);
      stats.chargeRefunds409++;
      return;
    }
    expectStatus(res, 201, what);
    charge.refunded = charge.refunded.plus(amount);
    m.balances[charge.user] = m.balances[charge.user].plus(amount);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^\d+$/), amountUsd: usd(amount), balanceAfter: usd(m.balances[charge.user]) });
    expectChargeView(res.body.charge, charge, r);
    stats.chargeRefunds++;
    if (this.replay) {
      const again = await v1Post(`/charges/${charge.id}/refunds`, key, body);
      expect({ status: again.status, body: again.body, replayed: again.headers['idempotent-replayed'] }).toEqual({
        status: 201,
        body: res.body,
        replayed: 'true',
      });
      stats.chargeRefundReplays++;
    }
  }
  toString() {
    return `chargeRefund(#${this.pick}, ${this.kind}${this.replay ? ', replayed' : ''})`;
  }
}

let holdNo = 0;

class HoldCreate extends Step {
  constructor(
    readonly user: number,
    readonly spec: AmountSpec,
    readonly expiresInSeconds: number | undefined,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return canSpend(m, this.user, this.spec);
  }
  protected async apply(m: Model, r: Real) {
    const spendable = available(m, this.user);
    const amount = resolveAmount(this.spec, spendable);
    const body = {
      userId: r.users[this.user].id,
      amountUsd: amount.toFixed(),
      description: `model hold ${++holdNo}`,
      ...(this.expiresInSeconds && { expiresInSeconds: this.expiresInSeconds }),
    };
    const res = await v1Post('/holds', nextKey(), body);
    const what = `hold of ${usd(amount)} with ${usd(spendable)} available`;
    if (amount.gt(spendable)) {
      expectInsufficient(res, spendable, what);
      stats.holds402++;
      return;
    }
    expectStatus(res, 201, what);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      userId: body.userId,
      amountUsd: usd(amount),
      description: body.description,
      status: 'active',
      capturedUsd: null,
      settledAt: null,
    });
    // Expires when asked (or after the default 900 s), give or take the request's time.
    const lasts = (new Date(res.body.expiresAt).getTime() - Date.now()) / 1000;
    expect(Math.abs(lasts - (this.expiresInSeconds ?? t.config.spend.holdDefaultSeconds))).toBeLessThan(60);
    m.held[this.user] = m.held[this.user].plus(amount);
    m.holds.push({ id: res.body.id, user: this.user, amount, status: 'active', captured: null });
    stats.holds++;
  }
  toString() {
    return `holdCreate(user${this.user}, ${specText(this.spec)}${this.expiresInSeconds ? `, ${this.expiresInSeconds} s` : ''})`;
  }
}

const activeHolds = (m: Readonly<Model>) => m.holds.filter((h) => h.status === 'active');

/** The model's side of a capture: the reservation given back, a charge of what was captured. */
function modelCaptured(m: Model, hold: ModelHold, amount: Dec, res: Response, r: Real, what: string) {
  expectStatus(res, 201, what);
  expect(res.body.hold).toMatchObject({ id: hold.id, status: 'captured', amountUsd: usd(hold.amount), capturedUsd: usd(amount) });
  const balanceAfter = m.balances[hold.user].minus(amount);
  expect(res.body.charge).toMatchObject({
    id: expect.stringMatching(/^\d+$/),
    userId: r.users[hold.user].id,
    amountUsd: usd(amount),
    refundedUsd: ZERO_USD,
    holdId: hold.id,
    balanceAfter: usd(balanceAfter),
  });
  m.held[hold.user] = m.held[hold.user].minus(hold.amount);
  hold.status = 'captured';
  hold.captured = amount;
  modelCharged(m, hold.user, amount, res.body.charge, hold.id);
  stats.captures++;
}

function modelReleased(m: Model, hold: ModelHold, res: Response, what: string) {
  expectStatus(res, 200, what);
  expect(res.body).toMatchObject({ id: hold.id, status: 'released', amountUsd: usd(hold.amount), capturedUsd: null });
  m.held[hold.user] = m.held[hold.user].minus(hold.amount);
  hold.status = 'released';
  stats.releases++;
}

/** Capture of an active hold: all of it, part of it (the rest released), or more than it holds (400, nothing changes). */
class HoldCapture extends Step {
  constructor(
    readonly pick: number,
    readonly kind: 'all' | 'part' | 'over',
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return activeHolds(m).length > 0;
  }
  protected async apply(m: Model, r: Real) {
    const hold = pickOf(activeHolds(m), this.pick)!;
    const amount =
      this.kind === 'all' ? hold.amount : this.kind === 'over' ? hold.amount.plus(UNIT) : D.max(hold.amount.times('0.6').toDecimalPlaces(8, Decimal.ROUND_DOWN), UNIT);
    const res = await v1Post(`/holds/${hold.id}/capture`, nextKey(), { amountUsd: amount.toFixed() });
    const what = `capture ${usd(amount)} of hold ${hold.id} (${usd(hold.amount)})`;
    if (this.kind === 'over') {
      expectError(res, 400, 'HOLD_CAPTURE_EXCEEDS_HOLD', what);
      stats.captures400++;
      return;
    }
    modelCaptured(m, hold, amount, res, r, what);
  }
  toString() {
    return `holdCapture(#${this.pick}, ${this.kind})`;
  }
}

class HoldRelease extends Step {
  constructor(readonly pick: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return activeHolds(m).length > 0;
  }
  protected async apply(m: Model) {
    const hold = pickOf(activeHolds(m), this.pick)!;
    modelReleased(m, hold, await v1Post(`/holds/${hold.id}/release`, nextKey()), `release of hold ${hold.id}`);
  }
  toString() {
    return `holdRelease(#${this.pick})`;
  }
}

/** Capture or release of a hold already captured or released: 409 HOLD_NOT_ACTIVE, nothing changes. */
class HoldNotActive extends Step {
  constructor(
    readonly pick: number,
    readonly action: 'capture' | 'release',
  ) {
    super();
  }
  private settled(m: Readonly<Model>) {
    return m.holds.filter((h) => h.status !== 'active');
  }
  check(m: Readonly<Model>) {
    return this.settled(m).length > 0;
  }
  protected async apply(m: Model) {
    const hold = pickOf(this.settled(m), this.pick)!;
    const res =
      this.action === 'capture' ? await v1Post(`/holds/${hold.id}/capture`, nextKey(), { amountUsd: usd(hold.amount) }) : await v1Post(`/holds/${hold.id}/release`, nextKey());
    expectError(res, 409, 'HOLD_NOT_ACTIVE', `${this.action} of ${hold.status} hold ${hold.id}`);
    stats.notActive409++;
  }
  toString() {
    return `holdNotActive(#${this.pick}, ${this.action})`;
  }
}

const RACE_FRACTIONS = ['0.5', '0.6', '0.75', '1'] as const;

/**
 * Races on the spending side. charge-hold: a charge and a hold of one user,
 * each within what is available but together (usually) beyond it: the
 * outcome must be a serial one, so never both beyond the available balance,
 * and at least one goes through when each fits alone. capture-release: of
 * one active hold, exactly one wins. refund-refund: two refunds of all that
 * is left of one charge, exactly one wins.
 */
class SpendRace extends Step {
  constructor(
    readonly kind: 'charge-hold' | 'capture-release' | 'refund-refund',
    readonly pick: number,
    readonly chargeFrac: string,
    readonly holdFrac: string,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    if (this.kind === 'capture-release') return activeHolds(m).length > 0;
    if (this.kind === 'refund-refund') return m.charges.some((c) => refundable(c).gt(0));
    return available(m, this.pick % 2).gt(0);
  }
  protected async apply(m: Model, r: Real) {
    if (this.kind === 'charge-hold') return this.chargeAndHold(m, r);
    if (this.kind === 'capture-release') return this.captureAndRelease(m, r);
    const charge = pickOf(
      m.charges.filter((c) => refundable(c).gt(0)),
      this.pick,
    )!;
    const left = refundable(charge);
    const answers = await Promise.all([1, 2].map(() => v1Post(`/charges/${charge.id}/refunds`, nextKey(), {})));
    const what = `two refunds of all that is left (${usd(left)}) of charge ${charge.id}`;
    const won = answers.filter((a) => a.status === 201);
    if (won.length !== 1) throw new Error(`${what}: expected one 201, got ${answers.map((a) => `${a.status} ${a.text}`).join(' | ')}`);
    expectError(answers.find((a) => a !== won[0])!, 409, 'CHARGE_REFUND_EXCEEDS_CHARGE', what);
    charge.refunded = charge.amount;
    m.balances[charge.user] = m.balances[charge.user].plus(left);
    expect(won[0].body).toMatchObject({ amountUsd: usd(left), balanceAfter: usd(m.balances[charge.user]) });
    expectChargeView(won[0].body.charge, charge, r);
    stats.chargeRefunds++;
    stats.refundRaces++;
  }

  private async chargeAndHold(m: Model, r: Real) {
    const user = this.pick % 2;
    const spendable = available(m, user);
    const chargeAmount = resolveAmount({ frac: this.chargeFrac }, spendable);
    const holdAmount = resolveAmount({ frac: this.holdFrac }, spendable);
    const body = chargeBody(r, user, chargeAmount, false);
    const chargeKey = nextKey();
    const holdBody = { userId: r.users[user].id, amountUsd: holdAmount.toFixed(), description: `model hold ${++holdNo}` };
    const [charge, hold] = await Promise.all([v1Post('/charges', chargeKey, body), v1Post('/holds', nextKey(), holdBody)]);
    const what = `charge ${usd(chargeAmount)} racing hold ${usd(holdAmount)} with ${usd(spendable)} available`;
    const charged = charge.status === 201;
    const held = hold.status === 201;
    const taken = (charged ? chargeAmount : new D(0)).plus(held ? holdAmount : 0);
    if (taken.gt(spendable)) throw new Error(`${what}: both went through, ${usd(taken)} in all`);
    if (!charged && !held && (chargeAmount.lte(spendable) || holdAmount.lte(spendable))) throw new Error(`${what}: both refused`);
    if (charged) {
      expectCharged(charge, body, chargeAmount, m.balances[user].minus(chargeAmount), what);
      modelCharged(m, user, chargeAmount, charge.body);
    } else {
      // Refused with what was left then: everything, or what the hold left.
      expectInsufficient(charge, held ? [spendable, spendable.minus(holdAmount)] : spendable, what);
      expect(chargeAmount.gt(spendable.minus(held ? holdAmount : 0))).toBe(true);
    }
    if (held) {
      expectStatus(hold, 201, what);
      expect(hold.body).toMatchObject({ status: 'active', amountUsd: usd(holdAmount), userId: holdBody.userId });
      m.held[user] = m.held[user].plus(holdAmount);
      m.holds.push({ id: hold.body.id, user, amount: holdAmount, status: 'active', captured: null });
    } else {
      expectInsufficient(hold, charged ? [spendable, spendable.minus(chargeAmount)] : spendable, what);
      expect(holdAmount.gt(spendable.minus(charged ? chargeAmount : 0))).toBe(true);
    }
    m.attempts.push({ key: chargeKey, body, status: charge.status, answer: charge.body });
    stats.chargeHoldRaces++;
  }

  private async captureAndRelease(m: Model, r: Real) {
    const hold = pickOf(activeHolds(m), this.pick)!;
    const [capture, release] = await Promise.all([
      v1Post(`/holds/${hold.id}/capture`, nextKey(), { amountUsd: hold.amount.toFixed() }),
      v1Post(`/holds/${hold.id}/release`, nextKey()),
    ]);
    const what = `capture racing release of hold ${hold.id}`;
    if ((capture.status === 201) === (release.status === 200)) {
      throw new Error(`${what}: expected exactly one to win, got capture ${capture.status} ${capture.text} | release ${release.status} ${release.text}`);
    }
    if (capture.status === 201) {
      expectError(release, 409, 'HOLD_NOT_ACTIVE', what);
      modelCaptured(m, hold, hold.amount, capture, r, what);
    } else {
      expectError(capture, 409, 'HOLD_NOT_ACTIVE', what);
      modelReleased(m, hold, release, what);
    }
    stats.captureReleaseRaces++;
  }
  toString() {
    return this.kind === 'charge-hold'
      ? `spendRace(charge-hold, user${this.pick % 2}, ${this.chargeFrac} | ${this.holdFrac})`
      : `spendRace(${this.kind}, #${this.pick})`;
  }
}

// ---------------------------------------------------------------------------
// Redeem codes.
// ---------------------------------------------------------------------------

const locked = (m: Readonly<Model>, user: number) => m.redeemFailures[user] >= redeemFailureLimit;

function redeemRequest(r: Real, user: number, code: string) {
  return t.http.post('/api/users/redeem').set(bearer(r.users[user])).set('X-Forwarded-For', nextAddress()).send({ code });
}

/** A code that does not exist: well formed (it reaches the database) or not. */
function wrongCode(wellFormed: boolean): string {
  if (!wellFormed) return 'NOT-A-CODE-0000';
  let raw = '';
  for (let i = 0; i < 16; i++) raw += REDEEM_CODE_ALPHABET[Math.floor(Math.random() * REDEEM_CODE_ALPHABET.length)];
  return raw.match(/.{4}/g)!.join('-');
}

function expectLockedOut(res: Response, what: string) {
  expectError(res, 429, 'REDEEM_TOO_MANY_FAILURES', what);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  stats.redeem429++;
}

class CreateRedeemBatch extends Step {
  constructor(
    readonly count: number,
    readonly amount: string,
    readonly maxRedemptions: number,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.codes.length + this.count <= MAX_CODES;
  }
  protected async apply(m: Model) {
    const res = await t.http
      .post('/api/admin/redeem-codes')
      .set(bearer(admin))
      .send({ count: this.count, amountUsd: this.amount, maxRedemptions: this.maxRedemptions, note: 'model batch' });
    expectStatus(res, 201, 'redeem batch');
    expect(res.body).toMatchObject({ batchId: expect.stringMatching(/^\d+$/), amountUsd: usd(new D(this.amount)), maxRedemptions: this.maxRedemptions });
    expect(res.body.codes).toHaveLength(this.count);
    m.batches.push({ id: res.body.batchId, disabled: false });
    for (const code of res.body.codes as string[]) {
      m.codes.push({ code, batchId: res.body.batchId, amount: new D(this.amount), maxRedemptions: this.maxRedemptions, redeemedBy: [] });
    }
    stats.redeemBatches++;
  }
  toString() {
    return `createRedeemBatch(${this.count} x ${this.amount}, max ${this.maxRedemptions})`;
  }
}

class DisableBatch extends Step {
  constructor(readonly pick: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.batches.length > 0;
  }
  protected async apply(m: Model) {
    const batch = pickOf(m.batches, this.pick)!;
    const res = await t.http.post(`/api/admin/redeem-batches/${batch.id}/disable`).set(bearer(admin));
    expectStatus(res, 200, `disable batch ${batch.id}`);
    expect(res.body).toMatchObject({ id: batch.id, status: 'disabled' });
    batch.disabled = true;
    stats.disables++;
  }
  toString() {
    return `disableBatch(#${this.pick})`;
  }
}

/**
 * Redemptions of one code, sent at once: `requesters` lists the users, a
 * user twice meaning the same user racing themself. Per user: locked out →
 * 429; redeemed the code before → 409; otherwise the app picks the winners —
 * as many as the code has uses left (none once its batch is disabled), each
 * with one 200 and a 409 for its other copies — and everyone else gets 404.
 */
class Redeem extends Step {
  constructor(
    readonly pick: number,
    readonly requesters: readonly number[],
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    const code = pickOf(m.codes, this.pick);
    if (!code) return false;
    // Keep clear of the failure limit: a user who might lose sends no more wrong codes than the budget allows.
    return [0, 1].every((u) => {
      const copies = this.requesters.filter((x) => x === u).length;
      return copies === 0 || locked(m, u) || code.redeemedBy.includes(u) || m.redeemFailures[u] + copies <= REDEEM_FAILURE_BUDGET;
    });
  }
  protected async apply(m: Model, r: Real) {
    const code = pickOf(m.codes, this.pick)!;
    const disabled = m.batches.find((b) => b.id === code.batchId)!.disabled;
    const usesLeft = disabled ? 0 : code.maxRedemptions - code.redeemedBy.length;
    const answers = await Promise.all(this.requesters.map((u) => redeemRequest(r, u, code.code)));
    const what = `redeem of a code (${code.redeemedBy.length}/${code.maxRedemptions} used${disabled ? ', disabled' : ''}) by users [${this.requesters}]`;
    const users = [...new Set(this.requesters)];
    const eligible = users.filter((u) => !locked(m, u) && !code.redeemedBy.includes(u));
    const winners: number[] = [];
    for (const u of users) {
      const mine = answers.filter((_, i) => this.requesters[i] === u);
      if (locked(m, u)) {
        for (const res of mine) expectLockedOut(res, `${what}: user${u}`);
        continue;
      }
      if (code.redeemedBy.includes(u)) {
        for (const res of mine) expectError(res, 409, 'REDEEM_CODE_ALREADY_REDEEMED', `${what}: user${u} again`);
        stats.redeem409 += mine.length;
        continue;
      }
      const ok = mine.filter((res) => res.status === 200);
      if (ok.length > 1) throw new Error(`${what}: user${u} redeemed it ${ok.length} times`);
      if (ok.length === 1) {
        winners.push(u);
        m.balances[u] = m.balances[u].plus(code.amount);
        expect(ok[0].body).toEqual({ amountUsd: usd(code.amount), balance: usd(m.balances[u]) });
        for (const res of mine.filter((x) => x !== ok[0])) expectError(res, 409, 'REDEEM_CODE_ALREADY_REDEEMED', `${what}: user${u}'s other copy`);
        stats.redeemed++;
        stats.redeem409 += mine.length - 1;
      } else {
        for (const res of mine) expectError(res, 404, 'REDEEM_CODE_INVALID', `${what}: user${u}`);
        m.redeemFailures[u] += mine.length;
        stats.redeem404 += mine.length;
      }
    }
    const fit = Math.min(usesLeft, eligible.length);
    if (winners.length !== fit) throw new Error(`${what}: ${winners.length} redeemed it, ${fit} could: ${answers.map((a) => `${a.status} ${a.text}`).join(' | ')}`);
    code.redeemedBy.push(...winners);
    if (this.requesters.length > 1) stats.concurrentRedeems++;
  }
  toString() {
    return `redeem(#${this.pick}, users [${this.requesters}])`;
  }
}

/** A code that does not exist: 404, and one more failure for the user. */
class RedeemWrong extends Step {
  constructor(
    readonly user: number,
    readonly wellFormed: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.redeemFailures[this.user] < REDEEM_FAILURE_BUDGET;
  }
  protected async apply(m: Model, r: Real) {
    const res = await redeemRequest(r, this.user, wrongCode(this.wellFormed));
    expectError(res, 404, 'REDEEM_CODE_INVALID', `wrong code by user${this.user}`);
    m.redeemFailures[this.user]++;
    stats.redeem404++;
  }
  toString() {
    return `redeemWrong(user${this.user}${this.wellFormed ? '' : ', malformed'})`;
  }
}

/**
 * Wrong codes up to the limit, then a code that would be good: 429 with
 * Retry-After, nothing credited; the user stays locked out for the rest of
 * the sequence (every later redeem of theirs expects 429).
 */
class RedeemLockout extends Step {
  constructor(
    readonly user: number,
    readonly pick: number,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !locked(m, this.user);
  }
  protected async apply(m: Model, r: Real) {
    while (m.redeemFailures[this.user] < redeemFailureLimit) {
      const res = await redeemRequest(r, this.user, wrongCode(true));
      expectError(res, 404, 'REDEEM_CODE_INVALID', `wrong code ${m.redeemFailures[this.user] + 1} by user${this.user}`);
      m.redeemFailures[this.user]++;
      stats.redeem404++;
    }
    const usable = m.codes.filter(
      (c) => !m.batches.find((b) => b.id === c.batchId)!.disabled && c.redeemedBy.length < c.maxRedemptions && !c.redeemedBy.includes(this.user),
    );
    const code = pickOf(usable, this.pick)?.code ?? wrongCode(true);
    expectLockedOut(await redeemRequest(r, this.user, code), `redeem by user${this.user} after ${redeemFailureLimit} wrong codes`);
    stats.lockouts++;
  }
  toString() {
    return `redeemLockout(user${this.user})`;
  }
}

const user = fc.constantFrom(0, 1);
const pick = fc.nat({ max: 50 });
const copies = fc.integer({ min: 1, max: 4 });
const createOrder = fc.record({ user, amount: fc.constantFrom(...AMOUNTS_CNY) }).map(({ user, amount }) => new CreateOrder(user, amount));
const pay = fc.tuple(pick, copies).map(([p, c]) => new Pay(p, c));

const fraction = (...fracs: string[]) => fc.constantFrom(...fracs.map((frac): AmountSpec => ({ frac })));
const fixed = (...amounts: string[]) => fc.constantFrom(...amounts.map((amount): AmountSpec => ({ fixed: amount })));
/** Mostly within what is available, sometimes all of it, sometimes just beyond it or a fixed amount that may not fit. */
const amountSpec: fc.Arbitrary<AmountSpec> = fc.oneof(
  { weight: 4, arbitrary: fraction('0.1', '0.25', '0.33333333', '0.5') },
  { weight: 1, arbitrary: fraction('1') },
  { weight: 1, arbitrary: fc.constant<AmountSpec>('over') },
  { weight: 2, arbitrary: fixed('0.00000001', '0.75', '3.33333333', '60') },
);
const charge = fc
  .record({ user, spec: amountSpec, copies: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }), metadata: fc.boolean() })
  .map(({ user, spec, copies, metadata }) => new Charge(user, spec, copies, metadata));
/** Whose charges: one user's (mostly), or both users' mixed. */
const chargers = (n: number) =>
  fc.oneof(
    { weight: 3, arbitrary: user.map((u) => Array.from({ length: n }, () => u)) },
    { weight: 1, arbitrary: fc.array(user, { minLength: n, maxLength: n }) },
  );
const concurrentCharges = fc.oneof(
  // Equal amounts: exactly as many go through as fit.
  fc
    .tuple(fraction('0.2', '0.25', '0.34', '0.5'), fc.integer({ min: 2, max: 6 }))
    .chain(([spec, n]) => chargers(n).map((users) => new ConcurrentCharges(users, Array.from({ length: n }, () => spec), true))),
  fc.array(amountSpec, { minLength: 2, maxLength: 6 }).chain((specs) => chargers(specs.length).map((users) => new ConcurrentCharges(users, specs, false))),
);
const holdCreate = fc.tuple(user, amountSpec, fc.constantFrom(undefined, undefined, 3600)).map(([u, spec, seconds]) => new HoldCreate(u, spec, seconds));
const raceFrac = fc.constantFrom(...RACE_FRACTIONS);
const redeemers: fc.Arbitrary<readonly number[]> = fc.oneof(
  { weight: 3, arbitrary: user.map((u) => [u]) },
  // Two users at one code, one user twice, or a mix.
  { weight: 2, arbitrary: fc.constantFrom([0, 1], [1, 0], [0, 0], [1, 1], [0, 1, 0], [1, 0, 1]) },
);

// Repeated entries weigh orders and payments up, so that refunds and charges have paid orders (money) to work on.
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
  // Money to spend: credits only.
  fc.record({ user, amount: fc.constantFrom('7.50000001', '25.00', '100.00') }).map(({ user, amount }) => new Adjust(user, amount)),
  fc.tuple(fc.constantFrom('pay-confirm' as const, 'refund-refund' as const), pick).map(([kind, p]) => new Race(kind, p)),
  // Spending.
  charge,
  charge,
  concurrentCharges,
  fc.tuple(pick, fc.constantFrom('same' as const, 'same' as const, 'same-twice' as const, 'other-body' as const)).map(([p, mode]) => new ChargeReplay(p, mode)),
  fc
    .tuple(pick, fc.constantFrom('part' as const, 'part' as const, 'all' as const, 'omit' as const, 'over' as const), fc.boolean())
    .map(([p, kind, replay]) => new ChargeRefund(p, kind, replay)),
  holdCreate,
  holdCreate,
  fc.tuple(pick, fc.constantFrom('all' as const, 'part' as const, 'part' as const, 'over' as const)).map(([p, kind]) => new HoldCapture(p, kind)),
  fc.oneof(
    { weight: 2, arbitrary: pick.map((p) => new HoldRelease(p)) },
    { weight: 1, arbitrary: fc.tuple(pick, fc.constantFrom('capture' as const, 'release' as const)).map(([p, action]) => new HoldNotActive(p, action)) },
  ),
  fc
    .tuple(fc.constantFrom('charge-hold' as const, 'charge-hold' as const, 'capture-release' as const, 'refund-refund' as const), pick, raceFrac, raceFrac)
    .map(([kind, p, c, h]) => new SpendRace(kind, p, c, h)),
  // Redeem codes.
  fc
    .record({ count: fc.integer({ min: 1, max: 3 }), amount: fc.constantFrom(...REDEEM_AMOUNTS), max: fc.integer({ min: 1, max: 3 }) })
    .map(({ count, amount, max }) => new CreateRedeemBatch(count, amount, max)),
  fc.tuple(pick, redeemers).map(([p, who]) => new Redeem(p, who)),
  fc.tuple(pick, redeemers).map(([p, who]) => new Redeem(p, who)),
  fc.oneof(
    { weight: 3, arbitrary: pick.map((p) => new DisableBatch(p)) },
    { weight: 2, arbitrary: fc.tuple(user, fc.boolean()).map(([u, wellFormed]) => new RedeemWrong(u, wellFormed)) },
    { weight: 1, arbitrary: fc.tuple(user, pick).map(([u, p]) => new RedeemLockout(u, p)) },
  ),
];

describe('model-based: orders, notifies, refunds, adjustments, charges, holds and redeem codes against an in-memory model', () => {
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
      // Each redeem says it comes from an address of its own, so wrong codes count against the user only, never add up per address over the run.
      TRUST_PROXY: 'true',
      RECHARGE__PAYMENT__MAX_ORDERS_PER_MINUTE: '1000',
      RECHARGE__PAYMENT__MAX_PENDING_ORDERS: '1000',
      RECHARGE__PAYMENT__RECONCILE_QUERIES_PER_SECOND: '1000',
      RECHARGE__DATABASE__POOL_SIZE: '20',
    });
    threshold = new D(t.config.referral.qualifiedRechargeCny);
    reward = new D(t.config.referral.rewardUsd);
    redeemFailureLimit = t.config.rateLimit.redeemFailures;
    admin = await registerAdmin(t.http, t.db);
    const key = await t.http
      .post('/api/admin/api-keys')
      .set(bearer(admin))
      .send({ name: 'model test', scopes: ['charges:write', 'balances:read'] });
    expectStatus(key, 201, 'API key');
    apiKey = key.body.key;
  });
  afterAll(async () => {
    await t?.close();
    await zpay?.stop();
  });

  it('keeps balances, holds, charges, codes, ledger, order statuses and the invite equal to the model, and the audit clean', async () => {
    const setup = async (): Promise<{ model: Model; real: Real }> => {
      const referrer = await registerUser(t.http);
      const info = await t.http.get('/api/users/referral/info').set(bearer(referrer));
      expectStatus(info, 200, 'referral info');
      const invitee = await registerUser(t.http, { inviteCode: info.body.code });
      return {
        model: {
          balances: [new D(0), new D(0)],
          held: [new D(0), new D(0)],
          orders: [],
          invite: { totalCny: new D(0), rewardIssued: false, rewardReversed: false },
          charges: [],
          attempts: [],
          holds: [],
          batches: [],
          codes: [],
          redeemFailures: [0, 0],
        },
        real: { users: [referrer, invitee], executed: 0 },
      };
    };

    const started = Date.now();
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
      report('model', {
        sequences: s.sequences,
        commands: s.commands,
        longest: s.longest,
        seconds: ((Date.now() - started) / 1000).toFixed(1),
        orders: s.orders,
        pays: s.pays,
        duplicateNotifies: s.duplicateNotifies,
        confirms: s.confirms,
        races: s.races,
        cancels: s.cancels,
        refunds: s.refunds,
        forcedShort: s.forcedShort,
        refusedRefunds: s.refusedRefunds,
        refundsRefusedForBalance: s.tooLowRefusals,
        refundsOfUnpaid: s.notRefundable,
        adjustments: s.adjustments,
        refusedAdjustments: s.refusedAdjustments,
        inviteRewards: s.rewards,
        clawbacks: s.clawbacks,
        charges: s.charges,
        charges402: s.charges402,
        sameKeyCopies: s.sameKeyCopies,
        concurrentChargeRuns: s.concurrentChargeRuns,
        concurrentCharged: s.concurrentCharges,
        concurrent402: s.concurrentCharges402,
        concurrentTwoUserRuns: s.concurrentTwoUsers,
        keyInUse409: s.keyInUse409,
        replays: s.replays,
        replaysAfterRefund: s.replaysAfterRefund,
        keyReused422: s.keyReused422,
        chargeRefunds: s.chargeRefunds,
        chargeRefundReplays: s.chargeRefundReplays,
        chargeRefunds409: s.chargeRefunds409,
        holds: s.holds,
        holds402: s.holds402,
        captures: s.captures,
        captures400: s.captures400,
        releases: s.releases,
        notActive409: s.notActive409,
        chargeHoldRaces: s.chargeHoldRaces,
        captureReleaseRaces: s.captureReleaseRaces,
        refundRaces: s.refundRaces,
        redeemBatches: s.redeemBatches,
        disables: s.disables,
        redeemed: s.redeemed,
        redeem409: s.redeem409,
        redeem404: s.redeem404,
        concurrentRedeems: s.concurrentRedeems,
        lockouts: s.lockouts,
        redeem429: s.redeem429,
        mismatches: s.mismatches,
      });
    }
  }, 290_000);
});
