import { DomainError } from '../common/errors/domain-error';
import type { TransactionStatus } from './transaction';

export const transactionNotFound = (id: string) =>
  new DomainError('TRANSACTION.NOT_FOUND', 'not_found', 'Transaction introuvable', { transactionId: id });

export const illegalTransition = (id: string, from: TransactionStatus, to: string) =>
  new DomainError('TRANSACTION.ILLEGAL_TRANSITION', 'conflict', `Transition impossible de ${from} vers ${to}`, {
    transactionId: id,
    currentStatus: from,
    requestedStatus: to,
  });

export const notAssignedToCallBox = (id: string, callboxId: string) =>
  new DomainError('TRANSACTION.NOT_ASSIGNED_TO_CALLBOX', 'forbidden', "Cette transaction n'est pas assignée à ce CallBox", {
    transactionId: id,
    callboxId,
  });

export const idempotencyKeyReused = (key: string) =>
  new DomainError(
    'IDEMPOTENCY.KEY_REUSED',
    'conflict',
    "Cette clé d'idempotence a déjà servi pour une autre requête",
    { idempotencyKey: key },
  );

export const notInReview = (id: string, status: TransactionStatus) =>
  new DomainError(
    'TRANSACTION.NOT_IN_REVIEW',
    'conflict',
    `Seule une transaction en needs_review peut être tranchée (statut actuel: ${status})`,
    { transactionId: id, currentStatus: status },
  );

/** The report names an assignment that is not the current one: it is about earlier (or made-up) work. */
export const staleAttempt = (id: string, reportedAttempt: number, currentAttempt: number) =>
  new DomainError(
    'TRANSACTION.STALE_ATTEMPT',
    'conflict',
    `Ce rapport concerne la tentative ${reportedAttempt}; la transaction en est à la tentative ${currentAttempt}`,
    { transactionId: id, reportedAttempt, currentAttempt },
  );

/**
 * A final report without an attempt number on work handed out again, that its box has not started
 * in this assignment: it may be a replay about an earlier attempt, so it settles nothing.
 */
export const processingReportRequired = (id: string, currentAttempt: number, requestedStatus: string) =>
  new DomainError(
    'TRANSACTION.PROCESSING_REPORT_REQUIRED',
    'conflict',
    `Transaction redistribuée (tentative ${currentAttempt}) : signalez d'abord processing pour cette tentative, ou indiquez "attempt" dans le rapport`,
    { transactionId: id, currentAttempt, requestedStatus, requiredStatus: 'processing' },
  );

/** Pending work no box took in time: final, never to be run (a late report about it is refused, not applied). */
export const transactionExpired = (id: string, requestedStatus: string) =>
  new DomainError(
    'TRANSACTION.EXPIRED',
    'conflict',
    "Transaction expirée : aucune CallBox ne l'a prise à temps ; elle ne doit pas être exécutée",
    { transactionId: id, currentStatus: 'expired', requestedStatus },
  );
