import { illegalTransition, notAssignedToCallBox, notInReview } from './transaction-errors';
import type { Transaction, TransactionStatus } from './transaction';

/**
 * Every legal move of the lifecycle (DESIGN.md). Money moves when a box runs the USSD, so nothing
 * leaves `processing` back to the queue: a dead box's work goes to `needs_review` instead.
 */
const TRANSITIONS: Readonly<Record<TransactionStatus, readonly TransactionStatus[]>> = {
  pending: ['assigned', 'expired'],
  assigned: ['processing', 'completed', 'failed', 'retry', 'pending'],
  processing: ['completed', 'failed', 'retry', 'needs_review'],
  retry: ['pending'],
  needs_review: ['completed', 'failed', 'retry'],
  completed: [],
  failed: [],
  expired: [],
};

export const FINAL_STATUSES: readonly TransactionStatus[] = ['completed', 'failed', 'expired'];

export function canTransition(from: TransactionStatus, to: TransactionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** What a box may report; `pending` hands back work it has not started. */
export const DEVICE_REPORTABLE_STATUSES = ['processing', 'completed', 'failed', 'pending'] as const;

export interface TransitionStep {
  to: TransactionStatus;
  patch: Partial<Pick<
    Transaction,
    'assignedTo' | 'retryCount' | 'result' | 'assignedAt' | 'startedAt' | 'completedAt' | 'nextAttemptAt' | 'leaseExpiresAt'
  >>;
  actor: string;
  at: number;
  details: Record<string, unknown> | null;
}

export interface DeviceReport {
  callboxId: string;
  status: TransactionStatus;
  result: Record<string, unknown> | null;
  now: number;
  /** The box's lease on work it has started. */
  leaseMs: number;
  /** Delay before the next attempt, given the retry count after this failure. */
  retryDelayMs: (retryCount: number) => number;
}

/**
 * Decides what a box's status report does to a transaction: a step to apply, or null when it
 * repeats what is already recorded (a lost response retried by the firmware is a 200 no-op).
 */
export function planDeviceReport(tx: Transaction, report: DeviceReport): TransitionStep | null {
  const { callboxId, status, now } = report;
  if (tx.assignedTo !== null && tx.assignedTo !== callboxId) throw notAssignedToCallBox(tx.id, callboxId);
  if (status === tx.status) return null;
  // The box's failure already became a retry: its repeated report changes nothing.
  if (status === 'failed' && tx.status === 'retry') return null;
  if (tx.assignedTo === null) throw notAssignedToCallBox(tx.id, callboxId);

  const actor = `callbox:${callboxId}`;
  const reported = { reportedStatus: status };
  switch (status) {
    case 'processing':
      return step(tx, 'processing', { startedAt: now, leaseExpiresAt: now + report.leaseMs }, actor, now, reported);
    case 'completed':
      return step(tx, 'completed', { result: report.result, completedAt: now, leaseExpiresAt: null }, actor, now, reported);
    case 'failed': {
      if (tx.retryCount < tx.maxRetries) {
        const retryCount = tx.retryCount + 1;
        const nextAttemptAt = now + report.retryDelayMs(retryCount);
        return step(tx, 'retry', { result: report.result, retryCount, nextAttemptAt, leaseExpiresAt: null }, actor, now, {
          ...reported,
          retryCount,
          nextAttemptAt: new Date(nextAttemptAt).toISOString(),
        });
      }
      return step(tx, 'failed', { result: report.result, completedAt: now, leaseExpiresAt: null }, actor, now, reported);
    }
    case 'pending':
      return step(tx, 'pending', { assignedTo: null, assignedAt: null, leaseExpiresAt: null }, actor, now, {
        ...reported,
        releasedBy: callboxId,
      });
    default:
      throw illegalTransition(tx.id, tx.status, status);
  }
}

/** An admin settles work a lost box may have executed, after checking with the carrier. */
export function planAdminResolution(
  tx: Transaction,
  resolution: { outcome: 'completed' | 'failed'; note: string | null; now: number },
): TransitionStep {
  if (tx.status !== 'needs_review') throw notInReview(tx.id, tx.status);
  const result = { ...tx.result, resolution: { outcome: resolution.outcome, note: resolution.note, by: 'admin' } };
  return step(tx, resolution.outcome, { result, completedAt: resolution.now }, 'admin', resolution.now, {
    note: resolution.note,
  });
}

function step(
  tx: Transaction,
  to: TransactionStatus,
  patch: TransitionStep['patch'],
  actor: string,
  at: number,
  details: Record<string, unknown>,
): TransitionStep {
  if (!canTransition(tx.status, to)) throw illegalTransition(tx.id, tx.status, to);
  return { to, patch, actor, at, details };
}
