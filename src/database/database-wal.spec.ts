import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CallBoxConfigSql } from '../callbox/config/callbox-config.statements';
import type { FatalStop } from '../health/fatal-stop';
import { Database } from './database';
import { WalFlushFailed } from './sqlite-group-commit';
import { typeOrmOptions } from './typeorm-options';
import { WalFlush } from './wal-flush';

/** Records the stop instead of ending the spec's process. */
class RecordedStop implements FatalStop {
  stops: Array<{ message: string; fields: Record<string, unknown> }> = [];
  stop(message: string, fields: Record<string, unknown>): void {
    this.stops.push({ message, fields });
  }
}

/** Database on the app's own SQLite file (WAL, every migration), its WAL flushed off the event loop. */
describe(`${Database.name} flushing the WAL off the event loop`, () => {
  let dir: string;
  let dataSource: DataSource;
  let db: Database;
  let stop: RecordedStop;

  const openAt = async (path: string, options: Partial<{ enableWAL: boolean }> = {}) => {
    dataSource = new DataSource({ ...typeOrmOptions({ engine: 'sqlite', path }), ...options } as never);
    await dataSource.initialize();
    db = new Database(dataSource);
  };
  const synchronous = () =>
    (dataSource.driver as unknown as { databaseConnection: { pragma(s: string, o: { simple: boolean }): unknown } }).databaseConnection.pragma('synchronous', {
      simple: true,
    });
  const insertSetting = (scope: string) => CallBoxConfigSql.merge(db.dialect, scope, [['batchSize', 3]], 0);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'database-wal-'));
    stop = new RecordedStop();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await db.stopFlushingWal();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flushes the WAL SQLite writes behind a symlinked database path, committing with NORMAL', async () => {
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real', 'db.sqlite'), join(dir, 'link.sqlite'));
    await openAt(join(dir, 'link.sqlite'));
    await expect(db.flushWalOffTheLoop(stop)).resolves.toEqual({ wal: join(dir, 'real', 'db.sqlite-wal') });
    await db.unit(insertSetting('a'));
    expect(synchronous()).toBe(1);
    await db.stopFlushingWal();
    await db.unit(insertSetting('b'));
    expect(synchronous()).toBe(2);
  });

  it('answers a read outside any unit only once the COMMIT it sees is flushed', async () => {
    await openAt(join(dir, 'db.sqlite'));
    await db.flushWalOffTheLoop(stop);
    let finish = () => {};
    const flush = jest.spyOn(WalFlush.prototype, 'flush').mockImplementation(() => new Promise<void>((resolve) => (finish = resolve)));
    const written = db.unit(insertSetting('a'));
    while (flush.mock.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));

    let read: string[] | null = null;
    const reading = db.read<{ scope: string }>(CallBoxConfigSql.all(db.dialect)).then((rows) => (read = rows.map((row) => row.scope)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(read).toBeNull();
    finish();
    await written;
    await reading;
    expect(read).toContain('a');
  });

  it('answers a unit whose work reads outside itself (the read waits for no flush of its own batch)', async () => {
    await openAt(join(dir, 'db.sqlite'));
    await db.flushWalOffTheLoop(stop);
    await db.unit(insertSetting('a'));

    const scopes = await db.unit(async (unit) => {
      await unit.run(insertSetting('b'));
      const rows = await db.read<{ scope: string }>(CallBoxConfigSql.all(db.dialect));
      return rows.map((row) => row.scope);
    });

    expect(scopes).toEqual(expect.arrayContaining(['a', 'b']));
  });

  it('checkpoints the WAL a previous connection left into the database file at boot, emptying it', async () => {
    const path = join(dir, 'db.sqlite');
    await openAt(path);
    await dataSource.destroy();
    // Another connection's commits, still in the WAL (it stays open: closing would checkpoint them).
    const previous = new BetterSqlite3(path);
    try {
      previous.pragma('wal_autocheckpoint = 0');
      const leftBehind = insertSetting('left-behind');
      previous.prepare(leftBehind.text).run(...(leftBehind.params as unknown[]));
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
      await openAt(path);
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);

      const outcome = await db.checkpointWalAtBoot();

      expect(outcome).toEqual({ frames: expect.any(Number) });
      expect(statSync(`${path}-wal`).size).toBe(0);
    } finally {
      previous.close();
    }
  });

  it('keeps FULL on a database that is not in WAL mode', async () => {
    await openAt(join(dir, 'db.sqlite'), { enableWAL: false });
    await expect(db.flushWalOffTheLoop(stop)).resolves.toEqual({ refused: 'journal_mode is delete, not wal' });
    await db.unit(insertSetting('a'));
    expect(synchronous()).toBe(2);
  });

  it('stops the service once when a flush fails, refusing that write and every later write and read', async () => {
    await openAt(join(dir, 'db.sqlite'));
    await db.flushWalOffTheLoop(stop);
    await db.unit(insertSetting('a'));
    // The flush thread dies: whatever was committed since cannot be proved on disk.
    const flush = (db as unknown as { walFlush: { worker: { terminate(): Promise<number> } } }).walFlush;
    await flush.worker.terminate();

    await expect(db.unit(insertSetting('b'))).rejects.toBeInstanceOf(WalFlushFailed);
    await expect(db.unit(insertSetting('c'))).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
    await expect(db.read(CallBoxConfigSql.all(db.dialect))).rejects.toBeInstanceOf(WalFlushFailed);
    expect(stop.stops).toEqual([
      {
        message: expect.stringMatching(/^Flushing the SQLite WAL to disk failed/),
        fields: { context: 'Database', wal: join(dir, 'db.sqlite-wal'), reason: { code: undefined, message: expect.stringMatching(/exited/) } },
      },
    ]);
  });
});
