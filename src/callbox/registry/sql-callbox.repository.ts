import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import { POSTGRES } from '../../database/dialect';
import type { UnitOfWork } from '../../database/unit-of-work';
import { afterOutcome, BoxHealth, isDegraded } from './box-health';
import { BoxOutcome, CallBox, ConnectedStates, Connection, HealthChange, Registration } from './callbox';
import { toCallBox, toHealth } from './callbox-row';
import { CallBoxesSql } from './callboxes.statements';
import type { BufferedHeartbeat } from './heartbeat-buffer';

type Row = Record<string, unknown>;

/**
 * Boxes read between two turns of the event loop when the whole fleet is listed: a row costs about
 * 20 µs here (18 columns through better-sqlite3), so a page holds the loop about 5 ms where 10 000
 * boxes in one read held it 200 ms or more.
 */
export const LIST_PAGE_SIZE = 250;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const UNCHANGED: HealthChange = { wasDegraded: false, isDegraded: false, reason: null };

const sameHealth = (a: BoxHealth, b: BoxHealth) =>
  a.recentOutcomes === b.recentOutcomes &&
  a.consecutiveFailures === b.consecutiveFailures &&
  a.degradedUntil === b.degradedUntil &&
  a.degradedReason === b.degradedReason;

/**
 * `callboxes` and `callbox_events` as they are stored: SQL only. The registry the app uses is
 * BufferedCallBoxRepository, which keeps heartbeats in memory in front of this.
 */
@Injectable()
export class SqlCallBoxRepository {
  constructor(private readonly db: Database) {}

  private get dialect() {
    return this.db.dialect;
  }

  /**
   * Whether other processes may write these rows: PostgreSQL's replicas do; SQLite is one
   * process's file, every write to `callboxes` goes through this repository.
   */
  get shared(): boolean {
    return this.dialect === POSTGRES;
  }

  register(registration: Registration, now: number): Promise<CallBox> {
    return this.db.unit(async (unit) => {
      const details = { version: registration.version, supportedTypes: registration.supportedTypes };
      await unit.run(CallBoxesSql.logEvents(this.dialect, [registration.id], 'registered', now, details));
      const { rows } = await unit.run<Row>(CallBoxesSql.register(this.dialect, registration, now));
      return toCallBox(rows[0]);
    });
  }

  async findById(id: string): Promise<CallBox | null> {
    const rows = await this.db.read<Row>(CallBoxesSql.findById(this.dialect, id));
    return rows.length > 0 ? toCallBox(rows[0]) : null;
  }

  /** The whole registry by id, a page at a time (not one snapshot: each row is as it was when its page was read). */
  async list(): Promise<CallBox[]> {
    const boxes: CallBox[] = [];
    for (;;) {
      const after = boxes.length === 0 ? undefined : boxes[boxes.length - 1].id;
      const page = await this.db.read<Row>(CallBoxesSql.listPage(this.dialect, LIST_PAGE_SIZE, after));
      for (const row of page) boxes.push(toCallBox(row));
      if (page.length < LIST_PAGE_SIZE) return boxes;
      await nextTurn();
    }
  }

  async countByConnection(connection: Connection): Promise<number> {
    const [row] = await this.db.read<{ n: number | string }>(CallBoxesSql.countByConnection(this.dialect, connection));
    return Number(row.n);
  }

  async listByConnection(connection: Connection, limit: number, after?: string): Promise<CallBox[]> {
    return (await this.db.read<Row>(CallBoxesSql.listByConnection(this.dialect, connection, limit, after))).map(toCallBox);
  }

  async countConnectedStates(now: number): Promise<ConnectedStates> {
    const [row] = await this.db.read<Record<keyof ConnectedStates, number | string>>(CallBoxesSql.countConnectedStates(this.dialect, now));
    return { connected: Number(row.connected), degraded: Number(row.degraded), working: Number(row.working) };
  }

