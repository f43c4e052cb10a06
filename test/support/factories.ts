import { randomBytes } from 'node:crypto';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';

export interface TestUser {
  id: string;
  email: string;
  username: string;
  password: string;
  token: string;
}

const unique = () => randomBytes(5).toString('hex');

/** Registers a user through the API, the way a person would. */
export async function registerUser(http: TestAgent, overrides: Partial<Record<string, string>> = {}): Promise<TestUser> {
  const suffix = unique();
  const body = {
    email: `user-${suffix}@example.test`,
    username: `user_${suffix}`,
    password: 'correct horse battery',
    ...overrides,
  };
  const res = await http.post('/api/auth/register').send(body);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, email: body.email, username: body.username, password: body.password, token: res.body.accessToken };
}

/** A registered user made admin directly in the database (no API can do that, by design). */
export async function registerAdmin(http: TestAgent, db: DataSource, overrides: Partial<Record<string, string>> = {}): Promise<TestUser> {
  const user = await registerUser(http, overrides);
  await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
  return user;
}

/** An order of `user`'s created with the sandbox gateway and paid on its checkout page; answers its order number. */
export async function paySandboxOrder(http: TestAgent, user: TestUser, amountCny = '20.00'): Promise<string> {
  const order = (await http.post('/api/payment/orders').set(bearer(user)).send({ amountCny, provider: 'sandbox', method: 'alipay' }).expect(201)).body;
  await http.post(`${new URL(order.paymentUrl).pathname}/pay`).expect(303);
  return order.orderNo;
}

/** The Authorization header for a TestUser or a login/register answer. */
export const bearer = (session: { token?: string; accessToken?: string }) => ({
  Authorization: `Bearer ${session.token ?? session.accessToken}`,
});
