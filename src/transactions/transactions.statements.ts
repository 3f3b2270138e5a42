import { Dialect, placeholders } from '../database/dialect';
import { rowCount, Statement, statement } from '../database/statement';
import type { MutableField, TransactionPatch, TransactionStatus, TransactionType } from './transaction';

/**
 * Every statement on `transactions`, as pure builders over a dialect. Writes that change a
 * transaction's status carry no RETURNING: the journal (transaction-events.statements.ts) adds
 * what it needs to write each row's event in the same statement or unit.
 */

/** The mutable part of a transaction and its columns: what a state change may write. */
const MUTABLE_COLUMNS: Record<MutableField, string> = {
  status: 'status',
  assignedTo: 'assigned_to',
  retryCount: 'retry_count',
  result: 'result',
  assignedAt: 'assigned_at',
  startedAt: 'started_at',
  completedAt: 'completed_at',
  nextAttemptAt: 'next_attempt_at',
  leaseExpiresAt: 'lease_expires_at',
  attempt: 'attempt',
  releasedBy: 'released_by',
  releasedUntil: 'released_until',
  updatedAt: 'updated_at',
};
export const MUTABLE_FIELDS = Object.keys(MUTABLE_COLUMNS) as MutableField[];

/** The queue's order, and the indexes that hold it in that order (migration 1732600000000). */
const QUEUE_ORDER = 'ORDER BY priority_rank, created_at, id';
export const QUEUE_INDEX = 'ix_transactions_queue';
export const BOX_QUEUE_INDEX = 'ix_transactions_box';
/** SQLite's name for the index of `transactions`' primary key (its first key constraint). */
export const TRANSACTIONS_PRIMARY_KEY = 'sqlite_autoindex_transactions_1';

/** `SET` clause and its parameters for the fields present in the patch. */
function setClause(patch: TransactionPatch): { sql: string; params: unknown[] } {
  const fields = (Object.keys(patch) as MutableField[]).filter((field) => patch[field] !== undefined);
  return {
    sql: fields.map((field) => `${MUTABLE_COLUMNS[field]} = ?`).join(', '),
    params: fields.map((field) => {
      const value = patch[field];
      return field === 'result' && value !== null ? JSON.stringify(value) : value;
    }),
  };
}

export interface NewTransactionRow {
  id: string;
  type: TransactionType;
  phoneNumber: string;
  amount: number | null;
  payItemId: string;
  customerName: string | null;
  customerOperator: string | null;
  priority: string;
  priorityRank: number;
  maxRetries: number;
  source: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  now: number;
}

/** Pending work of these types, each created since its own freshness bound. */
function freshTypes(types: readonly TransactionType[], freshSince: (type: TransactionType) => number) {
  return {
    sql: types.map(() => '(type = ? AND created_at >= ?)').join(' OR '),
    params: types.flatMap((type) => [type, freshSince(type)]),
  };
}

/** What a box's claim may take: types and freshness, operators, and not what it gave back a moment ago. */
interface ClaimFilter {
  callboxId: string;
  types: readonly TransactionType[];
  freshSince: (type: TransactionType) => number;
  operators: readonly string[] | null;
  now: number;
}

/** Pending work the box may claim, as one WHERE clause (the claim and its pre-check share it). */
function claimableBy(claim: ClaimFilter): { sql: string; params: unknown[] } {
  const fresh = freshTypes(claim.types, claim.freshSince);
  const filters = [`status = 'pending'`, `(${fresh.sql})`];
  const params: unknown[] = [...fresh.params];
  if (claim.operators) {
    filters.push(`LOWER(customer_operator) IN (${placeholders(claim.operators.length)})`);
    params.push(...claim.operators.map((o) => o.toLowerCase()));
  }
  // Work this box gave back a moment ago goes to other boxes first.
  filters.push('(released_by IS NULL OR released_by <> ? OR released_until IS NULL OR released_until <= ?)');
  params.push(claim.callboxId, claim.now);
  return { sql: filters.join(' AND '), params };
}

