import type { NewTransaction, Transaction, TransactionEvent, TransactionStatus, TransactionType } from './transaction';
import type { TransitionStep } from './transaction-state-machine';

export interface IdempotencyClaim {
  /** Already namespaced by the caller's identity, so two callers never share a key. */
  key: string;
  requestHash: string;
}

export interface BoxClaim {
  callboxId: string;
  /** At most this many transactions in the answer. */
  limit: number;
  /** At most this many assigned + processing at once for the box. */
  maxConcurrent: number;
  types: readonly TransactionType[];
  /** When the box declared operators, only their transactions; null means any. */
  operators: readonly string[] | null;
  leaseMs: number;
  now: number;
}

/**
 * The transactions table and its audit trail, shared by every module. Each state change and its
 * event are written in one database transaction.
 */
export abstract class TransactionRepository {
  abstract create(
    input: NewTransaction,
    actor: string,
    now: number,
    idempotency?: IdempotencyClaim,
  ): Promise<{ transaction: Transaction; created: boolean }>;

  abstract findById(id: string): Promise<Transaction | null>;

  /**
   * Applies the step that `plan` decides from the current row, read under a lock; `plan` returns
   * null for a no-op and may throw a domain error to refuse.
   */
  abstract transition(
    id: string,
    plan: (current: Transaction) => TransitionStep | null,
  ): Promise<{ transaction: Transaction; changed: boolean }>;

  /** The box's assigned work plus newly claimed pending work, atomically, never over its limits. */
  abstract claimForBox(claim: BoxClaim): Promise<Transaction[]>;

  abstract countByStatus(): Promise<Record<TransactionStatus, number>>;

  abstract countInStatus(status: TransactionStatus): Promise<number>;

  abstract countAssignedTo(callboxId: string, statuses: readonly TransactionStatus[]): Promise<number>;

  /** Completed or failed transactions per box, for the stats. */
  abstract countProcessedByBox(): Promise<Map<string, number>>;

  abstract listEvents(transactionId: string): Promise<TransactionEvent[]>;
}
