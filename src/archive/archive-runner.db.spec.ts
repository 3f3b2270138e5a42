import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { archivable, comparable, fullCount, idsIn, seedTransactions, SeededTransaction } from '../../test/support/archive-fixtures';
import { openTestDatabase } from '../../test/support/test-database';
import { SqlOutcomeOutbox } from '../callbacks/sql-outcome-outbox';
import type { AppConfig } from '../config/app-config';
import type { Database } from '../database/database';
import { statement } from '../database/statement';
import { SqlTransactionRepository } from '../transactions/sql-transaction.repository';
import { TransactionTransitions } from '../transactions/transaction-transitions';
import { ArchivedTransaction, readArchive } from './archive-file';
import { STALE_RUN_MS } from './archive-manifest';
import { ArchiveRunner } from './archive-runner';

const T = 1_700_000_000_000;
const BEFORE = T + 60 * 60_000;

/**
 * The archive core on a real database (SQLite, and PostgreSQL with TEST_DATABASE_URL): what it
 * moves, that the file is verified before anything is deleted, that a run stopped at any point is
 * finished by the next one with nothing lost and nothing twice, and that the counters still equal a
 * full count (archived rows leave the counts).
 */
describe(ArchiveRunner.name, () => {
  let db: Database;
  let close: () => Promise<void>;
  let transactions: SqlTransactionRepository;
  let dir: string;
  let seeded: SeededTransaction[];

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    const outbox = new SqlOutcomeOutbox(db, { callback: null } as AppConfig);
    transactions = new SqlTransactionRepository(db, outbox, new TransactionTransitions());
  }, 60_000);
  afterAll(() => close());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'merecharge-archive-'));
    for (const table of ['transaction_events', 'outbox', 'transactions', 'archive_runs']) await db.unit(statement(`DELETE FROM ${table}`));
    // 96 transactions a minute apart: the first 60 created before BEFORE.
    seeded = await seedTransactions(db, 96, T, 60_000);
  }, 60_000);
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function archivedIn(file: string): Promise<ArchivedTransaction[]> {
    const records: ArchivedTransaction[] = [];
    await readArchive(file, (record) => void records.push(record));
    return records;
  }

  const expectCountersToMatchTable = async () => expect(comparable(await transactions.counters())).toEqual(await fullCount(db));

  it('moves final transactions created before the date, with their events, into a verified file, then deletes exactly those', async () => {
    const expected = archivable(seeded, BEFORE);
    const before = await db.read<{ id: string }>(statement('SELECT id FROM transactions'));
    // In a folder that does not exist yet (the first run of a new --out-dir).
    const out = join(dir, 'archive', '2023', 'a.ndjson.gz');

    const report = await new ArchiveRunner(db).run({ beforeMs: BEFORE, out, batchSize: 7 });

    expect(report.resumed).toBeNull();
    expect(report.run).toMatchObject({ file: out, transactions: expected.length, events: expected.reduce((n, row) => n + row.events, 0), deleted: expected.length, missing: 0 });
    const records = await archivedIn(out);
    expect(records.map((r) => r.transaction.id).sort()).toEqual(expected.map((row) => row.id).sort());
    for (const record of records) {
      const seed = seeded.find((row) => row.id === record.transaction.id)!;
      expect(record.events).toHaveLength(seed.events);
      expect(record.events.every((event) => event.transaction_id === seed.id)).toBe(true);
      expect(record.transaction).toMatchObject({ status: seed.status, created_at: seed.createdAt });
    }
    const result = JSON.parse(String(records.find((r) => r.transaction.status === 'completed')!.transaction.result)) as { note: string };
    expect(result.note).toBe('é, "quoted"\nline');
    const left = await idsIn(db, 'transactions');
    expect(left.sort()).toEqual(before.map((row) => row.id).filter((id) => !expected.some((row) => row.id === id)).sort());
    // Kept: open work, needs_review, work created after the date, and final work whose callback is undelivered.
    expect(seeded.filter((row) => left.includes(row.id)).map((row) => row.status)).toEqual(expect.arrayContaining(['pending', 'processing', 'needs_review']));
    expect(seeded.filter((row) => row.callback === 'pending' && row.createdAt < BEFORE).every((row) => left.includes(row.id))).toBe(true);
    const eventsLeft = new Set(await idsIn(db, 'transaction_events'));
    const outboxLeft = await idsIn(db, 'outbox');
    for (const row of expected) {
      expect(eventsLeft.has(row.id)).toBe(false);
      expect(outboxLeft).not.toContain(row.id);
    }
    expect(outboxLeft.length).toBe(seeded.filter((row) => row.callback !== 'none').length - expected.length);
    await expectCountersToMatchTable();
    await expect(db.read(statement(`SELECT state, deleted FROM archive_runs`))).resolves.toEqual([{ state: 'done', deleted: expect.anything() }]);
  });

  it('archives nothing twice: a second run over the same dates finds nothing and writes no file', async () => {
    await new ArchiveRunner(db).run({ beforeMs: BEFORE, out: join(dir, 'first.ndjson.gz') });
    const again = await new ArchiveRunner(db).run({ beforeMs: BEFORE, out: join(dir, 'second.ndjson.gz') });
    expect(again.run).toMatchObject({ file: null, transactions: 0, deleted: 0 });
    await expect(fs.readdir(dir)).resolves.toEqual(['first.ndjson.gz']);
  });

  it('never overwrites a file', async () => {
    const out = join(dir, 'taken.ndjson.gz');
    await fs.writeFile(out, 'an earlier archive');
    await expect(new ArchiveRunner(db).run({ beforeMs: BEFORE, out })).rejects.toMatchObject({ code: 'ARCHIVE.FILE_EXISTS' });
    await expect(idsIn(db, 'transactions')).resolves.toHaveLength(seeded.length);
  });

  it('stopped while writing, deletes nothing; the next run drops the partial file and archives everything once', async () => {
    const first = join(dir, 'first.ndjson.gz');
    const crash = new ArchiveRunner(db).run({
      beforeMs: BEFORE,
      out: first,
      batchSize: 3,
      onProgress: (p) => {
        if (p.phase === 'writing' && p.done >= 6) throw new Error('killed');
      },
    });
    await expect(crash).rejects.toThrow('killed');
    await expect(idsIn(db, 'transactions')).resolves.toHaveLength(seeded.length);

    const second = join(dir, 'second.ndjson.gz');
    const report = await new ArchiveRunner(db).run({ beforeMs: BEFORE, out: second, batchSize: 3 });

    expect(report.resumed).toMatchObject({ file: null, deleted: 0 });
    await expect(fs.readdir(dir)).resolves.toEqual(['second.ndjson.gz']);
    expect((await archivedIn(second)).map((r) => r.transaction.id).sort()).toEqual(archivable(seeded, BEFORE).map((row) => row.id).sort());
    await expectCountersToMatchTable();
  });

  it('stopped while deleting, the next run verifies the file again and deletes the rest: nothing lost, nothing twice', async () => {
    const expected = archivable(seeded, BEFORE);
    const first = join(dir, 'first.ndjson.gz');
    const crash = new ArchiveRunner(db).run({
      beforeMs: BEFORE,
      out: first,
      batchSize: 4,
      onProgress: (p) => {
        if (p.phase === 'deleting' && p.done >= 8) throw new Error('killed');
      },
    });
    await expect(crash).rejects.toThrow('killed');
    await expect(idsIn(db, 'transactions')).resolves.toHaveLength(seeded.length - 8);

    // Asked for another file: the unfinished run is finished first, so its rows go nowhere else.
    const report = await new ArchiveRunner(db).run({ beforeMs: BEFORE, out: join(dir, 'second.ndjson.gz'), batchSize: 4 });

    expect(report.resumed).toMatchObject({ file: first, transactions: expected.length, deleted: expected.length - 8, missing: 0 });
    expect(report.run).toMatchObject({ file: null, transactions: 0 });
    await expect(fs.readdir(dir)).resolves.toEqual(['first.ndjson.gz']);
    const ids = (await archivedIn(first)).map((r) => String(r.transaction.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(expected.map((row) => row.id).sort());
    const left = await idsIn(db, 'transactions');
    expect(left.filter((id) => ids.includes(id))).toEqual([]);
    expect(left).toHaveLength(seeded.length - expected.length);
    await expectCountersToMatchTable();
  });

  it('stopped while deleting, the same command again finishes the run and ends well, though its --out is that run\'s file', async () => {
    const expected = archivable(seeded, BEFORE);
    const out = join(dir, 'same.ndjson.gz');
    const crash = new ArchiveRunner(db).run({
      beforeMs: BEFORE,
      out,
      batchSize: 4,
      onProgress: (p) => {
        if (p.phase === 'deleting' && p.done >= 8) throw new Error('killed');
      },
    });
    await expect(crash).rejects.toThrow('killed');

    // Before: ARCHIVE.FILE_EXISTS once the rest was deleted (exit 1, and the vacuum never ran).
    const report = await new ArchiveRunner(db).run({ beforeMs: BEFORE, out, batchSize: 4 });

    expect(report.resumed).toMatchObject({ file: out, transactions: expected.length, deleted: expected.length - 8, missing: 0 });
    expect(report.run).toMatchObject({ file: null, transactions: 0, deleted: 0 });
    await expect(fs.readdir(dir)).resolves.toEqual(['same.ndjson.gz']);
    await expect(idsIn(db, 'transactions')).resolves.toHaveLength(seeded.length - expected.length);
    await expectCountersToMatchTable();
  });

  it('deletes nothing more from a half-deleted run whose file no longer verifies', async () => {
    const first = join(dir, 'first.ndjson.gz');
    const crash = new ArchiveRunner(db).run({
      beforeMs: BEFORE,
      out: first,
      batchSize: 4,
      onProgress: (p) => {
        if (p.phase === 'deleting') throw new Error('killed');
      },
    });
    await expect(crash).rejects.toThrow('killed');
    const text = gunzipSync(await fs.readFile(first)).toString('utf8');
    await fs.writeFile(first, gzipSync(text.replace('"status":"failed"', '"status":"completed"')));
    const left = await idsIn(db, 'transactions');

    await expect(new ArchiveRunner(db).run({ beforeMs: BEFORE, out: join(dir, 'second.ndjson.gz') })).rejects.toMatchObject({
      code: 'ARCHIVE.RESUME_FAILED',
    });
    await expect(idsIn(db, 'transactions')).resolves.toEqual(left);
  });

  it('takes over a run whose owner on this host is silent, even when its pid now belongs to another process', async () => {
    const owner = `${hostname()}:1:0badf00d`;
    const start = (heartbeatAt: number) =>
      db.unit(
        statement(
          `INSERT INTO archive_runs (id, file, before_ms, state, open_slot, owner, started_at, heartbeat_at) VALUES ('arc_old', ?, ?, 'writing', 'open', ?, ?, ?)`,
          [join(dir, 'old.ndjson.gz'), BEFORE, owner, heartbeatAt, heartbeatAt],
        ),
      );
    // pid 1 is alive: a runner that wrote a minute ago is running.
    await start(Date.now() - 60_000);
    await expect(new ArchiveRunner(db).run({ beforeMs: BEFORE, out: join(dir, 'new.ndjson.gz') })).rejects.toMatchObject({ code: 'ARCHIVE.BUSY' });
    await db.unit(statement(`UPDATE archive_runs SET heartbeat_at = ? WHERE id = 'arc_old'`, [Date.now() - STALE_RUN_MS - 1_000]));

    const report = await new ArchiveRunner(db).run({ beforeMs: BEFORE, out: join(dir, 'new.ndjson.gz') });

    expect(report.resumed).toMatchObject({ runId: 'arc_old', file: null });
    expect(report.run).toMatchObject({ transactions: archivable(seeded, BEFORE).length, missing: 0 });
  });

  it('refuses to start beside a run still in progress', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = new ArchiveRunner(db).run({
      beforeMs: BEFORE,
      out: join(dir, 'first.ndjson.gz'),
      batchSize: 4,
      pauseMs: 100,
      onProgress: () => started(),
    });
    // The first runner is between two of its batches.
    await running;
    await expect(new ArchiveRunner(db).run({ beforeMs: BEFORE, out: join(dir, 'second.ndjson.gz') })).rejects.toMatchObject({ code: 'ARCHIVE.BUSY' });
    await expect(first).resolves.toMatchObject({ run: { missing: 0 } });
  });
});
