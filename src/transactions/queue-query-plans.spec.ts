import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Database } from '../database/database';
import { UnitOfWork } from '../database/unit-of-work';
import type { Statement as SqlStatement } from '../database/statement';
import { OutcomeOutbox } from './outcome-outbox';
import { typeOrmOptions } from '../database/typeorm-options';
import type { Priority, Transaction, TransactionType } from './transaction';
import { BOX_QUEUE_INDEX, QUEUE_INDEX } from './transactions.statements';
import type { BoxClaim, DispatchRound } from './transaction.repository';
import { TransactionTransitions } from './transaction-transitions';
import { SqlTransactionRepository } from './sql-transaction.repository';

/**
 * Taking the head of the queue (the dispatcher's window, a box's claim of pending work) or of a
 * box's assigned work must read an index in ORDER BY order, so LIMIT stops the scan after the rows
 * it returns. Nothing here is timed: the proof is SQLite's own plan (EXPLAIN QUERY PLAN) for every
 * ordered statement the repository actually sends, with the parameters it sends.
 *
 * The app never runs ANALYZE on SQLite, so the planner has no statistics and its choice does not
 * depend on the data: a handful of rows gives the plan that 200 000 rows get. Without statistics
 * it takes the index with the most equalities, ix_transactions_age (status, type, created_at),
 * whenever the type filter has a single term, and then sorts every pending row of that type
 * (66 ms a tick at 200 000 rows); hence `INDEXED BY` (Dialect.indexedBy, commit 03cbab6).
 */

