import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedTransactions } from '../../test/support/archive-fixtures';
import { openTestDatabase } from '../../test/support/test-database';
import type { Database } from '../database/database';
import { statement } from '../database/statement';
import { ArchiveMaintenance, VACUUM_STEP_PAGES } from './archive-maintenance';
import { ArchiveRunner } from './archive-runner';

const T = 1_700_000_000_000;

/** Journal pruning and SQLite's incremental vacuum (SQLite, and PostgreSQL with TEST_DATABASE_URL). */
describe(ArchiveMaintenance.name, () => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
  }, 60_000);
  afterAll(() => close());

  it('prunes answered journal entries older than the date, window by window, and keeps running, unknown and recent ones', async () => {
    const entries: Array<{ msisdn: string; id: string; state: string; updatedAt: number }> = [];
    for (let i = 0; i < 23; i++) {
      const state = ['done', 'done', 'unknown', 'running'][i % 4];
      entries.push({ msisdn: `7712${String(i % 5).padStart(4, '0')}`, id: `dt${i}`, state, updatedAt: i % 3 === 0 ? T + 10_000 : T - 10_000 });
    }
    for (const e of entries) {
      await db.unit(
        statement(
          `INSERT INTO topup_command_journal (msisdn, transaction_id, operation, request_hash, pin_digest, state, outcome, http_status, response, created_at, updated_at)
           VALUES (?, ?, 'recharge_account', 'h', 'p', ?, NULL, NULL, NULL, ?, ?)`,
          [e.msisdn, e.id, e.state, e.updatedAt, e.updatedAt],
        ),
      );
    }
    const pruned = entries.filter((e) => e.state === 'done' && e.updatedAt < T);

    await expect(new ArchiveMaintenance(db, 4).pruneJournal(T)).resolves.toBe(pruned.length);

    const left = await db.read<{ transaction_id: string }>(statement('SELECT transaction_id FROM topup_command_journal'));
    expect(left.map((row) => row.transaction_id).sort()).toEqual(entries.filter((e) => !pruned.includes(e)).map((e) => e.id).sort());
  });

  /** Archives (then deletes) what was created before `beforeMs`, into a file thrown away. */
  const archiveBefore = async (beforeMs: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'merecharge-vacuum-'));
    try {
      await new ArchiveRunner(db).run({ beforeMs, out: join(dir, 'a.ndjson.gz') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('gives the pages freed by an archive back to the file system in small steps (SQLite in incremental mode)', async () => {
    const sut = new ArchiveMaintenance(db);
    if (db.dialect.engine === 'postgres') {
      await expect(sut.reclaim()).resolves.toEqual({ mode: null, pagesFreed: 0, steps: 0, worstStepMs: 0 });
      return;
    }
    await expect(sut.vacuumMode()).resolves.toBe('incremental');
    await seedTransactions(db, 400, T, 1_000, 'tx_vacuum');
    await archiveBefore(T + 400_000);
    const free = await sut.freePages();
    expect(free).toBeGreaterThan(0);

    // Steps never slow enough to shrink: whole steps of VACUUM_STEP_PAGES.
    const report = await sut.reclaim(100_000, undefined, Number.POSITIVE_INFINITY);

    expect(report).toMatchObject({ mode: 'incremental', pagesFreed: free, steps: Math.ceil(free / VACUUM_STEP_PAGES) });
    await expect(sut.freePages()).resolves.toBe(0);
  });

  it('makes the next vacuum step smaller when one takes longer than its target (a cold file on a busy disk)', async () => {
    const sut = new ArchiveMaintenance(db);
    if (db.dialect.engine === 'postgres') return;
    await seedTransactions(db, 5_000, T, 10, 'tx_slow_vacuum');
    await archiveBefore(T + 400_000);
    const free = await sut.freePages();
    expect(free).toBeGreaterThan(VACUUM_STEP_PAGES);
    // Every step seen taking 2 560 ms against a 10 ms target: 256 pages, then one page a step.
    let clock = 0;
    const report = await sut.reclaim(100_000, undefined, 10, () => (clock += 2_560));

    expect(report.pagesFreed).toBe(free);
    expect(report.steps).toBe(1 + (free - VACUUM_STEP_PAGES));
    await expect(sut.freePages()).resolves.toBe(0);
  }, 180_000);
});
