import BetterSqlite3 from 'better-sqlite3';
import { pbkdf2 } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalFlush } from './wal-flush';
import { openElsewhereInProcess } from './wal-file';

/** The WAL flushed by a thread of its own, on the file SQLite itself names and has open. */
describe(WalFlush.name, () => {
  let dir: string;
  let opened: BetterSqlite3.Database[];
  let flushes: WalFlush[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-flush-'));
    opened = [];
    flushes = [];
  });

  afterEach(async () => {
    for (const flush of flushes) await flush.close();
    for (const db of opened) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A connection as the app's: WAL mode, a table written once (the WAL exists and is open). */
  const connect = (file: string, mode = 'WAL') => {
    const db = new BetterSqlite3(file);
    opened.push(db);
    db.pragma(`journal_mode = ${mode}`);
    db.exec('CREATE TABLE IF NOT EXISTS items (label TEXT)');
    db.exec("INSERT INTO items VALUES ('x')");
    return db;
  };
  const open = async (connection: { pragma(source: string, options?: { simple: boolean }): unknown }, descriptors?: string) => {
    const outcome = await WalFlush.open(connection, descriptors);
    if (outcome instanceof WalFlush) flushes.push(outcome);
    return outcome;
  };
  const identityOf = (path: string) => {
    const stat = statSync(path, { bigint: true });
    return { dev: String(stat.dev), ino: String(stat.ino) };
  };

  it('flushes the WAL of the file a symlinked database path leads to, not a file beside the link', async () => {
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real', 'db.sqlite'), join(dir, 'link.sqlite'));
    // What guessing `<configured path>-wal` would have flushed.
    writeFileSync(join(dir, 'link.sqlite-wal'), 'decoy');
    const sut = await open(connect(join(dir, 'link.sqlite')));

    expect(sut).toBeInstanceOf(WalFlush);
    const flush = sut as WalFlush;
    expect(flush.path).toBe(join(dir, 'real', 'db.sqlite-wal'));
    expect(flush.identity).toEqual(identityOf(join(dir, 'real', 'db.sqlite-wal')));
    expect(flush.identity).not.toEqual(identityOf(join(dir, 'link.sqlite-wal')));
    await expect(flush.flush()).resolves.toBeUndefined();
  });

  it('refuses a database that is not in WAL mode, or in memory', async () => {
    await expect(open(connect(join(dir, 'rollback.sqlite'), 'DELETE'))).resolves.toEqual({ refused: 'journal_mode is delete, not wal' });
    const memory = new BetterSqlite3(':memory:');
    opened.push(memory);
    await expect(open(memory)).resolves.toEqual({ refused: 'journal_mode is memory, not wal' });
  });

  it('refuses a WAL path that names a file no descriptor of this process has open, or when /proc cannot tell', async () => {
    const connection = connect(join(dir, 'db.sqlite'));
    // A connection whose database SQLite would name elsewhere: a -wal exists there, but SQLite never opened it.
    writeFileSync(join(dir, 'other.sqlite-wal'), 'not open');
    const misnamed = {
      pragma: (source: string, options?: { simple: boolean }) =>
        source === 'database_list' ? [{ seq: 0, name: 'main', file: join(dir, 'other.sqlite') }] : connection.pragma(source, options),
    };
    await expect(open(misnamed)).resolves.toMatchObject({ refused: expect.stringContaining('not one this process has open') });
    await expect(open(connection, join(dir, 'no-proc'))).resolves.toMatchObject({ refused: expect.stringContaining('/proc/self/fd') });
    await expect(open(connection)).resolves.toBeInstanceOf(WalFlush);
  });

  it('finds a file among the open descriptors by device and inode, leaving out the one it was told to', () => {
    const file = join(dir, 'open.bin');
    writeFileSync(file, 'x');
    const identity = identityOf(file);
    expect(openElsewhereInProcess(identity, -1)).toBe(false);
    const fd = openSync(file, 'r');
    try {
      expect(openElsewhereInProcess(identity, -1)).toBe(true);
      expect(openElsewhereInProcess(identity, fd)).toBe(false);
    } finally {
      closeSync(fd);
    }
  });

  it("flushes while every thread of libuv's pool is busy (the pool DNS lookups share)", async () => {
    const sut = (await open(connect(join(dir, 'db.sqlite')))) as WalFlush;
    const order: string[] = [];
    // Four jobs hold the pool's four threads for a while each, as slow lookups would.
    const poolJobs = Array.from(
      { length: Number(process.env.UV_THREADPOOL_SIZE ?? 4) },
      () => new Promise<void>((resolve) => pbkdf2('secret', 'salt', 400_000, 64, 'sha512', () => (order.push('pool job'), resolve()))),
    );
    await sut.flush().then(() => order.push('flush'));
    await Promise.all(poolJobs);
    expect(order[0]).toBe('flush');
  });

  /** The thread's descriptor number, closed under it, then given by the kernel to another file (the database). */
  const whileNumberReused = async (sut: WalFlush, check: () => Promise<void>) => {
    const reused = openSync(join(dir, 'db.sqlite'), 'r');
    try {
      expect(reused).toBe(sut.descriptor);
      await check();
    } finally {
      closeSync(reused);
    }
  };

  it('fails every flush once one failed in the thread, even if the disk would answer the next', async () => {
    const sut = (await open(connect(join(dir, 'db.sqlite')))) as WalFlush;
    await expect(sut.flush()).resolves.toBeUndefined();
    // The thread's fsync fails for real (EBADF): its descriptor is closed under it.
    closeSync(sut.descriptor);
    await expect(sut.flush()).rejects.toMatchObject({ code: 'EBADF' });
    // The number now names a file whose fsync would succeed: the first failure still stands.
    await whileNumberReused(sut, () => expect(sut.flush()).rejects.toMatchObject({ code: 'EBADF' }));
  });

  it('fails a flush whose descriptor number came to name another file (closed elsewhere and reused)', async () => {
    const sut = (await open(connect(join(dir, 'db.sqlite')))) as WalFlush;
    closeSync(sut.descriptor);
    await whileNumberReused(sut, () => expect(sut.flush()).rejects.toMatchObject({ code: 'EWALCHANGED' }));
  });

  it('fails a flush that does not return within its deadline, and every later one', async () => {
    const connection = connect(join(dir, 'db.sqlite'));
    const outcome = await WalFlush.open(connection, undefined, 50);
    const sut = outcome as WalFlush;
    flushes.push(sut);
    // A thread stuck in its fsync (a hung disk): it never hears the request.
    const worker = (sut as unknown as { worker: { postMessage(message: unknown): void } }).worker;
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: unknown) => (typeof message === 'number' ? undefined : post(message));
    await expect(sut.flush()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await expect(sut.flush()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('fails the flush under way and every later one when the thread dies', async () => {
    const sut = (await open(connect(join(dir, 'db.sqlite')))) as WalFlush;
    const flushing = sut.flush();
    await (sut as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(flushing).rejects.toThrow(/exited/);
    await expect(sut.flush()).rejects.toThrow(/exited/);
  });

  it('closes after the flush under way, and its thread ends', async () => {
    const sut = (await open(connect(join(dir, 'db.sqlite')))) as WalFlush;
    const flushing = sut.flush();
    const closing = sut.close();
    await expect(flushing).resolves.toBeUndefined();
    await closing;
    expect(existsSync(sut.path)).toBe(true);
    await expect(sut.flush()).rejects.toThrow(/closed/);
  });
});
