import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppProcess, ROOT, startAppProcess } from '../support/app-process';

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the built app in its own process', () => {
  let app: AppProcess;
  const secrets = {
    JWT_SECRET: 'jwt-secret-that-must-never-be-logged-0123456789',
    ZPAY_KEY: 'zpay-merchant-key-never-logged',
    STRIPE_API_KEY: 'sk_test_never_logged_123',
    ADMIN_PASSWORD: 'admin password never logged',
  };

  beforeAll(async () => {
    app = await startAppProcess({ ...secrets, ZPAY_PID: '1001', ZPAY_API_URL: 'https://zpay.example', ADMIN_EMAIL: 'ops@example.test' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('serves the API, writes JSON logs with request ids, and never logs passwords, tokens or keys', async () => {
    const password = 'a password nobody may log';
    const register = await fetch(`${app.baseUrl}/api/auth/register`, json({ email: 'proc@example.test', username: 'proc_user', password }));
    expect(register.status).toBe(201);
    const { accessToken } = (await register.json()) as { accessToken: string };
    const me = await fetch(`${app.baseUrl}/api/users/me?sign=abc123secret`, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    const requestId = me.headers.get('x-request-id');
    const login = await fetch(`${app.baseUrl}/api/auth/login`, json({ email: 'ops@example.test', password: secrets.ADMIN_PASSWORD }));
    expect(login.status).toBe(200);
    // A gateway callback with a forged signature: the service's warning names the request it belongs to.
    const forged = await fetch(`${app.baseUrl}/api/payment/webhook/zpay?out_trade_no=R1&trade_status=TRADE_SUCCESS&sign=forged`, {
      headers: { 'x-request-id': 'forged-callback-1' },
    });
    expect(forged.headers.get('x-request-id')).toBe('forged-callback-1');
    // Probes and scrapes arrive every few seconds and are not request log lines.
    for (const path of ['/api/health', '/api/health/ready', '/api/health/live', '/metrics']) await fetch(`${app.baseUrl}${path}`);
    await new Promise((r) => setTimeout(r, 200));

    const output = app.output();
    expect(output).toContain(`"reqId":"${requestId}"`);
    expect(output).toContain('"path":"/api/users/me"');
    const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.msg === 'webhook refused')).toMatchObject({ reqId: 'forged-callback-1', provider: 'zpay' });
    expect(lines.find((line) => line.msg === 'request completed' && line.reqId === 'forged-callback-1')).toMatchObject({
      path: '/api/payment/webhook/zpay',
    });
    expect(output).not.toMatch(/"path":"(\/api\/health[^"]*|\/metrics)"/);
    for (const secret of [password, accessToken, 'abc123secret', ...Object.values(secrets)]) {
      expect(output).not.toContain(secret);
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    const code = await app.stop();
    expect(code === 0 || code === null).toBe(true);
  });
});

describe('an ADMIN_EMAIL that someone already registered', () => {
  it('stops the start with one line, and the account’s token stays a user token', async () => {
    const first = await startAppProcess({ JWT_SECRET: 'jwt-secret-for-the-takeover-test-0123456789' });
    let token: string;
    try {
      const register = await fetch(
        `${first.baseUrl}/api/auth/register`,
        json({ email: 'takeover@example.test', username: 'takeover', password: 'attacker password' }),
      );
      expect(register.status).toBe(201);
      token = ((await register.json()) as { accessToken: string }).accessToken;
    } finally {
      await first.stop();
    }
    const refused = await startAppProcess({
      JWT_SECRET: 'jwt-secret-for-the-takeover-test-0123456789',
      ADMIN_EMAIL: 'takeover@example.test',
      ADMIN_PASSWORD: 'operator password',
    }).then(
      (app) => app.stop().then(() => 'started'),
      (error: Error) => error.message,
    );
    expect(refused).toContain('takeover@example.test is an existing account that is not an admin');
    expect(refused).toContain('--promote');

    const app = await startAppProcess({ JWT_SECRET: 'jwt-secret-for-the-takeover-test-0123456789' });
    try {
      const me = await fetch(`${app.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${token}` } });
      expect(((await me.json()) as { role: string }).role).toBe('user');
      const admin = await fetch(`${app.baseUrl}/api/admin/users`, { headers: { Authorization: `Bearer ${token}` } });
      expect(admin.status).toBe(403);
    } finally {
      await app.stop();
    }
  });
});

describe('the CLI', () => {
  const cli = join(ROOT, 'dist', 'src', 'cli.js');
  let url: string;

  beforeAll(async () => {
    // A database of its own, so breaking it cannot disturb other tests.
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS recharge_cli');
    await admin.query('CREATE DATABASE recharge_cli');
    await admin.end();
    url = process.env.DATABASE_URL!.replace(/\/[^/]+$/, '/recharge_cli');
  });

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: url },
      encoding: 'utf8',
    });

  it('migrates, creates an admin, and audits: exit 0 when consistent, 1 with the violating rows', async () => {
    expect(run('migrate')).toMatchObject({ status: 0, stdout: expect.stringContaining('migrations are up to date') });
    expect(run('create-admin', '--email', 'Boss@Example.test', '--password', 'boss password 1')).toMatchObject({
      status: 0,
      stdout: 'admin boss@example.test: created\n',
    });
    expect(run('create-admin', '--email', 'boss@example.test', '--password', 'boss password 1').stdout).toBe(
      'admin boss@example.test: unchanged\n',
    );
    expect(run('audit')).toMatchObject({ status: 0, stdout: 'ledger audit: every invariant holds\n' });

    // A self-registered account is made admin only on purpose, and its earlier tokens stop working then.
    const db0 = new Client({ connectionString: url });
    await db0.connect();
    await db0.query(`INSERT INTO users (email, username, password_hash) VALUES ('clerk@example.test', 'clerk', 'x')`);
    await db0.end();
    const refused = run('create-admin', '--email', 'clerk@example.test', '--password', 'clerk password 1');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('clerk@example.test is an existing account that is not an admin');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(run('create-admin', '--email', 'clerk@example.test', '--password', 'clerk password 1', '--promote')).toMatchObject({
      status: 0,
      stdout: 'admin clerk@example.test: promoted\n',
    });
    const db1 = new Client({ connectionString: url });
    await db1.connect();
    const { rows } = await db1.query(`SELECT role, token_version FROM users WHERE email = 'clerk@example.test'`);
    await db1.end();
    expect(rows[0]).toEqual({ role: 'admin', token_version: 1 });

    const db = new Client({ connectionString: url });
    await db.connect();
    await db.query(`UPDATE users SET balance = 3 WHERE email = 'boss@example.test'`);
    await db.end();
    const broken = run('audit');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain('VIOLATION 1. balance = SUM(ledger amounts)');
    expect(broken.stdout).toContain('"balance":"3.00000000"');
  });

  it('refuses a bad configuration with one line naming the key', () => {
    const res = spawnSync(process.execPath, [cli, 'audit'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: url, PAYMENT_EXCHANGE_RATE: '-7' },
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      'Invalid configuration: payment.exchange_rate must be greater than 0, got "-7" (from PAYMENT_EXCHANGE_RATE)\n',
    );
  });
});
