import type { Transaction, TransactionStatus } from './transaction';

/** The states the main system is told about through the outcome callback. */
export const OUTCOME_STATUSES: readonly TransactionStatus[] = ['completed', 'failed', 'needs_review', 'expired'];

export const isOutcome = (status: TransactionStatus) => OUTCOME_STATUSES.includes(status);

/** What the main system receives for an outcome: enough to settle the customer's order. */
export function outcomePayload(tx: Transaction, at: number): Record<string, unknown> {
  return {
    event: `transaction.${tx.status}`,
    transactionId: tx.id,
    status: tx.status,
    type: tx.type,
    phoneNumber: tx.phoneNumber,
    amount: tx.amount,
    payItemId: tx.payItemId,
    customerInfo: tx.customerInfo,
    assignedTo: tx.assignedTo,
    retryCount: tx.retryCount,
    result: tx.result,
    occurredAt: new Date(at).toISOString(),
  };
}
