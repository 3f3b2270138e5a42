import {
  illegalTransition,
  notAssignedToCallBox,
  notInReview,
  processingReportRequired,
  staleAttempt,
  transactionExpired,
} from './transaction-errors';
import type { MutableField, Transaction, TransactionStatus } from './transaction';

/**
 * Every legal move of the lifecycle (DESIGN.md). Money moves when a box runs the USSD, so started
 * work goes back to the queue only on its box's own failure report (processing -> pending, when
 * that failure is not charged to the customer); a dead box's work goes to `needs_review` instead.
 */
const TRANSITIONS: Readonly<Record<TransactionStatus, readonly TransactionStatus[]>> = {
  pending: ['assigned', 'expired'],
  assigned: ['processing', 'completed', 'failed', 'retry', 'pending'],
  processing: ['completed', 'failed', 'retry', 'needs_review', 'pending'],
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
  /** What a state change may write (MutableField), but the status (`to`), the attempt and the update time. */
  patch: Partial<Pick<Transaction, Exclude<MutableField, 'status' | 'attempt' | 'updatedAt'>>>;
  actor: string;
  at: number;
  details: Record<string, unknown> | null;
  /** What the step says of the reporting box's health: an outcome it counts, or nothing. */
  boxOutcome?: 'success' | 'failure';
}

export interface DeviceReport {
  callboxId: string;
  status: TransactionStatus;
  /** The assignment the box reports on (the poll's `attempt`), when its firmware echoes it. */
  attempt?: number;
  result: Record<string, unknown> | null;
  now: number;
  /** The box's hold on work it has started (PROCESSING_HARD_LIMIT_MS, at least its timeoutMs). */
  leaseMs: number;
  /** Delay before the next attempt, given the retry count after this failure. */
  retryDelayMs: (retryCount: number) => number;
  /** The box is past its health limiter's threshold (read under its lock): its failures are not charged. */
  boxDegraded?: boolean;
  /** How long a box is not offered again the work it gave back. */
  releaseMs: number;
}

/**
 * Decides what a box's status report does to a transaction: a step to apply, or null when it
 * repeats what is already recorded (a lost response retried by the firmware is a 200 no-op).
 */
export function planDeviceReport(tx: Transaction, report: DeviceReport): TransitionStep | null {
  const { callboxId, status, now } = report;
  if (tx.assignedTo !== null && tx.assignedTo !== callboxId) throw notAssignedToCallBox(tx.id, callboxId);
  if (report.attempt !== undefined && report.attempt !== tx.attempt) throw staleAttempt(tx.id, report.attempt, tx.attempt);
  if (status === tx.status) return null;
  // The box's failure already became a retry: its repeated report changes nothing.
  if (status === 'failed' && tx.status === 'retry') return null;
  // Its failure already put the work back in the queue, not charged: the repeat changes nothing either.
  if (status === 'failed' && tx.status === 'pending' && tx.releasedBy === callboxId) return null;
  if (tx.status === 'expired') throw transactionExpired(tx.id, status);
  // Named by what the box sent: a `failed` on completed work is refused as `failed`, not as the retry it would have become.
  if (FINAL_STATUSES.includes(tx.status)) throw illegalTransition(tx.id, tx.status, status);
  if (tx.assignedTo === null) throw notAssignedToCallBox(tx.id, callboxId);
  // Handed out again and not started in this assignment: an outcome without an attempt number may
  // be a replay about an earlier one. The first assignment still takes assigned -> completed/failed.
  if ((status === 'completed' || status === 'failed') && tx.status === 'assigned' && tx.attempt > 1 && report.attempt === undefined) {
    throw processingReportRequired(tx.id, tx.attempt, status);
  }

  const actor = `callbox:${callboxId}`;
  const reported = { reportedStatus: status, attempt: tx.attempt };
  switch (status) {
    case 'processing':
      return step(tx, 'processing', { startedAt: now, leaseExpiresAt: now + report.leaseMs }, actor, now, reported);
    case 'completed':
      return { ...step(tx, 'completed', { result: report.result, completedAt: now, leaseExpiresAt: null }, actor, now, reported), boxOutcome: 'success' };
    case 'failed':
      return { ...planFailure(tx, report, actor, reported), boxOutcome: 'failure' };
    case 'pending': {
      // Only work the box holds and has not started: a retry waits out its backoff, started work never returns.
      if (tx.status !== 'assigned') throw illegalTransition(tx.id, tx.status, status);
      const repeated = tx.releasedBy === callboxId;
      const handBack = step(tx, 'pending', { ...released(callboxId, report), assignedAt: null }, actor, now, {
        ...reported,
        releasedBy: callboxId,
        ...(repeated && { repeatedHandBack: true }),
      });
      // Giving back the same work again is how a looping box shows: it counts against its health.
      return repeated ? { ...handBack, boxOutcome: 'failure' } : handBack;
    }
    default:
      throw illegalTransition(tx.id, tx.status, status);
  }
}

