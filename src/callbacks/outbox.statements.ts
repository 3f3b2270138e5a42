import { Dialect, placeholders } from '../database/dialect';
import { rowCount, Statement, statement } from '../database/statement';

export interface NewOutboxMessage {
  transactionId: string;
  outcome: string;
  payload: string;
  at: number;
}

/** Every statement on `outbox`. */
export const OutboxSql = {
  /**
   * The messages of these outcomes, each numbered 1, 2, ... within its transaction (its
   * `sequence`). The number is taken in the statement: the writing unit already holds the
   * transaction's row, so two outcomes of one transaction never number at once.
   */
  insert: (_d: Dialect, messages: readonly NewOutboxMessage[]): Statement => {
    const next = `(SELECT COALESCE(MAX(sequence), 0) + 1 FROM outbox WHERE transaction_id = ?)`;
    return statement(
      `INSERT INTO outbox (transaction_id, outcome, payload, state, attempts, next_attempt_at, created_at, sequence) VALUES ${messages
        .map(() => `(?, ?, ?, 'pending', 0, ?, ?, ${next})`)
        .join(', ')}`,
      messages.flatMap((m) => [m.transactionId, m.outcome, m.payload, m.at, m.at, m.transactionId]),
    );
  },

  /**
   * Due messages nobody holds, only the earliest undelivered one of each transaction. An earlier
   * message still pending keeps its successors back, whether it is leased, backing off, or just
   * due. On PostgreSQL a snapshot can only see an earlier message as pending longer than it is
   * (delivered is final), never shorter: the check errs on waiting.
   */
  due: (d: Dialect, now: number, limit: number): Statement =>
    statement(
      `SELECT id, transaction_id, outcome, payload, attempts, sequence FROM outbox
       WHERE state = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?)
         AND NOT EXISTS (SELECT 1 FROM outbox earlier
           WHERE earlier.transaction_id = outbox.transaction_id AND earlier.sequence < outbox.sequence AND earlier.state = 'pending')
       ORDER BY next_attempt_at, id LIMIT ${rowCount(limit)}${d.skipLocked}`,
      [now, now],
    ),

  lease: (_d: Dialect, ids: readonly number[], until: number): Statement =>
    statement(`UPDATE outbox SET locked_until = ? WHERE id IN (${placeholders(ids.length)})`, [until, ...ids]),

  markDelivered: (_d: Dialect, id: number, now: number): Statement =>
    statement(
      `UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, locked_until = NULL, last_error = NULL WHERE id = ?`,
      [now, id],
    ),

  markFailed: (_d: Dialect, id: number, error: string, nextAttemptAt: number): Statement =>
    statement(`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, locked_until = NULL, last_error = ? WHERE id = ?`, [
      nextAttemptAt,
      error,
      id,
    ]),

  /** Stops at `cap` rows of the (state, next_attempt_at) index: bounded whatever the backlog. */
  countPending: (_d: Dialect, cap: number): Statement =>
    statement(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM outbox WHERE state = 'pending' LIMIT ${rowCount(cap)}) capped`),
};
