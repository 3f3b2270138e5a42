import type { Transaction } from '../../transactions/transaction';
import type { TransactionDto, TransactionResponseDto } from './transaction.dto';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The answer to a submission: `whenCreated` for a new transaction, a replay note otherwise. */
export function toSubmissionResponse(
  submission: { transaction: Transaction; created: boolean },
  whenCreated: string,
): TransactionResponseDto {
  return {
    success: true,
    message: submission.created ? whenCreated : 'Transaction déjà reçue (Idempotency-Key)',
    transaction: toTransactionDto(submission.transaction),
  };
}

export function toTransactionDto(tx: Transaction): TransactionDto {
  return {
    id: tx.id,
    type: tx.type,
    phoneNumber: tx.phoneNumber,
    amount: tx.amount,
    payItemId: tx.payItemId,
    customerInfo: tx.customerInfo,
    priority: tx.priority,
    status: tx.status,
    createdAt: new Date(tx.createdAt).toISOString(),
    assignedTo: tx.assignedTo,
    retryCount: tx.retryCount,
    maxRetries: tx.maxRetries,
    updatedAt: new Date(tx.updatedAt).toISOString(),
    assignedAt: iso(tx.assignedAt),
    startedAt: iso(tx.startedAt),
    completedAt: iso(tx.completedAt),
    nextAttemptAt: iso(tx.nextAttemptAt),
    attempt: tx.attempt,
    result: tx.result,
  };
}
