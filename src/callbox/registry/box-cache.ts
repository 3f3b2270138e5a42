import type { CallBox } from './callbox';

/**
 * The bound on what a device request sees of a box: its row as the table held it at most this long
 * ago, or since the last write to it through this process (which drops the entry at once). So a
 * write this process did not make (another replica's heartbeat, degradation, re-registration or
 * dead-box sweep, an admin's maintenance or deactivation through another replica) shows here
 * within this. It only decides that a box gets *nothing*: a claim never trusts it (see
 * BufferedCallBoxRepository.lockedForClaim), so what it costs is a box served nothing, or an
 * answer's status, for this long at most.
 *
 * With replicas (PostgreSQL): half the heartbeat timeout, 15 s at most. A box heartbeating every I
 * through another replica shows here a last heartbeat at most (this + I + HEARTBEAT_FLUSH_MS) old,
 * under the 30 s timeout for any I under 14 s (the documents' interval is 10 s): it never looks
 * silent here for want of a fresh read. Each heartbeat flush renews the entries of the boxes it
 * wrote, so a box heartbeating through this replica still reads its row from no request. A third
 * (10 s, the interval itself) made almost every heartbeat miss its entry.
 */
export const BOX_CACHE_MS = 15_000;

/**
 * Alone (SQLite: one process, every write to `callboxes` goes through this process's registry and
 * drops the entry it concerns): the bound is only for a write made behind the app's back (an
 * operator's SQL on the file).
 */
export const SOLE_WRITER_BOX_CACHE_MS = 300_000;

export function boxCacheMs(heartbeatTimeoutMs: number, shared = true): number {
  return shared ? Math.min(BOX_CACHE_MS, Math.floor(heartbeatTimeoutMs / 2)) : SOLE_WRITER_BOX_CACHE_MS;
}

interface Entry {
  box: CallBox;
  at: number;
}

/** The writes that began since a row was read by another path (the rows the heartbeat flush's update returns). */
export interface CacheWatch {
  readonly at: number;
  readonly forgotten: Set<string>;
  all: boolean;
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
  private readonly watches = new Set<CacheWatch>();

  constructor(
    private readonly now: () => number,
    readonly ttlMs = BOX_CACHE_MS,
  ) {}

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
    for (const id of ids) {
      this.entries.delete(id);
      for (const watch of this.watches) watch.forgotten.add(id);
    }
  }

  /** A write whose boxes are not known in advance: everything is read again. */
  clear(): void {
    this.epoch += 1;
    this.entries.clear();
    for (const watch of this.watches) watch.all = true;
  }

  /**
   * Opened before a write that returns the rows it wrote (the heartbeat flush): those rows are the
   * table's state at `at` or later, and become entries through `refresh` unless a write to their box
   * began meanwhile. This is what keeps a heartbeating box's entry fresh without a read of its own:
   * each flush renews the entries of the boxes it wrote.
   */
  watch(): CacheWatch {
    const watch: CacheWatch = { at: this.now(), forgotten: new Set(), all: false };
    this.watches.add(watch);
    return watch;
  }

  /** The rows read under `watch`, kept as entries read at its start; the watch is closed. */
  refresh(watch: CacheWatch, boxes: Iterable<CallBox>): void {
    this.unwatch(watch);
    if (watch.all) return;
    for (const box of boxes) {
      if (watch.forgotten.has(box.id)) continue;
      const entry = this.entries.get(box.id);
      if (entry && entry.at > watch.at) continue;
      this.entries.set(box.id, { box, at: watch.at });
    }
  }

  /** The write failed: nothing it read is kept. */
  unwatch(watch: CacheWatch): void {
    this.watches.delete(watch);
  }

  /** A cached box changed in place by a write that cannot make it take more work (a heartbeat written). */
  update(id: string, change: (box: CallBox) => CallBox): void {
    const entry = this.entries.get(id);
    if (entry?.box) entry.box = change(entry.box);
  }

  /** Entries past their time, dropped (one sweep a second keeps 10 000 idle entries from lingering). */
  sweep(): void {
    const now = this.now();
    // forEach: an entries() loop builds an [id, entry] pair per box, 10 000 a second at 10 000 boxes.
    this.entries.forEach((entry, id) => {
      if (!this.fresh(entry, now)) this.entries.delete(id);
    });
  }

  /** Read within ttlMs; a clock set back makes every entry stale rather than everlasting. */
  private fresh(entry: Entry, now = this.now()): boolean {
    const age = now - entry.at;
    return age >= 0 && age <= this.ttlMs;
  }
}
