import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { TransactionRepository } from './transaction.repository';
import { TransactionTransitions } from './transaction-transitions';

/** How stale the count may get with respect to other replicas' changes. */
export const PENDING_RECOUNT_MS = 1_000;

/**
 * How many transactions are pending, for the total every poll and heartbeat answers with.
 *
 * Counting is a scan of the queue, and polls arrive by the thousand per second. So the database
 * count is taken at most once per PENDING_RECOUNT_MS and kept current in between from this
 * process's own committed transitions: exact on a single replica, and other replicas' changes
 * show within a second.
 */
@Injectable()
export class PendingCount {
  private counted = 0;
  private changedSince = 0;
  private countedAt = Number.NEGATIVE_INFINITY;
  private recount: Promise<void> | null = null;

  constructor(
    private readonly transactions: TransactionRepository,
    transitions: TransactionTransitions,
  ) {
    transitions.subscribe((events) => {
      for (const event of events) {
        if (event.to === 'pending') this.changedSince += 1;
        if (event.from === 'pending') this.changedSince -= 1;
      }
    });
  }

  async current(): Promise<number> {
    if (performance.now() - this.countedAt >= PENDING_RECOUNT_MS) await this.refresh();
    return this.total();
  }

  /** The total when the count is fresh, else undefined (then `current` counts): a heartbeat answers without an await. */
  currentNow(): number | undefined {
    return performance.now() - this.countedAt < PENDING_RECOUNT_MS ? this.total() : undefined;
  }

  private total(): number {
    return Math.max(0, this.counted + this.changedSince);
  }

  private refresh(): Promise<void> {
    this.recount ??= (async () => {
      const before = this.changedSince;
      try {
        this.counted = await this.transactions.countInStatus('pending');
        // Changes committed while the count ran are kept; those before it are in the count.
        this.changedSince -= before;
        this.countedAt = performance.now();
      } finally {
        this.recount = null;
      }
    })();
    return this.recount;
  }
}
