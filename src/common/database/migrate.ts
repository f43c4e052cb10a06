import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options';

/** Any fixed number, the same on every instance: only one of them migrates at a time. */
const MIGRATION_LOCK_KEY = 7_341_001;

/**
 * Applies the pending migrations, each in its own transaction, and returns
 * their names. Instances starting together wait on an advisory lock, so each
 * migration runs once.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource({ ...dataSourceOptions(url, 2), migrationsTransactionMode: 'each' });
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations();
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
    await dataSource.destroy();
  }
}