  /**
   * Heartbeats kept in memory, in one unit; never moves a box's last heartbeat backwards. With
   * `returning`, returns the rows written, as the table holds them until the unit commits (each row
   * stays locked by its write until then); a row costs about 45 µs more on SQLite that way (more
   * than reading it), so only PostgreSQL, where it saves a round trip, asks for them.
   */
  async writeHeartbeats(batch: ReadonlyMap<string, BufferedHeartbeat>, returning: boolean): Promise<CallBox[]> {
    return this.db.unit(async (unit) => {
      const written: CallBox[] = [];
      // In byte order of the id, as every unit that locks several boxes does (the dispatcher's
      // round, the degraded marks): two of them can then never each hold the box the other waits
      // for (a deadlock; in arrival order it made a poll answer 500 during a failover).
      for (const [id, heartbeat] of [...batch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (!returning) {
          await unit.run(CallBoxesSql.writeBufferedHeartbeat(this.dialect, id, heartbeat));
          continue;
        }
        const { rows } = await unit.run<Row>(CallBoxesSql.writeBufferedHeartbeatReturning(this.dialect, id, heartbeat));
        if (rows.length > 0) written.push(toCallBox(rows[0]));
      }
      return written;
    });
  }

  /** A heartbeat written at once: a disconnected box's, which reconnects it. */
  writeHeartbeat(id: string, heartbeat: BufferedHeartbeat): Promise<{ box: CallBox; reconnected: boolean } | null> {
    return this.db.unit(async (unit) => {
      const reconnect = await unit.run(CallBoxesSql.reconnect(this.dialect, id));
      const { rows } = await unit.run<Row>(CallBoxesSql.writeHeartbeat(this.dialect, id, heartbeat));
      if (rows.length === 0) return null;
      const reconnected = reconnect.affected === 1;
      if (reconnected) await unit.run(CallBoxesSql.logEvents(this.dialect, [id], 'connected', heartbeat.at, { via: 'heartbeat' }));
      return { box: toCallBox(rows[0]), reconnected };
    });
  }

  async recordOutcome(unit: UnitOfWork, { callboxId, success, now, cooldownMs }: BoxOutcome): Promise<HealthChange | null> {
    // The common case, a success on a healthy box with no recent failure, cannot change whether it
    // is degraded (afterOutcome). Once its window is full of successes it changes nothing at all:
    // no write, and no lock on the box row that its other reports would queue behind. Skipping it
    // is the same as having applied it before any concurrent outcome.
    if (success) {
      const { rows } = await unit.run<Row>(CallBoxesSql.health(this.dialect, callboxId));
      if (rows.length === 0) return null;
      const health = toHealth(rows[0]);
      if (!isDegraded(health, now) && !health.recentOutcomes.includes('F')) {
        if (sameHealth(afterOutcome(health, true, now, cooldownMs), health)) return UNCHANGED;
        const { affected } = await unit.run(CallBoxesSql.recordCleanSuccess(this.dialect, callboxId, now));
        if (affected === 1) return UNCHANGED;
      }
    }
    const { rows } = await unit.run<Row>(CallBoxesSql.lockById(this.dialect, callboxId));
    if (rows.length === 0) return null;
    const before = toCallBox(rows[0]);
    const after = afterOutcome(before, success, now, cooldownMs);
    await unit.run(CallBoxesSql.writeHealth(this.dialect, callboxId, after));
    return { wasDegraded: isDegraded(before, now), isDegraded: isDegraded(after, now), reason: after.degradedReason };
  }

  async lockHealth(unit: UnitOfWork, callboxId: string): Promise<BoxHealth | null> {
    const { rows } = await unit.run<Row>(CallBoxesSql.lockHealth(this.dialect, callboxId));
    return rows.length > 0 ? toHealth(rows[0]) : null;
  }

  async lockForClaim(unit: UnitOfWork, callboxId: string): Promise<void> {
    const lock = CallBoxesSql.lockForClaim(this.dialect, callboxId);
    if (lock) await unit.run(lock);
  }

  /** The box's row read inside `unit` under its lock (PostgreSQL; SQLite's single writer needs none). */
  async lockedForClaim(unit: UnitOfWork, callboxId: string): Promise<CallBox | null> {
    const { rows } = await unit.run<Row>(CallBoxesSql.lockById(this.dialect, callboxId));
    return rows.length > 0 ? toCallBox(rows[0]) : null;
  }

  async lockForRound(unit: UnitOfWork, callboxIds: readonly string[]): Promise<void> {
    const lock = CallBoxesSql.lockInOrder(this.dialect, callboxIds);
    if (lock) await unit.run(lock);
  }

  async markDegraded(ids: readonly string[], reason: string, until: number, now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.unit(async (unit) => {
      // One UPDATE of several rows takes them in scan order: lock them in byte order first.
      await this.lockForRound(unit, ids);
      await unit.run(CallBoxesSql.markDegraded(this.dialect, ids, reason, until, now));
      await unit.run(CallBoxesSql.logEvents(this.dialect, ids, 'degraded', now, { reason, until: new Date(until).toISOString() }));
    });
  }

  markDisconnected(silentSince: number, now: number, limit: number): Promise<CallBox[]> {
    return this.db.unit(async (unit) => {
      const { rows } = await unit.run<Row>(CallBoxesSql.silentSince(this.dialect, silentSince, limit));
      const boxes = rows.map(toCallBox);
      if (boxes.length === 0) return [];
      const ids = boxes.map((box) => box.id);
      await unit.run(CallBoxesSql.markDisconnected(this.dialect, ids, now));
      await unit.run(CallBoxesSql.logEvents(this.dialect, ids, 'disconnected', now, { silentSince: new Date(silentSince).toISOString() }));
      return boxes.map((box) => ({ ...box, connection: 'disconnected' as const }));
    });
  }
}
