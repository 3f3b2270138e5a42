import BetterSqlite3 from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointResult, walCheckpointerFor, WalCheckpointer } from './wal-checkpointer';

/** The service's WAL checkpoints, run by a worker thread on a connection of its own. */
describe(WalCheckpointer.name, () => {
  let dir: string;
  let file: string;
  /** Writes as the service's connection does: WAL, no checkpoint in any commit. */
  let writer: BetterSqlite3.Database;
  let sut: WalCheckpointer;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
    file = join(dir, 'db.sqlite');
    writer = new BetterSqlite3(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)');
    sut = new WalCheckpointer(file, 50);
  });

  afterEach(async () => {
    await sut.stop();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (rows: number) => {
    const insert = writer.prepare('INSERT INTO items (label) VALUES (?)');
    writer.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(`row ${i} ${'x'.repeat(200)}`);
    })();
  };

  it('keeps the process alive while it stops: a shutdown awaiting stop() goes on to its end', () => {
    // The thread does not hold the process open while it runs; stopping it must, or node exits
    // in the middle of the shutdown (the service's last hooks and its "Shutdown complete" line lost).
    const script = `
      const { WalCheckpointer } = require(${JSON.stringify(join(__dirname, 'wal-checkpointer'))});
      const checkpointer = new WalCheckpointer(${JSON.stringify(file)}, 50);
      checkpointer.start();
      setTimeout(async () => {
        await checkpointer.stop();
        console.log('after stop');
      }, 200);
    `;
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(out).toContain('after stop');
  });

  it('copies every committed frame of the WAL into the database file, on its own timer', async () => {
    write(5_000);
    const before = statSync(file).size;
    const results: CheckpointResult[] = [];
    sut.onCheckpoint((result) => results.push(result));
    sut.start();
    await waitFor(() => results.some((r) => r.log > 0 && r.checkpointed === r.log));
    // The rows are in the database file itself now, not only in the WAL.
    expect(statSync(file).size).toBeGreaterThan(before + 5_000 * 200);
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      expect(reader.prepare('SELECT COUNT(*) AS n FROM items').get()).toEqual({ n: 5_000 });
    } finally {
      reader.close();
    }
  });

  it('lets the WAL start over: later writes reuse it instead of growing it', async () => {
    sut = new WalCheckpointer(file, 60_000);
    sut.start();
    for (let round = 0; round < 5; round++) {
      write(2_000);
      const done = await sut.checkpointNow();
      expect(done.checkpointed).toBe(done.log);
    }
    // Five rounds of ~2 000 rows, one round's worth of WAL: each write after a full checkpoint starts at its head.
    const walPages = statSync(`${file}-wal`).size / 4096;
    write(2_000);
    const oneRound = (await sut.checkpointNow()).log;
    expect(walPages).toBeLessThan(oneRound * 2);
  });

  it('is only for a SQLite file', () => {
    expect(walCheckpointerFor({ engine: 'postgres', url: 'postgres://x/y' })).toBeNull();
    expect(walCheckpointerFor({ engine: 'sqlite', path: ':memory:' })).toBeNull();
    expect(walCheckpointerFor({ engine: 'sqlite', path: file })).toBeInstanceOf(WalCheckpointer);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
