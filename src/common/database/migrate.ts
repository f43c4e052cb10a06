import { DataSource } from 'typeorm';
import { LockKey } from './advisory-lock';
import { dataSourceOptions } from './data-source.options';


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
    await lock.query('SELECT pg_advisory_lock($1)', [LockKey.Migrations]);
    const applied = await dataSource.runMigrations();
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [LockKey.Migrations]).catch(() => undefined);
    await lock.release();
    await dataSource.destroy();
  }
}
