import { TestApp, createTestApp } from '../support/test-app';
import { bearer, registerAdmin, registerUser } from '../support/factories';

describe('auth and users (API)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('registers, logs in and reads /users/me', async () => {
    const reg = await t.http
      .post('/api/auth/register')
      .send({ email: '  Alice@Example.TEST ', username: 'alice_auth', password: 'correct horse battery' })
      .expect(201);
    expect(reg.body).toEqual({
      accessToken: expect.any(String),
      user: { id: expect.stringMatching(/^\d+$/), email: 'alice@example.test', username: 'alice_auth', role: 'user' },
    });

    const login = await t.http
      .post('/api/auth/login')
      .send({ email: 'ALICE@example.test', password: 'correct horse battery' })
      .expect(200);
    const me = await t.http.get('/api/users/me').set(bearer(login.body)).expect(200);
    expect(me.body).toEqual({
      id: reg.body.user.id,
      email: 'alice@example.test',
      username: 'alice_auth',
      role: 'user',
      status: 'active',
      balance: '0.00000000',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
    const row = await t.db.query('SELECT password_hash FROM users WHERE id = $1', [reg.body.user.id]);
    expect(row[0].password_hash).toMatch(/^\$2[aby]\$1\d\$/);
    expect(JSON.stringify(me.body)).not.toContain('password');
  });

  it.each([
    [{ username: 'bob_x', password: 'correct horse battery' }, 'email must be a valid email address'],
    [{ email: 'not-an-email', username: 'bob_x', password: 'correct horse battery' }, 'email must be a valid email address'],
    [{ email: 'bob@example.test', username: 'b', password: 'correct horse battery' }, 'username must be longer than or equal to 3 characters'],
    [{ email: 'bob@example.test', username: 'bob x', password: 'correct horse battery' }, 'username may contain only letters'],
    [{ email: 'bob@example.test', username: 'bob_x', password: 'short' }, 'password must be 8 to 72 characters'],
    [{ email: 'bob@example.test', username: 'bob_x', password: 'x'.repeat(73) }, 'password must be 8 to 72 characters'],
    [{ email: 'bob@example.test', username: 'bob_x', password: '密'.repeat(30) }, 'password must be at most 72 bytes in UTF-8'],
    [{ email: 'bob@example.test', username: 'bob_x', password: 'correct horse battery', role: 'admin' }, 'property role should not exist'],
  ])('refuses registration %j with a 400 naming the field', async (body, message) => {
    const res = await t.http.post('/api/auth/register').send(body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED', requestId: expect.any(String) });
    expect(res.body.message).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    const [{ count }] = await t.db.query(`SELECT COUNT(*)::int AS count FROM users WHERE email = 'bob@example.test'`);
    expect(count).toBe(0);
  });

  it('answers 409 for a taken email or username, case-insensitively for email', async () => {
    const user = await registerUser(t.http);
    const taken = await t.http
      .post('/api/auth/register')
      .send({ email: user.email.toUpperCase(), username: 'someone_else', password: 'correct horse battery' })
      .expect(409);
    expect(taken.body.code).toBe('USER_EMAIL_TAKEN');
    const takenName = await t.http
      .post('/api/auth/register')
      .send({ email: 'other@example.test', username: user.username, password: 'correct horse battery' })
      .expect(409);
    expect(takenName.body.code).toBe('USER_USERNAME_TAKEN');
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const user = await registerUser(t.http);
    const wrong = await t.http.post('/api/auth/login').send({ email: user.email, password: 'wrong password' }).expect(401);
    const unknown = await t.http.post('/api/auth/login').send({ email: 'nobody@example.test', password: 'x' }).expect(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    expect(wrong.body.code).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('refuses disabled users at login and on every request with an older token', async () => {
    const user = await registerUser(t.http);
    await t.db.query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [user.id]);
    const login = await t.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(403);
    expect(login.body.code).toBe('AUTH_USER_DISABLED');
    await t.http.get('/api/users/me').set(bearer(user)).expect(403);
  });

  it('ends existing sessions when an admin disables a user, even after re-enabling', async () => {
    const admin = await registerAdmin(t.http, t.db);
    const user = await registerUser(t.http);
    const setStatus = (status: string) =>
      t.http.post(`/api/admin/users/${user.id}/status`).set(bearer(admin)).send({ status, remark: 'checking a report' });
    await setStatus('disabled').expect(200);
    await setStatus('active').expect(200);
    await t.http.get('/api/users/me').set(bearer(user)).expect(401);
    const again = await t.http.post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    await t.http.get('/api/users/me').set(bearer(again.body)).expect(200);
  });

  it('refuses an account’s logins after 5 failures from any addresses, the right password too, with Retry-After', async () => {
    const user = await registerUser(t.http);
    for (let i = 0; i < 5; i++) {
      await t.http
        .post('/api/auth/login')
        .set('X-Forwarded-For', `198.51.100.${i + 1}`)
        .send({ email: user.email, password: 'a wrong guess' })
        .expect(401);
    }
    const blocked = await t.http.post('/api/auth/login').send({ email: user.email.toUpperCase(), password: user.password }).expect(429);
    expect(blocked.body.code).toBe('AUTH_TOO_MANY_FAILURES');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Another account is not affected.
    const other = await registerUser(t.http);
    await t.http.post('/api/auth/login').send({ email: other.email, password: other.password }).expect(200);
  });

  it('takes every field at its maximum length, and one past it with a 400, never a 500', async () => {
    // 254 characters: the longest address email rules allow (the column holds 255).
    const email = `${'m'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(56)}.test`;
    expect(email).toHaveLength(254);
    const username = 'u'.repeat(50);
    await t.http.post('/api/auth/register').send({ email, username, password: 'p'.repeat(72), inviteCode: 'K'.repeat(20) }).expect(400);
    const created = await t.http.post('/api/auth/register').send({ email, username, password: 'p'.repeat(72) }).expect(201);
    expect(created.body.user.email).toBe(email);
    await t.http.post('/api/auth/login').send({ email, password: 'p'.repeat(72) }).expect(200);
    await t.http.post('/api/auth/login').send({ email: `x${email}`, password: 'p'.repeat(200) }).expect(400);
    await t.http.post('/api/auth/register').send({ email: `x${email}`, username: 'v'.repeat(51), password: 'p'.repeat(73) }).expect(400);
  });

  it('requires a valid bearer token', async () => {
    await t.http.get('/api/users/me').expect(401);
    await t.http.get('/api/users/me').set('Authorization', 'Bearer not.a.jwt').expect(401);
    const user = await registerUser(t.http);
    const [header, payload] = user.token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: '1' })).toString('base64url');
    await t.http.get('/api/users/me').set('Authorization', `Bearer ${header}.${forged}.${user.token.split('.')[2]}`).expect(401);
  });

  it('keeps admin routes from users', async () => {
    const user = await registerUser(t.http);
    const res = await t.http.get('/api/admin/recharge-records').set(bearer(user)).expect(403);
    expect(res.body.code).toBe('AUTH_FORBIDDEN');
  });
});

