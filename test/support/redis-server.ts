import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import Redis from 'ioredis';

export interface RunningRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `redis-server` on a loopback port, without persistence.
 * Returns null when it is not installed; CI installs it and sets CI=true, and
 * then its absence is an error rather than a skipped suite.
 */
export async function startRedisServer(port: number): Promise<RunningRedis | null> {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    if (process.env.CI) throw new Error('redis-server is not installed; .ci/run installs it');
    return null;
  }
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      await client.quit();
      break;
    } catch (error) {
      client.disconnect();
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`redis-server did not start on port ${port}: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
