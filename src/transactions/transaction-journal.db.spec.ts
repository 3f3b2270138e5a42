import { openTestDatabase } from '../../test/support/test-database';
import type { Database } from '../database/database';
import type { TransactionEvent } from './transaction';
import { statement } from '../database/statement';
import { SqlOutcomeOutbox } from '../callbacks/sql-outcome-outbox';
import type { AppConfig } from '../config/app-config';
import { JournaledWrite, TransactionJournal } from './transaction-journal';
import { TransactionTransitions } from './transaction-transitions';

const T = 1_700_000_000_000;

/** A pending transaction, written by a plain INSERT the journal reads back. */
const insertion = (id: string): JournaledWrite => ({
  write: statement(
    `INSERT INTO transactions (id, type, phone_number, amount, pay_item_id, priority, priority_rank, status, retry_count,
          max_retries, source, created_at, updated_at)
        VALUES (?, 'recharge', '237670000000', 500, 'ITEM', 'normal', 1, 'pending', 0, 3, 'main', ?, ?)`,
    [id, T, T],
  ),
  event: { from: null, to: 'pending', actor: 'main-system', at: T, details: { source: 'main' } },
});

/**
 * The journal writes a change and its events together (one statement on PostgreSQL, two in one
 * transaction on SQLite), and tells listeners only once it is committed. Runs on SQLite, or on
 * PostgreSQL with TEST_DATABASE_URL.
 */
describe(TransactionJournal.name, () => {
  let db: Database;
  let close: () => Promise<void>;
  let published: TransactionEvent[][];
  let journal: TransactionJournal;

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    const transitions = new TransactionTransitions();
    transitions.subscribe((events) => published.push([...events]));
    journal = new TransactionJournal(db, new SqlOutcomeOutbox(db, { callback: { url: 'http://127.0.0.1:9/hook', secret: 'x' } } as AppConfig), transitions);
  });

  beforeEach(() => {
    published = [];
  });

  afterAll(() => close());

  const eventsOf = (id: string) =>
    db.read<{ from_status: string | null; to_status: string; actor: string; details: string | null }>(statement('SELECT from_status, to_status, actor, details FROM transaction_events WHERE transaction_id = ? ORDER BY id', [id]));

  it('writes a lone statement as its own unit, with its event, and tells listeners once', async () => {
    const [written] = await journal.write(null, insertion('alone'));

    expect(written).toEqual(expect.objectContaining({ id: 'alone', status: 'pending', amount: 500 }));
    expect(await eventsOf('alone')).toEqual([{ from_status: null, to_status: 'pending', actor: 'main-system', details: '{"source":"main"}' }]);
    expect(published).toEqual([[expect.objectContaining({ transactionId: 'alone', from: null, to: 'pending' })]]);
  });

  it('journals every row an UPDATE wrote, each with its own event', async () => {
    await journal.write(null, insertion('many-1'));
    await journal.write(null, insertion('many-2'));
    published = [];

    const written = await db.unit((unit) =>
      journal.write(unit, {
        write: statement(`UPDATE transactions SET status = 'assigned', assigned_to = ?, updated_at = ? WHERE id IN (?, ?)`, ['box-1', T + 1, 'many-1', 'many-2']),
        event: { from: 'pending', to: 'assigned', actor: 'callbox:box-1', at: T + 1, details: { via: 'poll' } },
      }),
    );

    expect(written.map((tx) => [tx.id, tx.status, tx.assignedTo]).sort()).toEqual([
      ['many-1', 'assigned', 'box-1'],
      ['many-2', 'assigned', 'box-1'],
    ]);
    for (const id of ['many-1', 'many-2']) expect((await eventsOf(id)).map((e) => e.to_status)).toEqual(['pending', 'assigned']);
    expect(published.flat().map((e) => e.transactionId).sort()).toEqual(['many-1', 'many-2']);
  });

  it('keeps neither the change nor its events, and tells no one, when the unit rolls back', async () => {
    const refused = db.unit(async (unit) => {
      await journal.write(unit, insertion('rolled-back'));
      throw new Error('a later step failed');
    });

    await expect(refused).rejects.toThrow('a later step failed');
    expect(await db.read(statement('SELECT id FROM transactions WHERE id = ?', ['rolled-back']))).toEqual([]);
    expect(await eventsOf('rolled-back')).toEqual([]);
    expect(published).toEqual([]);
  });

  it('queues the outbox message of an outcome in the same unit', async () => {
    const known = { ...(await journal.write(null, insertion('outcome-known')))[0] };

    await db.unit((unit) =>
      journal.write(unit, {
        write: statement(`UPDATE transactions SET status = 'completed', updated_at = ? WHERE id = ?`, [T + 2, 'outcome-known']),
        event: { from: 'pending', to: 'completed', actor: 'admin', at: T + 2, details: null },
        known: [{ ...known, status: 'completed', updatedAt: T + 2 }],
      }),
    );

    const outbox = await db.read<{ outcome: string }>(statement('SELECT outcome FROM outbox WHERE transaction_id = ?', ['outcome-known']));
    expect(outbox).toEqual([{ outcome: 'completed' }]);
    expect(await eventsOf('outcome-known')).toEqual([expect.objectContaining({ to_status: 'pending' }), expect.objectContaining({ to_status: 'completed' })]);
  });

  it("numbers a transaction's outbox messages 1, 2, ... in the order its outcomes were written", async () => {
    const pending = { ...(await journal.write(null, insertion('numbered')))[0] };
    const moveTo = (status: 'needs_review' | 'completed', from: string, at: number) =>
      db.unit((unit) =>
        journal.write(unit, {
          write: statement(`UPDATE transactions SET status = ?, updated_at = ? WHERE id = ?`, [status, at, 'numbered']),
          event: { from: from as 'pending', to: status, actor: 'admin', at, details: null },
          known: [{ ...pending, status, updatedAt: at }],
        }),
      );

    await moveTo('needs_review', 'pending', T + 3);
    await moveTo('completed', 'needs_review', T + 4);

    const outbox = await db.read<{ outcome: string; sequence: unknown; payload: string }>(statement('SELECT outcome, sequence, payload FROM outbox WHERE transaction_id = ? ORDER BY id', ['numbered']));
    expect(outbox.map((m) => [m.outcome, Number(m.sequence)])).toEqual([
      ['needs_review', 1],
      ['completed', 2],
    ]);
    // The stored payload is the outcome's; the sender adds the sequence to the body it signs.
    expect(JSON.parse(outbox[1].payload)).toMatchObject({ transactionId: 'numbered', status: 'completed' });
  });

  it('refuses an outcome outside a unit of work before writing anything: its outbox message must commit with it', async () => {
    await journal.write(null, insertion('no-unit'));

    const refused = journal.write(null, {
      write: statement(`UPDATE transactions SET status = 'completed' WHERE id = ?`, ['no-unit']),
      event: { from: 'pending', to: 'completed', actor: 'admin', at: T, details: null },
    });

    await expect(refused).rejects.toThrow('inside a unit of work');
    expect(await db.read(statement('SELECT status FROM transactions WHERE id = ?', ['no-unit']))).toEqual([{ status: 'pending' }]);
  });
});
