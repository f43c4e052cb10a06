import { EntityManager } from 'typeorm';

/**
 * The rows of a statement's RETURNING clause. TypeORM answers a raw UPDATE
 * or DELETE with `[rows, rowCount]` but other statements with the rows alone;
 * this reads both the same way.
 */
export async function returning<T>(em: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  const result = await em.query(sql, parameters);
  const isRowsAndCount = Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
  return isRowsAndCount ? result[0] : result;
}
