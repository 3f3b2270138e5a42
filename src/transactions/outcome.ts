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

/**
 * The body sent for an outbox message: its stored payload with `sequence` (1, 2, ... per
 * transaction, in the order the outcomes were written) added last. The payload's own bytes are
 * kept as they are, so every attempt of a message sends the same body.
 */
export function outcomeMessageBody(payload: string, sequence: number): string {
  const object = payload.trim();
  if (!object.startsWith('{') || !object.endsWith('}')) throw new Error('An outcome payload is a JSON object');
  const fields = object.slice(1, -1);
  return `{${fields}${fields.trim() === '' ? '' : ','}"sequence":${sequence}}`;
}
