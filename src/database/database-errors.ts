/** True when a write broke a UNIQUE constraint, whichever driver raised it. */
export function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { code?: string; driverError?: { code?: string } } | null;
  const code = candidate?.driverError?.code ?? candidate?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

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
  const candidate = error as { name?: string; code?: string; message?: string; driverError?: { code?: string; message?: string } } | null;
  if (!candidate || typeof candidate !== 'object') return false;
  // TypeORM's word for a connection that died under a running unit of work.
  if (candidate.name && /^QueryRunner(Provider)?AlreadyReleasedError$/.test(candidate.name)) return true;
  const code = candidate.driverError?.code ?? candidate.code;
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('SQLITE_IOERR'))) return true;
  const message = `${candidate.message ?? ''} ${candidate.driverError?.message ?? ''}`;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection is not open|Client has encountered a connection error|not queryable|terminating connection/i.test(
    message,
  );
}
