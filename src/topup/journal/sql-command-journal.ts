import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import { CommandJournal, CommandOutcome, CommandStart, JournaledCommand } from './command-journal';
import { CommandJournalSql } from './command-journal.statements';

type Row = Record<string, unknown>;

/** The `topup_command_journal` table: insert-if-absent makes the first request the one that runs. */
@Injectable()
export class SqlCommandJournal extends CommandJournal {
  constructor(private readonly db: Database) {
    super();
  }

  begin(command: JournaledCommand, now: number): Promise<CommandStart> {
    return this.db.unit(async (unit) => {
      const { affected } = await unit.run(CommandJournalSql.begin(this.db.dialect, command, now));
      if (affected === 1) return { kind: 'started' as const };
      const { rows } = await unit.run<Row>(CommandJournalSql.lock(this.db.dialect, command.msisdn, command.transactionId));
      const row = rows[0];
      // A wrong PIN executed nothing: the id is not spent for another PIN, whatever that first
      // request was (else whoever sends an id first, with any PIN and body, would block its owner's).
      if (row.pin_digest !== command.pinDigest && row.state === 'done' && row.outcome === 'wrong_pin') {
        await unit.run(CommandJournalSql.takeOver(this.db.dialect, command, now));
        return { kind: 'started' as const };
      }
      if (row.request_hash !== command.requestHash) return { kind: 'conflict' as const };
      if (row.pin_digest !== command.pinDigest) return { kind: 'pin_mismatch' as const };
      if (row.state === 'running') return { kind: 'running' as const };
      return { kind: 'replay' as const, httpStatus: Number(row.http_status), response: JSON.parse(row.response as string) };
    });
  }

  async finish(msisdn: string, transactionId: string, outcome: CommandOutcome, now: number): Promise<void> {
    await this.db.unit(CommandJournalSql.finish(this.db.dialect, msisdn, transactionId, outcome, now));
  }

  async release(msisdn: string, transactionId: string): Promise<void> {
    await this.db.unit(CommandJournalSql.release(this.db.dialect, msisdn, transactionId));
  }
}
