import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statement } from './statement';
import type { UnitOfWork } from './unit-of-work';
import { SqliteGroupCommit, WalFlusher, WalFlushFailed } from './sqlite-group-commit';

/** A flush the spec finishes or fails when it wants; each call is one flush. */
class ControlledWal implements WalFlusher {
  calls = 0;
  private pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  flush(): Promise<void> {
    this.calls += 1;
    return new Promise<void>((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  finish(): void {
    for (const flush of this.pending.splice(0)) flush.resolve();
  }
  fail(error: Error): void {
    for (const flush of this.pending.splice(0)) flush.reject(error);
  }
  get waiting(): number {
    return this.pending.length;
  }
}

/** The group commit with its WAL flushed by another thread (WalFlush stands in as a flush the spec controls). */
describe(`${SqliteGroupCommit.name} with a WalFlusher`, () => {
  let dir: string;
  let connection: BetterSqlite3.Database;
  /** A second connection: it sees only what is committed. */
  let outside: BetterSqlite3.Database;
  let wal: ControlledWal;
  let failures: WalFlushFailed[];
  let sut: SqliteGroupCommit;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-wal-'));
    connection = new BetterSqlite3(join(dir, 'db.sqlite'));
    connection.pragma('journal_mode = WAL');
    // What typeorm-options opens the app's connection with.
    connection.pragma('synchronous = FULL');
    connection.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE)');
    outside = new BetterSqlite3(join(dir, 'db.sqlite'), { readonly: true });
    const runStatement = <Row>(s: { text: string; params: readonly unknown[] }) => {
      const prepared = connection.prepare(s.text);
      return prepared.reader ? { rows: prepared.all(...s.params) as Row[], affected: 0 } : { rows: [] as Row[], affected: prepared.run(...s.params).changes };
    };
    sut = new SqliteGroupCommit(() => connection, runStatement);
    wal = new ControlledWal();
    failures = [];
    sut.flushWalWith(wal, (failure) => failures.push(failure));
  });

  afterEach(() => {
    outside.close();
    connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (unit: UnitOfWork, label: string) => unit.run(statement('INSERT INTO items (label) VALUES (?)', [label]));
  const committedLabels = () => (outside.prepare('SELECT label FROM items ORDER BY label').all() as Array<{ label: string }>).map((r) => r.label);
  const synchronous = () => connection.pragma('synchronous', { simple: true });
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(condition()).toBe(true);
  };
  /** A unit that writes `label`, records its after-commit listener in `log`, and answers its label. */
  const unit = (label: string, log: string[]) =>
    sut.run(async (manager) => {
      await insert(manager, label);
      manager.afterCommit(() => log.push(`hook ${label}`));
      return label;
    });

  it('commits with synchronous NORMAL, and answers no caller and runs no listener before the flush after its COMMIT returns', async () => {
    const log: string[] = [];
    const answered = unit('a', log).then((value) => log.push(`answered ${value}`));
    await until(() => wal.waiting === 1);
    expect(synchronous()).toBe(1);
    // Committed (another connection reads it), not yet answered: the event loop goes on meanwhile.
    expect(committedLabels()).toEqual(['a']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual([]);

    wal.finish();
    await answered;
    expect(log).toEqual(['hook a', 'answered a']);
  });

  it('begins the next batch only once the flush before it returned', async () => {
    const first = unit('first', []);
    await until(() => wal.waiting === 1);
    const second = unit('second', []);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(committedLabels()).toEqual(['first']);
    wal.finish();
    await expect(first).resolves.toBe('first');
    await until(() => wal.waiting === 1);
    expect(committedLabels()).toEqual(['first', 'second']);
    wal.finish();
    await expect(second).resolves.toBe('second');
    expect(wal.calls).toBe(2);
  });

  it('holds a read outside any unit until the flush of the COMMIT it could see, and answers none at once when nothing is flushing', async () => {
    expect(sut.durable()).toBeNull();
    const written = unit('a', []);
    await until(() => wal.waiting === 1);
    let read = false;
    const reading = sut.durable()!.then(() => (read = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(read).toBe(false);
    wal.finish();
    await reading;
    await written;
    expect(sut.durable()).toBeNull();
  });

  it('after a failed flush refuses its batch, everything queued behind it and every later write and read, runs no listener, and stops once', async () => {
    const log: string[] = [];
    const batch = [unit('a', log), unit('b', log)];
    await until(() => wal.waiting === 1);
    const queued = unit('queued', log);
    const reading = sut.durable()!;
    wal.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));

    const settled = await Promise.allSettled([...batch, queued, reading]);
    expect(settled.map((outcome) => outcome.status === 'rejected' && outcome.reason instanceof WalFlushFailed)).toEqual([true, true, true, true]);
    expect(settled[0]).toMatchObject({ reason: { code: 'SQLITE_IOERR_FSYNC', reason: { code: 'EIO' } } });
    expect(log).toEqual([]);
    expect(failures).toHaveLength(1);

    // A later flush would "succeed" over pages the kernel may have dropped: nothing more is written or read.
    await expect(unit('later', log)).rejects.toBeInstanceOf(WalFlushFailed);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(wal.waiting).toBe(0);
    await expect(sut.durable()).rejects.toBeInstanceOf(WalFlushFailed);
    expect(committedLabels()).toEqual(['a', 'b']);
    expect(wal.calls).toBe(1);
    expect(failures).toHaveLength(1);
  });

  it('goes back to FULL after the batch under way once the flusher is detached, and flushes that batch first', async () => {
    const first = unit('first', []);
    await until(() => wal.waiting === 1);
    const second = unit('second', []);
    let detached = false;
    const detaching = sut.stopFlushingWal().then(() => (detached = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(detached).toBe(false);
    wal.finish();
    await detaching;
    await expect(first).resolves.toBe('first');
    await expect(second).resolves.toBe('second');
    expect(synchronous()).toBe(2);
    expect(wal.calls).toBe(1);
    expect(committedLabels()).toEqual(['first', 'second']);
  });
});
