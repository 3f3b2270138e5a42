import { openTestDatabase } from '../../test/support/test-database';
import { SqlOutcomeOutbox } from '../callbacks/sql-outcome-outbox';
import { SqlCallBoxRepository } from '../callbox/registry/sql-callbox.repository';
import type { AppConfig } from '../config/app-config';
import type { Database } from '../database/database';
import { statement } from '../database/statement';
import { TransactionCounters1732740000000 } from '../migrations/1732740000000-transaction-counters';
import { SqlTransactionRepository } from './sql-transaction.repository';
import type { NewTransaction, TransactionStatus, TransactionType } from './transaction';
import { TRANSACTION_STATUSES } from './transaction';
import type { TransactionCounters } from './transaction-counters';
import type { BoxClaim } from './transaction.repository';
import { TransactionTransitions } from './transaction-transitions';
import type { DataSource } from 'typeorm';

const T = 1_700_000_000_000;
const TYPES: readonly TransactionType[] = ['recharge', 'voucher', 'deposit', 'withdraw'];
const BOXES = ['box_a', 'box_b', 'box_c', 'box_d'];

const newTransaction = (i: number): NewTransaction => ({
  type: TYPES[i % TYPES.length],
  phoneNumber: '+237677123456',
  amount: 1000 + i,
  payItemId: `item-${i}`,
  customerInfo: { operator: 'MTN' },
  priority: 'normal',
  maxRetries: 1,
  source: 'main',
});

/**
 * The counters the stats and the metrics read are kept by the database with every write of
 * `transactions`: they equal a full count of the table after any mix of writes, however the
 * writers race (PostgreSQL: concurrent units on pooled connections, and folds running beside them),
 * and the migration counts the rows already there. Runs on SQLite, and on PostgreSQL with
 * TEST_DATABASE_URL.
 */
