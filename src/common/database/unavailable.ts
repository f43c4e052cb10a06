/** SQLSTATE classes that mean the server is gone or not accepting work: connection exceptions (08) and operator intervention (57P). */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3])/;

/** What node-postgres says when the socket closes or a connection cannot be had. */
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|not queryable|ECONNREFUSED|ECONNRESET/;

const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTCONN']);

/**
 * True when `error` says PostgreSQL cannot be reached right now (down,
 * restarting, connection cut), as opposed to a failed statement. TypeORM
 * wraps the driver's error in `driverError`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; driverError?: unknown } | undefined, depth = 0; e && depth < 3; depth++) {
    if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
    e = e.driverError as typeof e;
  }
  return false;
}
