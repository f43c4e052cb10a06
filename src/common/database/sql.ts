import { QueryFailedError } from 'typeorm';

/** PostgreSQL's unique_violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): error is QueryFailedError {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';
}

/** A timestamptz column as the API writes times: UTC, ISO 8601 to the millisecond ("2026-11-23T10:15:00.000Z"). */
export function isoUtc(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Text for a LIKE pattern, matched literally (its %, _ and \ escaped). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The SQLSTATE of a failed statement, whether node-postgres raised it (a
 * prepared statement) or TypeORM wrapped it (`driverError`); undefined otherwise.
 */
export function sqlStateOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** PostgreSQL aborted the transaction to break a deadlock (SQLSTATE 40P01); running it again can succeed. */
export const isDeadlock = (error: unknown): boolean => sqlStateOf(error) === '40P01';
