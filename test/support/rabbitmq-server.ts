import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { connect as connectOnce } from 'amqplib';
import type { Channel, ConsumeMessage } from 'amqplib';
import { connect as connectManaged } from 'amqp-connection-manager';
import { freePort } from './free-port';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `promise` settles within `ms`; unlike a bare race, no timer outlives it. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Debian's `rabbitmq-server` on a loopback port, with its own node name,
 * Erlang cookie, epmd, and data, logs, config and plugin list in a temporary
 * directory. `stop()` keeps the data, so a later `start()` on the same port
 * (the node name is derived from it) brings back durable exchanges, durable
 * queues and persistent messages.
 *
 * Debian's /usr/sbin/rabbitmq-server only runs as root or rabbitmq: as root it
 * re-runs the broker as rabbitmq through `su` (which resets HOME), so the
 * directory is handed to that user and the cookie goes on the command line;
 * as rabbitmq it sends the console output to /var/log/rabbitmq/startup_log.
 * Signals to that wrapper do not reach the Erlang VM, so stop() and kill()
 * signal the VM by the pid it writes.
 */
export class RabbitMqServer {
  readonly url: string;
  private readonly nodename: string;
  private readonly cookie = randomBytes(16).toString('hex');
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private epmdPort?: number;
  private output = '';

  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly owner?: { uid: number; gid: number },
  ) {
    this.url = `amqp://guest:guest@127.0.0.1:${port}`;
    this.nodename = `rabbit-test-${port}@localhost`;
    const files: Record<string, string> = {
      // Keeps /etc/rabbitmq/rabbitmq-env.conf out.
      'rabbitmq-env.conf': '',
      // No management plugin or anything else: faster start, no extra ports.
      enabled_plugins: '[].\n',
      // A nearly full disk must not silently block publishers in a test.
      'rabbitmq.conf': 'disk_free_limit.absolute = 1MB\nlog.file.level = info\n',
    };
    for (const sub of ['mnesia', 'log']) mkdirSync(join(dir, sub), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    if (owner) {
      for (const path of ['', 'mnesia', 'log', ...Object.keys(files)]) {
        chownSync(join(dir, path), owner.uid, owner.gid);
      }
    }
  }

  private get pidFile(): string {
    return join(this.dir, 'mnesia', `${this.nodename}.pid`);
  }

  /** Resolves once amqplib can connect; the first start takes a few seconds. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`rabbitmq-server on port ${this.port} is already running`);
    // A pid file left by kill() would name a dead (or reused) pid.
    rmSync(this.pidFile, { force: true });
    // Fresh each start: the epmd and dist ports matter only while it runs.
    const [distPort, epmdPort] = await otherFreePorts(2, [this.port]);
    this.epmdPort = epmdPort;
    const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('RABBITMQ_'));
    const env = {
      ...Object.fromEntries(inherited),
      RABBITMQ_NODENAME: this.nodename,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(this.port),
      // The default, AMQP port + 20000, is out of range for high ports.
      RABBITMQ_DIST_PORT: String(distPort),
      // Its own epmd, which stop() can kill without touching other nodes'.
      ERL_EPMD_PORT: String(epmdPort),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_CONF_ENV_FILE: join(this.dir, 'rabbitmq-env.conf'),
      // 3.10 has no cookie variable, and `su` points HOME at /var/lib/rabbitmq.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `-setcookie ${this.cookie} -kernel inet_dist_use_interface {127,0,0,1}`,
    };
    const child = spawn('rabbitmq-server', [], { env, cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-8_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (error) => keep(Buffer.from(`\n${error.message}\n`)));
    let running = true;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        running = false;
        resolve();
      }),
    );

    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const connection = await connectOnce(this.url, { timeout: 2_000 });
        await connection.close();
        return;
      } catch (error) {
        if (!running || Date.now() > deadline) {
          await this.kill();
          const why = running ? 'did not accept AMQP within 60 s' : 'exited';
          throw new Error(
            `rabbitmq-server on port ${this.port} ${why}: ${(error as Error).message}\n${this.logTail()}`,
          );
        }
        await sleep(200);
      }
    }
  }

  /** SIGTERM: a clean shutdown that keeps everything durable for the next start(). */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** SIGKILL: a crash; persistent messages survive it, and acks not yet on disk come back as redeliveries. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** Stops the broker and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * For failure messages: the end of the broker's log, then the end of what it
   * printed, which is where a failed boot says why ("BOOT FAILED ...").
   */
  logTail(lines = 30): string {
    const last = (text: string) => text.trimEnd().split('\n').slice(-lines).join('\n');
    const log = join(this.dir, 'log', `${this.nodename}.log`);
    return [
      `--- ${log}`,
      last(existsSync(log) ? readFileSync(log, 'utf8') : ''),
      '--- rabbitmq-server output',
      last(this.output),
    ].join('\n');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    const send = (sig: NodeJS.Signals) => {
      const pid = (existsSync(this.pidFile) && Number(readFileSync(this.pidFile, 'utf8').trim())) || child.pid;
      try {
        if (pid) process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    };
    send(signal);
    if (!(await within(this.exited!, 60_000))) {
      send('SIGKILL');
      await this.exited;
    }
    this.child = undefined;
    // The broker started it as a daemon; it would otherwise outlive the test run.
    if (this.epmdPort) spawnSync('epmd', ['-port', String(this.epmdPort), '-kill'], { stdio: 'ignore' });
  }
}

/**
 * A RabbitMqServer, started, on `port` or a free one. Returns null when
 * `rabbitmq-server` is not installed (or not runnable by this user); CI
 * installs it and sets CI=true, and then that is an error rather than a
 * skipped suite.
 */
export async function startRabbitMqServer(port?: number): Promise<RabbitMqServer | null> {
  const missing = unusable();
  if (missing) {
    if (process.env.CI) throw new Error(`${missing}; .ci/run installs it`);
    return null;
  }
  const uid = process.getuid?.();
  const owner = uid === 0 ? { uid: idOf('-u'), gid: idOf('-g') } : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rabbitmq-test-'));
  const server = new RabbitMqServer(port ?? (await freePort()), dir, owner);
  try {
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return server;
}

/** Why this machine cannot run the broker, or null. `rabbitmq-server --version` would start one. */
function unusable(): string | null {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && existsSync(join(dir, 'rabbitmq-server')));
  if (!onPath) return 'rabbitmq-server is not installed';
  const uid = process.getuid?.();
  if (uid !== 0 && uid !== idOf('-u')) return "Debian's rabbitmq-server runs only as root or rabbitmq";
  return null;
}

function idOf(flag: '-u' | '-g'): number {
  const id = spawnSync('id', [flag, 'rabbitmq'], { encoding: 'utf8' });
  return id.status === 0 ? Number(id.stdout.trim()) : -1;
}

async function otherFreePorts(count: number, taken: number[]): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!taken.includes(port) && !ports.includes(port)) ports.push(port);
  }
  return ports;
}

