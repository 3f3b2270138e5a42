export interface OutboxMessage {
  id: number;
  transactionId: string;
  outcome: string;
  /** The stored payload, without `sequence` (see outcomeMessageBody). */
  payload: string;
  attempts: number;
  /** 1, 2, ... among its transaction's messages: the order they are delivered in. */
  sequence: number;
}

/** Outcome messages written with each state change, waiting for the main system's acknowledgement. */
/**
 * How far a scrape counts the undelivered callbacks: an index range of at most this many entries
 * (about a millisecond on SQLite here), far above the alert's threshold (500).
 */
export const PENDING_COUNT_CAP = 10_000;

export abstract class OutboxRepository {
  /**
   * Takes up to `limit` due messages for `leaseMs`, so another replica does not send them at the
   * same time. Only the earliest undelivered message of each transaction is ever taken: a later
   * one waits until every earlier one is delivered, on whichever replica.
   */
  abstract claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]>;
  abstract markDelivered(id: number, now: number): Promise<void>;
  abstract markFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
  /**
   * The messages not yet delivered, counted up to `cap` (a backlog past it reads `cap`): a scrape's
   * cost must not grow with the backlog it reports.
   */
  abstract countPending(cap?: number): Promise<number>;
}
