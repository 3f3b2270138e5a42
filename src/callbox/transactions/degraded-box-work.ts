import type { Sweep } from '../../transactions/transaction.repository';

/** Rows released per sweep: more than any box may hold (maxConcurrentTransactions is at most 100). */
const RELEASE_LIMIT = 500;

/**
 * A degraded box keeps only the work it has started (the carrier may be running it): what it holds
 * unstarted goes back to the queue for other boxes, no retry used. Applied when a report degrades
 * it, at its polls while degraded, and at each dispatcher tick.
 */
export function releaseUnstartedWork(callboxIds: readonly string[], now: number): Sweep {
  return {
    from: 'assigned',
    to: 'pending',
    match: { assignedToIn: callboxIds },
    patch: { assignedTo: null, assignedAt: null, leaseExpiresAt: null },
    actor: 'dispatcher',
    details: { reason: 'callbox_degraded' },
    now,
    limit: RELEASE_LIMIT,
  };
}