export interface CollectedMessage {
  routingKey: string;
  messageId: string | undefined;
  persistent: boolean;
  contentType: string | undefined;
  body: unknown;
  redelivered: boolean;
  /** The message's headers (a W3C traceparent, when the publisher traces). */
  headers: Record<string, unknown>;
}

export interface MessageCollector {
  /** Every delivery, in order; a redelivery after a broker restart appears again. */
  readonly messages: CollectedMessage[];
  /** Resolves with `messages` once there are `count` of them, or once `done(messages)` holds. */
  waitFor(
    enough: number | ((messages: CollectedMessage[]) => boolean),
    timeoutMs?: number,
  ): Promise<CollectedMessage[]>;
  close(): Promise<void>;
}

/**
 * A consumer for tests: a durable queue bound to `exchange` (declared as the
 * app declares it) that acks and keeps every message. It reconnects and
 * re-attaches by itself when the broker stops and comes back, and its queue
 * is durable, so messages published while it was away are delivered then.
 */
export async function collectMessages(
  url: string,
  exchange: string,
  bindingKey = '#',
  queue = `test-collector-${randomBytes(4).toString('hex')}`,
): Promise<MessageCollector> {
  const messages: CollectedMessage[] = [];
  const connection = connectManaged([url], { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 0.5 });
  const keep = (channel: Channel, message: ConsumeMessage | null) => {
    if (!message) return;
    const text = message.content.toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Kept as text: a malformed message is something for the test to see.
    }
    messages.push({
      routingKey: message.fields.routingKey,
      messageId: message.properties.messageId,
      persistent: message.properties.deliveryMode === 2,
      contentType: message.properties.contentType,
      body,
      redelivered: message.fields.redelivered,
      headers: message.properties.headers ?? {},
    });
    try {
      channel.ack(message);
    } catch {
      // The channel closed under us; the broker redelivers it.
    }
  };
  const channel = connection.createChannel({
    confirm: false,
    setup: async (ch: Channel) => {
      await ch.assertExchange(exchange, 'topic', { durable: true });
      await ch.assertQueue(queue, { durable: true });
      await ch.bindQueue(queue, exchange, bindingKey);
      await ch.prefetch(100);
      await ch.consume(queue, (message) => keep(ch, message), { noAck: false });
    },
  });
  let lastError = '';
  // Setup errors while the broker is away are retried on reconnect.
  channel.on('error', (error: Error) => (lastError = error.message));

  const close = async () => {
    await channel.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
  };
  if (!(await within(channel.waitForConnect(), 30_000))) {
    await close();
    throw new Error(`collector on ${exchange} did not attach to ${url} within 30 s ${lastError}`.trim());
  }

  return {
    messages,
    async waitFor(enough, timeoutMs = 30_000) {
      const done = typeof enough === 'number' ? (m: CollectedMessage[]) => m.length >= enough : enough;
      const deadline = Date.now() + timeoutMs;
      while (!done(messages)) {
        if (Date.now() > deadline) {
          const wanted = typeof enough === 'number' ? `${enough} messages` : 'the expected messages';
          throw new Error(`waited ${timeoutMs} ms for ${wanted} on ${exchange}; ${messages.length} arrived`);
        }
        await sleep(25);
      }
      return messages;
    },
    close,
  };
}