describe('auth rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RECHARGE__RATE_LIMIT__AUTH_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after the configured attempts per minute', async () => {
    for (let i = 0; i < 3; i++) {
      await t.http.post('/api/auth/login').send({ email: 'x@example.test', password: 'nope' }).expect(401);
    }
    const limited = await t.http.post('/api/auth/login').send({ email: 'x@example.test', password: 'nope' }).expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Other routes are not counted against the credentials limit.
    await t.http.get('/api/health').expect(200);
  });
});

describe('admin bootstrap', () => {
  it('creates the configured admin at start-up and re-keys it when the password changes', async () => {
    const env = { ADMIN_EMAIL: 'Root@Example.TEST', ADMIN_PASSWORD: 'first admin password' };
    let t = await createTestApp(env);
    await t.http.post('/api/auth/login').send({ email: 'root@example.test', password: 'first admin password' }).expect(200);
    await t.close();

    t = await createTestApp({ ...env, ADMIN_PASSWORD: 'second admin password' });
    try {
      const login = await t.http
        .post('/api/auth/login')
        .send({ email: 'root@example.test', password: 'second admin password' })
        .expect(200);
      expect(login.body.user.role).toBe('admin');
      await t.http.get('/api/admin/recharge-records').set(bearer(login.body)).expect(200);
      await t.http.post('/api/auth/login').send({ email: 'root@example.test', password: 'first admin password' }).expect(401);
    } finally {
      await t.close();
    }
  });
});
