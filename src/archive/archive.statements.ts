import { Dialect, placeholders } from '../database/dialect';
import { rowCount, Statement, statement } from '../database/statement';
import type { TransactionStatus, TransactionType } from '../transactions/transaction';
import { TRANSACTIONS_PRIMARY_KEY } from '../transactions/transactions.statements';

/** Final statuses: nothing moves a transaction out of them, so an archived row is never stale. */
export const ARCHIVABLE_STATUSES = ['completed', 'failed', 'expired'] as const satisfies readonly TransactionStatus[];

/** Every column of `transactions` and `transaction_events`, in the order the archive writes them. */
export const TRANSACTION_COLUMNS = [
  'id', 'type', 'phone_number', 'amount', 'pay_item_id', 'customer_name', 'customer_operator', 'priority', 'priority_rank',
  'status', 'assigned_to', 'retry_count', 'max_retries', 'result', 'source', 'idempotency_key', 'request_hash', 'created_at',
  'updated_at', 'assigned_at', 'started_at', 'completed_at', 'next_attempt_at', 'lease_expires_at', 'attempt', 'released_by',
  'released_until',
] as const;
export const EVENT_COLUMNS = ['id', 'transaction_id', 'from_status', 'to_status', 'actor', 'at', 'details'] as const;

export interface ArchiveCursor {
  createdAt: number;
  id: string;
}

export interface NewArchiveRun {
  id: string;
  file: string;
  beforeMs: number;
  owner: string;
  now: number;
}

const RUN_COLUMNS = 'id, file, before_ms, state, owner, transactions, events, sha256, deleted, started_at, heartbeat_at';

/**
 * Every statement of the archive (`npm run archive`): picking final transactions in bounded pages,
 * deleting exactly what a verified file holds, pruning the command journal, the run manifest
 * (`archive_runs`), and SQLite's incremental vacuum.
 */
