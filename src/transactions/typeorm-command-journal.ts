import { Database } from '../database/database';
import type { CommandOutcome, CommandStart, JournaledCommand } from './command-journal';

/** The `topup_commands` table: insert-if-absent makes the first request the only one that runs. */
export class TypeOrmCommandJournal {
  constructor(private readonly db: Database) {}

  begin(command: JournaledCommand, now: number): Promise<CommandStart> {
    return this.db.transaction(async (manager) => {
      const { affected } = await this.db.execute(
        manager,
        `INSERT INTO topup_commands (transaction_id, operation, msisdn, request_hash, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'running', ?, ?) ON CONFLICT (transaction_id) DO NOTHING`,
        [command.transactionId, command.operation, command.msisdn, command.requestHash, now, now],
      );
      if (affected === 1) return { kind: 'started' as const };
      const { rows } = await this.db.execute<Record<string, unknown>>(
        manager,
        'SELECT request_hash, state, http_status, response, created_at FROM topup_commands WHERE transaction_id = ?',
        [command.transactionId],
      );
      const row = rows[0];
      if (row.request_hash !== command.requestHash) return { kind: 'conflict' as const };
      if (row.state === 'running') return { kind: 'running' as const, since: Number(row.created_at) };
      return { kind: 'replay' as const, httpStatus: Number(row.http_status), response: JSON.parse(row.response as string) };
    });
  }

  async finish(transactionId: string, outcome: CommandOutcome, now: number): Promise<void> {
    await this.db.transaction((manager) =>
      this.db.execute(
        manager,
        `UPDATE topup_commands SET state = ?, http_status = ?, response = ?, updated_at = ? WHERE transaction_id = ?`,
        [outcome.state, outcome.httpStatus, JSON.stringify(outcome.response), now, transactionId],
      ),
    );
  }

  async release(transactionId: string): Promise<void> {
    await this.db.transaction((manager) =>
      this.db.execute(manager, `DELETE FROM topup_commands WHERE transaction_id = ? AND state = 'running'`, [transactionId]),
    );
  }
}
