import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { SQLITE } from '../database/dialect';
import type { Statement } from '../database/statement';
import { typeOrmOptions } from '../database/typeorm-options';
import { ArchiveSql } from './archive.statements';

interface SqliteConnection {
  prepare(sql: string): { all(...parameters: unknown[]): Array<{ detail: string }> };
}

const T = 1_700_000_000_000;

/**
 * Every statement the archive sends while the service runs reads an index range, never a table:
 * each unit of work stays bounded by its batch at 10 M rows. The proof is SQLite's own plan
 * (without statistics, as the app runs: see queue-query-plans.spec.ts).
 */
describe('Archive query plans (SQLite)', () => {
  let dir: string;
  let dataSource: DataSource;
  let plan: (statement: Statement) => string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'merecharge-archive-plans-'));
    dataSource = new DataSource(typeOrmOptions({ engine: 'sqlite', path: join(dir, 'plans.sqlite') }));
    await dataSource.initialize();
    const connection = (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
    plan = (statement) =>
      connection
        .prepare(`EXPLAIN QUERY PLAN ${statement.text}`)
        .all(...statement.params)
        .map((row) => row.detail)
        .join('\n');
  }, 60_000);
  afterAll(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages archivable transactions along ix_transactions_age, their pending callbacks by the outbox index', () => {
    expect(plan(ArchiveSql.page(SQLITE, 'completed', 'recharge', T, null, 500))).toMatch(
      /SEARCH t USING INDEX ix_transactions_age \(status=\? AND type=\? AND created_at<\?\)/,
    );
    // After a cursor, the range starts at it: a page never reads the rows of the pages before.
    expect(plan(ArchiveSql.page(SQLITE, 'completed', 'recharge', T, { createdAt: T - 5, id: 'tx_1' }, 500))).toMatch(
      /SEARCH t USING INDEX ix_transactions_age \(status=\? AND type=\? AND created_at>\? AND created_at<\?\)/,
    );
    for (const cursor of [null, { createdAt: T - 5, id: 'tx_1' }]) {
      const text = plan(ArchiveSql.page(SQLITE, 'completed', 'recharge', T, cursor, 500));
      expect(text).toMatch(/SEARCH o USING INDEX ux_outbox_transaction_sequence \(transaction_id=\?\)/);
      expect(text).not.toMatch(/\bSCAN\b/);
    }
  });

  it('reads and deletes events, callbacks and transactions by their keys, however many a unit lists', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `tx_${i}`);
    const eventIds = Array.from({ length: 2_000 }, (_, i) => i + 1);
    expect(plan(ArchiveSql.eventsOf(SQLITE, ids))).toMatch(/SEARCH transaction_events USING INDEX ix_transaction_events_tx \(transaction_id=\?\)/);
    expect(plan(ArchiveSql.deleteEvents(SQLITE, eventIds))).toMatch(/SEARCH transaction_events USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(plan(ArchiveSql.deleteDeliveredOutbox(SQLITE, ids))).toMatch(/SEARCH outbox USING INDEX ux_outbox_transaction_sequence \(transaction_id=\?\)/);
    for (const n of [1, 30, 500]) {
      expect(plan(ArchiveSql.deleteTransactions(SQLITE, ids.slice(0, n)))).toMatch(/SEARCH transactions USING INDEX sqlite_autoindex_transactions_1 \(id=\?\)/);
    }
    expect(plan(ArchiveSql.eventsOf(SQLITE, ['tx_1', 'tx_2']))).toMatch(/SEARCH transaction_events USING INDEX ix_transaction_events_tx \(transaction_id=\?\)/);
    expect(plan(ArchiveSql.deleteEvents(SQLITE, [1, 2]))).toMatch(/SEARCH transaction_events USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(plan(ArchiveSql.deleteDeliveredOutbox(SQLITE, ['tx_1']))).toMatch(/SEARCH outbox USING INDEX ux_outbox_transaction_sequence \(transaction_id=\?\)/);
    expect(plan(ArchiveSql.deleteTransactions(SQLITE, ['tx_1']))).toMatch(/SEARCH transactions USING INDEX sqlite_autoindex_transactions_1 \(id=\?\)/);
  });

  it('walks the command journal by primary-key windows', () => {
    const after = { msisdn: '77123456', transactionId: 'dt1' };
    const end = { msisdn: '77999999', transactionId: 'dt9' };
    expect(plan(ArchiveSql.journalWindowEnd(SQLITE, after, 2000))).toMatch(/SEARCH topup_command_journal USING (COVERING )?INDEX sqlite_autoindex_topup_command_journal_1 \(\(msisdn,transaction_id\)>\(\?,\?\)\)/);
    expect(plan(ArchiveSql.pruneJournal(SQLITE, after, end, T))).toMatch(/SEARCH topup_command_journal USING INDEX sqlite_autoindex_topup_command_journal_1 \(\(msisdn,transaction_id\)>\(\?,\?\) AND \(msisdn,transaction_id\)<\(\?,\?\)\)/);
  });
});
