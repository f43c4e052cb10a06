import { join } from 'node:path';
import pino from 'pino';
import { AppConfig } from './common/config/app-config';
import { localSecret } from './common/config/local-secret';
import { RunningPostgres, startEmbeddedPostgres } from './common/database/embedded-postgres';
import { runMigrations } from './common/database/migrate';

/** The logger for start-up and the CLI, before (or without) the Nest app. */
export function bootstrapLogger(config: AppConfig, level: string = config.log.level): pino.Logger {
  return pino({
    level,
    base: { context: 'Bootstrap' },
    transport: config.log.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  });
}

/** The data folder of the embedded defaults (PostgreSQL data, the local token secret). */
export const dataDirOf = (config: AppConfig) => join(config.rootDir, '.data');

/**
 * Fills what the embedded default supplies when nothing is configured: a
 * database URL (embedded PostgreSQL) and a token secret. Returns the
 * embedded server, if one was started, so the caller can stop it.
 */
export async function provideDatabase(config: AppConfig, log: pino.Logger): Promise<RunningPostgres | null> {
  if (!config.auth.jwtSecret) config.auth.jwtSecret = localSecret(join(dataDirOf(config), 'jwt-secret'));
  if (config.database.url) return null;
  const started = Date.now();
  const postgres = await startEmbeddedPostgres({
    dataDir: config.database.embedded.dataDir,
    port: config.database.embedded.port,
    database: 'recharge',
  });
  config.database.url = postgres.url;
  log.info(
    { port: config.database.embedded.port, ms: Date.now() - started },
    'DATABASE_URL is not set: using the embedded PostgreSQL (data in .data/postgres)',
  );
  return postgres;
}

export async function migrate(config: AppConfig, log: pino.Logger): Promise<void> {
  const applied = await runMigrations(config.database.url);
  if (applied.length) log.info({ applied }, 'migrations applied');
}
