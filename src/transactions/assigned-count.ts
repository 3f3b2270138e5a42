import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { Transaction, TransactionEvent } from './transaction';
import { TransactionRepository } from './transaction.repository';
import { TransactionTransitions } from './transaction-transitions';

/**
 * How stale a box's count may get with respect to other replicas' changes (a claim through another
 * replica, a report sent there). A heartbeat only tells the box the figure; no work is given or
 * taken on it (a poll claims under the box's lock, and a degraded box's release counts afresh).
 */
export const ASSIGNED_RECOUNT_MS = 30_000;

/** Above this many boxes remembered, the counts are dropped (ids that name no box cannot fill memory). */
const MAX_BOXES = 100_000;

interface Read {
  /** A committed transition of this box's work (or of work whose box is not known) since the read began. */
  stale: boolean;
  answer: Promise<number>;
}

/**
 * How many transactions a box holds `assigned` (given to it, not started), for every heartbeat's
 * `pendingTransactions`. A fleet of 10 000 boxes heartbeats 1 000 times a second and almost every
 * box holds nothing, so each box's count is read at most once per ASSIGNED_RECOUNT_MS and dropped
 * by any committed transition of this process into or out of `assigned` for that box (or, when the
 * box is not known, for all): exact on a single replica, where every transition is this process's;
 * other replicas' changes show within ASSIGNED_RECOUNT_MS. A read under way when such a transition
 * is published is answered but not kept (it may predate the commit), and a read begun after the
 * publication sees the commit, which precedes it.
 */
@Injectable()
export class AssignedCount {
  private readonly counts = new Map<string, { n: number; at: number }>();
  private readonly reads = new Map<string, Read>();

  constructor(
    private readonly transactions: TransactionRepository,
    transitions: TransactionTransitions,
  ) {
    transitions.subscribe((events, changed) => this.follow(events, changed));
  }

  current(callboxId: string): Promise<number> {
    const counted = this.counted(callboxId);
    return counted !== undefined ? Promise.resolve(counted) : this.read(callboxId);
  }

  /** The count when one is kept, else undefined (then `current` reads): a heartbeat answers without an await. */
  counted(callboxId: string): number | undefined {
    const counted = this.counts.get(callboxId);
    return counted && performance.now() - counted.at < ASSIGNED_RECOUNT_MS ? counted.n : undefined;
  }

  private read(callboxId: string): Promise<number> {
    const under = this.reads.get(callboxId);
    if (under && !under.stale) return under.answer;
    const at = performance.now();
    const read: Read = { stale: false, answer: this.transactions.countAssignedTo(callboxId, ['assigned']) };
    this.reads.set(callboxId, read);
    const done = () => {
      if (this.reads.get(callboxId) === read) this.reads.delete(callboxId);
    };
    read.answer.then((n) => {
      done();
      if (read.stale) return;
      if (this.counts.size >= MAX_BOXES) this.counts.clear();
      this.counts.set(callboxId, { n, at });
    }, done);
    return read.answer;
  }

  private follow(events: readonly TransactionEvent[], changed: readonly Transaction[]): void {
    events.forEach((event, i) => {
      if (event.from !== 'assigned' && event.to !== 'assigned') return;
      const tx = changed[i]?.id === event.transactionId ? changed[i] : changed.find((c) => c.id === event.transactionId);
      // Work leaving `assigned` back to the queue no longer names the box that held it.
      const box = tx?.assignedTo;
      if (box) this.forget(box);
      else this.forgetAll();
    });
  }

  private forget(callboxId: string): void {
    this.counts.delete(callboxId);
    const read = this.reads.get(callboxId);
    if (read) read.stale = true;
  }

  private forgetAll(): void {
    this.counts.clear();
    for (const read of this.reads.values()) read.stale = true;
  }
}
