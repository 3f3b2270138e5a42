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
export abstract class OutboxRepository {
  /**
   * Takes up to `limit` due messages for `leaseMs`, so another replica does not send them at the
   * same time. Only the earliest undelivered message of each transaction is ever taken: a later
   * one waits until every earlier one is delivered, on whichever replica.
   */
  abstract claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]>;
  abstract markDelivered(id: number, now: number): Promise<void>;
  abstract markFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
  abstract countPending(): Promise<number>;
}
