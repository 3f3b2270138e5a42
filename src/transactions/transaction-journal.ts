import type { EntityManager } from 'typeorm';
import { Database } from '../database/database';
import { isOutcome, outcomePayload } from './outcome';
import type { Transaction, TransactionEvent } from './transaction';
import { toTransaction, TransactionRow } from './transaction-row';
import type { TransactionTransitions } from './transaction-transitions';

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** An INSERT or UPDATE of `transactions` (without RETURNING), and the event each row it writes gets. */
export interface JournaledWrite {
  sql: string;
  params: unknown[];
  event: Omit<TransactionEvent, 'transactionId'>;
  /** The rows as written, when the caller knows them (an insert, a planned transition); else they are read back. */
  known?: Transaction[];
}

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

  /**
   * Runs `write` and journals every row it wrote; returns those rows. On PostgreSQL the write and
   * its events are one statement (a data-modifying WITH): a round trip instead of two. Without a
   * `manager` the statement is a unit of work of its own. SQLite has no INSERT inside WITH, so
   * there the events follow as their own statement, in the same transaction.
   */
  async write(manager: EntityManager | null, write: JournaledWrite): Promise<Transaction[]> {
    if (!manager && this.callbacksEnabled && isOutcome(write.event.to)) {
      throw new Error('An outcome is journaled inside a unit of work, with its outbox message');
    }
    if (this.db.engine === 'sqlite') {
      return manager ? this.writeOnSqlite(manager, write) : this.db.transaction((unit) => this.writeOnSqlite(unit, write));
    }
    const { from, to, actor, at, details } = write.event;
    const statement = `WITH written AS (${write.sql} RETURNING ${write.known ? 'id' : '*'}),
      journaled AS (
        INSERT INTO transaction_events (transaction_id, from_status, to_status, actor, at, details)
        SELECT id, CAST(? AS varchar), CAST(? AS varchar), CAST(? AS varchar), CAST(? AS bigint), CAST(? AS text) FROM written
      )
      SELECT * FROM written`;
    const params = [...write.params, from, to, actor, at, details === null ? null : JSON.stringify(details)];
    if (!manager) {
      const rows = await this.db.standalone<TransactionRow>(statement, params);
      const written = write.known ?? rows.map(toTransaction);
      this.transitions.published(this.eventsOf(written, write));
      return written;
    }
    const rows = await this.db.query<TransactionRow>(manager, statement, params);
    const written = write.known ?? rows.map(toTransaction);
    this.db.afterCommit(manager, () => this.transitions.published(this.eventsOf(written, write)));
    await this.recordOutcomes(manager, written);
    return written;
  }

  private async writeOnSqlite(manager: EntityManager, write: JournaledWrite): Promise<Transaction[]> {
    let written = write.known;
    if (written) await this.db.execute(manager, write.sql, write.params);
    else written = (await this.db.query<TransactionRow>(manager, `${write.sql} RETURNING *`, write.params)).map(toTransaction);
    await this.record(manager, this.eventsOf(written, write), written);
    return written;
  }

  private eventsOf(written: Transaction[], write: JournaledWrite): TransactionEvent[] {
    return written.map((tx) => ({ transactionId: tx.id, ...write.event }));
  }

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
    await this.recordOutcomes(manager, changed);
  }

  private outcomesOf(changed: Transaction[]): Transaction[] {
    return this.callbacksEnabled ? changed.filter((tx) => isOutcome(tx.status)) : [];
  }

  /**
   * The outbox message of each outcome the main system must hear about, numbered 1, 2, ... per
   * transaction (its `sequence`). The number is taken in the statement: the unit already holds the
   * transaction's row (it wrote it), so two outcomes of one transaction never number at once.
   */
  private async recordOutcomes(manager: EntityManager, changed: Transaction[]): Promise<void> {
    const outcomes = this.outcomesOf(changed);
    if (outcomes.length > 0) {
      const next = `(SELECT COALESCE(MAX(sequence), 0) + 1 FROM outbox WHERE transaction_id = ?)`;
      const values = outcomes.map(() => `(?, ?, ?, 'pending', 0, ?, ?, ${next})`).join(', ');
      await this.db.execute(
        manager,
        `INSERT INTO outbox (transaction_id, outcome, payload, state, attempts, next_attempt_at, created_at, sequence) VALUES ${values}`,
        outcomes.flatMap((tx) => [tx.id, tx.status, JSON.stringify(outcomePayload(tx, tx.updatedAt)), tx.updatedAt, tx.updatedAt, tx.id]),
      );
    }
  }
}
