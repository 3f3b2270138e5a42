import type { EntityManager } from 'typeorm';
import { Database } from '../database/database';
import { isOutcome, outcomePayload } from './outcome';
import type { Transaction, TransactionEvent } from './transaction';
import type { TransactionTransitions } from './transaction-transitions';

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/**
 * What every state change writes beside the row, in the same database transaction: its event,
 * and, for an outcome the main system must hear about, an outbox message.
 */
export class TransactionJournal {
  constructor(
    private readonly db: Database,
    private readonly callbacksEnabled: boolean,
    private readonly transitions: TransactionTransitions,
  ) {}

  async record(manager: EntityManager, events: TransactionEvent[], changed: Transaction[]): Promise<void> {
    // Told after the commit only: a rolled-back change was never a transition.
    if (events.length > 0) this.db.afterCommit(manager, () => this.transitions.published(events));
    if (events.length > 0) {
      const values = events.map(() => `(${placeholders(6)})`).join(', ');
      await this.db.execute(
        manager,
        `INSERT INTO transaction_events (transaction_id, from_status, to_status, actor, at, details) VALUES ${values}`,
        events.flatMap((e) => [e.transactionId, e.from, e.to, e.actor, e.at, e.details === null ? null : JSON.stringify(e.details)]),
      );
    }
    const outcomes = this.callbacksEnabled ? changed.filter((tx) => isOutcome(tx.status)) : [];
    if (outcomes.length > 0) {
      const values = outcomes.map(() => `(?, ?, ?, 'pending', 0, ?, ?)`).join(', ');
      await this.db.execute(
        manager,
        `INSERT INTO outbox (transaction_id, outcome, payload, state, attempts, next_attempt_at, created_at) VALUES ${values}`,
        outcomes.flatMap((tx) => [tx.id, tx.status, JSON.stringify(outcomePayload(tx, tx.updatedAt)), tx.updatedAt, tx.updatedAt]),
      );
    }
  }
}
