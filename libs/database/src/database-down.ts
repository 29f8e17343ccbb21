/** SQLSTATEs of a server going away or not yet back: class 08 (connection) and 57P01–57P03 (shut down, starting). */
const DOWN_STATES = /^(08|57P0[123])/;
/** What node-postgres and the socket say when the server vanished or refuses connections (Redis's client too). */
const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const DOWN_MESSAGES =
  /Connection terminated|terminating connection|connection timeout|Client has encountered a connection error/i;

/**
 * Did this error come from PostgreSQL being away (a restart, a failover) rather than from the statement? Such work
 * can be tried again unchanged once the server is back. TypeORM wraps the driver's error as `driverError`.
 */
export function isDatabaseDown(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; driverError?: unknown; syscall?: unknown } | null;
  if (!err || typeof err !== 'object') {
    return false;
  }
  if (err.driverError && err.driverError !== e && isDatabaseDown(err.driverError)) {
    return true;
  }
  const code = typeof err.code === 'string' ? err.code : '';
  return (
    DOWN_STATES.test(code) ||
    DOWN_CODES.has(code) ||
    // A Unix-domain socket whose file is gone: the server is not running. Any other ENOENT is a missing file, our bug.
    (code === 'ENOENT' && err.syscall === 'connect') ||
    DOWN_MESSAGES.test(typeof err.message === 'string' ? err.message : '')
  );
}
