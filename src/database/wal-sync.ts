import { close, fsync, open } from 'node:fs';
import { promisify } from 'node:util';

const openFile = promisify(open);
const fsyncFile = promisify(fsync);

/**
 * Flushes SQLite's write-ahead log to disk on libuv's thread pool, so the event loop goes on
 * serving requests while the disk works. With `synchronous = FULL`, SQLite made every COMMIT wait
 * for this flush inside the call, on the only thread the service has: at 3 000 boxes the COMMITs
 * held it 12 s of a 110 s run (1.8 ms each), and more on a busy disk.
 *
 * The connection commits with `synchronous = NORMAL` instead (in WAL mode the file stays
 * consistent, and a commit survives a crash of the process but not of the machine), and the group
 * commit answers no unit before this flush of the WAL, which holds its commit, has returned: the
 * same guarantee as FULL for everything acknowledged. The WAL is one file for the life of the
 * connection (SQLite writes it again from its start after a checkpoint, it does not replace it), so
 * one descriptor serves every flush; it is opened at the first one, after a commit wrote the file.
 */
export class WalSync {
  private descriptor: Promise<number> | null = null;

  constructor(readonly walPath: string) {}

  async flush(): Promise<void> {
    this.descriptor ??= openFile(this.walPath, 'r');
    let fd: number;
    try {
      fd = await this.descriptor;
    } catch (error) {
      this.descriptor = null;
      throw error;
    }
    await fsyncFile(fd);
  }

  /** At shutdown only: the descriptor lives as long as the connection. */
  async close(): Promise<void> {
    const descriptor = this.descriptor;
    this.descriptor = null;
    const fd = await descriptor?.catch(() => null);
    if (typeof fd === 'number') await promisify(close)(fd);
  }
}
