/** A TopUp command (PIN change, directory, package, recharge) as the journal keeps it. */
export interface JournaledCommand {
  msisdn: string;
  transactionId: string;
  operation: string;
  /** Of the request without its PIN. */
  requestHash: string;
  /** Keyed hash of the number and PIN (PIN_HASH_KEY): a replay must bring the same PIN. */
  pinDigest: string;
}

export type CommandStart =
  /** This request runs the command; the caller must finish or release it. */
  | { kind: 'started' }
  /** Already answered for this request and PIN: the recorded answer, to return as is. */
  | { kind: 'replay'; httpStatus: number; response: unknown }
  /** Another request with this id is still running (or died without an answer). */
  | { kind: 'running' }
  /** The id was used for another request: nothing of it is told. */
  | { kind: 'conflict' }
  /** The same request with another PIN: a PIN guess against a recorded answer, told nothing either. */
  | { kind: 'pin_mismatch' };

/** How a command ended: `executed` and `refused` are operator answers, `wrong_pin` a refused PIN. */
export type CommandResult = 'executed' | 'refused' | 'wrong_pin';

export type CommandOutcome =
  | { state: 'done'; result: CommandResult; httpStatus: number; response: unknown }
  /** Sent (or maybe sent) and no answer read: it may have run, so the id is spent. */
  | { state: 'unknown'; httpStatus: number; response: unknown };

/**
 * The TopUp command journal, keyed by (mobile number, transaction_id): at most one execution per
 * id and number, and a replay gets the recorded answer only with the original's PIN.
 */
export abstract class CommandJournal {
  abstract begin(command: JournaledCommand, now: number): Promise<CommandStart>;
  abstract finish(msisdn: string, transactionId: string, outcome: CommandOutcome, now: number): Promise<void>;
  /** Forgets a command that certainly never reached the operator, so the same id may be tried again. */
  abstract release(msisdn: string, transactionId: string): Promise<void>;
}
