import type { Transaction, TransactionEvent } from './transaction';

/** A row of `transactions` as either driver returns it (PostgreSQL gives BIGINT back as text). */
export type TransactionRow = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown): T | null => (typeof v === 'string' && v.length > 0 ? (JSON.parse(v) as T) : null);

export function toTransaction(row: TransactionRow): Transaction {
  const name = row.customer_name as string | null;
  const operator = row.customer_operator as string | null;
  return {
    id: row.id as string,
    type: row.type as Transaction['type'],
    phoneNumber: row.phone_number as string,
    amount: num(row.amount),
    payItemId: row.pay_item_id as string,
    customerInfo:
      name === null && operator === null
        ? null
        : { ...(name !== null && { name }), ...(operator !== null && { operator }) },
    priority: row.priority as Transaction['priority'],
    status: row.status as Transaction['status'],
    assignedTo: (row.assigned_to as string | null) ?? null,
    retryCount: Number(row.retry_count),
    maxRetries: Number(row.max_retries),
    result: json<Record<string, unknown>>(row.result),
    source: row.source as Transaction['source'],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    assignedAt: num(row.assigned_at),
    startedAt: num(row.started_at),
    completedAt: num(row.completed_at),
    nextAttemptAt: num(row.next_attempt_at),
    leaseExpiresAt: num(row.lease_expires_at),
    attempt: Number(row.attempt ?? 0),
    releasedBy: (row.released_by as string | null) ?? null,
    releasedUntil: num(row.released_until),
  };
}

export function toTransactionEvent(row: TransactionRow): TransactionEvent {
  return {
    transactionId: row.transaction_id as string,
    from: (row.from_status as TransactionEvent['from']) ?? null,
    to: row.to_status as TransactionEvent['to'],
    actor: row.actor as string,
    at: Number(row.at),
    details: json<Record<string, unknown>>(row.details),
  };
}
