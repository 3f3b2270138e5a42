import type { UnitOfWork } from '../database/unit-of-work';
import type { Transaction } from './transaction';

/**
 * Where the journal writes the message of each outcome the main system must hear about, in the
 * unit of work of the change itself. Owned and implemented by the callbacks module (the outbox's
 * table is its own); declared here, where it is needed.
 */
export abstract class OutcomeOutbox {
  /** False when no MAIN_CALLBACK_URL is set: nothing is written. */
  abstract readonly enabled: boolean;
  /** Writes a message for each of these transactions that reached an outcome. */
  abstract record(unit: UnitOfWork, changed: readonly Transaction[]): Promise<void>;
}
