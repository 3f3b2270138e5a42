import type { CallBox, Heartbeat } from './callbox';

export interface BufferedHeartbeat extends Heartbeat {
  at: number;
}

/** How long a heartbeat may wait in memory before it is written (a crash loses at most this much). */
export const HEARTBEAT_FLUSH_MS = 1_000;

/**
 * The latest heartbeat of each box not yet written. A heartbeat only refreshes liveness columns
 * that are read in seconds (the dead-box timeout is a minute or more), so they are written
 * together, once per HEARTBEAT_FLUSH_MS, instead of one fsync'd transaction each. Reads of this
 * process see them at once through `overlay`.
 */
export class HeartbeatBuffer {
  private waiting = new Map<string, BufferedHeartbeat>();
  private writing = new Map<string, BufferedHeartbeat>();
  /** Settles when the last drain started has ended; never rejects (each caller gets its own outcome). */
  private draining: Promise<void> = Promise.resolve();
  private drainsInFlight = 0;

  get size(): number {
    return this.waiting.size;
  }

  /** A heartbeat without queueSize or metrics keeps those of the one it replaces (as the stored row does). */
  put(id: string, heartbeat: BufferedHeartbeat): void {
    this.waiting.set(id, kept(this.waiting.get(id) ?? this.writing.get(id), heartbeat));
  }

  /**
   * put, answering the box as `overlay` shows it afterwards: built with one copy of the box, where
   * laying the replaced heartbeat over it and then the new one made two on every heartbeat.
   */
  putOver(id: string, box: CallBox, heartbeat: BufferedHeartbeat): CallBox {
    const previous = this.waiting.get(id) ?? this.writing.get(id);
    const waiting = kept(previous, heartbeat);
    this.waiting.set(id, waiting);
    return withHeartbeat(box, waiting, previous?.at);
  }

  /** Dropped when the box is written another way, so an older heartbeat never lands after it. */
  forget(id: string): void {
    this.waiting.delete(id);
  }

  /**
   * Hands the waiting heartbeats to `write`; if it fails they wait again, unless a newer one came.
   * Drains run one after another, so a caller that awaits one knows every earlier heartbeat is written.
   */
  drain(write: (batch: ReadonlyMap<string, BufferedHeartbeat>) => Promise<void>): Promise<void> {
    const run = () => this.drainOnce(write);
    const next = this.drainsInFlight > 0 ? this.draining.then(run) : run();
    this.drainsInFlight += 1;
    const settled = () => {
      this.drainsInFlight -= 1;
    };
    this.draining = next.then(settled, settled);
    return next;
  }

  private async drainOnce(write: (batch: ReadonlyMap<string, BufferedHeartbeat>) => Promise<void>): Promise<void> {
    if (this.waiting.size === 0) return;
    const batch = this.waiting;
    this.writing = batch;
    this.waiting = new Map();
    try {
      await write(batch);
    } catch (error) {
      for (const [id, heartbeat] of batch) if (!this.waiting.has(id)) this.waiting.set(id, heartbeat);
      throw error;
    } finally {
      this.writing = new Map();
    }
  }

  /** The box as this process knows it: its stored row with any heartbeat not yet written. */
  overlay(box: CallBox): CallBox {
    const heartbeat = this.waiting.get(box.id) ?? this.writing.get(box.id);
    return heartbeat ? withHeartbeat(box, heartbeat) : box;
  }
}

/** `earlierAt`: the time of a heartbeat this one replaced, which the box was last heard at if later (a clock set back). */
export function withHeartbeat(box: CallBox, heartbeat: BufferedHeartbeat, earlierAt = heartbeat.at): CallBox {
  return {
    ...box,
    reportedStatus: heartbeat.reportedStatus,
    queueSize: heartbeat.queueSize ?? box.queueSize,
    metrics: heartbeat.metrics ?? box.metrics,
    lastHeartbeatAt: Math.max(box.lastHeartbeatAt, heartbeat.at, earlierAt),
  };
}

/** A heartbeat without queueSize or metrics keeps those of the one it replaces. */
function kept(previous: BufferedHeartbeat | undefined, heartbeat: BufferedHeartbeat): BufferedHeartbeat {
  return previous ? { ...heartbeat, queueSize: heartbeat.queueSize ?? previous.queueSize, metrics: heartbeat.metrics ?? previous.metrics } : heartbeat;
}
