import { TestApp, createTestApp } from '../support/test-app';

/** The per-IP login limit counts the address TRUST_PROXY says is the client's, not whatever X-Forwarded-For claims. */
describe('client addresses behind proxies', () => {
  const login = (t: TestApp, i: number) =>
    t.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', `203.0.113.${i + 1}`)
      .send({ email: `nobody-${i}@example.test`, password: 'whatever it is' });

  async function statuses(env: Record<string, string>): Promise<number[]> {
    const t = await createTestApp({ RECHARGE__RATE_LIMIT__AUTH_PER_MINUTE: '10', ...env });
    try {
      const answers: number[] = [];
      for (let i = 0; i < 11; i++) answers.push((await login(t, i)).status);
      return answers;
    } finally {
      await t.close();
    }
  }

  it('ignores X-Forwarded-For by default: 11 logins from 11 claimed addresses are one client', async () => {
    const answers = await statuses({});
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(answers[10]).toBe(429);
  });

  it('believes the hop a trusted proxy adds (TRUST_PROXY=1)', async () => {
    expect(await statuses({ TRUST_PROXY: '1' })).toEqual(Array(11).fill(401));
  });

  it('believes only listed proxies (TRUST_PROXY as addresses/CIDRs)', async () => {
    expect(await statuses({ TRUST_PROXY: '127.0.0.1/32, ::1' })).toEqual(Array(11).fill(401));
    const other = await statuses({ TRUST_PROXY: '10.0.0.0/8' });
    expect(other[10]).toBe(429);
  });
});
