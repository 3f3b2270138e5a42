import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { readArchive } from '../../src/archive/archive-file';
import { SqlOutcomeOutbox } from '../../src/callbacks/sql-outcome-outbox';
import type { AppConfig } from '../../src/config/app-config';
import { Database } from '../../src/database/database';
import { statement } from '../../src/database/statement';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { SqlTransactionRepository } from '../../src/transactions/sql-transaction.repository';
import { TransactionTransitions } from '../../src/transactions/transaction-transitions';
import { archivable, comparable, fullCount, idsIn, seedTransactions, SeededTransaction } from '../support/archive-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const T = Date.UTC(2026, 0, 1);
const BEFORE = T + 200 * 60_000;
const ROOT = join(__dirname, '..', '..');

interface Child {
  process: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** The command as an operator runs it: its own process, one JSON line per batch. */
function command(script: 'archive.main.ts' | 'archive-restore.main.ts', args: string[], databaseUrl: string): Child {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join('src', 'archive', script), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'test', TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString('utf8');
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, lines, exited };
}

async function killWhen(child: Child, phase: 'writing' | 'deleting', done: number): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const reached = child.lines.some((line) => {
      const progress = line.progress as { phase: string; done: number } | undefined;
      return progress?.phase === phase && progress.done >= done;
    });
    if (reached) break;
    if (child.process.exitCode !== null || Date.now() > deadline) throw new Error(`the command never reached ${phase} ${done}: ${JSON.stringify(child.lines.slice(-3))}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.process.kill('SIGKILL');
  await child.exited;
}

async function finished(child: Child): Promise<Record<string, unknown>> {
  const code = await child.exited;
  const last = child.lines[child.lines.length - 1];
  expect({ code, error: last?.error }).toEqual({ code: 0, error: undefined });
  return last;
}

/**
 * `npm run archive` killed with SIGKILL in the middle (while writing its file, and while deleting),
 * then run again: the rerun completes, every archivable transaction is in exactly one verified file
 * and nowhere else, nothing else was deleted, the counters equal a full count; and
 * `npm run archive:restore` brings a file's rows back into an audit SQLite file. Both engines.
 */
describe('npm run archive (killed with SIGKILL, then run again)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let db: Database;
  let transactions: SqlTransactionRepository;
  let dir: string;
  let seeded: SeededTransaction[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'merecharge-archive-cmd-'));
    database = await createTestDatabase({ label: 'archive_command' });
    const settings = database.engine === 'sqlite' ? ({ engine: 'sqlite', path: database.url.slice('sqlite:'.length) } as const) : ({ engine: 'postgres', url: database.url } as const);
    dataSource = new DataSource(typeOrmOptions(settings));
    await dataSource.initialize();
    db = new Database(dataSource);
    transactions = new SqlTransactionRepository(db, new SqlOutcomeOutbox(db, { callback: null } as AppConfig), new TransactionTransitions());
    seeded = await seedTransactions(db, 320, T, 60_000);
  }, 120_000);
  afterEach(async () => {
    await dataSource.destroy();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const args = (out: string) => ['--before', new Date(BEFORE).toISOString(), '--out', out, '--batch-size', '4', '--pause-ms', '20'];

  async function expectArchivedOnceIn(file: string): Promise<void> {
    const expected = archivable(seeded, BEFORE).map((row) => row.id).sort();
    const ids: string[] = [];
    await readArchive(file, (record) => void ids.push(String(record.transaction.id)));
    expect(ids.sort()).toEqual(expected);
    const left = await idsIn(db, 'transactions');
    expect(left.filter((id) => expected.includes(id))).toEqual([]);
    expect(left.sort()).toEqual(seeded.map((row) => row.id).filter((id) => !expected.includes(id)).sort());
    const events = new Set(await idsIn(db, 'transaction_events'));
    expect(expected.filter((id) => events.has(id))).toEqual([]);
    expect(comparable(await transactions.counters())).toEqual(await fullCount(db));
  }

  it('killed while deleting: the rerun verifies the file, deletes the rest, and writes no second file', async () => {
    const first = join(dir, 'first.ndjson.gz');
    const killed = command('archive.main.ts', args(first), database.url);
    await killWhen(killed, 'deleting', 40);
    const afterKill = await idsIn(db, 'transactions');
    expect(afterKill.length).toBeLessThan(seeded.length);
    expect(afterKill.length).toBeGreaterThan(seeded.length - archivable(seeded, BEFORE).length);

    const second = join(dir, 'second.ndjson.gz');
    const report = await finished(command('archive.main.ts', args(second), database.url));

    expect(report).toMatchObject({ resumed: { file: first, missing: 0 }, run: { file: null, transactions: 0 } });
    expect(existsSync(second)).toBe(false);
    await expectArchivedOnceIn(first);
  }, 180_000);

  it('killed while writing: nothing was deleted; the rerun drops the partial file and archives everything once', async () => {
    const first = join(dir, 'first.ndjson.gz');
    const killed = command('archive.main.ts', args(first), database.url);
    await killWhen(killed, 'writing', 40);
    expect(existsSync(first)).toBe(false);
    expect(existsSync(`${first}.partial`)).toBe(true);
    await expect(idsIn(db, 'transactions')).resolves.toHaveLength(seeded.length);

    const second = join(dir, 'second.ndjson.gz');
    const report = await finished(command('archive.main.ts', args(second), database.url));

    expect(report).toMatchObject({ resumed: { file: null }, run: { file: second, missing: 0 } });
    expect(existsSync(`${first}.partial`)).toBe(false);
    await expectArchivedOnceIn(second);

    // The audit copy: the file's rows, as they were, in a SQLite file of their own.
    const original = new Map<string, Record<string, unknown>>();
    await readArchive(second, (record) => void original.set(String(record.transaction.id), record.transaction));
    const audit = join(dir, 'audit.sqlite');
    const restored = await finished(command('archive-restore.main.ts', ['--in', second, '--into', audit], database.url));
    expect(restored).toMatchObject({ transactions: original.size, events: (report.run as { events: number }).events });
    const copy = new DataSource(typeOrmOptions({ engine: 'sqlite', path: audit }));
    await copy.initialize();
    try {
      const rows = await new Database(copy).read<Record<string, unknown>>(statement('SELECT id, status, amount, created_at, completed_at, result, assigned_to FROM transactions'));
      expect(rows).toHaveLength(original.size);
      for (const row of rows) {
        const was = original.get(String(row.id))!;
        expect(row).toEqual({ id: was.id, status: was.status, amount: was.amount, created_at: was.created_at, completed_at: was.completed_at, result: was.result, assigned_to: was.assigned_to });
      }
    } finally {
      await copy.destroy();
    }
  }, 180_000);
});
