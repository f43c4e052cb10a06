import { bearer, registerAdmin, registerUser, TestUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('redeem codes', () => {
  let t: TestApp;
  let admin: TestUser;
  let nextAddress = 1;

  // Each test redeems from its own address (the app trusts one proxy hop), so the per-address failure limit of one test never reaches another.
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '1' });
    admin = await registerAdmin(t.http, t.db);
  });
  afterAll(() => t.close());

  const newAddress = () => `198.51.100.${nextAddress++}`;

  async function createBatch(body: Partial<{ count: number; amountUsd: string; maxRedemptions: number; expiresAt: string; note: string }> = {}) {
    const res = await t.http
      .post('/api/admin/redeem-codes')
      .set(bearer(admin))
      .send({ count: 1, amountUsd: '5.00', note: 'test batch', ...body })
      .expect(201);
    return res.body as { batchId: string; codes: string[]; amountUsd: string };
  }

  const redeem = (user: TestUser, code: string, address = newAddress()) =>
    t.http.post('/api/users/redeem').set(bearer(user)).set('X-Forwarded-For', address).send({ code });

  const balanceOf = async (user: TestUser) => (await t.http.get('/api/users/balance').set(bearer(user)).expect(200)).body.balance;

  it('creates a batch whose codes are shown once, stored hashed, and redeemable into a redeem ledger row', async () => {
    const batch = await createBatch({ count: 3, amountUsd: '2.50', note: 'flyers' });
    expect(batch.codes).toHaveLength(3);
    for (const code of batch.codes) expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$/);
    const stored = await t.db.query(`SELECT code_hash, last4 FROM redeem_codes WHERE batch_id = $1`, [batch.batchId]);
    expect(stored).toHaveLength(3);
    const dump = JSON.stringify(stored);
    for (const code of batch.codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace(/-/g, ''));
    }

    const user = await registerUser(t.http);
    // Typed lowercase and without dashes: the same code.
    const res = await redeem(user, batch.codes[1].toLowerCase().replace(/-/g, '')).expect(200);
    expect(res.body).toEqual({ amountUsd: '2.50000000', balance: '2.50000000' });
    const ledger = (await t.http.get('/api/users/recharge-records').set(bearer(user)).expect(200)).body.items;
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ type: 'redeem', amount: '2.50000000', remark: `redeem code ····${batch.codes[1].slice(-4)}` });

    const list = (await t.http.get('/api/admin/redeem-batches').set(bearer(admin)).expect(200)).body;
    expect(list.items.find((b: { id: string }) => b.id === batch.batchId)).toMatchObject({
      codeCount: 3,
      redemptions: 1,
      codesUsed: 1,
      redeemedUsd: '2.50000000',
      status: 'active',
      note: 'flyers',
    });
    expect(JSON.stringify(list)).not.toContain(batch.codes[0]);
  });

  it('a single-use code redeemed by 20 users at once credits exactly one of them', async () => {
    const { codes } = await createBatch({ amountUsd: '1.00' });
    const users = await Promise.all(Array.from({ length: 20 }, () => registerUser(t.http)));
    const answers = await Promise.all(users.map((user) => redeem(user, codes[0])));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 404)).toHaveLength(19);
    expect(answers.find((a) => a.status === 404)!.body.code).toBe('REDEEM_CODE_INVALID');
    const balances = await Promise.all(users.map(balanceOf));
    expect(balances.filter((b) => b === '1.00000000')).toHaveLength(1);
    expect(balances.filter((b) => b === '0.00000000')).toHaveLength(19);
  });

  it('a code for three holds for exactly three of ten concurrent users, and each user once', async () => {
    const { codes, batchId } = await createBatch({ amountUsd: '1.00', maxRedemptions: 3 });
    const users = await Promise.all(Array.from({ length: 10 }, () => registerUser(t.http)));
    // Every user sends it twice at once.
    const answers = await Promise.all(users.flatMap((user) => [redeem(user, codes[0]), redeem(user, codes[0])]));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    const [row] = await t.db.query(`SELECT redemptions FROM redeem_codes WHERE batch_id = $1`, [batchId]);
    expect(row.redemptions).toBe(3);
    const credited = (await Promise.all(users.map(balanceOf))).filter((b) => b === '1.00000000');
    expect(credited).toHaveLength(3);
  });

  it('the same user redeems a code once, even with many uses left (409 the second time, also when sent together)', async () => {
    const { codes } = await createBatch({ amountUsd: '1.00', maxRedemptions: 100 });
    const user = await registerUser(t.http);
    const address = newAddress();
    const together = await Promise.all(Array.from({ length: 5 }, () => redeem(user, codes[0], address)));
    expect(together.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const again = await redeem(user, codes[0], address).expect(409);
    expect(again.body.code).toBe('REDEEM_CODE_ALREADY_REDEEMED');
    expect(await balanceOf(user)).toBe('1.00000000');
  });

  it('a disabled or expired batch, or a wrong code, gets the same answer', async () => {
    const disabled = await createBatch();
    const disabledAnswer = await t.http.post(`/api/admin/redeem-batches/${disabled.batchId}/disable`).set(bearer(admin)).expect(200);
    expect(disabledAnswer.body).toMatchObject({ id: disabled.batchId, status: 'disabled' });
    const expiring = await createBatch({ expiresAt: new Date(Date.now() + 1500).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1600));

    const user = await registerUser(t.http);
    const answers = [await redeem(user, disabled.codes[0]), await redeem(user, expiring.codes[0]), await redeem(user, 'ABCD-EFGH-JKMN-PQRS'), await redeem(user, 'not a code')];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('REDEEM_CODE_INVALID');
      expect(answer.body.message).toBe(answers[0].body.message);
    }
    expect(await balanceOf(user)).toBe('0.00000000');
    const [audit] = await t.db.query(`SELECT action FROM admin_audit_logs WHERE target_type = 'redeem_batch' AND target_id = $1 ORDER BY id DESC LIMIT 1`, [
      disabled.batchId,
    ]);
    expect(audit.action).toBe('redeem_batch.disable');
  });

  it('five wrong codes from a user refuse that user’s next try, the right code included, with Retry-After', async () => {
    const { codes } = await createBatch();
    const user = await registerUser(t.http);
    for (let i = 0; i < 5; i++) await redeem(user, `WRNG-CODE-2345-678${i + 2}`).expect(404);
    const blocked = await redeem(user, codes[0]).expect(429);
    expect(blocked.body.code).toBe('REDEEM_TOO_MANY_FAILURES');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(500);
    expect(await balanceOf(user)).toBe('0.00000000');
    // Another user is not affected.
    await redeem(await registerUser(t.http), codes[0]).expect(200);
  });

  it('five wrong codes from one address refuse every user there', async () => {
    const { codes } = await createBatch();
    const address = newAddress();
    for (let i = 0; i < 5; i++) await redeem(await registerUser(t.http), `WRNG-CODE-2345-678${i + 2}`, address).expect(404);
    await redeem(await registerUser(t.http), codes[0], address).expect(429);
    await redeem(await registerUser(t.http), codes[0], newAddress()).expect(200);
  });

  it('answers a batch as CSV, formula-like notes escaped, and refuses bad batches naming the field', async () => {
    const res = await t.http
      .post('/api/admin/redeem-codes')
      .set(bearer(admin))
      .set('Accept', 'text/csv')
      .send({ count: 2, amountUsd: '1.00', note: '=HYPERLINK("http://evil")' })
      .expect(201);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="redeem-batch-\d+\.csv"/);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('code,amount_usd,max_redemptions,expires_at,batch_id,note');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4},1\.00000000,1,,\d+,"'=HYPERLINK\(""http:\/\/evil""\)"$/);

    const tooMany = await t.http.post('/api/admin/redeem-codes').set(bearer(admin)).send({ count: 10_001, amountUsd: '1.00', note: 'x' }).expect(400);
    expect(JSON.stringify(tooMany.body)).toContain('count');
    const past = await t.http.post('/api/admin/redeem-codes').set(bearer(admin)).send({ count: 1, amountUsd: '1.00', note: 'x', expiresAt: '2020-01-01T00:00:00Z' }).expect(400);
    expect(JSON.stringify(past.body)).toContain('expiresAt');
    const user = await registerUser(t.http);
    await t.http.post('/api/admin/redeem-codes').set(bearer(user)).send({ count: 1, amountUsd: '1.00', note: 'x' }).expect(403);
  });

  it('creates 10,000 codes in one batch, all distinct', async () => {
    const { codes, batchId } = await createBatch({ count: 10_000, amountUsd: '0.01', note: 'large' });
    expect(new Set(codes).size).toBe(10_000);
    const [{ count }] = await t.db.query(`SELECT COUNT(*)::int AS count FROM redeem_codes WHERE batch_id = $1`, [batchId]);
    expect(count).toBe(10_000);
  }, 30_000);
});