export const ArchiveSql = {
  /**
   * The next page of archivable transactions of one status and type, created before `beforeMs`,
   * after `cursor` in (created_at, id) order: a range of ix_transactions_age (status, type,
   * created_at), so a page reads its own rows, never the table: the cursor's lower bound is a term
   * of its own (`created_at >= ?`), since a bound only inside an OR is no range (each page then
   * read again every row before it). A transaction whose outcome
   * callback is still undelivered stays until it is delivered (looked up by transaction, not
   * through ix_outbox_due, which would read the whole backlog of a receiver that is down).
   */
  page: (d: Dialect, status: TransactionStatus, type: TransactionType, beforeMs: number, cursor: ArchiveCursor | null, limit: number): Statement =>
    statement(
      `SELECT ${TRANSACTION_COLUMNS.join(', ')} FROM transactions t${d.indexedBy('ix_transactions_age')}
       WHERE t.status = ? AND t.type = ? AND t.created_at < ?${cursor ? ' AND t.created_at >= ? AND (t.created_at > ? OR t.id > ?)' : ''}
         AND NOT EXISTS (SELECT 1 FROM outbox o${d.indexedBy('ux_outbox_transaction_sequence')} WHERE o.transaction_id = t.id AND o.state = 'pending')
       ORDER BY t.created_at, t.id LIMIT ${rowCount(limit)}`,
      [status, type, beforeMs, ...(cursor ? [cursor.createdAt, cursor.createdAt, cursor.id] : [])],
    ),

  eventsOf: (_d: Dialect, transactionIds: readonly string[]): Statement =>
    statement(
      `SELECT ${EVENT_COLUMNS.join(', ')} FROM transaction_events WHERE transaction_id IN (${placeholders(transactionIds.length)})
       ORDER BY transaction_id, id`,
      transactionIds,
    ),

  /** Exactly the events the file lists, by their ids. */
  deleteEvents: (_d: Dialect, eventIds: readonly number[]): Statement =>
    statement(`DELETE FROM transaction_events WHERE id IN (${placeholders(eventIds.length)})`, eventIds),

  /**
   * Their delivered callbacks: a message still pending is never deleted. By transaction (without
   * statistics SQLite would take ix_outbox_due and read every delivered message).
   */
  deleteDeliveredOutbox: (d: Dialect, transactionIds: readonly string[]): Statement =>
    statement(`DELETE FROM outbox${d.indexedBy('ux_outbox_transaction_sequence')} WHERE transaction_id IN (${placeholders(transactionIds.length)}) AND state = 'delivered'`, transactionIds),

  /**
   * The transactions the file lists, still final (the counters' triggers take them out of the
   * counts). By primary key: given 30 ids and the three statuses, SQLite 3.53 without statistics
   * read every final row through ix_transactions_status_created instead (555 ms for 30 rows on a
   * million, against 2 ms).
   */
  deleteTransactions: (d: Dialect, transactionIds: readonly string[]): Statement =>
    statement(
      `DELETE FROM transactions${d.indexedBy(TRANSACTIONS_PRIMARY_KEY)} WHERE id IN (${placeholders(transactionIds.length)})
         AND status IN (${ARCHIVABLE_STATUSES.map((s) => `'${s}'`).join(', ')})`,
      transactionIds,
    ),

  /** The end of the next window of `limit` journal entries after `after` (primary key order): bounds each prune to a page. */
  journalWindowEnd: (_d: Dialect, after: { msisdn: string; transactionId: string } | null, limit: number): Statement =>
    statement(
      `SELECT msisdn, transaction_id FROM topup_command_journal${after ? ' WHERE (msisdn, transaction_id) > (?, ?)' : ''}
       ORDER BY msisdn, transaction_id LIMIT 1 OFFSET ${rowCount(limit - 1)}`,
      after ? [after.msisdn, after.transactionId] : [],
    ),

  /**
   * Answered commands (state done) last written before `beforeMs`, within one window of the
   * primary key. Running and unknown entries stay: an unknown one may have run at the operator.
   */
  pruneJournal: (
    _d: Dialect,
    after: { msisdn: string; transactionId: string } | null,
    end: { msisdn: string; transactionId: string } | null,
    beforeMs: number,
  ): Statement =>
    statement(
      `DELETE FROM topup_command_journal WHERE state = 'done' AND updated_at < ?
         ${after ? 'AND (msisdn, transaction_id) > (?, ?)' : ''} ${end ? 'AND (msisdn, transaction_id) <= (?, ?)' : ''}`,
      [beforeMs, ...(after ? [after.msisdn, after.transactionId] : []), ...(end ? [end.msisdn, end.transactionId] : [])],
    ),

  openRun: (_d: Dialect): Statement =>
    statement(`SELECT ${RUN_COLUMNS} FROM archive_runs WHERE open_slot = 'open'`),

  findRun: (_d: Dialect, id: string): Statement => statement(`SELECT ${RUN_COLUMNS} FROM archive_runs WHERE id = ?`, [id]),

  /** Fails on the unique open slot when another run is unfinished: two runs never write at once. */
  startRun: (_d: Dialect, run: NewArchiveRun): Statement =>
    statement(
      `INSERT INTO archive_runs (id, file, before_ms, state, open_slot, owner, started_at, heartbeat_at)
       VALUES (?, ?, ?, 'writing', 'open', ?, ?, ?)`,
      [run.id, run.file, run.beforeMs, run.owner, run.now, run.now],
    ),

  /** Takes over an unfinished run from an owner known to be gone; 0 rows when someone else did first. */
  takeOver: (_d: Dialect, id: string, from: string, owner: string, now: number): Statement =>
    statement(`UPDATE archive_runs SET owner = ?, heartbeat_at = ? WHERE id = ? AND owner = ? AND open_slot = 'open'`, [owner, now, id, from]),

  /** The owner is alive (a long verification or write between two units): only the time changes. */
  heartbeat: (_d: Dialect, id: string, owner: string, now: number): Statement =>
    statement(`UPDATE archive_runs SET heartbeat_at = ? WHERE id = ? AND owner = ?`, [now, id, owner]),

  /** The file is complete and verified: deleting may begin. */
  markWritten: (_d: Dialect, id: string, owner: string, counts: { transactions: number; events: number; sha256: string }, now: number): Statement =>
    statement(
      `UPDATE archive_runs SET state = 'deleting', transactions = ?, events = ?, sha256 = ?, heartbeat_at = ? WHERE id = ? AND owner = ?`,
      [counts.transactions, counts.events, counts.sha256, now, id, owner],
    ),

  /** Progress of the deletion, in the unit that deletes: a rerun starts after the last batch committed. */
  markDeleted: (_d: Dialect, id: string, owner: string, deleted: number, now: number): Statement =>
    statement(`UPDATE archive_runs SET deleted = ?, heartbeat_at = ? WHERE id = ? AND owner = ?`, [deleted, now, id, owner]),

  /** done, or abandoned (a file never completed: nothing of it was deleted). */
  finishRun: (_d: Dialect, id: string, owner: string, state: 'done' | 'abandoned', now: number): Statement =>
    statement(`UPDATE archive_runs SET state = ?, open_slot = NULL, heartbeat_at = ?, finished_at = ? WHERE id = ? AND owner = ?`, [
      state,
      now,
      now,
      id,
      owner,
    ]),

  /**
   * SQLite only, the archive command's own connection: commits without a flush to disk (WAL,
   * synchronous NORMAL; a checkpoint still flushes), and a 64 MiB page cache for the dozen indexes
   * each delete walks. Safe for the archive alone: a power cut can only undo its last deletes and,
   * in the same units, the manifest's progress, so the next run deletes them again. Under load a
   * flushed commit took up to 1.8 s, the whole while holding the write lock.
   */
  commandSession: (_d: Dialect): Statement[] => [statement('PRAGMA synchronous = NORMAL'), statement('PRAGMA cache_size = -65536')],

  /** SQLite only: the vacuum mode (0 none, 1 full, 2 incremental) and the free pages. */
  autoVacuum: (_d: Dialect): Statement => statement('PRAGMA auto_vacuum'),
  freePages: (_d: Dialect): Statement => statement('PRAGMA freelist_count'),
  /** Gives back at most `pages` free pages to the file system: one short step. */
  incrementalVacuum: (_d: Dialect, pages: number): Statement => statement(`PRAGMA incremental_vacuum(${Math.max(1, Math.floor(pages))})`),

  /** For the restore: one row into an audit database (ids kept; a row already there is left as it is). */
  restoreTransaction: (_d: Dialect, row: Record<string, unknown>): Statement =>
    statement(
      `INSERT INTO transactions (${TRANSACTION_COLUMNS.join(', ')}) VALUES (${placeholders(TRANSACTION_COLUMNS.length)}) ON CONFLICT (id) DO NOTHING`,
      TRANSACTION_COLUMNS.map((c) => row[c] ?? null),
    ),
  restoreEvent: (_d: Dialect, row: Record<string, unknown>): Statement =>
    statement(
      `INSERT INTO transaction_events (${EVENT_COLUMNS.join(', ')}) VALUES (${placeholders(EVENT_COLUMNS.length)}) ON CONFLICT (id) DO NOTHING`,
      EVENT_COLUMNS.map((c) => row[c] ?? null),
    ),
};
