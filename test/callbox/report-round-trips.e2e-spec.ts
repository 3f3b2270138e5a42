import { Database } from '../../src/database/database';
import { PostgresStatements } from '../../src/database/postgres-statements';
import type { Statement } from '../../src/database/statement';
import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, expectStatus, paths, registerBox, submit } from './callbox-api';

/**
 * Every transaction gets a `processing` report from the box that holds it. Named with its attempt
 * (as firmware does), it is written as one guarded statement (the row only if it is still assigned
 * to that box in that attempt) with its event: no locked read first, and on PostgreSQL no BEGIN and
 * COMMIT around it, one round trip instead of four (issue 16). What reaches the drivers is counted
 * at the database layer's door.
 */
describe('Processing report round trips', () => {
  let t: TestApp;
  let db: Database;
  /** Statements sent (SQLite) or round trips made (PostgreSQL: named statements and BEGIN / COMMIT / ROLLBACK), in order. */
  let sent: string[];

  beforeEach(async () => {
    t = await createTestApp();
    db = t.app.get(Database);
    await registerBox(t.api, 'callbox_001');
    await registerBox(t.api, 'callbox_002');
    sent = [];
    const onSqlite = db as unknown as { runOnSqlite(statement: Statement): unknown };
    const runOnSqlite = onSqlite.runOnSqlite.bind(db);
    jest.spyOn(onSqlite, 'runOnSqlite').mockImplementation((statement: Statement) => {
      sent.push(statement.text);
      return runOnSqlite(statement);
    });
    const run = PostgresStatements.prototype.run;
    jest.spyOn(PostgresStatements.prototype, 'run').mockImplementation(function (this: PostgresStatements, target, statement) {
      sent.push(statement.text);
      return run.call(this, target, statement) as never;
    });
    const control = PostgresStatements.prototype.control;
    jest.spyOn(PostgresStatements.prototype, 'control').mockImplementation(function (this: PostgresStatements, target, command) {
      sent.push(command);
      return control.call(this, target, command);
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  const held = async (callboxId = 'callbox_001') => {
    const tx = await submit(t.api);
    const { transactions } = await claim(t.api, callboxId, 1);
    expect(transactions.map((x) => x.id)).toEqual([tx.id]);
    return transactions[0] as { id: string; attempt: number };
  };
  const processing = (id: string, callboxId: string, attempt?: number) =>
    t.api.put(paths.status(id), { status: 'processing', callboxId, ...(attempt !== undefined && { attempt }) });
  /** What was sent about `transactions` and its events (settings and registry reads left out). */
  const aboutTransactions = () => sent.filter((text) => /\btransaction(s|_events)\b/.test(text) || /^(BEGIN|COMMIT|ROLLBACK)$/.test(text));

  it('on held work, naming its attempt: one statement with its event, no locked read (PostgreSQL: one round trip, no BEGIN or COMMIT)', async () => {
    const tx = await held();
    sent = [];

    const res = await processing(tx.id, 'callbox_001', tx.attempt);

    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject({ id: tx.id, status: 'processing', assignedTo: 'callbox_001', startedAt: expect.any(String) });
    const statements = aboutTransactions();
    expect(statements.filter((text) => /FOR UPDATE|^\s*SELECT \* FROM transactions WHERE id = \?/.test(text))).toEqual([]);
    if (db.dialect.writesInWith) {
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/^WITH written AS \(UPDATE transactions SET .* WHERE id = \? AND status = \? AND assigned_to = \? AND attempt = \?/s);
    } else {
      expect(statements).toEqual([expect.stringMatching(/^UPDATE transactions SET .* RETURNING \*$/s), expect.stringMatching(/^INSERT INTO transaction_events/)]);
    }
    const events = await t.app.get(TransactionRepository).listEvents(tx.id);
    expect(events.map(({ from, to, actor, details }) => ({ from, to, actor, details }))).toEqual([
      { from: null, to: 'pending', actor: expect.any(String), details: expect.anything() },
      { from: 'pending', to: 'assigned', actor: 'callbox:callbox_001', details: { via: 'poll' } },
      { from: 'assigned', to: 'processing', actor: 'callbox:callbox_001', details: { reportedStatus: 'processing', attempt: tx.attempt } },
    ]);
  });

  it('what does not match the guard takes the locked path and answers as before: a replay, another box, another attempt', async () => {
    const tx = await held();
    expectStatus(await processing(tx.id, 'callbox_001', tx.attempt), 200);

    // The replay changes nothing and is answered 200; another box and an earlier attempt are refused.
    const replay = await processing(tx.id, 'callbox_001', tx.attempt);
    expectStatus(replay, 200);
    expect(replay.body.transaction).toMatchObject({ id: tx.id, status: 'processing' });
    expectError(await processing(tx.id, 'callbox_002', tx.attempt), 403, 'TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
    expectError(await processing(tx.id, 'callbox_001', tx.attempt + 1), 409, 'TRANSACTION.STALE_ATTEMPT');

    const events = await t.app.get(TransactionRepository).listEvents(tx.id);
    expect(events.filter((event) => event.to === 'processing')).toHaveLength(1);
  });
});
