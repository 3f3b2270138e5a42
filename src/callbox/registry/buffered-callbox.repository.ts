import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Clock } from '../../common/clock/clock';
import { AppConfig } from '../../config/app-config';
import type { UnitOfWork } from '../../database/unit-of-work';
import type { BoxHealth } from './box-health';
import { BoxCache, boxCacheMs } from './box-cache';
import { BoxOutcome, CallBox, CallBoxRepository, ConnectedStates, Connection, HealthChange, Heartbeat, Registration } from './callbox';
import { BufferedHeartbeat, HEARTBEAT_FLUSH_MS, HeartbeatBuffer, withHeartbeat } from './heartbeat-buffer';
import { SqlCallBoxRepository } from './sql-callbox.repository';

/**
 * How long one read of the whole registry serves `list()` when nothing was written meanwhile
 * through this process. Another replica's writes show within this, as its heartbeats already do.
 */
export const LIST_REUSE_MS = 1_000;

/**
 * The registry the app uses: the stored boxes (SqlCallBoxRepository) with the heartbeats of the
 * last second kept in memory in front of them. It owns the buffer and its flush timer, shows every
 * read with the buffered heartbeat laid over it, and writes the buffer before judging which boxes
 * fell silent.
 */
@Injectable()
export class BufferedCallBoxRepository extends CallBoxRepository implements OnModuleDestroy {
  private readonly logger = new Logger('CallBoxRegistry');
  private readonly heartbeats = new HeartbeatBuffer();
  private readonly flusher: NodeJS.Timeout;
  /** Moves on every write through this registry: a listing read before it is not reused. */
  private version = 0;
  private listed: Listing | null = null;
  private readonly boxes: BoxCache;

