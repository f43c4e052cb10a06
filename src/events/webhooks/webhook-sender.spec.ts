import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { WebhookSender } from './webhook-sender';

describe('WebhookSender', () => {
  let server: Server;
  let url: string;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url!);
      if (req.url === '/moved') return void res.writeHead(302, { location: `${url}/followed` }).end();
      if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 1_500);
      if (req.url === '/down') return void res.writeHead(503).end('maintenance');
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const sender = new WebhookSender(1_000, true);
  afterAll(() => sender.close());

  it('counts a 2xx as delivered', async () => {
    expect(await sender.send(`${url}/ok`, '{}', {})).toEqual({ delivered: true, statusCode: 204, error: null });
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    hits.length = 0;
    expect(await sender.send(`${url}/moved`, '{}', {})).toEqual({ delivered: false, statusCode: 302, error: 'answered 302' });
    expect(hits).toEqual(['/moved']);
  });

  it('gives up on an answer that does not come within the timeout, and reports another status', async () => {
    expect(await sender.send(`${url}/slow`, '{}', {})).toEqual({ delivered: false, statusCode: null, error: 'no answer within 1 s' });
    expect(await sender.send(`${url}/down`, '{}', {})).toEqual({ delivered: false, statusCode: 503, error: 'answered 503' });
  });

  it('refuses private targets unless allowed, before connecting', async () => {
    const strict = new WebhookSender(1_000, false);
    hits.length = 0;
    expect(await strict.send(`${url}/ok`, '{}', {})).toEqual({ delivered: false, statusCode: null, error: 'refused: 127.0.0.1 is a loopback address' });
    const byName = await strict.send(url.replace('127.0.0.1', 'localhost') + '/ok', '{}', {});
    expect(byName).toMatchObject({ delivered: false, statusCode: null, error: expect.stringContaining('EPRIVATEADDRESS') });
    expect(hits).toEqual([]);
    strict.close();
  });
});
