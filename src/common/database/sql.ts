import { QueryFailedError } from 'typeorm';

/** PostgreSQL's unique_violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): error is QueryFailedError {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';
}

/** Text for a LIKE pattern, matched literally (its %, _ and \ escaped). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
