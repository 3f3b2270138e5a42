import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { UnitOfWork } from '../../database/unit-of-work';
import type { BoxHealth } from './box-health';
import { BoxOutcome, CallBox, CallBoxRepository, Connection, HealthChange, Heartbeat, Registration } from './callbox';
import { BufferedHeartbeat, HEARTBEAT_FLUSH_MS, HeartbeatBuffer, withHeartbeat } from './heartbeat-buffer';
import { SqlCallBoxRepository } from './sql-callbox.repository';

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

  constructor(private readonly store: SqlCallBoxRepository) {
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

  /** Writes the heartbeats waiting in memory. */
  flushHeartbeats(): Promise<void> {
    return this.heartbeats.drain((batch) => this.store.writeHeartbeats(batch));
  }

  register(registration: Registration, now: number): Promise<CallBox> {
    this.heartbeats.forget(registration.id);
    return this.store.register(registration, now);
  }

  async findById(id: string): Promise<CallBox | null> {
    const box = await this.store.findById(id);
    return box && this.heartbeats.overlay(box);
  }

  async list(): Promise<CallBox[]> {
    return (await this.store.list()).map((box) => this.heartbeats.overlay(box));
  }

  async listByConnection(connection: Connection, limit: number): Promise<CallBox[]> {
    return (await this.store.listByConnection(connection, limit)).map((box) => this.heartbeats.overlay(box));
  }

  /** A connected box's heartbeat waits in memory; a disconnected box's is written at once, as its reconnection. */
  async recordHeartbeat(id: string, heartbeat: Heartbeat, now: number): Promise<{ box: CallBox; reconnected: boolean } | null> {
    const known = await this.findById(id);
    if (!known) return null;
    const buffered: BufferedHeartbeat = { ...heartbeat, at: now };
    if (known.connection === 'connected') {
      this.heartbeats.put(id, buffered);
      return { box: withHeartbeat(known, buffered), reconnected: false };
    }
    this.heartbeats.forget(id);
    return this.store.writeHeartbeat(id, buffered);
  }

  async markDisconnected(silentSince: number, now: number, limit: number): Promise<CallBox[]> {
    // A heartbeat still in memory proves the box alive: write them before judging by the table.
    await this.flushHeartbeats();
    return this.store.markDisconnected(silentSince, now, limit);
  }

  recordOutcome(unit: UnitOfWork, outcome: BoxOutcome): Promise<HealthChange | null> {
    return this.store.recordOutcome(unit, outcome);
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
    return this.store.markDegraded(ids, reason, until, now);
  }
}
