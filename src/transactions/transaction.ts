/** The transaction as the domain sees it; persistence maps rows to this, controllers map it to DTOs. */
export const TRANSACTION_TYPES = ['recharge', 'voucher', 'deposit', 'withdraw'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Stored beside the priority so the claim can order by an indexed integer. */
export const PRIORITY_RANK: Record<Priority, number> = { high: 1, normal: 2, low: 3 };

/**
 * The six statuses of the CallBox spec, plus needs_review for work a dead box may have executed and
 * expired for work no box took in time.
 */
export const TRANSACTION_STATUSES = [
  'pending',
  'assigned',
  'processing',
  'completed',
  'failed',
  'retry',
  'needs_review',
  'expired',
] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

export type TransactionSource = 'callbox' | 'main';

export interface CustomerInfo {
  name?: string;
  operator?: string;
}

export interface Transaction {
  id: string;
  type: TransactionType;
  phoneNumber: string;
  amount: number | null;
  payItemId: string;
  customerInfo: CustomerInfo | null;
  priority: Priority;
  status: TransactionStatus;
  assignedTo: string | null;
  retryCount: number;
  maxRetries: number;
  result: Record<string, unknown> | null;
  source: TransactionSource;
  createdAt: number;
  updatedAt: number;
  assignedAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  nextAttemptAt: number | null;
  leaseExpiresAt: number | null;
  /** How many times it was assigned: the number of the current assignment while a box holds it. */
  attempt: number;
  /** The last box that gave it back (a hand-back, or a failure not charged to the customer). */
  releasedBy: string | null;
  /** Until then, `releasedBy` is not offered it again. */
  releasedUntil: number | null;
}

export interface NewTransaction {
  type: TransactionType;
  phoneNumber: string;
  amount: number | null;
  payItemId: string;
  customerInfo: CustomerInfo | null;
  priority: Priority;
  maxRetries: number;
  source: TransactionSource;
}

export interface TransactionEvent {
  transactionId: string;
  from: TransactionStatus | null;
  to: TransactionStatus;
  /** Who caused it: `callbox:<id>`, `dispatcher`, `admin`, `main-system`. */
  actor: string;
  at: number;
  details: Record<string, unknown> | null;
}

/** What a state change may write of a transaction. */
export type MutableField =
  | 'status'
  | 'assignedTo'
  | 'retryCount'
  | 'result'
  | 'assignedAt'
  | 'startedAt'
  | 'completedAt'
  | 'nextAttemptAt'
  | 'leaseExpiresAt'
  | 'attempt'
  | 'releasedBy'
  | 'releasedUntil'
  | 'updatedAt';

export type TransactionPatch = Partial<Pick<Transaction, MutableField>>;