describe('Transaction counters', () => {
  let db: Database;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let sut: SqlTransactionRepository;
  let boxes: SqlCallBoxRepository;

  beforeAll(async () => {
    ({ db, dataSource, close } = await openTestDatabase());
    const outbox = new SqlOutcomeOutbox(db, { callback: { url: 'http://127.0.0.1:9/hook', secret: 'counters-secret' } } as AppConfig);
    sut = new SqlTransactionRepository(db, outbox, new TransactionTransitions());
    boxes = new SqlCallBoxRepository(db);
    for (const id of BOXES) {
      await boxes.register({ id, maxConcurrent: 1000, supportedTypes: [...TYPES], operators: null, version: null, location: null }, T);
    }
  }, 60_000);
  afterAll(() => close());
  beforeEach(async () => {
    for (const table of ['transaction_events', 'outbox', 'transactions']) await db.unit(statement(`DELETE FROM ${table}`));
  });

  /** The counts as the stats computed them before the counters: straight from the rows. */
  async function fullCount(): Promise<TransactionCounters> {
    const byStatus = Object.fromEntries(TRANSACTION_STATUSES.map((s) => [s, 0])) as Record<TransactionStatus, number>;
    const grouped = await db.read<{ type: TransactionType; status: TransactionStatus; n: unknown }>(
      statement('SELECT type, status, COUNT(*) AS n FROM transactions GROUP BY type, status'),
    );
    for (const row of grouped) byStatus[row.status] += Number(row.n);
    const processed = await db.read<{ box: string; n: unknown }>(
      statement(`SELECT assigned_to AS box, COUNT(*) AS n FROM transactions WHERE status IN ('completed', 'failed') AND assigned_to IS NOT NULL GROUP BY assigned_to`),
    );
    const [mean] = await db.read<{ mean: unknown }>(
      statement(`SELECT AVG(completed_at - started_at) AS mean FROM transactions WHERE status = 'completed' AND started_at IS NOT NULL`),
    );
    return {
      byStatus,
      byTypeAndStatus: grouped.map((row) => ({ type: row.type, status: row.status, count: Number(row.n) })),
      processedByBox: new Map(processed.map((row) => [row.box, Number(row.n)])),
      meanProcessingMs: mean.mean === null ? null : Math.round(Number(mean.mean)),
    };
  }

  const sorted = (counters: TransactionCounters) => ({
    ...counters,
    byTypeAndStatus: [...counters.byTypeAndStatus].sort((a, b) => `${a.type}/${a.status}`.localeCompare(`${b.type}/${b.status}`)),
    processedByBox: [...counters.processedByBox.entries()].sort(),
  });
  const expectCountersToMatchTable = async () => expect(sorted(await sut.counters())).toEqual(sorted(await fullCount()));

  const claimFor = (callboxId: string, limit: number, now: number): BoxClaim => ({
    callboxId,
    lockBox: (unit) => boxes.lockForClaim(unit, callboxId),
    limit,
    maxConcurrent: 1000,
    types: TYPES,
    operators: null,
    freshSince: () => 0,
    leaseMs: 60_000,
    now,
  });

  /** A box's whole run on one transaction: processing, then completed or failed (a retry with one left). */
  const runOnBox = (id: string, callboxId: string, at: number, outcome: 'completed' | 'failed') =>
    sut
      .transition(id, (tx) => (tx.status === 'assigned' ? { to: 'processing', patch: { startedAt: at }, actor: callboxId, at, details: null } : null))
      .then(() =>
        sut.transition(id, (tx) => {
          if (tx.status !== 'processing') return null;
          if (outcome === 'completed') return { to: 'completed', patch: { completedAt: at + 1_000 + (at % 7) }, actor: callboxId, at, details: null };
          return tx.retryCount < tx.maxRetries
            ? { to: 'retry', patch: { retryCount: tx.retryCount + 1, nextAttemptAt: at }, actor: callboxId, at, details: null }
            : { to: 'failed', patch: { completedAt: at + 500 }, actor: callboxId, at, details: null };
        }),
      );

  it('starts at zero and follows creates, claims, runs, sweeps and deletes', async () => {
    await expect(sut.counters()).resolves.toMatchObject({ byStatus: { pending: 0, completed: 0 }, byTypeAndStatus: [], meanProcessingMs: null });

    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await sut.create(newTransaction(i), 'main-system', T + i)).transaction.id);
    const claimed = await sut.claimForBox(claimFor('box_a', 8, T + 100));
    await runOnBox(claimed[0].id, 'box_a', T + 200, 'completed');
    await runOnBox(claimed[1].id, 'box_a', T + 300, 'completed');
    await runOnBox(claimed[2].id, 'box_a', T + 400, 'failed');
    await sut.sweep({ from: 'retry', to: 'pending', match: { dueBefore: T + 10_000 }, patch: {}, actor: 'dispatcher', details: {}, now: T + 10_000, limit: 10 });
    await db.unit(statement('DELETE FROM transactions WHERE id = ?', [claimed[1].id]));

    const counters = await sut.counters();
    expect(counters.byStatus).toMatchObject({ pending: 5, assigned: 5, completed: 1, failed: 0 });
    expect(counters.processedByBox).toEqual(new Map([['box_a', 1]]));
    expect(counters.meanProcessingMs).toBe(1_000 + ((T + 200) % 7));
    await expectCountersToMatchTable();
  });

  it('equals a full count after creates, claims, runs and folds race each other', async () => {
    const creators = Array.from({ length: 6 }, (_, c) =>
      (async () => {
        for (let i = 0; i < 25; i++) await sut.create(newTransaction(c * 100 + i), 'main-system', T + c * 100 + i);
      })(),
    );
    let racing = true;
    const folds = (async () => {
      while (racing) {
        await sut.foldCounterDeltas(7);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const workers = BOXES.map((box, b) =>
      (async () => {
        for (let round = 0; round < 12; round++) {
          const now = T + 1_000 + round;
          const claimed = await sut.claimForBox(claimFor(box, 4, now));
          await Promise.all(claimed.map((tx, i) => runOnBox(tx.id, box, now + i, (i + b + round) % 3 === 0 ? 'failed' : 'completed')));
          await sut.sweep({ from: 'retry', to: 'pending', match: { dueBefore: now + 1 }, patch: {}, actor: 'dispatcher', details: {}, now, limit: 50 });
        }
      })(),
    );
    await Promise.all([...creators, ...workers]);
    racing = false;
    await folds;

    const counters = await sut.counters();
    expect(counters.byStatus.completed + counters.byStatus.failed).toBeGreaterThan(20);
    expect(TRANSACTION_STATUSES.reduce((sum, s) => sum + counters.byStatus[s], 0)).toBe(150);
    await expectCountersToMatchTable();
    // Folding everything left changes where the counts live, never what they say.
    while ((await sut.foldCounterDeltas(1_000)) > 0);
    const [left] = await db.read<{ n: unknown }>(statement('SELECT COUNT(*) AS n FROM transaction_count_deltas'));
    expect(Number(left.n)).toBe(0);
    await expectCountersToMatchTable();
  }, 120_000);

  it('counts the rows already in the table when the migration runs', async () => {
    for (let i = 0; i < 9; i++) await sut.create(newTransaction(i), 'main-system', T + i);
    const claimed = await sut.claimForBox(claimFor('box_b', 3, T + 100));
    await runOnBox(claimed[0].id, 'box_b', T + 200, 'completed');
    const before = sorted(await fullCount());

    const migration = new TransactionCounters1732740000000();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    // The SQLite Database caches prepared statements over tables the migration dropped.
    const fresh = await openCountersAgain();
    expect(sorted(await fresh.counters())).toEqual(before);
    expect(before.byStatus).toMatchObject({ pending: 6, assigned: 2, completed: 1 });
  });

  const openCountersAgain = async () => {
    const { Database: DatabaseClass } = await import('../database/database');
    const again = new DatabaseClass(dataSource);
    return new SqlTransactionRepository(again, new SqlOutcomeOutbox(again, { callback: null } as unknown as AppConfig), new TransactionTransitions());
  };
});
