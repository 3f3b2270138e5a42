import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Database } from '../../database/database';
import { BufferedHeartbeat, HEARTBEAT_FLUSH_MS, HeartbeatBuffer, withHeartbeat } from './heartbeat-buffer';
import type { EntityManager } from 'typeorm';
import { managerOf, UnitOfWork } from '../../database/unit-of-work';
import { afterOutcome, BoxHealth, HEALTH_WINDOW, isDegraded } from './box-health';
import { BoxOutcome, CallBox, CallBoxRepository, Connection, HealthChange, Heartbeat, Registration } from './callbox';

type Row = Record<string, unknown>;
const json = <T>(v: unknown): T | null => (typeof v === 'string' && v.length > 0 ? (JSON.parse(v) as T) : null);

function toCallBox(row: Row): CallBox {
  return {
    id: row.id as string,
    reportedStatus: row.reported_status as string,
    connection: row.connection as CallBox['connection'],
    maxConcurrent: Number(row.max_concurrent),
    supportedTypes: (row.supported_types as string).split(',').filter(Boolean) as CallBox['supportedTypes'],
    operators: json<string[]>(row.operators),
    version: (row.version as string | null) ?? null,
    location: (row.location as string | null) ?? null,
    queueSize: Number(row.queue_size),
    metrics: json<Record<string, unknown>>(row.metrics),
    lastHeartbeatAt: Number(row.last_heartbeat_at),
    registeredAt: Number(row.registered_at),
    ...toHealth(row),
  };
}

const HEALTH_COLUMNS = 'recent_outcomes, consecutive_failures, degraded_until, degraded_reason';
const UNCHANGED: HealthChange = { wasDegraded: false, isDegraded: false, reason: null };

function toHealth(row: Row): BoxHealth {
  return {
    recentOutcomes: (row.recent_outcomes as string | null) ?? '',
    consecutiveFailures: Number(row.consecutive_failures ?? 0),
    degradedUntil: row.degraded_until === null || row.degraded_until === undefined ? null : Number(row.degraded_until),
    degradedReason: (row.degraded_reason as string | null) ?? null,
  };
}

const sameHealth = (a: BoxHealth, b: BoxHealth) =>
  a.recentOutcomes === b.recentOutcomes &&
  a.consecutiveFailures === b.consecutiveFailures &&
  a.degradedUntil === b.degradedUntil &&
  a.degradedReason === b.degradedReason;

function heartbeatColumns(heartbeat: BufferedHeartbeat): unknown[] {
  const metrics = heartbeat.metrics ? JSON.stringify(heartbeat.metrics) : null;
  return [heartbeat.reportedStatus, heartbeat.queueSize, metrics, heartbeat.at, heartbeat.at];
}

@Injectable()
export class TypeOrmCallBoxRepository extends CallBoxRepository implements OnModuleDestroy {
  private readonly logger = new Logger('CallBoxRegistry');
  private readonly heartbeats = new HeartbeatBuffer();
  private readonly flusher: NodeJS.Timeout;

