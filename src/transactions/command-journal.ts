/** A TopUp command (PIN change, directory, package, recharge) as the journal keeps it. */
export interface JournaledCommand {
  transactionId: string;
  operation: string;
  msisdn: string;
  /** Of the request without its PIN. */
  requestHash: string;
}

export type CommandStart =
  /** First time this id is seen: the caller runs it and must finish or release it. */
  | { kind: 'started' }
  /** Already answered: the recorded answer, to return as is. */
  | { kind: 'replay'; httpStatus: number; response: unknown }
  /** Another request with this id is still running (or died without an answer). */
  | { kind: 'running'; since: number }
  /** The id was used for a different request. */
  | { kind: 'conflict' };

export interface CommandOutcome {
  /** `unknown`: sent to the operator, no answer; it may have run, so it is never sent again. */
  state: 'done' | 'unknown';
  httpStatus: number;
  response: unknown;
}
