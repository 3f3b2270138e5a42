import { isClientTimeout, isConnectionFailure, isRolledBackConflict } from './database-errors';

/** How many times a unit of work runs at most when PostgreSQL gives up on it for a passing reason. */
export const MAX_UNIT_ATTEMPTS = 3;

/**
 * Whether a unit of work that failed with `error` can simply run again. A deadlock or a
 * serialization failure rolled it back whole. A lost connection rolled it back too, provided it was
 * lost before the COMMIT was sent (after, the COMMIT may have landed). A client-side timeout may
 * leave the statement running on the server, and a pool too busy to lend a connection is not
 * helped by asking again at once: both are answered as unavailable instead.
 */
export function isWorthRetrying(error: unknown, commitSent: boolean): boolean {
  if (isRolledBackConflict(error)) return true;
  return !commitSent && isConnectionFailure(error) && !isClientTimeout(error);
}

/** A short pause with jitter, so the units that collided do not collide again. */
export function retryPauseMs(attempt: number, random: () => number = Math.random): number {
  return Math.round((10 + random() * 40) * attempt);
}
