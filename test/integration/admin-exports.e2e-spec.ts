import { get } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { freePort } from '../support/free-port';

const BOM = '\ufeff';

// A full collection on demand, to measure what is retained rather than what is not yet collected.
setFlagsFromString('--expose-gc');

/** Reads a CSV answer into rows of cells (RFC 4180 quoting; the exports write no newline inside a cell). */
function csvRows(text: string): string[][] {
  return text
    .replace(BOM, '')
    .trimEnd()
    .split('\n')
    .map((line) => {
      const cells: string[] = [];
      let cell = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quoted && c === '"' && line[i + 1] === '"') (cell += '"'), i++;
        else if (c === '"') quoted = !quoted;
        else if (c === ',' && !quoted) cells.push(cell), (cell = '');
        else cell += c;
      }
      return [...cells, cell];
    });
}

describe('admin audit log and CSV exports', () => {
  let t: TestApp;
  let admin: TestUser;
  let user: TestUser;

  const adjust = (userId: string, amount: string, remark: string) =>
    t.http.post(`/api/admin/users/${userId}/balance-adjustments`).set(bearer(admin)).send({ amount, remark }).expect(201);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await registerAdmin(t.http, t.db);
    user = await registerUser(t.http);
  });
  afterAll(() => t.close());

  describe('GET /api/admin/audit-logs', () => {
    it('lists admin actions newest first with the state before and after, filtered by action, target, admin and time', async () => {
      const start = new Date();
      await adjust(user.id, '5.00000000', 'goodwill credit');
      await t.http.post(`/api/admin/users/${user.id}/status`).set(bearer(admin)).send({ status: 'disabled', remark: 'fraud check' }).expect(200);
      await t.http.post(`/api/admin/users/${user.id}/status`).set(bearer(admin)).send({ status: 'active', remark: 'cleared' }).expect(200);

      const mine = await t.http.get(`/api/admin/audit-logs?targetType=user&targetId=${user.id}`).set(bearer(admin)).expect(200);
      expect(mine.body.total).toBe(3);
      expect(mine.body.items.map((l: { action: string; remark: string }) => [l.action, l.remark])).toEqual([
        ['user.status', 'cleared'],
        ['user.status', 'fraud check'],
        ['balance.adjust', 'goodwill credit'],
      ]);
      expect(mine.body.items[2]).toMatchObject({
        adminId: admin.id,
        adminEmail: admin.email,
        targetType: 'user',
        targetId: user.id,
        before: { balance: '0.00000000' },
        after: { balance: '5.00000000', amount: '5.00000000' },
      });
      expect(mine.body.items[1]).toMatchObject({ before: { status: 'active' }, after: { status: 'disabled' } });

      const adjustments = await t.http.get(`/api/admin/audit-logs?action=balance.adjust&targetId=${user.id}`).set(bearer(admin)).expect(200);
      expect(adjustments.body.items.map((l: { action: string }) => l.action)).toEqual(['balance.adjust']);

      const otherAdmin = await registerAdmin(t.http, t.db);
      await t.http.post(`/api/admin/users/${user.id}/status`).set(bearer(otherAdmin)).send({ status: 'active', remark: 'second look' }).expect(200);
      const byOther = await t.http.get(`/api/admin/audit-logs?adminId=${otherAdmin.id}`).set(bearer(admin)).expect(200);
      expect(byOther.body.items.map((l: { remark: string }) => l.remark)).toEqual(['second look']);

      const future = new Date(Date.now() + 60_000).toISOString();
      const none = await t.http.get(`/api/admin/audit-logs?from=${future}&targetId=${user.id}`).set(bearer(admin)).expect(200);
      expect(none.body).toMatchObject({ items: [], total: 0 });
      const window = await t.http
        .get(`/api/admin/audit-logs?from=${start.toISOString()}&to=${future}&targetId=${user.id}&pageSize=2&page=2`)
        .set(bearer(admin))
        .expect(200);
      expect(window.body).toMatchObject({ total: 4, page: 2, pageSize: 2 });
      expect(window.body.items.map((l: { remark: string }) => l.remark)).toEqual(['fraud check', 'goodwill credit']);
    });

    it('refuses users and names a bad filter', async () => {
      await t.http.get('/api/admin/audit-logs').set(bearer(await registerUser(t.http))).expect(403);
      const bad = await t.http.get('/api/admin/audit-logs?action=order.delete&adminId=abc').set(bearer(admin)).expect(400);
      expect(bad.body.message).toEqual(
        expect.arrayContaining([expect.stringMatching(/^action must be one of: user\.status, /), 'adminId must be a positive integer id']),
      );
    });
  });

  describe('CSV exports', () => {
    it('exports the filtered global ledger: header, signed amounts as numbers, formulas in text escaped, audited', async () => {
      const target = await registerUser(t.http);
      await adjust(target.id, '10.00000000', '=HYPERLINK("http://evil.example","click")');
      await adjust(target.id, '-2.50000000', '+cmd|" /C calc"!A0');
      await adjust(target.id, '1.00000000', 'plain remark, with a comma');

      const res = await t.http.get(`/api/admin/recharge-records.csv?userId=${target.id}&type=admin`).set(bearer(admin)).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="ledger-\d{8}T\d{6}Z\.csv"$/);
      expect(res.text.startsWith(BOM)).toBe(true);
      const rows = csvRows(res.text);
      expect(rows[0]).toEqual(['id', 'user_id', 'type', 'amount_usd', 'balance_before_usd', 'balance_after_usd', 'operator', 'related_id', 'remark', 'created_at']);
      expect(rows.slice(1).map((r) => [r[1], r[2], r[3], r[4], r[5], r[6], r[8]])).toEqual([
        [target.id, 'admin', '1.00000000', '7.50000000', '8.50000000', admin.email, 'plain remark, with a comma'],
        [target.id, 'admin', '-2.50000000', '10.00000000', '7.50000000', admin.email, `'+cmd|" /C calc"!A0`],
        [target.id, 'admin', '10.00000000', '0.00000000', '10.00000000', admin.email, `'=HYPERLINK("http://evil.example","click")`],
      ]);
      expect(rows[1][9]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const [log] = await t.db.query(`SELECT action, admin_id, after_state FROM admin_audit_logs WHERE action = 'ledger.export' ORDER BY id DESC LIMIT 1`);
      expect(log).toEqual({ action: 'ledger.export', admin_id: admin.id, after_state: { filter: { userId: target.id, type: 'admin' } } });

      const empty = await t.http.get(`/api/admin/recharge-records.csv?userId=${target.id}&type=payment`).set(bearer(admin)).expect(200);
      expect(csvRows(empty.text)).toHaveLength(1);
    });

    it('exports the filtered order list with the same filters as the list, escaping text cells', async () => {
      const buyer = await registerUser(t.http, { username: `buyer_${Date.now()}` });
      await t.db.query(`UPDATE users SET username = '@' || username WHERE id = $1`, [buyer.id]);
      for (const amount of ['20.00', '30.00']) {
        await t.http.post('/api/payment/orders').set(bearer(buyer)).send({ amountCny: amount, provider: 'sandbox', method: 'alipay' }).expect(201);
      }
      const list = await t.http.get(`/api/admin/payment/orders?userId=${buyer.id}&status=pending`).set(bearer(admin)).expect(200);

      const res = await t.http.get(`/api/admin/payment/orders.csv?userId=${buyer.id}&status=pending`).set(bearer(admin)).expect(200);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="orders-\d{8}T\d{6}Z\.csv"$/);
      const rows = csvRows(res.text);
      expect(rows[0]).toEqual([
        'order_no', 'status', 'provider', 'payment_method', 'user_id', 'username', 'user_email', 'amount_cny', 'amount_usd', 'bonus_usd',
        'total_usd', 'exchange_rate', 'promotion_tier', 'trade_no', 'needs_attention', 'created_at', 'paid_at', 'expire_at',
        'pay_currency', 'pay_amount', 'pay_rate', 'pay_address',
      ]); // prettier-ignore
      // A CNY gateway asks for the CNY amount, with no rate and no address.
      expect(rows[1].slice(18)).toEqual(['CNY', '30.00', '', '']);
      expect(rows.slice(1).map((r) => r[0])).toEqual(list.body.items.map((o: { orderNo: string }) => o.orderNo));
      expect(rows[1]).toEqual(
        expect.arrayContaining(['pending', 'sandbox', 'alipay', buyer.id, `'@${buyer.username}`, buyer.email, '30.00', '4.16666667', 'false']),
      );
      expect(rows.slice(1).map((r) => r[7])).toEqual(['30.00', '20.00']);

      const q = list.body.items[0].orderNo.slice(0, 30);
      const byNumber = await t.http.get(`/api/admin/payment/orders.csv?q=${q}&userId=${buyer.id}`).set(bearer(admin)).expect(200);
      expect(csvRows(byNumber.text).slice(1).map((r) => r[0])).toEqual([list.body.items[0].orderNo]);

      const [log] = await t.db.query(`SELECT after_state FROM admin_audit_logs WHERE action = 'orders.export' ORDER BY id DESC LIMIT 1`);
      expect(log.after_state).toEqual({ filter: { userId: buyer.id, search: q } });
    });

    it('refuses users, paging parameters and bad filters by name', async () => {
      const someone = await registerUser(t.http);
      await t.http.get('/api/admin/payment/orders.csv').set(bearer(someone)).expect(403);
      await t.http.get('/api/admin/recharge-records.csv').set(bearer(someone)).expect(403);
      const paged = await t.http.get('/api/admin/payment/orders.csv?page=2&status=nope').set(bearer(admin)).expect(400);
      expect(paged.body.message).toEqual(expect.arrayContaining(['property page should not exist', expect.stringMatching(/^status must be one of/)]));
    });

    it('streams 100,000 orders in bounded memory', async () => {
      const ROWS = 100_000;
      const owner = await registerUser(t.http);
      await t.db.query(
        `INSERT INTO payment_orders (order_no, user_id, username, amount_cny, amount_usd, total_usd, exchange_rate, provider, payment_method,
                                     status, expire_at, created_at)
         SELECT 'POEXPORT' || lpad(g::text, 8, '0'), $1, $2, '20.00', '2.77777778', '2.77777778', 7.2, 'sandbox', 'alipay',
                'expired', NOW() - interval '1 day', NOW() - interval '2 days' + g * interval '1 millisecond'
           FROM generate_series(1, ${ROWS}) AS g`,
        [owner.id, owner.username],
      );
      await t.db.query('ANALYZE payment_orders');
      const port = await freePort();
      await t.app.listen({ port, host: '127.0.0.1' });
      try {
        // What the export keeps alive is measured after a full collection, every 10,000 rows: garbage not yet
        // collected says nothing about what a streamed export holds.
        const gc = runInNewContext('gc') as () => void;
        gc();
        const baseline = process.memoryUsage();
        let peakRetained = 0;
        let peakRss = baseline.rss;
        const started = process.hrtime.bigint();
        // Read as a client would save it: counted, never kept.
        const { lines, bytes, first } = await new Promise<{ lines: number; bytes: number; first: string }>((resolve, reject) => {
          const req = get(
            { host: '127.0.0.1', port, path: `/api/admin/payment/orders.csv?userId=${owner.id}`, headers: bearer(admin) },
            (res) => {
              if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
              let count = 0;
              let size = 0;
              let head = '';
              res.on('data', (chunk: Buffer) => {
                if (head.length < 400) head += chunk.toString('utf8', 0, Math.min(chunk.length, 400));
                size += chunk.length;
                for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
                  if (++count % 10_000 === 0) {
                    gc();
                    const now = process.memoryUsage();
                    peakRetained = Math.max(peakRetained, now.heapUsed - baseline.heapUsed);
                    peakRss = Math.max(peakRss, now.rss);
                  }
                }
              });
              res.on('end', () => resolve({ lines: count, bytes: size, first: head }));
              res.on('error', reject);
            },
          );
          req.on('error', reject);
        });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const mb = (n: number) => (n / 2 ** 20).toFixed(1);
        console.log(
          `CSV export of ${ROWS.toLocaleString('en')} orders: ${mb(bytes)} MB in ${seconds.toFixed(2)} s ` +
            `(${Math.round(ROWS / seconds).toLocaleString('en')} rows/s, with a full GC every 10,000 rows); ` +
            `heap held at most +${mb(peakRetained)} MB; peak RSS ${mb(peakRss)} MB (+${mb(peakRss - baseline.rss)} MB)`,
        );
        expect(lines).toBe(ROWS + 1);
        expect(first.replace(BOM, '').startsWith('order_no,status,')).toBe(true);
        expect(first).toContain(`POEXPORT${String(ROWS).padStart(8, '0')},expired,sandbox,alipay,${owner.id},`);
        // The file is about 18 MB and the rows as objects several times that; streamed, the heap holds a batch or two.
        expect(bytes).toBeGreaterThan(15 * 2 ** 20);
        expect(peakRetained).toBeLessThan(12 * 2 ** 20);
      } finally {
        await t.db.query(`DELETE FROM payment_orders WHERE user_id = $1`, [owner.id]);
      }
    }, 120_000);
  });
});
