import type { TransactionType } from '../../transactions/transaction';
import type { UnitOfWork } from '../../database/unit-of-work';
import { BoxHealth, isDegraded } from './box-health';

/** Whether the backend hears from the box, as opposed to the status the box reports about itself. */
export type Connection = 'connected' | 'disconnected';

export interface CallBox extends BoxHealth {
  id: string;
  /** What the box says of itself in its heartbeat (`active`, `busy`, ...). */
  reportedStatus: string;
  connection: Connection;
  maxConcurrent: number;
  supportedTypes: TransactionType[];
  operators: string[] | null;
  version: string | null;
  location: string | null;
  queueSize: number;
  metrics: Record<string, unknown> | null;
  lastHeartbeatAt: number;
  registeredAt: number;
}

export interface Registration {
  id: string;
  maxConcurrent: number;
  supportedTypes: TransactionType[];
  operators: string[] | null;
  version: string | null;
  location: string | null;
}

export interface Heartbeat {
  reportedStatus: string;
  queueSize: number | null;
  metrics: Record<string, unknown> | null;
}

export interface BoxOutcome {
  callboxId: string;
  success: boolean;
  now: number;
  cooldownMs: number;
}

/** Whether the box was and is kept from new work, and why it is now. */
export interface HealthChange {
  wasDegraded: boolean;
  isDegraded: boolean;
  reason: string | null;
}

export abstract class CallBoxRepository {
  /** Registers the box, or updates its capabilities, version and location when it is known. */
  abstract register(registration: Registration, now: number): Promise<CallBox>;
  abstract findById(id: string): Promise<CallBox | null>;
  /**
   * The box as findById would answer it, when this process holds that answer already (no read, no
   * await); undefined otherwise, then findById decides. Without a cache of its own: always undefined.
   */
  cachedById(_id: string): CallBox | undefined {
    return undefined;
  }
  /** Null when the box never registered. */
  /** Null when the box never registered; `reconnected` when it had been marked disconnected. */
  abstract recordHeartbeat(id: string, heartbeat: Heartbeat, now: number): Promise<{ box: CallBox; reconnected: boolean } | null>;
  abstract list(): Promise<CallBox[]>;
  /** By id; `after`: only ids past it (a window moving over a large fleet). */
  abstract listByConnection(connection: Connection, limit: number, after?: string): Promise<CallBox[]>;
  abstract countConnectedStates(now: number): Promise<ConnectedStates>;
  abstract countByConnection(connection: Connection): Promise<number>;
  /**
   * Counts a completed or failed transaction in the box's health, inside `unit` (the report's own
   * transaction); null when the box is unknown.
   */
  abstract recordOutcome(unit: UnitOfWork, outcome: BoxOutcome): Promise<HealthChange | null>;
  /**
   * The box's health read under its row lock inside `unit`, so that its concurrent reports are
   * judged one after the other (locked after the reported transaction's row, as recordOutcome
   * does); null when the box is unknown.
   */
  abstract lockHealth(unit: UnitOfWork, callboxId: string): Promise<BoxHealth | null>;
  /** Locks the box's row inside `unit` (a poll's claim: two polls of one box queue up). */
  abstract lockForClaim(unit: UnitOfWork, callboxId: string): Promise<void>;
  /**
   * Locks the box's row inside `unit` and reads it there (with this process's heartbeat laid over):
   * the box a claim is judged on, whatever an earlier read of it said. Null when it is unknown.
   */
  abstract lockedForClaim(unit: UnitOfWork, callboxId: string): Promise<CallBox | null>;
  /** An earlier read of the box is not to be reused (it was found changed). */
  abstract forgetBox(callboxId: string): void;
  /** Locks these boxes' rows inside `unit`, in byte order of their id (a dispatch round). */
  abstract lockForRound(unit: UnitOfWork, callboxIds: readonly string[]): Promise<void>;
  /** Stops giving new work to these boxes until `until`. */
  abstract markDegraded(ids: readonly string[], reason: string, until: number, now: number): Promise<void>;
  /** Marks connected boxes silent since `silentSince` as disconnected (at most `limit`); returns them. */
  abstract markDisconnected(silentSince: number, now: number, limit: number): Promise<CallBox[]>;
}

/** The heartbeat status word of a box that takes new work; any other (`maintenance`...) takes none. */
export const WORKING_STATUS = 'active';

/** Connected boxes: all, degraded, and (not degraded) saying `active`; the rest say another word. */
export interface ConnectedStates {
  connected: number;
  degraded: number;
  working: number;
}

/** Whether the box said in its last heartbeat that it takes work. */
export const saysActive = (box: CallBox) => box.reportedStatus === WORKING_STATUS;

/**
 * `disconnected` once the heartbeat is older than the timeout, `degraded` while it is kept from new
 * work, else what the box says of itself.
 */
export function liveStatus(box: CallBox, now: number, heartbeatTimeoutMs: number): string {
  if (box.connection === 'disconnected' || now - box.lastHeartbeatAt > heartbeatTimeoutMs) return 'disconnected';
  if (isDegraded(box, now)) return 'degraded';
  return box.reportedStatus;
}
