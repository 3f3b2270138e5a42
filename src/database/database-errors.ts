/** True when a write broke a UNIQUE constraint, whichever driver raised it. */
export function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { code?: string; driverError?: { code?: string } } | null;
  const code = candidate?.driverError?.code ?? candidate?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * PostgreSQL gave up on a statement for a reason of the moment, not of the statement: the
 * transaction was rolled back whole, so running it again is safe and will most likely succeed.
 */
const ROLLED_BACK_CONFLICT_CODES = new Set([
  '40P01', // deadlock_detected
  '40001', // serialization_failure
]);

/** Waits the database cut short: the same statement may pass a moment later. */
const INTERRUPTED_CODES = new Set([
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
]);

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
]);

/**
 * True when the database could not be reached or could not serve (down, restarting, overloaded,
 * locked, disk full), as opposed to a bad statement: the request may succeed later, so it is a 503.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  if (code && (ROLLED_BACK_CONFLICT_CODES.has(code) || INTERRUPTED_CODES.has(code))) return true;
  return isConnectionFailure(error);
}

/** A deadlock or serialization failure: the database rolled the whole transaction back. */
export function isRolledBackConflict(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && ROLLED_BACK_CONFLICT_CODES.has(code);
}

/**
 * The connection was lost or refused (server down, restarting, backend terminated, pool
 * exhausted), as opposed to a statement that ran and failed. A client-side read timeout is not
 * one: the statement may still be running on the server.
 */
export function isConnectionFailure(error: unknown): boolean {
  const candidate = error as { name?: string; message?: string; driverError?: { message?: string } } | null;
  if (!candidate || typeof candidate !== 'object') return false;
  // TypeORM's word for a connection that died under a running unit of work.
  if (candidate.name && /^QueryRunner(Provider)?AlreadyReleasedError$/.test(candidate.name)) return true;
  const code = errorCode(error);
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('SQLITE_IOERR'))) return true;
  const message = `${candidate.message ?? ''} ${candidate.driverError?.message ?? ''}`;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection is not open|Client has encountered a connection error|not queryable|terminating connection/i.test(
    message,
  );
}

/** A client-side timeout: the server may still be running the statement. */
export function isClientTimeout(error: unknown): boolean {
  const message = (error as { message?: string } | null)?.message ?? '';
  return /Query read timeout|timeout exceeded when trying to connect/i.test(message);
}

function errorCode(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  if (!candidate || typeof candidate !== 'object') return undefined;
  const code = candidate.driverError?.code ?? candidate.code;
  return typeof code === 'string' ? code : undefined;
}
