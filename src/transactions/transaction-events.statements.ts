import { Dialect, placeholders } from '../database/dialect';
import { Statement, statement } from '../database/statement';
import type { TransactionEvent } from './transaction';

type EventFields = Omit<TransactionEvent, 'transactionId'>;

const detailsText = (details: TransactionEvent['details']) => (details === null ? null : JSON.stringify(details));

/** The append-only `transaction_events`, and the journaled writes of `transactions` that fill it. */
export const TransactionEventsSql = {
  /** These events, in one INSERT. */
  insert: (_d: Dialect, events: readonly TransactionEvent[]): Statement =>
    statement(
      `INSERT INTO transaction_events (transaction_id, from_status, to_status, actor, at, details) VALUES ${events
        .map(() => `(${placeholders(6)})`)
        .join(', ')}`,
      events.flatMap((e) => [e.transactionId, e.from, e.to, e.actor, e.at, detailsText(e.details)]),
    ),

  /**
   * A write of `transactions` and the same event for every row it wrote, in one statement (a
   * data-modifying WITH, `dialect.writesInWith`): a round trip instead of two. Returns the rows
   * written (`*`), or only their ids when the caller knows them.
   */
  writeWithEvents: (d: Dialect, write: Statement, event: EventFields, returning: 'id' | '*'): Statement => {
    if (!d.writesInWith) throw new Error(`${d.engine} cannot write inside a WITH`);
    return statement(
      `WITH written AS (${write.text} RETURNING ${returning}),
      journaled AS (
        INSERT INTO transaction_events (transaction_id, from_status, to_status, actor, at, details)
        SELECT id, CAST(? AS varchar), CAST(? AS varchar), CAST(? AS varchar), CAST(? AS bigint), CAST(? AS text) FROM written
      )
      SELECT * FROM written`,
      [...write.params, event.from, event.to, event.actor, event.at, detailsText(event.details)],
    );
  },

  /** A write of `transactions` that returns every row it wrote (engines with no write inside WITH read them back so). */
  returningRows: (_d: Dialect, write: Statement): Statement => statement(`${write.text} RETURNING *`, write.params),

  listFor: (_d: Dialect, transactionId: string): Statement =>
    statement('SELECT * FROM transaction_events WHERE transaction_id = ? ORDER BY id', [transactionId]),
};
