import { TRANSACTION_STATUSES, TransactionStatus, TransactionType } from './transaction';

/** One counter row: transactions of a type in a status (finished work: held by one box), and the sums behind the mean processing time. */
export interface CounterRow {
  type: TransactionType;
  status: TransactionStatus;
  /** The box of completed or failed work; '' for any other status. */
  callboxId: string;
  n: number;
  /** Completed transactions that recorded their start. */
  timed: number;
  /** The sum of their processing times (processing to completed). */
  processingMs: number;
}

/** What the stats, the metrics and the dispatcher read of the whole table. */
export interface TransactionCounters {
  byStatus: Record<TransactionStatus, number>;
  byTypeAndStatus: Array<{ type: TransactionType; status: TransactionStatus; count: number }>;
  /** Completed or failed transactions per box. */
  processedByBox: Map<string, number>;
  /** Mean time from processing to completed, over completed transactions that recorded a start. */
  meanProcessingMs: number | null;
}

export function countersFrom(rows: readonly CounterRow[]): TransactionCounters {
  const byStatus = Object.fromEntries(TRANSACTION_STATUSES.map((s) => [s, 0])) as Record<TransactionStatus, number>;
  const byTypeAndStatus = new Map<string, { type: TransactionType; status: TransactionStatus; count: number }>();
  const processedByBox = new Map<string, number>();
  let timed = 0;
  let processingMs = 0;
  for (const row of rows) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + row.n;
    const key = `${row.type}\u0000${row.status}`;
    const entry = byTypeAndStatus.get(key) ?? { type: row.type, status: row.status, count: 0 };
    entry.count += row.n;
    byTypeAndStatus.set(key, entry);
    if (row.callboxId !== '' && (row.status === 'completed' || row.status === 'failed')) {
      processedByBox.set(row.callboxId, (processedByBox.get(row.callboxId) ?? 0) + row.n);
    }
    timed += row.timed;
    processingMs += row.processingMs;
  }
  return {
    byStatus,
    byTypeAndStatus: [...byTypeAndStatus.values()].filter((entry) => entry.count !== 0),
    processedByBox,
    meanProcessingMs: timed === 0 ? null : Math.round(processingMs / timed),
  };
}
