import { request } from 'node:http';
import { AddressInfo } from 'node:net';
import { TestApp, createTestApp } from '../support/test-app';

/** Sends `bytes` of body in 64 KB writes, as a client uploading would; answers the status and body, or the socket error. */
function post(port: number, path: string, bytes: number, chunked = false): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const length = chunked ? {} : { 'content-length': bytes };
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...length } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const write = () => {
      while (sent < bytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('large bodies', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ SANDBOX_ENABLED: 'true' });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  // Every request closes its connection (agent: false, Connection: close), so closing the app waits for no idle socket.
  afterAll(async () => {
    await t?.close();
  });

  it.each(['/api/auth/login', '/api/payment/orders', '/api/payment/webhook/sandbox', '/api/v1/charges', '/api/no-such-route'])(
    'answers a 2 MB body sent to %s with a 413 in the one error shape, not a reset connection',
    async (path) => {
      for (let i = 0; i < 3; i++) {
        const answer = await post(port, path, 2 * 1024 * 1024);
        expect(answer.error).toBeUndefined();
        expect(answer.status).toBe(413);
        expect(JSON.parse(answer.body!)).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', requestId: expect.any(String) });
      }
    },
  );

  it('answers a 2 MB chunked body (no Content-Length) with a 413, not a reset connection', async () => {
    for (const path of ['/api/auth/login', '/api/payment/webhook/sandbox', '/api/v1/charges']) {
      const answer = await post(port, path, 2 * 1024 * 1024, true);
      expect({ path, error: answer.error, status: answer.status }).toEqual({ path, error: undefined, status: 413 });
    }
  });

  it('answers 2 MB bodies sent all at once by fetch, ten at a time, with 413s', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`http://127.0.0.1:${port}${i % 2 ? '/api/v1/charges' : '/api/auth/register'}`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body }).then(
          async (res) => res.status,
          (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
        ),
      ),
    );
    expect(answers).toEqual(Array(10).fill(413));
  });

  it.each([
    ['a form', 'application/x-www-form-urlencoded', '/api/payment/webhook/sandbox'],
    ['plain text', 'text/plain', '/api/auth/login'],
    ['an unknown type', 'application/octet-stream', '/api/v1/charges'],
  ])('answers 2 MB of %s with a 413 or 415, not a reset connection', async (_kind, type, path) => {
    const body = Buffer.alloc(2 * 1024 * 1024, 0x61);
    for (let i = 0; i < 3; i++) {
      const status = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': type, connection: 'close' }, body }).then(
        (res) => res.status,
        (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
      );
      expect([413, 415]).toContain(status);
    }
  });
});
