/** What a PIN attempt is, once the operator answered (or did not). */
export type PinAttemptOutcome =
  /** The operator checked the PIN and it was wrong. */
  | 'wrong'
  /** No answer was read: the PIN may have been wrong, so the attempt stays counted. */
  | 'unknown'
  /** The operator answered without a wrong PIN (success, or a refusal for another reason). */
  | 'not_wrong'
  /** The command never reached the operator. */
  | 'not_sent';

/** An attempt counted before its command is sent; settle it exactly once. */
export interface PinAttempt {
  readonly msisdn: string;
  readonly clientAddress: string;
  /** The window each scope counted it in. */
  readonly windows: Readonly<Record<string, number>>;
}

export interface PinLock {
  msisdn: string;
  scope: 'address' | 'number';
  clientAddress: string | null;
  lockedUntil: number;
  locks: number;
}

export class PinLockedError extends Error {
  constructor(
    readonly msisdn: string,
    readonly until: number,
  ) {
    super(`PIN attempts of ${msisdn} refused until ${new Date(until).toISOString()}`);
  }
}

/**
 * Bounds PIN guessing (see pin-limit-policy.ts): in the database, so every replica and a restart
 * see the same counts.
 */
export abstract class PinGuard {
  /** Counts an attempt before it is sent; throws PinLockedError when it may not be sent. */
  abstract reserve(msisdn: string, clientAddress: string, now: number): Promise<PinAttempt>;
  /**
   * Throws PinLockedError exactly when `reserve` would, counting nothing: for requests that prove
   * the PIN without sending it (a replay with the recorded PIN), so that a refusal cannot tell a
   * right PIN from a wrong one.
   */
  abstract check(msisdn: string, clientAddress: string, now: number): Promise<void>;
  /** Settles a reserved attempt; returns the scopes this attempt locked. */
  abstract settle(attempt: PinAttempt, outcome: PinAttemptOutcome, now: number): Promise<PinLock[]>;
  /** Locks in force, newest first. */
  abstract locks(now: number, limit: number): Promise<PinLock[]>;
  /** Lifts every lock of a number (each scope); returns how many were in force. */
  abstract lift(msisdn: string, now: number): Promise<number>;
}
