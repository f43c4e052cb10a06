import { DataSource, EntityManager } from 'typeorm';

/**
 * Advisory lock keys, one per job, the same on every instance. Kept in one
 * place so two jobs can never share a key by accident.
 */
export enum LockKey {
  Migrations = 7_341_001,
  ExpirePromotions = 7_341_101,
  ExpireOrders = 7_341_102,
  ReconcileOrders = 7_341_103,
  ExpireHolds = 7_341_104,
  /** With the gateway's name as the lock's second half: one poll of each gateway at a time. */
  PollGateway = 7_341_105,
  PurgeIdempotencyKeys = 7_341_106,
}

export type LockedResult<T> = { acquired: false } | { acquired: true; result: T };

/**
 * Runs `work` in a transaction that holds `pg_try_advisory_xact_lock(key)`;
 * when another session holds it, returns at once without running `work`.
 * The lock goes with the transaction, so a crashed instance never keeps it.
 */
export async function withTransactionLock<T>(
  dataSource: DataSource,
  key: LockKey,
  work: (em: EntityManager) => Promise<T>,
): Promise<LockedResult<T>> {
  return dataSource.transaction(async (em) => {
    const [{ locked }] = await em.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [key]);
    if (!locked) return { acquired: false };
    return { acquired: true, result: await work(em) };
  });
}

/**
 * Repeats `batch`, each run in its own short transaction under the job's
 * lock, until a run handles fewer than `batchSize` rows. Returns the rows
 * handled, or null when another instance held the lock from the start (it
 * then does the work; an instance that loses the lock midway stops).
 */
export async function drainInLockedBatches(
  dataSource: DataSource,
  key: LockKey,
  batchSize: number,
  batch: (em: EntityManager) => Promise<number>,
): Promise<number | null> {
  let total = 0;
  for (;;) {
    const run = await withTransactionLock(dataSource, key, batch);
    if (!run.acquired) return total === 0 ? null : total;
    total += run.result;
    if (run.result < batchSize) return total;
  }
}

/**
 * Runs `work` while one pooled connection holds the session-level
 * `pg_try_advisory_lock(key)`, with no transaction open: for jobs that call
 * gateways, which must never happen inside a transaction. With a `scope`,
 * the lock is the pair (key, hashtext(scope)): one lock per scope.
 */
export async function withSessionLock<T>(
  dataSource: DataSource,
  key: LockKey,
  work: () => Promise<T>,
  scope?: string,
): Promise<LockedResult<T>> {
  const holder = dataSource.createQueryRunner();
  const [lock, unlock, params] =
    scope === undefined
      ? ['pg_try_advisory_lock($1)', 'pg_advisory_unlock($1)', [key]]
      : ['pg_try_advisory_lock($1::int, hashtext($2))', 'pg_advisory_unlock($1::int, hashtext($2))', [key, scope]];
  try {
    const [{ locked }] = await holder.query(`SELECT ${lock} AS locked`, params);
    if (!locked) return { acquired: false };
    try {
      return { acquired: true, result: await work() };
    } finally {
      await holder.query(`SELECT ${unlock}`, params);
    }
  } finally {
    await holder.release();
  }
}
