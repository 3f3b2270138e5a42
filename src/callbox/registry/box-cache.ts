import type { CallBox } from './callbox';

/**
 * How long one read of a box serves the device requests that name it (its polls, heartbeats,
 * config reads) when nothing was written to it meanwhile through this process. A box of the fleet
 * sends a request every 7 s or so (a heartbeat every 10 s, a long poll every 20 s): an entry kept
 * 1 s was almost never read twice. Another replica's writes (its heartbeats of the box among them)
 * show within this, so it stays well under the heartbeat timeout (a third of it at most): a box
 * heartbeating through another replica never looks silent here for want of a fresh read. A claim
 * never trusts it (see BufferedCallBoxRepository.lockedForClaim).
 */
export const BOX_CACHE_MS = 10_000;

export function boxCacheMs(heartbeatTimeoutMs: number): number {
  return Math.min(BOX_CACHE_MS, Math.floor(heartbeatTimeoutMs / 3));
}

interface Entry {
  box: CallBox;
  at: number;
}

/**
 * The boxes read in the last BOX_CACHE_MS, by id: 10 000 boxes send about 1 500 requests a second,
 * each of which read its box row (`CallBoxesSql.findById`, about 50 µs of an idle
 * poll) before this. A read that was under way while the box was written is not kept (`epoch`), so
 * an entry is never older than the last write through this process.
 */
export class BoxCache {
  private readonly entries = new Map<string, Entry>();
  private epoch = 0;

  constructor(private readonly now: () => number, private readonly ttlMs = BOX_CACHE_MS) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached box, or undefined when it must be read. */
  get(id: string): CallBox | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (!this.fresh(entry)) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.box;
  }

  /**
   * Reads through `read` unless cached; what a read returns is kept only if no write began meanwhile.
   * A box not found is not kept: it may be registering through another replica right now (its next
   * request must not be refused for 10 s), and ids that name no box would fill the cache.
   */
  async read(id: string, read: () => Promise<CallBox | null>): Promise<CallBox | null> {
    const cached = this.get(id);
    if (cached !== undefined) return cached;
    const epoch = this.epoch;
    const at = this.now();
    const box = await read();
    if (box && epoch === this.epoch) this.entries.set(id, { box, at });
    return box;
  }

  /** A write to these boxes begins or ended: their entries, and any read under way, are dropped. */
  forget(ids: Iterable<string>): void {
    this.epoch += 1;
    for (const id of ids) this.entries.delete(id);
  }

  /** A write whose boxes are not known in advance: everything is read again. */
  clear(): void {
    this.epoch += 1;
    this.entries.clear();
  }

  /** A cached box changed in place by a write that cannot make it take more work (a heartbeat written). */
  update(id: string, change: (box: CallBox) => CallBox): void {
    const entry = this.entries.get(id);
    if (entry?.box) entry.box = change(entry.box);
  }

  /** Entries past their time, dropped (one sweep a second keeps 10 000 idle entries from lingering). */
  sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (!this.fresh(entry, now)) this.entries.delete(id);
  }

  /** Read within ttlMs; a clock set back makes every entry stale rather than everlasting. */
  private fresh(entry: Entry, now = this.now()): boolean {
    const age = now - entry.at;
    return age >= 0 && age <= this.ttlMs;
  }
}
