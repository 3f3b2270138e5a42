import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { TransactionRepository } from './transaction.repository';

/** How often the deltas are folded, and how many at most per statement and per beat. */
export const FOLD_INTERVAL_MS = 2_000;
export const FOLD_BATCH = 1_000;
const FOLD_BATCHES_PER_BEAT = 50;

/**
 * Folds the counters' deltas (PostgreSQL) in small batches, on every replica: each batch is one
 * short statement, deltas another replica is folding are skipped, and a read sums what is not yet
 * folded, so a slow or failed fold only makes reads sum a few more rows; it never makes them wrong.
 */
@Injectable()
export class CounterFolding implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TransactionCounters');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopping = false;

  constructor(
    private readonly transactions: TransactionRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // SQLite's triggers write the counters themselves.
    if (this.config.database.engine !== 'postgres') return;
    this.timer = setInterval(() => {
      this.running ??= this.foldBacklog().finally(() => (this.running = null));
    }, FOLD_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Batches back to back while each is full, at most FOLD_BATCHES_PER_BEAT; returns how many deltas it folded. */
  async foldBacklog(): Promise<number> {
    let total = 0;
    try {
      for (let i = 0; i < FOLD_BATCHES_PER_BEAT && !this.stopping; i++) {
        const folded = await this.transactions.foldCounterDeltas(FOLD_BATCH);
        total += folded;
        if (folded < FOLD_BATCH) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Folding the transaction counters failed; the next beat tries again');
    }
    return total;
  }
}
