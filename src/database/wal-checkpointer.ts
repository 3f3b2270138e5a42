import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { AppConfig, DatabaseSettings } from '../config/app-config';

/** How often the WAL is copied back into the database file: it holds a few seconds of writes at most. */
export const CHECKPOINT_INTERVAL_MS = 1_000;

/** What one checkpoint did: frames in the WAL, and how many of them are in the database file now. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * The worker's whole program: its own better-sqlite3 connection on the same file, a PASSIVE
 * checkpoint every interval (it copies what no reader still needs and waits for no lock: writers
 * and readers go on meanwhile), its result posted back. Inline, so the same code runs from dist/
 * and under ts-jest.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: 0 });
const checkpoint = (asked) => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, result: row, asked });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message), asked });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (typeof message === 'number') return checkpoint(message);
  if (message === 'stop') {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort.close();
  }
});
`;

/**
 * SQLite's WAL checkpoints, off the main thread: every second a worker thread copies the WAL into the
 * database file and flushes it. The commit that takes the WAL past 1 000 pages still runs SQLite's own
 * checkpoint, on the event loop, inside some request (the only one that lets the WAL start over under
 * a steady stream of writes, see SqliteGroupCommit.begin); after the worker's, it finds little to copy.
 */
export class WalCheckpointer {
  private readonly logger = new Logger('WalCheckpointer');
  private worker: Worker | null = null;
  private lastError: string | null = null;
  private readonly listeners = new Set<(result: CheckpointResult) => void>();
  private readonly answers = new Map<number, (outcome: CheckpointResult | Error) => void>();
  private asked = 0;

  constructor(
    private readonly path: string,
    private readonly intervalMs = CHECKPOINT_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.worker) return;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: this.path, intervalMs: this.intervalMs, driver: require.resolve('better-sqlite3') },
    });
    worker.on('message', (message: ({ ok: true; result: CheckpointResult } | { ok: false; error: string }) & { asked?: number }) => {
      if (message.asked !== undefined) this.answers.get(message.asked)?.(message.ok ? message.result : new Error(message.error));
      if (!message.ok) {
        // A checkpoint that failed is tried again at the next beat: logged once per kind of failure.
        if (message.error !== this.lastError) this.logger.warn({ reason: message.error }, 'WAL checkpoint failed; the next one tries again');
        this.lastError = message.error;
        return;
      }
      this.lastError = null;
      for (const listener of this.listeners) listener(message.result);
    });
    worker.on('error', (error) => this.logger.error({ err: error }, 'The WAL checkpoint thread stopped'));
    worker.unref();
    this.worker = worker;
  }

  /** Every checkpoint's result, as it comes (for the specs and the logs). */
  onCheckpoint(listener: (result: CheckpointResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A checkpoint now, besides the timer's. */
  checkpointNow(): Promise<CheckpointResult> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('WalCheckpointer is not started'));
    const id = ++this.asked;
    return new Promise((resolve, reject) => {
      this.answers.set(id, (outcome) => {
        this.answers.delete(id);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      });
      worker.postMessage(id);
    });
  }

  /** A last checkpoint, then the thread ends. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    // Held open until the thread has ended (or 2 s): an unref'd worker and timer let node exit in
    // the middle of the shutdown awaiting this, before its last hooks and its last log line.
    worker.ref();
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
    await worker.terminate();
  }
}

/** The checkpointer a process on `settings` needs: none on PostgreSQL or an in-memory SQLite database. */
export function walCheckpointerFor(settings: DatabaseSettings): WalCheckpointer | null {
  return settings.engine === 'sqlite' && settings.path !== ':memory:' ? new WalCheckpointer(settings.path) : null;
}

/** The service's checkpoints (SQLite), from boot (after the migrations) to shutdown. */
@Injectable()
export class SqliteCheckpoints implements OnApplicationBootstrap, OnApplicationShutdown {
  private checkpointer: WalCheckpointer | null = null;

  constructor(private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    this.checkpointer = walCheckpointerFor(this.config.database);
    this.checkpointer?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.checkpointer?.stop();
  }
}