export const TransactionsSql = {
  insert: (_d: Dialect, row: NewTransactionRow): Statement =>
    statement(
      `INSERT INTO transactions (id, type, phone_number, amount, pay_item_id, customer_name, customer_operator,
         priority, priority_rank, status, retry_count, max_retries, source, idempotency_key, request_hash, created_at, updated_at)
       VALUES (${placeholders(17)})`,
      [
        row.id,
        row.type,
        row.phoneNumber,
        row.amount,
        row.payItemId,
        row.customerName,
        row.customerOperator,
        row.priority,
        row.priorityRank,
        'pending',
        0,
        row.maxRetries,
        row.source,
        row.idempotencyKey,
        row.requestHash,
        row.now,
        row.now,
      ],
    ),

  findById: (_d: Dialect, id: string): Statement => statement('SELECT * FROM transactions WHERE id = ?', [id]),

  /** The row, locked until the unit ends: the one read a state change is decided on. */
  lockById: (d: Dialect, id: string): Statement => statement(`SELECT * FROM transactions WHERE id = ?${d.forUpdate}`, [id]),

  findByIdempotencyKey: (_d: Dialect, key: string): Statement => statement('SELECT * FROM transactions WHERE idempotency_key = ?', [key]),

  /** Writes every mutable field of one transaction (a planned transition). */
  update: (_d: Dialect, id: string, patch: TransactionPatch): Statement => {
    const set = setClause(patch);
    return statement(`UPDATE transactions SET ${set.sql} WHERE id = ?`, [...set.params, id]);
  },

  /**
   * Writes the patch only if the transaction is still held by that box in that status and attempt:
   * a guarded step (compare-and-set) that needs no locked read first. No row written: it was not so.
   */
  updateIfHeld: (_d: Dialect, id: string, held: { status: TransactionStatus; assignedTo: string; attempt: number }, patch: TransactionPatch): Statement => {
    const set = setClause(patch);
    return statement(`UPDATE transactions SET ${set.sql} WHERE id = ? AND status = ? AND assigned_to = ? AND attempt = ?`, [
      ...set.params,
      id,
      held.status,
      held.assignedTo,
      held.attempt,
    ]);
  },

  /**
   * Whether a poll may find anything: one indexed read that answers most polls without a write.
   * On SQLite, `assigned`: whether any box holds work it has not started (with `queued` false, no
   * poll of any box can find anything, which the repository then remembers; PostgreSQL's other
   * replicas write, so it never does).
   */
  mayHaveWorkFor: (d: Dialect, callboxId: string): Statement =>
    statement(
      `SELECT EXISTS (SELECT 1 FROM transactions WHERE assigned_to = ? AND status = 'assigned') AS held,
              EXISTS (SELECT 1 FROM transactions WHERE status = 'pending') AS queued${
                d.engine === 'sqlite' ? `,\n              EXISTS (SELECT 1 FROM transactions WHERE status = 'assigned') AS assigned` : ''
              }`,
      [callboxId],
    ),

  /**
   * A box's assigned work (at most `limit`, in queue order) and, on every row, how many it has in
   * flight (assigned + processing): one statement for what a claim decides on. One row with only
   * `in_flight` (every other column null) when it holds nothing assigned.
   */
  heldAndInFlightOf: (d: Dialect, callboxId: string, limit: number): Statement =>
    statement(
      `SELECT held.*, counted.n AS in_flight
       FROM (SELECT COUNT(*) AS n FROM transactions WHERE assigned_to = ? AND status IN ('assigned', 'processing')) AS counted
       LEFT JOIN (SELECT * FROM transactions${d.indexedBy(BOX_QUEUE_INDEX)} WHERE assigned_to = ? AND status = 'assigned' ${QUEUE_ORDER} LIMIT ${rowCount(limit)}) AS held ON 1 = 1`,
      [callboxId, callboxId],
    ),

  /**
   * Assigns to the box the head of the queue it may take (its types, fresh, its operators, not
   * what it gave back a moment ago), skipping rows another unit holds.
   */
  claimPending: (d: Dialect, claim: ClaimFilter & { now: number; leaseMs: number; room: number }): Statement => {
    const claimable = claimableBy(claim);
    return statement(
      `UPDATE transactions SET status = 'assigned', assigned_to = ?, assigned_at = ?, lease_expires_at = ?, updated_at = ?, attempt = attempt + 1
       WHERE id IN (SELECT id FROM transactions${d.indexedBy(QUEUE_INDEX)} WHERE ${claimable.sql} ${QUEUE_ORDER} LIMIT ${rowCount(claim.room)}${d.skipLocked})`,
      [claim.callboxId, claim.now, claim.now + claim.leaseMs, claim.now, ...claimable.params],
    );
  },

  /**
   * The ids of the first `count` pending transactions the box's claim would take, in its order and
   * with its filter (claimPending): read before a claim, to see whether all of them are promised to
   * other polls.
   */
  claimableIds: (d: Dialect, claim: ClaimFilter & { now: number }, count: number): Statement => {
    const claimable = claimableBy(claim);
    return statement(
      `SELECT id FROM transactions${d.indexedBy(QUEUE_INDEX)} WHERE ${claimable.sql} ${QUEUE_ORDER} LIMIT ${rowCount(count)}`,
      claimable.params,
    );
  },

  /** The head of the queue for a dispatch round, skipping rows another unit holds. */
  queueWindow: (
    d: Dialect,
    types: readonly TransactionType[],
    freshSince: (type: TransactionType) => number,
    window: number,
  ): Statement => {
    const fresh = freshTypes(types, freshSince);
    return statement(
      `SELECT * FROM transactions${d.indexedBy(QUEUE_INDEX)} WHERE status = 'pending' AND (${fresh.sql}) ${QUEUE_ORDER} LIMIT ${rowCount(window)}${d.skipLocked}`,
      fresh.params,
    );
  },

  /** Every assignment of a round in one UPDATE (one round trip, not one per transaction); returns the ids written. */
  assignAll: (_d: Dialect, planned: ReadonlyArray<{ transactionId: string; callboxId: string; leaseUntil: number }>, now: number): Statement =>
    statement(
      `WITH planned (tx_id, box, lease) AS (VALUES ${planned.map(() => '(?, ?, CAST(? AS bigint))').join(', ')})
       UPDATE transactions SET status = 'assigned', assigned_to = planned.box, assigned_at = ?, lease_expires_at = planned.lease, updated_at = ?,
         attempt = transactions.attempt + 1
       FROM planned WHERE transactions.id = planned.tx_id AND transactions.status = 'pending'
       RETURNING id`,
      [...planned.flatMap((a) => [a.transactionId, a.callboxId, a.leaseUntil]), now, now],
    ),

  /** Assigned + processing work of each of these boxes. */
  inFlightOf: (_d: Dialect, callboxIds: readonly string[]): Statement =>
    statement(
      `SELECT assigned_to AS box, COUNT(*) AS n FROM transactions
       WHERE assigned_to IN (${placeholders(callboxIds.length)}) AND status IN ('assigned', 'processing')
       GROUP BY assigned_to`,
      [...callboxIds],
    ),

  /** The rows a sweep moves: its own index walked in order, so LIMIT stops the scan early; rows another unit holds are skipped. */
  sweepCandidates: (d: Dialect, from: TransactionStatus, match: SweepMatch, limit: number): Statement => {
    const { where, params, order } = matchClause(match);
    return statement(`SELECT * FROM transactions WHERE status = ? AND ${where} ${order} LIMIT ${rowCount(limit)}${d.skipLocked}`, [from, ...params]);
  },

  /** Moves these rows (still in `from`) with the patch. */
  updateMany: (d: Dialect, ids: readonly string[], from: TransactionStatus, patch: TransactionPatch): Statement => {
    const set = setClause(patch);
    // By key: without statistics SQLite would read every row of `from` through a status index.
    return statement(`UPDATE transactions${d.indexedBy(TRANSACTIONS_PRIMARY_KEY)} SET ${set.sql} WHERE id IN (${placeholders(ids.length)}) AND status = ?`, [
      ...set.params,
      ...ids,
      from,
    ]);
  },
};

