import { Dialect, placeholders } from '../database/dialect';
import { rowCount, Statement, statement } from '../database/statement';
import type { TransactionStatus } from './transaction';

const KEY = 'type, status, callbox_id';

/**
 * The counters the stats and the metrics read (`transaction_counts`, kept by triggers: see the
 * TransactionCounters migration), and the counts still taken from `transactions`: those of open
 * work, bounded by an index to the rows in flight, never by the table's history.
 */
export const TransactionCountsSql = {
  /**
   * Every counter: folded and not yet folded deltas, summed in one statement so the read is exact
   * at its snapshot. A few dozen rows plus a few per box, whatever the size of `transactions`.
   */
  counters: (_d: Dialect): Statement =>
    statement(
      `SELECT ${KEY}, SUM(n) AS n, SUM(timed) AS timed, SUM(processing_ms) AS processing_ms FROM (
         SELECT ${KEY}, n, timed, processing_ms FROM transaction_counts
         UNION ALL SELECT ${KEY}, n, timed, processing_ms FROM transaction_count_deltas
       ) c GROUP BY ${KEY}`,
    ),

  inStatus: (_d: Dialect, status: TransactionStatus): Statement =>
    statement(
      `SELECT COALESCE(SUM(n), 0) AS n FROM (
         SELECT n FROM transaction_counts WHERE status = ? UNION ALL SELECT n FROM transaction_count_deltas WHERE status = ?
       ) c`,
      [status, status],
    ),

  /**
   * Folds the oldest `limit` deltas into the counters, in one statement. Deltas another folder
   * holds are skipped; counter rows are updated in byte order of their key, the order every folder
   * takes, so two folders on two replicas wait for each other but never deadlock.
   */
  fold: (d: Dialect, limit: number): Statement => {
    if (!d.writesInWith) throw new Error(`${d.engine} keeps its counters without deltas`);
    return statement(
      `WITH picked AS (
         DELETE FROM transaction_count_deltas WHERE id IN (SELECT id FROM transaction_count_deltas ORDER BY id LIMIT ${rowCount(limit)}${d.skipLocked})
         RETURNING ${KEY}, n, timed, processing_ms
       ), folded AS (
         INSERT INTO transaction_counts (${KEY}, n, timed, processing_ms)
         SELECT ${KEY}, SUM(n), SUM(timed), SUM(processing_ms) FROM picked GROUP BY ${KEY}
         ORDER BY ${d.byteOrder('type')}, ${d.byteOrder('status')}, ${d.byteOrder('callbox_id')}
         ON CONFLICT (${KEY}) DO UPDATE SET n = transaction_counts.n + excluded.n, timed = transaction_counts.timed + excluded.timed,
           processing_ms = transaction_counts.processing_ms + excluded.processing_ms
       )
       SELECT COUNT(*) AS n FROM picked`,
    );
  },

  inFlightByBox: (_d: Dialect): Statement =>
    statement(
      `SELECT assigned_to AS box, COUNT(*) AS n FROM transactions
       WHERE status IN ('assigned', 'processing') AND assigned_to IS NOT NULL GROUP BY assigned_to`,
    ),

  assignedTo: (_d: Dialect, callboxId: string, statuses: readonly TransactionStatus[]): Statement =>
    statement(`SELECT COUNT(*) AS n FROM transactions WHERE assigned_to = ? AND status IN (${placeholders(statuses.length)})`, [
      callboxId,
      ...statuses,
    ]),
};
