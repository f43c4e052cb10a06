import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/common/database/embedded-postgres';
import { runMigrations } from '../../src/common/database/migrate';
import { freePort } from './free-port';
import { CONTRACT_LOG_DIR_ENV } from './openapi-answers';
import { startRedisServer } from './redis-server';

/**
 * One throw-away PostgreSQL per test run (embedded-postgres in a temp folder,
 * the real migrations) and, where `redis-server` is installed, one real Redis.
 * Workers inherit the URLs through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'recharge-test-pg-'));
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'recharge_test' });
  await runMigrations(postgres.url);
  process.env.DATABASE_URL = postgres.url;
  process.env.NODE_ENV = 'test';

  // Every test process logs the operations it saw answered; the teardown checks that none was left out.
  process.env[CONTRACT_LOG_DIR_ENV] = mkdtempSync(join(tmpdir(), 'recharge-test-contract-'));

  const redis = await startRedisServer(await freePort());
  if (redis) process.env.TEST_REDIS_URL = redis.url;

  (globalThis as Record<string, unknown>).__RECHARGE_TEST__ = { postgres, redis, dataDir };
}