export type SweepMatch =
  | { assignedToIn: readonly string[] }
  /** Held by any box the registry marks disconnected (however many: no list of ids). */
  | { assignedToDisconnected: true }
  /** Held by any connected box degraded at this time. */
  | { assignedToDegradedAt: number }
  | { leaseExpiredBefore: number }
  | { dueBefore: number }
  | { type: TransactionType; createdBefore: number };

function matchClause(match: SweepMatch): { where: string; params: unknown[]; order: string } {
  if ('assignedToIn' in match) {
    if (match.assignedToIn.length === 0) return { where: '1 = 0', params: [], order: '' };
    return { where: `assigned_to IN (${placeholders(match.assignedToIn.length)})`, params: [...match.assignedToIn], order: '' };
  }
  if ('assignedToDisconnected' in match) {
    return { where: "assigned_to IN (SELECT id FROM callboxes WHERE connection = 'disconnected')", params: [], order: '' };
  }
  if ('assignedToDegradedAt' in match) {
    return {
      where: "assigned_to IN (SELECT id FROM callboxes WHERE connection = 'connected' AND degraded_until > ?)",
      params: [match.assignedToDegradedAt],
      order: '',
    };
  }
  if ('createdBefore' in match) {
    return { where: 'type = ? AND created_at < ?', params: [match.type, match.createdBefore], order: 'ORDER BY created_at' };
  }
  if ('leaseExpiredBefore' in match) {
    return { where: 'lease_expires_at < ?', params: [match.leaseExpiredBefore], order: 'ORDER BY lease_expires_at' };
  }
  return { where: 'next_attempt_at <= ?', params: [match.dueBefore], order: 'ORDER BY next_attempt_at' };
}