/** The state a guarded step must find its transaction in: held by this box, in this status and attempt. */
export interface HeldState {
  status: TransactionStatus;
  assignedTo: string;
  attempt: number;
}

/**
 * The two reports every transaction gets from the box that holds it, naming its attempt, as
 * compare-and-sets: `processing` on work assigned to it, `completed` on work it started. Each is
 * the state it must find and the step planDeviceReport takes from exactly that state; written as
 * one guarded statement, no locked read first. Anything else (a replay, another box or attempt, a
 * failure or hand-back, firmware that names no attempt) returns null and takes the locked path.
 */
export function guardedStep(report: DeviceReport): { from: HeldState; step: TransitionStep } | null {
  const { callboxId, attempt, now } = report;
  if (attempt === undefined) return null;
  const actor = `callbox:${callboxId}`;
  const details = { reportedStatus: report.status, attempt };
  if (report.status === 'processing') {
    const patch = { startedAt: now, leaseExpiresAt: now + report.leaseMs };
    return { from: { status: 'assigned', assignedTo: callboxId, attempt }, step: { to: 'processing', patch, actor, at: now, details } };
  }
  if (report.status === 'completed') {
    const patch = { result: report.result, completedAt: now, leaseExpiresAt: null };
    return {
      from: { status: 'processing', assignedTo: callboxId, attempt },
      step: { to: 'completed', patch, actor, at: now, details, boxOutcome: 'success' },
    };
  }
  return null;
}

function planFailure(tx: Transaction, report: DeviceReport, actor: string, reported: Record<string, unknown>): TransitionStep {
  const { now, callboxId } = report;
  // A sick box's failure says more about the box than the customer's order: back to the queue for
  // other boxes, no retry used. Its failures up to the threshold were charged; these are past it.
  if (report.boxDegraded && (tx.status === 'assigned' || tx.status === 'processing')) {
    return step(tx, 'pending', { ...released(callboxId, report), result: report.result, assignedAt: null }, actor, now, {
      ...reported,
      charged: false,
      reason: 'callbox_degraded',
      releasedBy: callboxId,
    });
  }
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

/** Back in the queue, and not offered to the box that gave it back before `releaseMs` have passed. */
function released(callboxId: string, report: DeviceReport): TransitionStep['patch'] {
  return { assignedTo: null, leaseExpiresAt: null, releasedBy: callboxId, releasedUntil: report.now + report.releaseMs };
}

/** An admin settles work a lost box may have executed, after checking with the carrier. */
export function planAdminResolution(
  tx: Transaction,
  resolution: { outcome: 'completed' | 'failed'; note: string | null; now: number; transactionRef?: string },
): TransitionStep {
  if (tx.status !== 'needs_review') throw notInReview(tx.id, tx.status);
  // The operator's reference the admin found becomes the result's, as a box would have reported it.
  const ref = resolution.outcome === 'completed' && resolution.transactionRef ? { transactionRef: resolution.transactionRef } : {};
  const result = { ...tx.result, ...ref, resolution: { outcome: resolution.outcome, note: resolution.note, by: 'admin', ...ref } };
  return step(tx, resolution.outcome, { result, completedAt: resolution.now }, 'admin', resolution.now, {
    note: resolution.note,
    ...ref,
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
