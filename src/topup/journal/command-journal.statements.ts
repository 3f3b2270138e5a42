import type { Dialect } from '../../database/dialect';
import { Statement, statement } from '../../database/statement';
import type { CommandOutcome, JournaledCommand } from './command-journal';

/** Every statement on `topup_command_journal`. */
export const CommandJournalSql = {
  /** The first request with this (number, id) inserts; the others find it there. */
  begin: (_d: Dialect, command: JournaledCommand, now: number): Statement =>
    statement(
      `INSERT INTO topup_command_journal (msisdn, transaction_id, operation, request_hash, pin_digest, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?) ON CONFLICT (msisdn, transaction_id) DO NOTHING`,
      [command.msisdn, command.transactionId, command.operation, command.requestHash, command.pinDigest, now, now],
    ),

  lock: (d: Dialect, msisdn: string, transactionId: string): Statement =>
    statement(
      `SELECT request_hash, pin_digest, state, outcome, http_status, response FROM topup_command_journal
       WHERE msisdn = ? AND transaction_id = ?${d.forUpdate}`,
      [msisdn, transactionId],
    ),

  /** Another PIN takes over an id that only met a wrong PIN. */
  takeOver: (_d: Dialect, command: JournaledCommand, now: number): Statement =>
    statement(
      `UPDATE topup_command_journal SET operation = ?, request_hash = ?, pin_digest = ?, state = 'running', outcome = NULL,
         http_status = NULL, response = NULL, updated_at = ?
       WHERE msisdn = ? AND transaction_id = ?`,
      [command.operation, command.requestHash, command.pinDigest, now, command.msisdn, command.transactionId],
    ),

  finish: (_d: Dialect, msisdn: string, transactionId: string, outcome: CommandOutcome, now: number): Statement =>
    statement(
      `UPDATE topup_command_journal SET state = ?, outcome = ?, http_status = ?, response = ?, updated_at = ?
       WHERE msisdn = ? AND transaction_id = ?`,
      [outcome.state, outcome.state === 'done' ? outcome.result : null, outcome.httpStatus, JSON.stringify(outcome.response), now, msisdn, transactionId],
    ),

  release: (_d: Dialect, msisdn: string, transactionId: string): Statement =>
    statement(`DELETE FROM topup_command_journal WHERE msisdn = ? AND transaction_id = ? AND state = 'running'`, [msisdn, transactionId]),
};