interface SqliteStatement {
  all(...parameters: unknown[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}
interface Statement {
  sql: string;
  parameters: unknown[];
}

const T = 1_700_000_000_000;
/** Work created before this is stale for every type: rows 0 and 1 below stay out of every answer. */
const FRESH_SINCE = T + 1_500;
const NOW = T + 100_000;
const LEASE_MS = 60_000;
const BOX = 'box-1';
const OTHER_BOX = 'box-2';

/** Row i is created at T + i seconds; `holder` null means pending, else assigned to that box. */
const SEED: ReadonlyArray<{ type: TransactionType; priority: Priority; operator: string; holder: string | null }> = [
  { type: 'recharge', priority: 'high', operator: 'MTN', holder: null }, // 0: stale
  { type: 'voucher', priority: 'high', operator: 'Orange', holder: null }, // 1: stale
  { type: 'recharge', priority: 'low', operator: 'MTN', holder: null }, // 2
  { type: 'recharge', priority: 'normal', operator: 'Orange', holder: null }, // 3
  { type: 'voucher', priority: 'normal', operator: 'MTN', holder: null }, // 4
  { type: 'deposit', priority: 'high', operator: 'MTN', holder: null }, // 5
  { type: 'recharge', priority: 'high', operator: 'Orange', holder: null }, // 6
  { type: 'withdraw', priority: 'high', operator: 'MTN', holder: null }, // 7: a type no call below asks for
  { type: 'recharge', priority: 'normal', operator: 'MTN', holder: null }, // 8
  { type: 'deposit', priority: 'low', operator: 'Orange', holder: null }, // 9
  { type: 'voucher', priority: 'high', operator: 'Orange', holder: null }, // 10
  { type: 'recharge', priority: 'high', operator: 'MTN', holder: BOX }, // 11
  { type: 'voucher', priority: 'low', operator: 'MTN', holder: BOX }, // 12
  { type: 'recharge', priority: 'normal', operator: 'Orange', holder: BOX }, // 13
  { type: 'recharge', priority: 'high', operator: 'MTN', holder: OTHER_BOX }, // 14
  { type: 'deposit', priority: 'normal', operator: 'MTN', holder: OTHER_BOX }, // 15
];
const ONE_TYPE: readonly TransactionType[] = ['recharge'];
const SEVERAL_TYPES: readonly TransactionType[] = ['recharge', 'voucher', 'deposit'];

const ORDERED = /ORDER BY priority_rank\b/;
const SORTS_FOR_ORDER_BY = /USE TEMP B-TREE FOR .*ORDER BY/;
const HINT = / INDEXED BY \w+/g;

describe('queue query plans', () => {
  let dir: string;
  let dataSource: DataSource;
  let connection: SqliteConnection;
  let repository: SqlTransactionRepository;
  let ids: string[];
  /** Every statement given to Database.read or a unit of work, with its parameters, since the last reset. */
  let sent: () => Statement[];
  /** Every SQL text prepared on the raw connection, whoever prepared it. */
  let prepared: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'queue-plans-'));
    // The app's own options: better-sqlite3, WAL, and every migration run at initialize().
    dataSource = new DataSource(typeOrmOptions({ engine: 'sqlite', path: join(dir, 'db.sqlite') }));
    await dataSource.initialize();
    connection = (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
    const db = new Database(dataSource);
    const noOutbox: OutcomeOutbox = { enabled: false, record: async () => undefined };
    repository = new SqlTransactionRepository(db, noOutbox, new TransactionTransitions());

    ids = [];
    for (const [i, row] of SEED.entries()) {
      const { transaction } = await repository.create(
        {
          type: row.type,
          phoneNumber: '+237677123456',
          amount: 1000,
          payItemId: 'ITEM',
          customerInfo: { operator: row.operator },
          priority: row.priority,
          maxRetries: 3,
          source: 'main',
        },
        'main-system',
        T + i * 1_000,
      );
      ids.push(transaction.id);
      if (row.holder) {
        await dataSource.query(
          `UPDATE transactions SET status = 'assigned', assigned_to = ?, assigned_at = ?, lease_expires_at = ? WHERE id = ?`,
          [row.holder, T + 50_000, NOW + LEASE_MS, transaction.id],
        );
      }
    }

    // Spies call through: the statements run for real, and each is recorded with its parameters.
    const read = jest.spyOn(Database.prototype, 'read');
    const run = jest.spyOn(UnitOfWork.prototype, 'run');
    sent = () =>
      [...(read.mock.calls as unknown as Array<[SqlStatement]>), ...(run.mock.calls as unknown as Array<[SqlStatement]>)].map(([statement]) => ({
        sql: statement.text,
        parameters: [...statement.params],
      }));
    prepared = [];
    const prepare = connection.prepare.bind(connection);
    connection.prepare = (sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    };
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const seeded = (...indexes: number[]) => indexes.map((i) => ids[i]);
  const idsOf = (transactions: readonly Transaction[]) => transactions.map((tx) => tx.id);

  /**
   * The ordered statements the last call sent. Also checks that no ordered statement reached SQLite
   * any other way (the Database here is new, so each statement is prepared on first use): every one
   * of them is explained below.
   */
  function orderedStatements(): Statement[] {
    const ordered = sent().filter((statement) => ORDERED.test(statement.sql));
    const preparedOrdered = prepared.filter((sql) => ORDERED.test(sql));
    expect(new Set(ordered.map((s) => s.sql))).toEqual(new Set(preparedOrdered));
    return ordered;
  }

  function plan(statement: Statement): string[] {
    const values = statement.parameters.map((value) => (typeof value === 'boolean' ? Number(value) : value));
    const rows = connection.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...values) as Array<{ detail: string }>;
    return rows.map((row) => row.detail);
  }

  /** The held read filters one box's assigned work; every other ordered statement takes pending work. */
  const indexFor = (sql: string) => (/WHERE assigned_to = \?/.test(sql) ? BOX_QUEUE_INDEX : QUEUE_INDEX);

  function expectReadInIndexOrder(statement: Statement): void {
    const detail = plan(statement);
    const index = indexFor(statement.sql);
    const equalities = index === BOX_QUEUE_INDEX ? 'assigned_to=\\? AND status=\\?' : 'status=\\?';
    // sql and plan are in the expectation so a failure prints both, and any sort step by name.
    expect({ sql: statement.sql, plan: detail, sortsForOrderBy: detail.filter((row) => SORTS_FOR_ORDER_BY.test(row)) }).toEqual({
      sql: statement.sql,
      plan: expect.arrayContaining([expect.stringMatching(new RegExp(`^SEARCH transactions USING (COVERING )?INDEX ${index} \\(${equalities}\\)`))]),
      sortsForOrderBy: [],
    });
  }

  function round(types: readonly TransactionType[], window: number, seen: Transaction[][]): DispatchRound {
    return {
      callboxIds: [BOX, OTHER_BOX],
      // SQLite has one writer: there is no box row to lock.
      lockBoxes: async () => undefined,
      window: () => window,
      types,
      freshSince: () => FRESH_SINCE,
      now: NOW,
      actor: 'dispatcher',
      plan: (queue) => {
        seen.push([...queue]);
        return queue.map((tx) => ({ transactionId: tx.id, callboxId: BOX, leaseMs: LEASE_MS }));
      },
    };
  }

  function claim(types: readonly TransactionType[], operators: readonly string[] | null = null): BoxClaim {
    // BOX holds 3 (rows 11, 12, 13): room for 2 more.
    const lockBox = async () => undefined;
    return { callboxId: BOX, lockBox, limit: 5, maxConcurrent: 10, types, operators, freshSince: () => FRESH_SINCE, leaseMs: LEASE_MS, now: NOW };
  }

  async function statusOf(transactionIds: string[]): Promise<Array<{ id: string; status: string; assigned_to: string | null }>> {
    const rows: Array<{ id: string; status: string; assigned_to: string | null }> = await dataSource.query(
      `SELECT id, status, assigned_to FROM transactions WHERE id IN (${transactionIds.map(() => '?').join(', ')})`,
      transactionIds,
    );
    return transactionIds.map((id) => rows.find((row) => row.id === id)!);
  }

  describe('dispatch: the window at the head of the queue', () => {
    it.each([
      // Fresh pending recharges: 6 (high), 3 and 8 (normal), 2 (low).
      { name: 'one type', types: ONE_TYPE, expected: [6, 3, 8] },
      // Fresh pending recharges, vouchers and deposits: 5, 6, 10 (high), then 3, 4, 8 (normal)...
      { name: 'several types', types: SEVERAL_TYPES, expected: [5, 6, 10] },
    ])('with $name, reads ix_transactions_queue in order and sorts nothing', async ({ types, expected }) => {
      const seen: Transaction[][] = [];

      const assigned = await repository.dispatch(round(types, 3, seen));

      expect(seen.map(idsOf)).toEqual([seeded(...expected)]);
      expect(idsOf(assigned)).toEqual(seeded(...expected));
      expect(await statusOf(seeded(...expected))).toEqual(seeded(...expected).map((id) => ({ id, status: 'assigned', assigned_to: BOX })));
      const ordered = orderedStatements();
      expect(ordered).toHaveLength(1);
      expect(ordered[0].sql).toMatch(/^SELECT \* FROM transactions\b.*WHERE status = 'pending'/);
      for (const statement of ordered) expectReadInIndexOrder(statement);
    });

    it('writes the whole round in one UPDATE that finds each row by its primary key, scanning only the planned rows', async () => {
      await repository.dispatch(round(SEVERAL_TYPES, 3, []));

      const updates = sent().filter(({ sql }) => /UPDATE transactions\b/.test(sql));
      expect(updates).toHaveLength(1);
      const detail = plan(updates[0]);
      expect({ sql: updates[0].sql, plan: detail }).toEqual({
        sql: updates[0].sql,
        plan: expect.arrayContaining([expect.stringMatching(/^SEARCH transactions USING INDEX sqlite_autoindex_transactions_1 \(id=\?\)/)]),
      });
      expect(detail.filter((row) => /^SCAN transactions\b/.test(row))).toEqual([]);
    });
  });

  describe('sweeps: the rows a tick moves', () => {
    it("moves them by their primary key, never by reading every row of their status", async () => {
      const moved = await repository.sweep({
        from: 'assigned',
        to: 'pending',
        match: { assignedToIn: [BOX] },
        patch: { assignedTo: null, assignedAt: null, leaseExpiresAt: null },
        actor: 'dispatcher',
        details: { reason: 'callbox_disconnected' },
        now: NOW,
        limit: 500,
      });

      expect(idsOf(moved).sort()).toEqual(seeded(11, 12, 13).sort());
      const updates = sent().filter(({ sql }) => /^\s*UPDATE transactions\b/.test(sql));
      expect(updates).toHaveLength(1);
      const detail = plan(updates[0]);
      expect({ sql: updates[0].sql, plan: detail }).toEqual({
        sql: updates[0].sql,
        plan: [expect.stringMatching(/^SEARCH transactions USING INDEX sqlite_autoindex_transactions_1 \(id=\?\)/)],
      });
    });
  });

  describe("claimForBox: the box's assigned work, then the head of the queue", () => {
    it.each([
      // Held by BOX: 11 (high), 13 (normal), 12 (low); then two fresh pending recharges: 6, 3.
      { name: 'one type', types: ONE_TYPE, operators: null, held: [11, 13, 12], claimed: [6, 3] },
      { name: 'several types', types: SEVERAL_TYPES, operators: null, held: [11, 13, 12], claimed: [5, 6] },
      // Fresh pending MTN recharges only: 8 (normal), 2 (low).
      { name: 'one type and an operator filter', types: ONE_TYPE, operators: ['mtn'], held: [11, 13, 12], claimed: [8, 2] },
    ])('with $name, reads ix_transactions_box and ix_transactions_queue in order and sorts nothing', async ({ types, operators, held, claimed }) => {
      const answer = await repository.claimForBox(claim(types, operators));

      expect(idsOf(answer)).toEqual(seeded(...held, ...claimed));
      expect(await statusOf(seeded(...claimed))).toEqual(seeded(...claimed).map((id) => ({ id, status: 'assigned', assigned_to: BOX })));
      const ordered = orderedStatements();
      expect(ordered.map((s) => (/^\s*UPDATE/.test(s.sql) ? 'claim pending' : 'held read')).sort()).toEqual(['claim pending', 'held read']);
      for (const statement of ordered) expectReadInIndexOrder(statement);
    });
  });

  /**
   * Why the hint is there. With a single type, `(type = ? AND created_at >= ?)` is plain equalities
   * and a range that ix_transactions_age matches better than ix_transactions_queue, so without the
   * hint the planner takes it and sorts for ORDER BY. (With several types the OR leaves it only
   * `status = ?`, and it picks ix_transactions_queue by itself; the held read picks
   * ix_transactions_box by itself: there the hint only guards against a future index.) Planner
   * behaviour of the bundled SQLite without statistics: an upgrade that changes it fails this test,
   * not the ones above.
   */
  it('without INDEXED BY, the single-type head-of-queue reads would sort every pending row of the type', async () => {
    // The claim first: after the dispatch BOX would hold too much to claim anything.
    expect(await repository.claimForBox(claim(ONE_TYPE))).toHaveLength(5);
    expect(await repository.dispatch(round(ONE_TYPE, 3, []))).toHaveLength(2);

    const queueReads = orderedStatements().filter((statement) => indexFor(statement.sql) === QUEUE_INDEX);
    expect(queueReads).toHaveLength(2);
    for (const statement of queueReads) {
      expect(statement.sql).toContain(` INDEXED BY ${QUEUE_INDEX} `);
      const detail = plan({ ...statement, sql: statement.sql.replace(HINT, '') });
      expect(detail).toContainEqual(expect.stringMatching(/^SEARCH transactions USING INDEX ix_transactions_age \(status=\? AND type=\? AND created_at>\?\)/));
      expect(detail).toContainEqual(expect.stringMatching(SORTS_FOR_ORDER_BY));
    }
  });
});
