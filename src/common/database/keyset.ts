import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** The position of the last row of a batch: the next batch starts strictly after it. */
interface KeysetPosition {
  keyset_at: string;
  keyset_id: string;
}

/**
 * Reads a query's rows newest first (created_at, then id, both descending) in
 * batches, each starting right after the last row of the one before: a keyset,
 * so a batch costs the same at row 900,000 as at row 0 and uses the
 * (…, created_at DESC) indexes. `query` builds a fresh query each time, on
 * `alias`, selecting the columns to return; `created_at` is compared as
 * PostgreSQL's own text (microseconds), never through a JS Date (milliseconds).
 * Each batch is its own statement: no transaction stays open between them.
 */
export async function* newestFirstBatches<Row extends ObjectLiteral>(
  query: () => SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  batchSize: number,
): AsyncGenerator<Row[]> {
  let last: KeysetPosition | null = null;
  for (;;) {
    const batch = query()
      .addSelect(`${alias}.created_at::text`, 'keyset_at')
      .addSelect(`${alias}.id::text`, 'keyset_id')
      .orderBy(`${alias}.created_at`, 'DESC')
      .addOrderBy(`${alias}.id`, 'DESC')
      .limit(batchSize);
    if (last) {
      batch.andWhere(`${alias}.created_at <= :keysetAt::timestamptz AND (${alias}.created_at < :keysetAt::timestamptz OR ${alias}.id < :keysetId::bigint)`, {
        keysetAt: last.keyset_at,
        keysetId: last.keyset_id,
      });
    }
    const rows: (Row & KeysetPosition)[] = await batch.getRawMany();
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    last = rows[rows.length - 1];
  }
}
