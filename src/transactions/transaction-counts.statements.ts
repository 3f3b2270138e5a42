import { Dialect, placeholders } from '../database/dialect';
import { Statement, statement } from '../database/statement';
import type { TransactionStatus } from './transaction';

/** The counts the stats, the metrics and the dispatcher read from `transactions`. */
export const TransactionCountsSql = {
  byStatus: (_d: Dialect): Statement => statement('SELECT status, COUNT(*) AS n FROM transactions GROUP BY status'),

  byTypeAndStatus: (_d: Dialect): Statement => statement('SELECT type, status, COUNT(*) AS n FROM transactions GROUP BY type, status'),

  /** Mean time from processing to completed, over completed transactions that recorded a start. */
  meanProcessingMs: (_d: Dialect): Statement =>
    statement(`SELECT AVG(completed_at - started_at) AS mean FROM transactions WHERE status = 'completed' AND started_at IS NOT NULL`),

  inFlightByBox: (_d: Dialect): Statement =>
    statement(
      `SELECT assigned_to AS box, COUNT(*) AS n FROM transactions
       WHERE status IN ('assigned', 'processing') AND assigned_to IS NOT NULL GROUP BY assigned_to`,
    ),

  inStatus: (_d: Dialect, status: TransactionStatus): Statement => statement('SELECT COUNT(*) AS n FROM transactions WHERE status = ?', [status]),

  assignedTo: (_d: Dialect, callboxId: string, statuses: readonly TransactionStatus[]): Statement =>
    statement(`SELECT COUNT(*) AS n FROM transactions WHERE assigned_to = ? AND status IN (${placeholders(statuses.length)})`, [
      callboxId,
      ...statuses,
    ]),

  processedByBox: (_d: Dialect): Statement =>
    statement(
      `SELECT assigned_to AS box, COUNT(*) AS n FROM transactions
       WHERE status IN ('completed', 'failed') AND assigned_to IS NOT NULL GROUP BY assigned_to`,
    ),
};
