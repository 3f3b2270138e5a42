import { Worker } from 'node:worker_threads';
import { FileIdentity, openElsewhereInProcess, PragmaConnection, walPathOf } from './wal-file';

/**
 * The thread's whole program: its own descriptor on the WAL (r+: fsync needs write access on some
 * platforms; nothing is written through it), its identity posted back, then one fsync per request.
 * Inline, so the same code runs from dist/ and under ts-jest (as WalCheckpointer's). A descriptor
 * that cannot be opened throws, and the thread ends with an error.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, fstatSync, fsyncSync, openSync } = require('node:fs');
const fd = openSync(workerData.path, 'r+');
const stat = fstatSync(fd, { bigint: true });
parentPort.postMessage({ opened: { fd, dev: String(stat.dev), ino: String(stat.ino) } });
parentPort.on('message', (asked) => {
  if (asked === 'close') {
    closeSync(fd);
    parentPort.close();
    return;
  }
  try {
    fsyncSync(fd);
    // The number is the process's, not the thread's: closed elsewhere and reused by another file, an
    // fsync would "succeed" on the wrong file.
    const now = fstatSync(fd, { bigint: true });
    if (String(now.dev) !== String(stat.dev) || String(now.ino) !== String(stat.ino)) {
      parentPort.postMessage({ asked, ok: false, code: 'EWALCHANGED', message: 'the descriptor no longer names the WAL it opened' });
      return;
    }
    parentPort.postMessage({ asked, ok: true });
  } catch (error) {
    parentPort.postMessage({ asked, ok: false, code: error && error.code, message: String(error && error.message) });
  }
});
`;

type Reply = { opened: FileIdentity & { fd: number } } | { asked: number; ok: true } | { asked: number; ok: false; code?: string; message: string };

/** How long the thread may take to open the WAL at boot before FULL is kept. */
const OPEN_TIMEOUT_MS = 5_000;

/**
 * How long one flush may take before it counts as failed (the service stops). A hung disk used to
 * block the event loop, which the liveness probe saw; off the loop, health stays green while every
 * write queues behind the flush, so the flush itself must give up. Far above any healthy fsync,
 * under a load spike or a filesystem freeze for a snapshot.
 */
export const FLUSH_DEADLINE_MS = 30_000;

/**
 * SQLite's WAL flushed to disk on a thread of its own (worker_threads), so the event loop serves
 * requests while the disk works: with `synchronous = FULL`, every COMMIT waited for this fsync inside
 * the call, on the service's only thread. Not libuv's pool: its four threads also run the DNS
 * lookups of every outgoing HTTP request, and a flush queued behind slow lookups waited a second.
 *
 * The WAL is one file for the life of the connection (SQLite locks only the database and the -shm,
 * and rewrites the WAL from its start after a checkpoint, never replaces it), so one descriptor
 * serves every flush. Any failure is final: a failed fsync may be reported once and the pages marked
 * clean, so a later flush that "succeeds" proves nothing (SqliteGroupCommit stops the process).
 */
export class WalFlush {
  private asked = 0;
  private pending: { asked: number; resolve: () => void; reject: (error: Error) => void; deadline: NodeJS.Timeout } | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private broken: Error | null = null;
  private closing = false;
  private ended = false;

  private constructor(
    private readonly worker: Worker,
    readonly path: string,
    /** The file flushed: its device and inode, proved to be the WAL SQLite has open. */
    readonly identity: FileIdentity,
    /** The thread's descriptor on it (a number of this process). */
    readonly descriptor: number,
    private readonly deadlineMs: number,
  ) {
    worker.on('message', (reply: Reply) => {
      if ('opened' in reply || reply.asked !== this.pending?.asked) return;
      const { resolve, reject, deadline } = this.pending;
      clearTimeout(deadline);
      this.pending = null;
      worker.unref();
      if (reply.ok) resolve();
      else reject(this.break(Object.assign(new Error(reply.message), { code: reply.code })));
    });
    worker.on('error', (error) => this.break(error));
    worker.on('exit', (code) => {
      this.ended = true;
      if (!this.closing) this.break(new Error(`The WAL flush thread exited (code ${code})`));
    });
    worker.unref();
  }

  /**
   * The flush of the WAL of `connection`'s database, once the file the thread opened is proved to
   * be the one SQLite has open (same device and inode as another descriptor of this process); on any
   * doubt (not WAL, in memory, no /proc, no match, the file not openable) the reason instead, and
   * the caller keeps `synchronous = FULL`.
   */
  static async open(
    connection: PragmaConnection,
    descriptors?: string,
    deadlineMs = FLUSH_DEADLINE_MS,
  ): Promise<WalFlush | { refused: string }> {
    const wal = walPathOf(connection);
    if ('refused' in wal) return wal;
    // No preloads (`-r`): an agent loaded into the service has no business in the flush thread.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { path: wal.path } });
    let opened: FileIdentity & { fd: number };
    try {
      opened = await firstReply(worker);
    } catch (error) {
      await worker.terminate();
      return { refused: `the WAL could not be opened (${(error as { code?: string }).code ?? (error as Error).message})` };
    }
    if (!openElsewhereInProcess(opened, opened.fd, descriptors)) {
      worker.postMessage('close');
      await worker.terminate();
      return { refused: 'the file at the WAL path is not one this process has open (or /proc/self/fd is missing)' };
    }
    return new WalFlush(worker, wal.path, { dev: opened.dev, ino: opened.ino }, opened.fd, deadlineMs);
  }

  /** Resolves once the WAL is on disk; rejects, for good, if this or any earlier flush failed or the thread died. */
  flush(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closing) return Promise.reject(this.break(new Error('The WAL flush thread is closed')));
    const asked = ++this.asked;
    const flushing = new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => {
        const late = Object.assign(new Error(`The WAL flush took more than ${this.deadlineMs} ms`), { code: 'ETIMEDOUT' });
        this.break(late);
      }, this.deadlineMs);
      this.pending = { asked, resolve, reject, deadline };
    });
    this.inFlight = flushing.then(
      () => undefined,
      () => undefined,
    );
    // Held open while a flush is under way: the shutdown awaiting it must reach its end.
    this.worker.ref();
    this.worker.postMessage(asked);
    return flushing;
  }

  /** After the flush under way, if any: the thread closes its descriptor and ends. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.inFlight;
    if (this.ended) return;
    this.worker.ref();
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
    await this.worker.terminate();
  }

  private break(error: Error): Error {
    this.broken ??= error;
    const pending = this.pending;
    this.pending = null;
    if (pending) clearTimeout(pending.deadline);
    pending?.reject(this.broken);
    return this.broken;
  }
}

/** The thread's first word: the descriptor it opened, or the error it ended with. */
function firstReply(worker: Worker): Promise<FileIdentity & { fd: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), OPEN_TIMEOUT_MS);
    const settle = () => clearTimeout(timer);
    worker.once('message', (reply: Reply) => {
      settle();
      if ('opened' in reply) resolve(reply.opened);
      else reject(new Error('unexpected reply'));
    });
    worker.once('error', (error) => (settle(), reject(error)));
    worker.once('exit', (code) => (settle(), reject(new Error(`exited (code ${code})`))));
  });
}
