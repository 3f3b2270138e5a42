import type { NewTransaction, Transaction, TransactionEvent, TransactionPatch, TransactionStatus, TransactionType } from './transaction';
import type { HeldState, TransitionStep } from './transaction-state-machine';
import type { SweepMatch } from './transactions.statements';
import type { UnitOfWork } from '../database/unit-of-work';
import type { TransactionCounters } from './transaction-counters';

export interface IdempotencyClaim {
  /** What is stored: derived from the caller's identity and key, so two callers never share one. */
  key: string;
  /** The key as the caller sent it, for error messages. */
  clientKey: string;
  requestHash: string;
}

/** Moves every transaction that matches, in bounded batches, from one state to another. */
export interface Sweep {
  from: TransactionStatus;
  to: TransactionStatus;
  /** Held by one of these boxes; or whose lease ran out before this time; or due (next attempt) by this time. */
  match: SweepMatch;
  patch: TransactionPatch;
  actor: string;
  details: Record<string, unknown>;
  now: number;
  limit: number;
}

export interface Assignment {
  transactionId: string;
  callboxId: string;
  leaseMs: number;
}

export interface DispatchRound {
  /** The boxes taking part. */
  callboxIds: readonly string[];
  /** Locks their rows for the round, first thing in its unit, so polls cannot overfill them (the box repository does it). */
  lockBoxes: (unit: UnitOfWork) => Promise<void>;
  /**
   * How many of the oldest pending transactions the plan may look at, given each box's work in
   * flight: sized by what the boxes can take, so a full fleet costs no read at all.
   */
  window: (inFlight: ReadonlyMap<string, number>) => number;
  /** Only these types enter the window (what live boxes take), so work no box takes cannot clog it. */
  types: readonly TransactionType[];
  /** Per type, older work is stale (about to expire) and stays out of the window. */
  freshSince: (type: TransactionType) => number;
  now: number;
  actor: string;
  /** Decides who gets what, from the queue window and each box's work in flight. */
  plan: (queue: readonly Transaction[], inFlight: ReadonlyMap<string, number>) => Assignment[];
}

export interface BoxClaim {
  callboxId: string;
  /** Locks the box's row first thing in the claim's unit, so two polls of one box cannot both fill its capacity. */
  lockBox: (unit: UnitOfWork) => Promise<void>;
  /** At most this many transactions in the answer. */
  limit: number;
  /** At most this many assigned + processing at once for the box. */
  maxConcurrent: number;
  types: readonly TransactionType[];
  /** When the box declared operators, only their transactions; null means any. */
  operators: readonly string[] | null;
  /** Per type, work created before this is stale (about to expire) and is not handed out. */
  freshSince: (type: TransactionType) => number;
  leaseMs: number;
  now: number;
  /**
   * Told, once the claim is decided, how many pending transactions it newly claimed and whether it
   * took less than its room (no pending work it may take was left): what a woken long poll needs to
   * know whether to wake another box.
   */
  onOutcome?: (outcome: ClaimOutcome) => void;
  /**
   * Pending work (by transaction id) promised to polls of this process woken for it: when all the
   * box may take is promised, the claim is not tried (nobody else's claim changes; this one would
   * most likely find it taken). Absent or empty: tried as before.
   */
  promised?: PromisedWork;
}

/** Transaction ids promised to woken polls (a Set or a Map's keys answer it). */
export interface PromisedWork {
  readonly size: number;
  has(transactionId: string): boolean;
}

/** What a claim did, as a woken long poll needs it to decide whether to wake another box. */
export interface ClaimOutcome {
  /** Pending transactions newly claimed (not the ones the box already held). */
  claimed: number;
  /**
   * It took less than its room: no pending work it may take was left (the queue was empty, or what
   * woke it went to another box). False when its own limits stopped it.
   */
  exhausted: boolean;
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
   * null for a no-op and may throw a domain error to refuse. It may read what else it needs inside
   * `unit` (locking only what is locked after a transaction row: the box). When the row changes,
   * `consequence` runs in the same database transaction, so both commit or neither does.
   */
  abstract transition<Consequence = undefined>(
    id: string,
    plan: (current: Transaction, unit: UnitOfWork) => TransitionStep | null | Promise<TransitionStep | null>,
    consequence?: (unit: UnitOfWork, next: Transaction) => Promise<Consequence>,
  ): Promise<{ transaction: Transaction; changed: boolean; consequence?: Consequence }>;

  /**
   * Applies `step` only if the transaction is still as `from` says, in one guarded statement with
   * its event: null when it was not so (nothing written). A step with neither an outcome nor a
   * `consequence` is that statement alone (on PostgreSQL one round trip, no explicit transaction);
   * otherwise the outcome's outbox message and `consequence` commit with it in one unit of work.
   */
  abstract transitionIfHeld<Consequence = undefined>(
    id: string,
    from: HeldState,
    step: TransitionStep,
    consequence?: (unit: UnitOfWork, next: Transaction) => Promise<Consequence>,
  ): Promise<{ transaction: Transaction; consequence?: Consequence } | null>;

  /** The box's assigned work plus newly claimed pending work, atomically, never over its limits. */
  abstract claimForBox(claim: BoxClaim): Promise<Transaction[]>;

  /**
   * Moves at most `limit`, each with its event; returns them as they were before the move. Inside
   * `unit` when given (rows another unit holds are skipped, never waited for), else in a unit of its own.
   */
  abstract sweep(sweep: Sweep, unit?: UnitOfWork): Promise<Transaction[]>;

  /** Assigns pending work as `plan` decides, atomically with the boxes' polls; returns what it assigned. */
  abstract dispatch(round: DispatchRound): Promise<Transaction[]>;

  /** The counters of the whole table (kept with every write: constant cost, exact at the read's snapshot). */
  abstract counters(): Promise<TransactionCounters>;

  /** Folds at most `limit` of the counters' pending deltas (PostgreSQL); returns how many it folded. */
  abstract foldCounterDeltas(limit: number): Promise<number>;

  /** Assigned + processing transactions per box. */
  abstract countInFlightByBox(): Promise<Map<string, number>>;

  abstract countInStatus(status: TransactionStatus): Promise<number>;

  abstract countAssignedTo(callboxId: string, statuses: readonly TransactionStatus[]): Promise<number>;

  abstract listEvents(transactionId: string): Promise<TransactionEvent[]>;
}
