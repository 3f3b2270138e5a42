import { Database } from '../database/database';
import type { Statement } from '../database/statement';
import type { UnitOfWork } from '../database/unit-of-work';
import { isOutcome } from './outcome';
import { OutcomeOutbox } from './outcome-outbox';
import type { Transaction, TransactionEvent } from './transaction';
import { TransactionEventsSql } from './transaction-events.statements';
import { toTransaction, TransactionRow } from './transaction-row';
import type { TransactionTransitions } from './transaction-transitions';

/** A write of `transactions` built by TransactionsSql (no RETURNING), and the event each row it writes gets. */
export interface JournaledWrite {
  write: Statement;
  event: Omit<TransactionEvent, 'transactionId'>;
  /** The rows as written, when the caller knows them (an insert, a planned transition); else they are read back. */
  known?: Transaction[];
}

/**
 * What every state change writes beside the row, in the same unit of work: its event, and, for an
 * outcome the main system must hear about, an outbox message.
 */
export class TransactionJournal {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutcomeOutbox,
    private readonly transitions: TransactionTransitions,
  ) {}

  /**
   * Runs `write` and journals every row it wrote; returns those rows. Where the dialect writes
   * inside a WITH (PostgreSQL) the write and its events are one statement: a round trip instead
   * of two. Without a unit the statement is a unit of work of its own.
   */
  async write(unit: UnitOfWork | null, write: JournaledWrite): Promise<Transaction[]> {
    if (!unit && this.outbox.enabled && isOutcome(write.event.to)) {
      throw new Error('An outcome is journaled inside a unit of work, with its outbox message');
    }
    const dialect = this.db.dialect;
    if (!dialect.writesInWith) return unit ? this.writeThenEvents(unit, write) : this.db.unit((own) => this.writeThenEvents(own, write));
    const statement = TransactionEventsSql.writeWithEvents(dialect, write.write, write.event, write.known ? 'id' : '*');
    if (!unit) {
      const rows = await this.db.unit<TransactionRow>(statement);
      const written = write.known ?? rows.map(toTransaction);
      this.transitions.published(this.eventsOf(written, write), written);
      return written;
    }
    const { rows } = await unit.run<TransactionRow>(statement);
    const written = write.known ?? rows.map(toTransaction);
    unit.afterCommit(() => this.transitions.published(this.eventsOf(written, write), written));
    await this.outbox.record(unit, written);
    return written;
  }

  private async writeThenEvents(unit: UnitOfWork, write: JournaledWrite): Promise<Transaction[]> {
    let written = write.known;
    if (written) await unit.run(write.write);
    else written = (await unit.run<TransactionRow>(TransactionEventsSql.returningRows(this.db.dialect, write.write))).rows.map(toTransaction);
    await this.record(unit, this.eventsOf(written, write), written);
    return written;
  }

  private eventsOf(written: Transaction[], write: JournaledWrite): TransactionEvent[] {
    return written.map((tx) => ({ transactionId: tx.id, ...write.event }));
  }

  /** These events (and the outbox messages of the outcomes among `changed`) in `unit`. */
  async record(unit: UnitOfWork, events: TransactionEvent[], changed: Transaction[]): Promise<void> {
    if (events.length > 0) {
      // Told after the commit only: a rolled-back change was never a transition.
      unit.afterCommit(() => this.transitions.published(events, changed));
      await unit.run(TransactionEventsSql.insert(this.db.dialect, events));
    }
    await this.outbox.record(unit, changed);
  }
}
