/**
 * The statements of the dispatcher's leader election, on its own PostgreSQL connection (outside the
 * pool: the advisory lock lives and dies with that connection).
 */
export const LeaderSql = {
  /** Arbitrary but fixed: the advisory lock every replica of this service competes for. */
  tryLock: { text: 'SELECT pg_try_advisory_lock($1) AS locked', params: [727_000_001] },
  /** Proves the connection, hence the lock, still alive. */
  ping: 'SELECT 1',
} as const;
