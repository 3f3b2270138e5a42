import type { Transaction } from './transaction';

/** The mutable part of a transaction and its columns: what a state change may write. */
export const MUTABLE_COLUMNS = {
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
} as const satisfies Partial<Record<keyof Transaction, string>>;

export type MutableField = keyof typeof MUTABLE_COLUMNS;
export type TransactionPatch = Partial<Pick<Transaction, MutableField>>;

/** `SET` clause and its parameters for the fields present in the patch. */
export function setClause(patch: TransactionPatch): { sql: string; params: unknown[] } {
  const fields = (Object.keys(patch) as MutableField[]).filter((field) => patch[field] !== undefined);
  return {
    sql: fields.map((field) => `${MUTABLE_COLUMNS[field]} = ?`).join(', '),
    params: fields.map((field) => {
      const value = patch[field];
      return field === 'result' && value !== null ? JSON.stringify(value) : value;
    }),
  };
}

/** The queue's order, and the indexes that hold it in that order (migration 1732600000000). */
export const QUEUE_ORDER = 'ORDER BY priority_rank, created_at, id';
export const QUEUE_INDEX = 'ix_transactions_queue';
export const BOX_QUEUE_INDEX = 'ix_transactions_box';
