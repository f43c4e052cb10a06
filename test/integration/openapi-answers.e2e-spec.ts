import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContractRecorder, OpenApiAnswers, OpenApiDocument } from '../support/openapi-answers';
import { bearer, registerUser } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Real answers against the served document, as a contract proxy (Prism)
 * checks them: a document that promises fields an answer lacks breaks every
 * client generated from it.
 */
describe('answers match the OpenAPI document', () => {
  let t: TestApp;
  let contract: OpenApiAnswers;
  beforeAll(async () => {
    t = await createTestApp({ SANDBOX_ENABLED: 'true' });
    contract = new OpenApiAnswers((await t.http.get('/api/docs-json').expect(200)).body);
  });
  afterAll(() => t.close());

  it('is what every test of the app gets: an answer off its schema or of an undocumented status is caught, headers given to writeHead included', async () => {
    const document = (await t.http.get('/api/docs-json').expect(200)).body as OpenApiDocument;
    const recorder = new ContractRecorder(() => document);
    const server = createServer(
      recorder.wrap((request, response) => {
        if (request.url === '/api/users/balance') response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"userId":"1"}');
        else if (request.url === '/api/users/me') response.writeHead(418, ['Content-Type', 'application/json']).end('{}');
        else response.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\n');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const path of ['/api/users/balance', '/api/users/me', '/api/admin/recharge-records.csv']) await (await fetch(base + path)).text();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(recorder.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/api\/users\/balance 200: \(body\) must have required property/),
        expect.stringMatching(/^GET \/api\/users\/me 418: the status is not documented/),
      ]),
    );
    // The CSV answer is of a documented status: only its status is checked, and it passes.
    expect(recorder.problems.filter((p) => p.includes('recharge-records.csv'))).toEqual([]);
  });

  it('for the user’s own balance and the service API’s balance (two DTOs once shared a schema name)', async () => {
    const user = await registerUser(t.http);
    const own = await t.http.get('/api/users/balance').set(bearer(user)).expect(200);
    expect(contract.problems('GET', '/api/users/balance', 200, own.body)).toEqual([]);

    const key = `rk_${randomBytes(16).toString('hex')}`;
    await t.db.query(`INSERT INTO api_keys (name, prefix, key_hash, scopes) VALUES ('contract', $1, $2, ARRAY['balances:read'])`, [
      key.slice(0, 10),
      createHash('sha256').update(key).digest('hex'),
    ]);
    try {
      const account = await t.http.get(`/api/v1/balances/${user.id}`).set('Authorization', `Bearer ${key}`).expect(200);
      expect(account.body).toMatchObject({ userId: user.id, balance: expect.any(String), held: expect.any(String), available: expect.any(String) });
      expect(contract.problems('GET', '/api/v1/balances/{userId}', 200, account.body)).toEqual([]);
      // Each answer fails the other's schema: the two are told apart.
      expect(contract.problems('GET', '/api/users/balance', 200, account.body)).not.toEqual([]);
      expect(contract.problems('GET', '/api/v1/balances/{userId}', 200, own.body)).not.toEqual([]);
    } finally {
      await t.db.query(`DELETE FROM api_keys WHERE name = 'contract' AND prefix = $1`, [key.slice(0, 10)]);
    }
  });

  it('for a user’s profile, an order, the order list and the ledger page', async () => {
    const user = await registerUser(t.http);
    expect(contract.problems('GET', '/api/users/me', 200, (await t.http.get('/api/users/me').set(bearer(user)).expect(200)).body)).toEqual([]);
    const created = await t.http.post('/api/payment/orders').set(bearer(user)).send({ amountCny: '20.00', provider: 'sandbox', method: 'alipay' }).expect(201);
    expect(contract.problems('POST', '/api/payment/orders', 201, created.body)).toEqual([]);
    const one = await t.http.get(`/api/payment/orders/${created.body.orderNo}`).set(bearer(user)).expect(200);
    expect(contract.problems('GET', '/api/payment/orders/{orderNo}', 200, one.body)).toEqual([]);
    expect(contract.problems('GET', '/api/payment/orders', 200, (await t.http.get('/api/payment/orders').set(bearer(user)).expect(200)).body)).toEqual([]);
    const ledger = await t.http.get('/api/users/recharge-records').set(bearer(user)).expect(200);
    expect(contract.problems('GET', '/api/users/recharge-records', 200, ledger.body)).toEqual([]);
  });
});