  constructor(
    private readonly store: SqlCallBoxRepository,
    clock: Clock,
    config: AppConfig,
  ) {
    super();
    this.boxes = new BoxCache(() => clock.now(), boxCacheMs(config.heartbeatTimeoutMs, store.shared));
    this.flusher = setInterval(() => {
      this.boxes.sweep();
      this.flushHeartbeats().catch((error: unknown) => this.logger.warn({ err: error }, 'Heartbeats not written yet; retrying'));
    }, HEARTBEAT_FLUSH_MS);
    this.flusher.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.flusher);
    await this.flushHeartbeats();
  }

  /** Writes the heartbeats waiting in memory. */
  flushHeartbeats(): Promise<void> {
    return this.heartbeats.drain(async (batch) => {
      const watch = this.boxes.watch();
      let written: CallBox[];
      try {
        written = await this.store.writeHeartbeats(batch, this.store.shared);
      } catch (error) {
        this.boxes.unwatch(watch);
        throw error;
      }
      // Laid over the listing read before them, as they were while buffered: heartbeats alone
      // never make the fleet be read again.
      const listed = this.listed;
      if (listed) for (const [id, heartbeat] of batch) listed.written.set(id, heartbeat);
      for (const [id, heartbeat] of batch) this.boxes.update(id, (box) => withWritten(box, heartbeat));
      // With replicas, the rows written renew their boxes' entries (as read at the flush's start at
      // the latest): a box heartbeating through this process finds its entry at every request, and
      // a write made elsewhere (another replica's sweep marking it disconnected) shows after one flush.
      this.boxes.refresh(watch, written);
    });
  }

  register(registration: Registration, now: number): Promise<CallBox> {
    this.heartbeats.forget(registration.id);
    return this.changed(this.store.register(registration, now), [registration.id]);
  }

  /**
   * The box as a device request sees it: read at most boxCacheMs ago, or since the last write to
   * it through this process, with its buffered heartbeat laid over. Good enough to answer a request
   * and to decide that a box gets nothing; never enough to give it work: see lockedForClaim.
   */
  findById(id: string): Promise<CallBox | null> {
    // A cached box without the async frames of a read (every device request asks for its box).
    const cached = this.cachedById(id);
    if (cached !== undefined) return Promise.resolve(cached);
    return this.boxes.read(id, () => this.store.findById(id)).then((box) => box && this.heartbeats.overlay(box));
  }

  override cachedById(id: string): CallBox | undefined {
    const cached = this.boxes.get(id);
    return cached === undefined ? undefined : this.heartbeats.overlay(cached);
  }

  /**
   * The box read again inside the claim's unit, under its row lock (PostgreSQL: FOR UPDATE, which
   * waits for any other replica's write to the row and sees it; SQLite: inside the single writer's
   * transaction, which no other write can interleave with), with this process's buffered heartbeat
   * laid over. Whatever the cached box said, a claim is judged on this.
   */
  async lockedForClaim(unit: UnitOfWork, callboxId: string): Promise<CallBox | null> {
    const box = await this.store.lockedForClaim(unit, callboxId);
    return box && this.heartbeats.overlay(box);
  }

  /** How long a box's entry serves its requests (boxCacheMs). */
  get boxCacheMs(): number {
    return this.boxes.ttlMs;
  }

  /** A box found changed under the claim's lock: read afresh by its next request. */
  forgetBox(callboxId: string): void {
    this.boxes.forget([callboxId]);
  }

  /**
   * The whole fleet (stats, the console's overview). Reading every row costs about 20 µs a box
   * here: 10 000 boxes held the event loop 200 ms or more on each stats request, which any box may
   * send. Requests within LIST_REUSE_MS with no write between share one read.
   */
  async list(): Promise<CallBox[]> {
    const now = performance.now();
    let listed = this.listed;
    if (!listed || listed.version !== this.version || now - listed.at > LIST_REUSE_MS) {
      const fresh: Listing = { version: this.version, at: now, rows: this.store.list(), written: new Map() };
      this.listed = listed = fresh;
      fresh.rows.catch(() => {
        if (this.listed === fresh) this.listed = null;
      });
    }
    const { written } = listed;
    return (await listed.rows).map((box) => this.heartbeats.overlay(withWritten(box, written.get(box.id))));
  }

  countByConnection(connection: Connection): Promise<number> {
    return this.store.countByConnection(connection);
  }

  async listByConnection(connection: Connection, limit: number, after?: string): Promise<CallBox[]> {
    return (await this.store.listByConnection(connection, limit, after)).map((box) => this.heartbeats.overlay(box));
  }

  /** Counted in the table: the heartbeats waiting in memory (their words) are written first. */
  async countConnectedStates(now: number): Promise<ConnectedStates> {
    await this.flushHeartbeats();
    return this.store.countConnectedStates(now);
  }

  /** A connected box's heartbeat waits in memory; a disconnected box's is written at once, as its reconnection. */
  recordHeartbeat(id: string, heartbeat: Heartbeat, now: number): Promise<{ box: CallBox; reconnected: boolean } | null> {
    // The cached row as stored: the heartbeats are laid over it once, by putOver.
    const cached = this.boxes.get(id);
    if (cached !== undefined) return this.heartbeatOf(id, cached, heartbeat, now);
    return this.findById(id).then((known) => known && this.heartbeatOf(id, known, heartbeat, now));
  }

  private heartbeatOf(id: string, known: CallBox, heartbeat: Heartbeat, now: number): Promise<{ box: CallBox; reconnected: boolean } | null> {
    const buffered: BufferedHeartbeat = { ...heartbeat, at: now };
    if (known.connection === 'connected') {
      return Promise.resolve({ box: this.heartbeats.putOver(id, known, buffered), reconnected: false });
    }
    this.heartbeats.forget(id);
    return this.changed(this.store.writeHeartbeat(id, buffered), [id]);
  }

  async markDisconnected(silentSince: number, now: number, limit: number): Promise<CallBox[]> {
    // A heartbeat still in memory proves the box alive: write them before judging by the table.
    await this.flushHeartbeats();
    // Which boxes it marks is known only after: every cached box is read again if any was.
    const marked = await this.changed(this.store.markDisconnected(silentSince, now, limit), []);
    if (marked.length > 0) this.boxes.clear();
    return marked;
  }

  /**
   * Inside the report's unit, which may still roll back: the box is read again both now and once
   * the write is over, whatever its outcome (the health it wrote may degrade it).
   */
  recordOutcome(unit: UnitOfWork, outcome: BoxOutcome): Promise<HealthChange | null> {
    return this.changed(this.store.recordOutcome(unit, outcome), [outcome.callboxId]);
  }

  lockHealth(unit: UnitOfWork, callboxId: string): Promise<BoxHealth | null> {
    return this.store.lockHealth(unit, callboxId);
  }

  lockForClaim(unit: UnitOfWork, callboxId: string): Promise<void> {
    return this.store.lockForClaim(unit, callboxId);
  }

  lockForRound(unit: UnitOfWork, callboxIds: readonly string[]): Promise<void> {
    return this.store.lockForRound(unit, callboxIds);
  }

  markDegraded(ids: readonly string[], reason: string, until: number, now: number): Promise<void> {
    return this.changed(this.store.markDegraded(ids, reason, until, now), ids);
  }

  /** Before and after the write: a listing or a box read while it ran is not reused either. */
  private changed<T>(write: Promise<T>, ids: readonly string[]): Promise<T> {
    this.version += 1;
    this.boxes.forget(ids);
    return write.finally(() => {
      this.version += 1;
      this.boxes.forget(ids);
    });
  }
}

interface Listing {
  version: number;
  at: number;
  rows: Promise<CallBox[]>;
  /** Heartbeats written since the read began: the rows may predate them. */
  written: Map<string, BufferedHeartbeat>;
}

/** As the stored row after that heartbeat was written (which never moves a heartbeat backwards). */
function withWritten(box: CallBox, heartbeat: BufferedHeartbeat | undefined): CallBox {
  return heartbeat && heartbeat.at >= box.lastHeartbeatAt ? withHeartbeat(box, heartbeat) : box;
}
