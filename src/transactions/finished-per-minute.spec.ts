import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Database } from '../database/database';
import { statement } from '../database/statement';
import { typeOrmOptions } from '../database/typeorm-options';
import { SqlTransactionSearch } from './transaction-search';
import { FINISHED_INDEX, TransactionSearchSql } from './transaction-search.statements';

const MINUTE = 60_000;
/** 10:00:00 on some day: the hour counted runs from 09:00 to 10:00 included. */
const NOW = 29_000_000 * MINUTE;

/**
 * The admin overview's last hour of outcomes: counted per minute by index ranges, never by sorting
 * the hour's rows (SQLite's writer keeps its sorts in memory: temp_store MEMORY).
 */
describe(SqlTransactionSearch.name, () => {
  let dir: string;
  let dataSource: DataSource;
  let db: Database;
  let sut: SqlTransactionSearch;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'finished-per-minute-'));
    // The app's own options: every migration, so the indexes are the app's.
    dataSource = new DataSource(typeOrmOptions({ engine: 'sqlite', path: join(dir, 'db.sqlite') }));
    await dataSource.initialize();
    db = new Database(dataSource);
    sut = new SqlTransactionSearch(db);
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  let next = 0;
  const finished = (status: string, completedAt: number | null) =>
    db.unit(
      statement(
        `INSERT INTO transactions (id, type, phone_number, pay_item_id, priority, priority_rank, status, max_retries, source, created_at, updated_at, completed_at)
         VALUES (?, 'recharge', '77123456', 'P', 'normal', 1, ?, 3, 'main', ?, ?, ?)`,
        [`tx_${next++}`, status, NOW - 2 * 60 * MINUTE, NOW, completedAt],
      ),
    );

  it('counts each minute of the hour and each outcome, the minute boundaries exact, zeros included', async () => {
    await finished('completed', NOW - 60 * MINUTE); // the first minute counted, at its first millisecond
    await finished('completed', NOW - 60 * MINUTE - 1); // the minute before the hour: not counted
    await finished('failed', NOW - 30 * MINUTE + 59_999); // the last millisecond of 09:30
    await finished('completed', NOW - 30 * MINUTE + 60_000); // 09:31
    await finished('completed', NOW + 5); // the current minute
    await finished('completed', NOW + 1);
    await finished('needs_review', NOW); // not an outcome counted
    await finished('pending', null);

    const minutes = await sut.finishedPerMinute(NOW - 60 * MINUTE, NOW + 30_000);

    expect(minutes).toHaveLength(61);
    expect(minutes[0]).toEqual({ minute: NOW - 60 * MINUTE, completed: 1, failed: 0 });
    expect(minutes[30]).toEqual({ minute: NOW - 30 * MINUTE, completed: 0, failed: 1 });
    expect(minutes[31]).toEqual({ minute: NOW - 29 * MINUTE, completed: 1, failed: 0 });
    expect(minutes[60]).toEqual({ minute: NOW, completed: 2, failed: 0 });
    const counted = minutes.reduce((sum, m) => sum + m.completed + m.failed, 0);
    expect(counted).toBe(5);
  });

  it('reads the finished index by ranges: no temporary B-tree, whatever the hour holds', async () => {
    const { text, params } = TransactionSearchSql.finishedPerMinute(db.dialect, NOW / MINUTE - 60, NOW / MINUTE);
    const plan = (await db.read<{ detail: string }>(statement(`EXPLAIN QUERY PLAN ${text}`, [...params]))).map((row) => row.detail);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    expect(plan).toContainEqual(expect.stringMatching(new RegExp(`SEARCH transactions USING COVERING INDEX ${FINISHED_INDEX} \\(completed_at>\\? AND completed_at<\\?\\)`)));
  });
});
