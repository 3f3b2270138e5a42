import type { Dialect } from '../../database/dialect';
import { rowCount, Statement, statement } from '../../database/statement';
import type { PinLimitState } from './pin-limit-policy';

/** Every statement on `pin_limits`. */
export const PinLimitsSql = {
  /** The scope's row, created fresh when missing. */
  ensure: (_d: Dialect, key: string, msisdn: string, clientAddress: string | null, now: number): Statement =>
    statement(
      `INSERT INTO pin_limits (scope_key, msisdn, client_address, failures, window_started_at, locked_until, locks, locks_since, updated_at)
       VALUES (?, ?, ?, 0, ?, NULL, 0, NULL, ?) ON CONFLICT (scope_key) DO NOTHING`,
      [key, msisdn, clientAddress, now, now],
    ),

  lock: (d: Dialect, key: string): Statement =>
    statement(`SELECT failures, window_started_at, locked_until, locks, locks_since FROM pin_limits WHERE scope_key = ?${d.forUpdate}`, [key]),

  /** The scopes' rows as they are, without locking them (a read that counts nothing). */
  read: (_d: Dialect, keys: string[]): Statement =>
    statement(
      `SELECT scope_key, failures, window_started_at, locked_until, locks, locks_since FROM pin_limits WHERE scope_key IN (${keys.map(() => '?').join(', ')})`,
      keys,
    ),

  write: (_d: Dialect, key: string, state: PinLimitState, now: number): Statement =>
    statement(
      'UPDATE pin_limits SET failures = ?, window_started_at = ?, locked_until = ?, locks = ?, locks_since = ?, updated_at = ? WHERE scope_key = ?',
      [state.failures, state.windowStartedAt, state.lockedUntil, state.locks, state.locksSince, now, key],
    ),

  locksInForce: (_d: Dialect, now: number, limit: number): Statement =>
    statement(
      `SELECT scope_key, msisdn, client_address, locked_until, locks FROM pin_limits WHERE locked_until > ? ORDER BY locked_until DESC LIMIT ${rowCount(limit)}`,
      [now],
    ),

  countLocksOf: (_d: Dialect, msisdn: string, now: number): Statement =>
    statement('SELECT COUNT(*) AS n FROM pin_limits WHERE msisdn = ? AND locked_until > ?', [msisdn, now]),

  liftAll: (_d: Dialect, msisdn: string, now: number): Statement =>
    statement(
      'UPDATE pin_limits SET failures = 0, window_started_at = ?, locked_until = NULL, locks = 0, locks_since = NULL, updated_at = ? WHERE msisdn = ?',
      [now, now, msisdn],
    ),
};
