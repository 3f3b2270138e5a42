import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { OutboxMessage, OutboxRepository, PENDING_COUNT_CAP } from './outbox.repository';
import { OutboxSql } from './outbox.statements';

@Injectable()
export class SqlOutboxRepository extends OutboxRepository {
  constructor(private readonly db: Database) {
    super();
  }

  claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    return this.db.unit(async (unit) => {
      const { rows } = await unit.run(OutboxSql.due(this.db.dialect, now, limit));
      if (rows.length === 0) return [];
      await unit.run(OutboxSql.lease(this.db.dialect, rows.map((row) => Number(row.id)), now + leaseMs));
      return rows.map((row) => ({
        id: Number(row.id),
        transactionId: row.transaction_id as string,
        outcome: row.outcome as string,
        payload: row.payload as string,
        attempts: Number(row.attempts),
        sequence: Number(row.sequence),
      }));
    });
  }

  async markDelivered(id: number, now: number): Promise<void> {
    await this.db.unit(OutboxSql.markDelivered(this.db.dialect, id, now));
  }

  async markFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    await this.db.unit(OutboxSql.markFailed(this.db.dialect, id, error.slice(0, 500), nextAttemptAt));
  }

  async countPending(cap = PENDING_COUNT_CAP): Promise<number> {
    const [row] = await this.db.read<{ n: unknown }>(OutboxSql.countPending(this.db.dialect, cap));
    return Number(row.n);
  }
}
