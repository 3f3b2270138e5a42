import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import { CommandJournal, CommandOutcome, CommandStart, JournaledCommand } from './command-journal';

type Row = Record<string, unknown>;

/** The `topup_command_journal` table: insert-if-absent makes the first request the one that runs. */
@Injectable()
export class TypeOrmCommandJournal extends CommandJournal {
  constructor(private readonly db: Database) {
    super();
  }

  begin(command: JournaledCommand, now: number): Promise<CommandStart> {
    return this.db.transaction(async (manager) => {
      const { affected } = await this.db.execute(
        manager,
        `INSERT INTO topup_command_journal (msisdn, transaction_id, operation, request_hash, pin_digest, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'running', ?, ?) ON CONFLICT (msisdn, transaction_id) DO NOTHING`,
        [command.msisdn, command.transactionId, command.operation, command.requestHash, command.pinDigest, now, now],
      );
      if (affected === 1) return { kind: 'started' as const };
      const lock = this.db.engine === 'postgres' ? ' FOR UPDATE' : '';
      const { rows } = await this.db.execute<Row>(
        manager,
        `SELECT request_hash, pin_digest, state, outcome, http_status, response FROM topup_command_journal
         WHERE msisdn = ? AND transaction_id = ?${lock}`,
        [command.msisdn, command.transactionId],
      );
      const row = rows[0];
      // A wrong PIN executed nothing: the id is not spent for another PIN, whatever that first
      // request was (else whoever sends an id first, with any PIN and body, would block its owner's).
      if (row.pin_digest !== command.pinDigest && row.state === 'done' && row.outcome === 'wrong_pin') {
        await this.db.execute(
          manager,
          `UPDATE topup_command_journal SET operation = ?, request_hash = ?, pin_digest = ?, state = 'running', outcome = NULL,
             http_status = NULL, response = NULL, updated_at = ?
           WHERE msisdn = ? AND transaction_id = ?`,
          [command.operation, command.requestHash, command.pinDigest, now, command.msisdn, command.transactionId],
        );
        return { kind: 'started' as const };
      }
      if (row.request_hash !== command.requestHash || row.pin_digest !== command.pinDigest) return { kind: 'conflict' as const };
      if (row.state === 'running') return { kind: 'running' as const };
      return { kind: 'replay' as const, httpStatus: Number(row.http_status), response: JSON.parse(row.response as string) };
    });
  }

  async finish(msisdn: string, transactionId: string, outcome: CommandOutcome, now: number): Promise<void> {
    await this.db.transaction((manager) =>
      this.db.execute(
        manager,
        `UPDATE topup_command_journal SET state = ?, outcome = ?, http_status = ?, response = ?, updated_at = ?
         WHERE msisdn = ? AND transaction_id = ?`,
        [
          outcome.state,
          outcome.state === 'done' ? outcome.result : null,
          outcome.httpStatus,
          JSON.stringify(outcome.response),
          now,
          msisdn,
          transactionId,
        ],
      ),
    );
  }

  async release(msisdn: string, transactionId: string): Promise<void> {
    await this.db.transaction((manager) =>
      this.db.execute(manager, `DELETE FROM topup_command_journal WHERE msisdn = ? AND transaction_id = ? AND state = 'running'`, [
        msisdn,
        transactionId,
      ]),
    );
  }
}