  constructor(private readonly db: Database) {
    super();
    this.flusher = setInterval(() => {
      this.flushHeartbeats().catch((error: unknown) => this.logger.warn({ err: error }, 'Heartbeats not written yet; retrying'));
    }, HEARTBEAT_FLUSH_MS);
    this.flusher.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.flusher);
    await this.flushHeartbeats();
  }

  /** Writes the heartbeats waiting in memory; never moves a box's last heartbeat backwards. */
  async flushHeartbeats(): Promise<void> {
    await this.heartbeats.drain((batch) =>
      this.db.transaction(async (manager) => {
        // In byte order of the id (COLLATE "C" in SQL), as every unit that locks several boxes does
        // (the dispatcher's round, the degraded marks): two of them can then never each hold the
        // box the other waits for (a deadlock; it made a poll answer 500 during a failover).
        for (const [id, heartbeat] of [...batch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          await this.db.execute(
            manager,
            `UPDATE callboxes SET reported_status = ?, queue_size = COALESCE(?, queue_size),
               metrics = COALESCE(?, metrics), last_heartbeat_at = ?, updated_at = ?
             WHERE id = ? AND last_heartbeat_at <= ?`,
            [...heartbeatColumns(heartbeat), id, heartbeat.at],
          );
        }
      }),
    );
  }

  async register(registration: Registration, now: number): Promise<CallBox> {
    this.heartbeats.forget(registration.id);
    const { rows } = await this.db.transaction(async (manager) => {
      await this.logEvents(manager, [registration.id], 'registered', now, {
        version: registration.version,
        supportedTypes: registration.supportedTypes,
      });
      return this.db.execute<Row>(
        manager,
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
      );
    });
    return toCallBox(rows[0]);
  }

  async findById(id: string): Promise<CallBox | null> {
    const rows = await this.db.read<Row>('SELECT * FROM callboxes WHERE id = ?', [id]);
    return rows.length > 0 ? this.heartbeats.overlay(toCallBox(rows[0])) : null;
  }

  /** A connected box's heartbeat waits in memory; a disconnected box's is written at once, as its reconnection. */
  async recordHeartbeat(id: string, heartbeat: Heartbeat, now: number) {
    const known = await this.findById(id);
    if (!known) return null;
    const buffered: BufferedHeartbeat = { ...heartbeat, at: now };
    if (known.connection === 'connected') {
      this.heartbeats.put(id, buffered);
      return { box: withHeartbeat(known, buffered), reconnected: false };
    }
    this.heartbeats.forget(id);
    return this.writeHeartbeat(id, buffered);
  }

  private async writeHeartbeat(id: string, heartbeat: BufferedHeartbeat) {
    const now = heartbeat.at;
    return this.db.transaction(async (manager) => {
      const reconnect = await this.db.execute(
        manager,
        `UPDATE callboxes SET connection = 'connected' WHERE id = ? AND connection = 'disconnected'`,
        [id],
      );
      const { rows } = await this.db.execute<Row>(
        manager,
        `UPDATE callboxes SET reported_status = ?, queue_size = COALESCE(?, queue_size),
           metrics = COALESCE(?, metrics), last_heartbeat_at = ?, updated_at = ?
         WHERE id = ? RETURNING *`,
        [...heartbeatColumns(heartbeat), id],
      );
      if (rows.length === 0) return null;
      const reconnected = reconnect.affected === 1;
      if (reconnected) await this.logEvents(manager, [id], 'connected', now, { via: 'heartbeat' });
      return { box: toCallBox(rows[0]), reconnected };
    });
  }

  async recordOutcome(unit: UnitOfWork, { callboxId, success, now, cooldownMs }: BoxOutcome): Promise<HealthChange | null> {
    const manager = managerOf(unit);
    // The common case, a success on a healthy box with no recent failure, cannot change whether it
    // is degraded (afterOutcome). Once its window is full of successes it changes nothing at all:
    // no write, and no lock on the box row that its other reports would queue behind. Skipping it
    // is the same as having applied it before any concurrent outcome.
    if (success) {
      const { rows } = await this.db.execute<Row>(manager, `SELECT ${HEALTH_COLUMNS} FROM callboxes WHERE id = ?`, [callboxId]);
      if (rows.length === 0) return null;
      const health = toHealth(rows[0]);
      if (!isDegraded(health, now) && !health.recentOutcomes.includes('F')) {
        if (sameHealth(afterOutcome(health, true, now, cooldownMs), health)) return UNCHANGED;
        const { affected } = await this.db.execute(
          manager,
          `UPDATE callboxes SET recent_outcomes = ${this.lastOutcomes("recent_outcomes || 'S'")}, consecutive_failures = 0,
             degraded_until = NULL, degraded_reason = NULL
           WHERE id = ? AND (degraded_until IS NULL OR degraded_until <= ?) AND recent_outcomes NOT LIKE '%F%'`,
          [callboxId, now],
        );
        if (affected === 1) return UNCHANGED;
      }
    }
    const lock = this.db.engine === 'postgres' ? ' FOR UPDATE' : '';
    const { rows } = await this.db.execute<Row>(manager, `SELECT * FROM callboxes WHERE id = ?${lock}`, [callboxId]);
    if (rows.length === 0) return null;
    const before = toCallBox(rows[0]);
    const after = afterOutcome(before, success, now, cooldownMs);
    await this.db.execute(
      manager,
      `UPDATE callboxes SET recent_outcomes = ?, consecutive_failures = ?, degraded_until = ?, degraded_reason = ? WHERE id = ?`,
      [after.recentOutcomes, after.consecutiveFailures, after.degradedUntil, after.degradedReason, callboxId],
    );
    return { wasDegraded: isDegraded(before, now), isDegraded: isDegraded(after, now), reason: after.degradedReason };
  }

  async lockHealth(unit: UnitOfWork, callboxId: string): Promise<BoxHealth | null> {
    const lock = this.db.engine === 'postgres' ? ' FOR UPDATE' : '';
    const { rows } = await this.db.execute<Row>(managerOf(unit), `SELECT ${HEALTH_COLUMNS} FROM callboxes WHERE id = ?${lock}`, [callboxId]);
    return rows.length > 0 ? toHealth(rows[0]) : null;
  }

  /** The last HEALTH_WINDOW characters of `expression`. */
  private lastOutcomes(expression: string): string {
    return this.db.engine === 'postgres' ? `RIGHT(${expression}, ${HEALTH_WINDOW})` : `SUBSTR(${expression}, -${HEALTH_WINDOW})`;
  }

  async markDegraded(ids: readonly string[], reason: string, until: number, now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction(async (manager) => {
      // Boxes are locked in id order (see flushHeartbeats); one UPDATE of several rows takes them in scan order.
      if (this.db.engine === 'postgres') {
        await this.db.execute(manager, `SELECT id FROM callboxes WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY id COLLATE "C" FOR UPDATE`, [...ids]);
      }
      await this.db.execute(
        manager,
        `UPDATE callboxes SET degraded_until = ?, degraded_reason = ?, recent_outcomes = '', consecutive_failures = 0, updated_at = ?
         WHERE id IN (${ids.map(() => '?').join(', ')})`,
        [until, reason, now, ...ids],
      );
      await this.logEvents(manager, ids, 'degraded', now, { reason, until: new Date(until).toISOString() });
    });
  }

  async listByConnection(connection: Connection, limit: number): Promise<CallBox[]> {
    const rows: Row[] = await this.db.reader.query(
      this.db.sql('SELECT * FROM callboxes WHERE connection = ? ORDER BY id LIMIT ?'),
      [connection, limit],
    );
    return rows.map((row) => this.heartbeats.overlay(toCallBox(row)));
  }

  async markDisconnected(silentSince: number, now: number, limit: number): Promise<CallBox[]> {
    // A heartbeat still in memory proves the box alive: write them before judging by the table.
    await this.flushHeartbeats();
    return this.db.transaction(async (manager) => {
      const skipLocked = this.db.engine === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      const { rows } = await this.db.execute<Row>(
        manager,
        `SELECT * FROM callboxes WHERE connection = 'connected' AND last_heartbeat_at < ?
         ORDER BY last_heartbeat_at LIMIT ?${skipLocked}`,
        [silentSince, limit],
      );
      const boxes = rows.map(toCallBox);
      if (boxes.length === 0) return [];
      const ids = boxes.map((box) => box.id);
      await this.db.execute(
        manager,
        `UPDATE callboxes SET connection = 'disconnected', updated_at = ? WHERE id IN (${ids.map(() => '?').join(', ')})`,
        [now, ...ids],
      );
      await this.logEvents(manager, ids, 'disconnected', now, { silentSince: new Date(silentSince).toISOString() });
      return boxes.map((box) => ({ ...box, connection: 'disconnected' as const }));
    });
  }

  private async logEvents(
    manager: EntityManager,
    ids: readonly string[],
    event: 'connected' | 'disconnected' | 'registered' | 'degraded',
    at: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.db.execute(
      manager,
      `INSERT INTO callbox_events (callbox_id, event, at, details) VALUES ${ids.map(() => '(?, ?, ?, ?)').join(', ')}`,
      ids.flatMap((id) => [id, event, at, JSON.stringify(details)]),
    );
  }

  async list(): Promise<CallBox[]> {
    const rows: Row[] = await this.db.reader.query('SELECT * FROM callboxes ORDER BY id');
    return rows.map((row) => this.heartbeats.overlay(toCallBox(row)));
  }
}
