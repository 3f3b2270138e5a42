import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Database } from './database';
import { CallBoxConfigSql } from '../callbox/config/callbox-config.statements';
import { typeOrmOptions } from './typeorm-options';
import { WalSync } from './wal-sync';

/** The app's own SQLite file (WAL, every migration), with the flushes the spec lets finish. */
describe(WalSync.name, () => {
  let dir: string;
  let dataSource: DataSource;
  let db: Database;
  let connection: { pragma(sql: string, options?: { simple: boolean }): unknown };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
    dataSource = new DataSource(typeOrmOptions({ engine: 'sqlite', path: join(dir, 'db.sqlite') }));
    await dataSource.initialize();
    connection = (dataSource.driver as unknown as { databaseConnection: typeof connection }).databaseConnection;
    db = new Database(dataSource);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await db.onApplicationShutdown();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const insertSetting = (scope: string) => CallBoxConfigSql.merge(db.dialect, scope, [['batchSize', 3]], 0);
  const readScopes = () => CallBoxConfigSql.all(db.dialect);

  it("flushes the file's WAL after each COMMIT, on a connection that commits with synchronous NORMAL", async () => {
    const flush = jest.spyOn(WalSync.prototype, 'flush');
    await db.unit(insertSetting('a'));
    await db.unit(insertSetting('b'));
    expect(flush).toHaveBeenCalledTimes(2);
    const wal = flush.mock.instances[0] as unknown as WalSync;
    expect(wal.walPath).toBe(join(dir, 'db.sqlite-wal'));
    // The descriptor flushed is the WAL's own (the same file SQLite writes), opened once.
    const fd = await (wal as unknown as { descriptor: Promise<number> }).descriptor;
    expect(fs.fstatSync(fd).ino).toBe(fs.statSync(join(dir, 'db.sqlite-wal')).ino);
    expect(connection.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('answers a read outside any unit only once the COMMIT it sees is flushed', async () => {
    let finish: () => void = () => undefined;
    const flush = jest.spyOn(WalSync.prototype, 'flush').mockImplementation(() => new Promise<void>((resolve) => (finish = resolve)));
    const written = db.unit(insertSetting('a'));
    while (flush.mock.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));

    let read: string[] | null = null;
    const reading = db.read<{ scope: string }>(readScopes()).then((rows) => (read = rows.map((row) => row.scope)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(read).toBeNull();
    finish();
    await written;
    await reading;
    expect(read).toEqual(expect.arrayContaining(['a']));
    // Nothing waits for the disk now: a read answers at once.
    await expect(db.read<{ scope: string }>(readScopes())).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ scope: 'a' })]));
  });
});
