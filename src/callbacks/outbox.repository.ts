import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

export interface OutboxMessage {
  id: number;
  transactionId: string;
  outcome: string;
  /** The stored payload, without `sequence` (see outcomeMessageBody). */
  payload: string;
  attempts: number;
  /** 1, 2, ... among its transaction's messages: the order they are delivered in. */
  sequence: number;
}

/** Outcome messages written with each state change, waiting for the main system's acknowledgement. */
export abstract class OutboxRepository {
  /**
   * Takes up to `limit` due messages for `leaseMs`, so another replica does not send them at the
   * same time. Only the earliest undelivered message of each transaction is ever taken: a later
   * one waits until every earlier one is delivered, on whichever replica.
   */
  abstract claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]>;
  abstract markDelivered(id: number, now: number): Promise<void>;
  abstract markFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
  abstract countPending(): Promise<number>;
}

@Injectable()
export class TypeOrmOutboxRepository extends OutboxRepository {
  constructor(private readonly db: Database) {
    super();
  }

  claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    return this.db.transaction(async (manager) => {
      const skipLocked = this.db.engine === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      const { rows } = await this.db.execute<Record<string, unknown>>(
        manager,
        // An earlier message still pending keeps its successors back, whether it is leased,
        // backing off, or just due. On PostgreSQL a snapshot can only see an earlier message as
        // pending longer than it is (delivered is final), never shorter: the check errs on waiting.
        `SELECT id, transaction_id, outcome, payload, attempts, sequence FROM outbox
         WHERE state = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?)
           AND NOT EXISTS (SELECT 1 FROM outbox earlier
             WHERE earlier.transaction_id = outbox.transaction_id AND earlier.sequence < outbox.sequence AND earlier.state = 'pending')
         ORDER BY next_attempt_at, id LIMIT ?${skipLocked}`,
        [now, now, limit],
      );
      if (rows.length === 0) return [];
      const ids = rows.map((row) => Number(row.id));
      await this.db.execute(
        manager,
        `UPDATE outbox SET locked_until = ? WHERE id IN (${ids.map(() => '?').join(', ')})`,
        [now + leaseMs, ...ids],
      );
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
    await this.db.transaction((manager) =>
      this.db.execute(
        manager,
        `UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, locked_until = NULL, last_error = NULL
         WHERE id = ?`,
        [now, id],
      ),
    );
  }

  async markFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    await this.db.transaction((manager) =>
      this.db.execute(
        manager,
        `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, locked_until = NULL, last_error = ? WHERE id = ?`,
        [nextAttemptAt, error.slice(0, 500), id],
      ),
    );
  }

  async countPending(): Promise<number> {
    const rows: Array<{ n: unknown }> = await this.db.reader.query(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'`);
    return Number(rows[0].n);
  }
}
