import { Dialect, placeholders } from '../../database/dialect';
import { rowCount, Statement, statement } from '../../database/statement';
import { HEALTH_WINDOW } from './box-health';
import { WORKING_STATUS, type Connection, type Registration } from './callbox';

export interface HeartbeatColumns {
  reportedStatus: string;
  queueSize: number | null;
  metrics: Record<string, unknown> | null;
  at: number;
}

export interface HealthColumns {
  recentOutcomes: string;
  consecutiveFailures: number;
  degradedUntil: number | null;
  degradedReason: string | null;
}

export type CallBoxEvent = 'connected' | 'disconnected' | 'registered' | 'degraded';

const HEALTH = 'recent_outcomes, consecutive_failures, degraded_until, degraded_reason';
const heartbeatValues = (h: HeartbeatColumns) => [h.reportedStatus, h.queueSize, h.metrics ? JSON.stringify(h.metrics) : null, h.at, h.at];

/**
 * Every statement on `callboxes` and `callbox_events`. Units that lock several boxes lock them in
 * byte order of their id (`dialect.byteOrder`), so two of them never each hold the box the other
 * waits for.
 */
export const CallBoxesSql = {
  register: (_d: Dialect, registration: Registration, now: number): Statement =>
    statement(
      `INSERT INTO callboxes (id, reported_status, connection, max_concurrent, supported_types, operators, version,
         location, queue_size, processed_transactions, last_heartbeat_at, registered_at, updated_at)
       VALUES (?, 'active', 'connected', ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET reported_status = 'active', connection = 'connected',
         max_concurrent = excluded.max_concurrent, supported_types = excluded.supported_types,
         operators = excluded.operators, version = excluded.version, location = excluded.location,
         last_heartbeat_at = excluded.last_heartbeat_at, updated_at = excluded.updated_at
       RETURNING *`,
      [
        registration.id,
        registration.maxConcurrent,
        registration.supportedTypes.join(','),
        registration.operators ? JSON.stringify(registration.operators) : null,
        registration.version,
        registration.location,
        now,
        now,
        now,
      ],
    ),

  findById: (_d: Dialect, id: string): Statement => statement('SELECT * FROM callboxes WHERE id = ?', [id]),

  /** One page of the whole registry by id (a large fleet is read a page at a time). */
  listPage: (_d: Dialect, limit: number, after?: string): Statement =>
    after === undefined
      ? statement(`SELECT * FROM callboxes ORDER BY id LIMIT ${rowCount(limit)}`)
      : statement(`SELECT * FROM callboxes WHERE id > ? ORDER BY id LIMIT ${rowCount(limit)}`, [after]),

  countByConnection: (_d: Dialect, connection: Connection): Statement =>
    statement('SELECT COUNT(*) AS n FROM callboxes WHERE connection = ?', [connection]),

  listByConnection: (_d: Dialect, connection: Connection, limit: number, after?: string): Statement =>
    after === undefined
      ? statement(`SELECT * FROM callboxes WHERE connection = ? ORDER BY id LIMIT ${rowCount(limit)}`, [connection])
      : statement(`SELECT * FROM callboxes WHERE connection = ? AND id > ? ORDER BY id LIMIT ${rowCount(limit)}`, [connection, after]),

  /** The connected boxes by what they may do now: degraded, saying `active` (and not degraded), in all. */
  countConnectedStates: (_d: Dialect, now: number): Statement =>
    statement(
      `SELECT COUNT(*) AS connected,
         COALESCE(SUM(CASE WHEN degraded_until > ? THEN 1 ELSE 0 END), 0) AS degraded,
         COALESCE(SUM(CASE WHEN (degraded_until IS NULL OR degraded_until <= ?) AND reported_status = ? THEN 1 ELSE 0 END), 0) AS working
       FROM callboxes WHERE connection = 'connected'`,
      [now, now, WORKING_STATUS],
    ),

  /** A buffered heartbeat; never moves a box's last heartbeat backwards. */
  writeBufferedHeartbeat: (_d: Dialect, id: string, heartbeat: HeartbeatColumns): Statement =>
    statement(
      `UPDATE callboxes SET reported_status = ?, queue_size = COALESCE(?, queue_size),
         metrics = COALESCE(?, metrics), last_heartbeat_at = ?, updated_at = ?
       WHERE id = ? AND last_heartbeat_at <= ?`,
      [...heartbeatValues(heartbeat), id, heartbeat.at],
    ),

  /** The same, returning the row written: it renews the box's cache entry (PostgreSQL's replicas). */
  writeBufferedHeartbeatReturning: (_d: Dialect, id: string, heartbeat: HeartbeatColumns): Statement =>
    statement(
      `UPDATE callboxes SET reported_status = ?, queue_size = COALESCE(?, queue_size),
         metrics = COALESCE(?, metrics), last_heartbeat_at = ?, updated_at = ?
       WHERE id = ? AND last_heartbeat_at <= ? RETURNING *`,
      [...heartbeatValues(heartbeat), id, heartbeat.at],
    ),

  /** A heartbeat written at once (a disconnected box's), returning the row. */
  writeHeartbeat: (_d: Dialect, id: string, heartbeat: HeartbeatColumns): Statement =>
    statement(
      `UPDATE callboxes SET reported_status = ?, queue_size = COALESCE(?, queue_size),
         metrics = COALESCE(?, metrics), last_heartbeat_at = ?, updated_at = ?
       WHERE id = ? RETURNING *`,
      [...heartbeatValues(heartbeat), id],
    ),

  reconnect: (_d: Dialect, id: string): Statement =>
    statement(`UPDATE callboxes SET connection = 'connected' WHERE id = ? AND connection = 'disconnected'`, [id]),

  health: (_d: Dialect, id: string): Statement => statement(`SELECT ${HEALTH} FROM callboxes WHERE id = ?`, [id]),

  lockHealth: (d: Dialect, id: string): Statement => statement(`SELECT ${HEALTH} FROM callboxes WHERE id = ?${d.forUpdate}`, [id]),

  lockById: (d: Dialect, id: string): Statement => statement(`SELECT * FROM callboxes WHERE id = ?${d.forUpdate}`, [id]),

  /** One box's row locked for a poll's claim (PostgreSQL; SQLite's single writer needs no lock). */
  lockForClaim: (d: Dialect, id: string): Statement | null =>
    d.forUpdate ? statement(`SELECT id FROM callboxes WHERE id = ?${d.forUpdate}`, [id]) : null,

  /** Several boxes' rows locked in byte order of their id (PostgreSQL; SQLite's single writer needs no lock). */
  lockInOrder: (d: Dialect, ids: readonly string[]): Statement | null =>
    d.forUpdate && ids.length > 0
      ? statement(`SELECT id FROM callboxes WHERE id IN (${placeholders(ids.length)}) ORDER BY ${d.byteOrder('id')}${d.forUpdate}`, [...ids])
      : null,

  /**
   * A success on a healthy box with no recent failure: the window shifts, guarded so that a
   * concurrent failure (which takes the locked path) is never overwritten.
   */
  recordCleanSuccess: (d: Dialect, id: string, now: number): Statement =>
    statement(
      `UPDATE callboxes SET recent_outcomes = ${d.lastChars("recent_outcomes || 'S'", HEALTH_WINDOW)}, consecutive_failures = 0,
         degraded_until = NULL, degraded_reason = NULL
       WHERE id = ? AND (degraded_until IS NULL OR degraded_until <= ?) AND recent_outcomes NOT LIKE '%F%'`,
      [id, now],
    ),

  writeHealth: (_d: Dialect, id: string, health: HealthColumns): Statement =>
    statement(`UPDATE callboxes SET recent_outcomes = ?, consecutive_failures = ?, degraded_until = ?, degraded_reason = ? WHERE id = ?`, [
      health.recentOutcomes,
      health.consecutiveFailures,
      health.degradedUntil,
      health.degradedReason,
      id,
    ]),

  markDegraded: (_d: Dialect, ids: readonly string[], reason: string, until: number, now: number): Statement =>
    statement(
      `UPDATE callboxes SET degraded_until = ?, degraded_reason = ?, recent_outcomes = '', consecutive_failures = 0, updated_at = ?
       WHERE id IN (${placeholders(ids.length)})`,
      [until, reason, now, ...ids],
    ),

  /** Connected boxes silent since then, oldest first; boxes another unit holds are skipped. */
  silentSince: (d: Dialect, silentSince: number, limit: number): Statement =>
    statement(
      `SELECT * FROM callboxes WHERE connection = 'connected' AND last_heartbeat_at < ?
       ORDER BY last_heartbeat_at LIMIT ${rowCount(limit)}${d.skipLocked}`,
      [silentSince],
    ),

  markDisconnected: (_d: Dialect, ids: readonly string[], now: number): Statement =>
    statement(`UPDATE callboxes SET connection = 'disconnected', updated_at = ? WHERE id IN (${placeholders(ids.length)})`, [now, ...ids]),

  logEvents: (_d: Dialect, ids: readonly string[], event: CallBoxEvent, at: number, details: Record<string, unknown>): Statement =>
    statement(
      `INSERT INTO callbox_events (callbox_id, event, at, details) VALUES ${ids.map(() => '(?, ?, ?, ?)').join(', ')}`,
      ids.flatMap((id) => [id, event, at, JSON.stringify(details)]),
    ),
};
