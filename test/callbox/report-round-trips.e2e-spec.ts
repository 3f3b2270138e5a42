import { Database } from '../../src/database/database';
import { PostgresStatements } from '../../src/database/postgres-statements';
import type { Statement } from '../../src/database/statement';
import { CallBoxRepository } from '../../src/callbox/registry/callbox';
import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, expectStatus, paths, registerBox, submit } from './callbox-api';

/** The spec's example result (section 5). */
const SPEC_RESULT = { success: true, transactionRef: 'MTN123456789', balance: 2500, message: 'Recharge effectuée avec succès' };

/**
 * Every transaction gets a `processing` then a `completed` report from the box that holds it. Named
 * with their attempt (as firmware does), each is written as one guarded statement (the row only if
 * the box still holds it in that status and attempt) with its event, no locked read first: on
 * PostgreSQL `processing` is one round trip instead of four (no BEGIN or COMMIT), `completed` four
 * instead of five (its box's health and outbox message commit with it) (issue 16). What reaches the
 * drivers is counted at the database layer's door.
 */
describe('Device report round trips', () => {
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
  const completed = (id: string, callboxId: string, attempt?: number) =>
    t.api.put(paths.status(id), { status: 'completed', callboxId, result: SPEC_RESULT, ...(attempt !== undefined && { attempt }) });
  const lockedReads = (statements: string[]) => statements.filter((text) => /FOR UPDATE|^\s*SELECT \* FROM transactions WHERE id = \?/.test(text));
  /** What was sent about `transactions` and its events (settings and registry reads left out). */
  const aboutTransactions = () => sent.filter((text) => /\btransaction(s|_events)\b/.test(text) || /^(BEGIN|COMMIT|ROLLBACK)$/.test(text));

  it('on held work, naming its attempt: one statement with its event, no locked read (PostgreSQL: one round trip, no BEGIN or COMMIT)', async () => {
    const tx = await held();
    sent = [];

    const res = await processing(tx.id, 'callbox_001', tx.attempt);

    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject({ id: tx.id, status: 'processing', assignedTo: 'callbox_001', startedAt: expect.any(String) });
    const statements = aboutTransactions();
    expect(lockedReads(statements)).toEqual([]);
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

  it('completed on started work, naming its attempt: one guarded statement with its event, the box health in the same unit, no locked read', async () => {
    const tx = await held();
    expectStatus(await processing(tx.id, 'callbox_001', tx.attempt), 200);
    sent = [];

    const res = await completed(tx.id, 'callbox_001', tx.attempt);

    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject({ id: tx.id, status: 'completed', result: SPEC_RESULT, completedAt: expect.any(String) });
    const statements = aboutTransactions();
    expect(lockedReads(statements)).toEqual([]);
    if (db.dialect.writesInWith) {
      expect(statements).toEqual(['BEGIN', expect.stringMatching(/^WITH written AS \(UPDATE transactions SET .* AND attempt = \?/s), 'COMMIT']);
    } else {
      expect(statements).toEqual([expect.stringMatching(/^UPDATE transactions SET .* RETURNING \*$/s), expect.stringMatching(/^INSERT INTO transaction_events/)]);
    }
    // The box's health moved with it (its first outcome: a write of its window).
    expect(sent.some((text) => /^\s*UPDATE callboxes SET recent_outcomes/.test(text))).toBe(true);
    const box = await t.app.get(CallBoxRepository).findById('callbox_001');
    expect(box?.recentOutcomes).toBe('S');
    const events = await t.app.get(TransactionRepository).listEvents(tx.id);
    expect(events.at(-1)).toMatchObject({ from: 'processing', to: 'completed', actor: 'callbox:callbox_001', details: { reportedStatus: 'completed', attempt: tx.attempt } });
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

    expectStatus(await completed(tx.id, 'callbox_001', tx.attempt), 200);
    const repeated = await completed(tx.id, 'callbox_001', tx.attempt);
    expectStatus(repeated, 200);
    expect(repeated.body.transaction).toMatchObject({ id: tx.id, status: 'completed' });
    expectError(await processing(tx.id, 'callbox_001', tx.attempt), 409, 'TRANSACTION.ILLEGAL_TRANSITION');

    const events = await t.app.get(TransactionRepository).listEvents(tx.id);
    expect(events.filter((event) => event.to === 'processing')).toHaveLength(1);
    expect(events.filter((event) => event.to === 'completed')).toHaveLength(1);
    expect((await t.app.get(CallBoxRepository).findById('callbox_001'))?.recentOutcomes).toBe('S');
  });
});
