import { DataSource } from 'typeorm';
import { Money } from '../../src/common/money/money';
import { LedgerErrorCode, LedgerException } from '../../src/ledger/ledger.errors';
import { LedgerService } from '../../src/ledger/ledger.service';
import { LedgerType } from '../../src/ledger/recharge-record.entity';
import { TestApp, createTestApp } from '../support/test-app';
import { bearer, registerUser } from '../support/factories';

describe('ledger', () => {
  let t: TestApp;
  let ledger: LedgerService;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp({ RECHARGE__DATABASE__POOL_SIZE: '60' });
    ledger = t.app.get(LedgerService);
    db = t.db;
  });
  afterAll(() => t.close());

  const credit = (userId: string, amount: string, relatedId?: string) =>
    db.transaction((em) => ledger.credit(em, { userId, amount, type: LedgerType.Admin, operator: 'system', relatedId }));
  const debit = (userId: string, amount: string) =>
    db.transaction((em) => ledger.debit(em, { userId, amount, type: LedgerType.Admin, operator: 'system' }));

  async function rowsOf(userId: string) {
    return db.query(
      `SELECT amount, balance_before, balance_after FROM recharge_records WHERE user_id = $1 ORDER BY id`,
      [userId],
    ) as Promise<{ amount: string; balance_before: string; balance_after: string }[]>;
  }

  it('writes the before/after snapshot with each change', async () => {
    const user = await registerUser(t.http);
    const first = await credit(user.id, '2.77777778', 'PO-1');
    expect(first).toMatchObject({ amount: '2.77777778', balanceBefore: '0.00000000', balanceAfter: '2.77777778', relatedId: 'PO-1' });
    const second = await debit(user.id, '0.77777778');
    expect(second).toMatchObject({ amount: '-0.77777778', balanceBefore: '2.77777778', balanceAfter: '2.00000000' });
    expect(await ledger.balanceOf(user.id)).toBe('2.00000000');
  });

  it('rounds an amount half-up to 8 places once', async () => {
    const user = await registerUser(t.http);
    const row = await credit(user.id, '0.123456785');
    expect(row.amount).toBe('0.12345679');
  });

  it('takes 50 parallel credits to one user to the exact sum with an unbroken chain', async () => {
    const user = await registerUser(t.http);
    const amounts = Array.from({ length: 50 }, (_, i) => `${i + 1}.${String(i * 7919).padStart(8, '0').slice(0, 8)}`);
    await Promise.all(amounts.map((amount) => credit(user.id, amount)));

    const expected = amounts.reduce((sum, a) => sum.plus(a), new Money(0)).toFixed(8);
    expect(await ledger.balanceOf(user.id)).toBe(expected);
    const rows = await rowsOf(user.id);
    expect(rows).toHaveLength(50);
    let previous = new Money(0);
    for (const row of rows) {
      expect(new Money(row.balance_before).eq(previous)).toBe(true);
      expect(new Money(row.balance_after).eq(new Money(row.balance_before).plus(row.amount))).toBe(true);
      previous = new Money(row.balance_after);
    }
    expect(previous.toFixed(8)).toBe(expected);
  });

  it('lets exactly 3 of 10 parallel debits of 30 through a balance of 100', async () => {
    const user = await registerUser(t.http);
    await credit(user.id, '100');
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => debit(user.id, '30')));

    const succeeded = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(succeeded).toHaveLength(3);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(LedgerException);
      expect(r.reason.code).toBe(LedgerErrorCode.InsufficientBalance);
    }
    expect(await ledger.balanceOf(user.id)).toBe('10.00000000');
    const rows = await rowsOf(user.id);
    expect(rows.map((r) => r.balance_after)).toEqual(['100.00000000', '70.00000000', '40.00000000', '10.00000000']);
  });

  it('rolls the balance back with the transaction that failed after crediting', async () => {
    const user = await registerUser(t.http);
    await expect(
      db.transaction(async (em) => {
        await ledger.credit(em, { userId: user.id, amount: '5', type: LedgerType.Admin, operator: 'system' });
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    expect(await ledger.balanceOf(user.id)).toBe('0.00000000');
    expect(await rowsOf(user.id)).toEqual([]);
  });

  it('refuses a zero amount and an unknown user', async () => {
    const user = await registerUser(t.http);
    await expect(credit(user.id, '0.000000001')).rejects.toMatchObject({ code: LedgerErrorCode.ZeroAmount });
    await expect(credit('999999999', '1')).rejects.toMatchObject({ code: LedgerErrorCode.UserNotFound });
  });

  describe('GET /api/users/recharge-records and /balance', () => {
    it('lists only the caller’s rows, newest first, paginated and filtered by type', async () => {
      const alice = await registerUser(t.http);
      const bob = await registerUser(t.http);
      for (const amount of ['1', '2', '3']) await credit(alice.id, amount);
      await debit(alice.id, '0.5');
      await credit(bob.id, '7');

      const page1 = await t.http.get('/api/users/recharge-records?page=1&pageSize=2').set(bearer(alice)).expect(200);
      expect(page1.body).toMatchObject({ total: 4, page: 1, pageSize: 2 });
      expect(page1.body.items.map((r: { amount: string }) => r.amount)).toEqual(['-0.50000000', '3.00000000']);
      expect(page1.body.items[0]).toEqual({
        id: expect.any(String),
        amount: '-0.50000000',
        type: 'admin',
        operator: 'system',
        remark: null,
        relatedId: null,
        balanceBefore: '6.00000000',
        balanceAfter: '5.50000000',
        createdAt: expect.stringMatching(/Z$/),
        campaignId: null,
      });
      const page2 = await t.http.get('/api/users/recharge-records?page=2&pageSize=2').set(bearer(alice)).expect(200);
      expect(page2.body.items.map((r: { amount: string }) => r.amount)).toEqual(['2.00000000', '1.00000000']);

      const adjustments = await t.http.get('/api/users/recharge-records?type=admin').set(bearer(alice)).expect(200);
      expect(adjustments.body.total).toBe(4);
      const payments = await t.http.get('/api/users/recharge-records?type=payment').set(bearer(alice)).expect(200);
      expect(payments.body.total).toBe(0);

      const balance = await t.http.get('/api/users/balance').set(bearer(alice)).expect(200);
      expect(balance.body).toEqual({ balance: '5.50000000', currency: 'USD' });
      const bobs = await t.http.get('/api/users/recharge-records').set(bearer(bob)).expect(200);
      expect(bobs.body.items.map((r: { amount: string }) => r.amount)).toEqual(['7.00000000']);
    });

    it.each([
      ['pageSize=101', 'pageSize must not be greater than 100'],
      ['page=0', 'page must not be less than 1'],
      ['page=abc', 'page must be an integer number'],
      ['type=bonus', 'type must be one of the following values'],
      ['userId=1', 'property userId should not exist'],
    ])('answers 400 for ?%s', async (query, message) => {
      const user = await registerUser(t.http);
      const res = await t.http.get(`/api/users/recharge-records?${query}`).set(bearer(user)).expect(400);
      expect(res.body.message).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    });
  });
});
