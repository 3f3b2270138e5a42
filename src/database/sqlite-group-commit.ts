import { Logger } from '@nestjs/common';
import type { Statement } from './statement';
import { StatementResult, UnitOfWork } from './unit-of-work';

type Work<T> = (unit: UnitOfWork) => Promise<T>;

export interface SqliteConnection {
  readonly inTransaction: boolean;
  exec(sql: string): void;
}

/** How long a batch waits for SQLite's write lock held by another process (the archive command) before it fails. */
export const WRITE_LOCK_WAIT_MS = 5_000;
/** The longest pause between two tries for that lock: a unit of the archive holds it about 10 ms. */
const WRITE_LOCK_RETRY_MAX_MS = 10;

interface Unit {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface AttachedWal {
  flusher: WalFlusher;
  onFailure: (failure: WalFlushFailed) => void;
}

type Outcome = { ok: true; value: unknown; unit: UnitOfWork } | { ok: false; error: unknown; unit: UnitOfWork };

/** What flushes the WAL to disk after a COMMIT made with `synchronous = NORMAL` (WalFlush). */
export interface WalFlusher {
  flush(): Promise<void>;
}

/**
 * Everything written since a flush of the WAL failed: its batch, the units queued behind it, and
 * every later write or read. A COMMIT is visible before its flush, and after a failed fsync the
 * kernel may report success next time over pages it never wrote: nothing since is known to be on
 * disk, and the process stops (SQLite recovers the WAL at the next start, up to its first bad frame).
 */
export class WalFlushFailed extends Error {
  /** SQLite's own code for a failed fsync: an I/O error, answered 503 like any other. */
  readonly code = 'SQLITE_IOERR_FSYNC';

  constructor(readonly reason: { code?: string; message: string }) {
    super(`Flushing the WAL to disk failed (${reason.code ?? reason.message}): nothing is written or read until the service restarts`);
    this.name = 'WalFlushFailed';
  }
}

/** Enough to amortise the fsync; small enough that one batch never holds the writer for long. */
export const MAX_UNITS_PER_COMMIT = 256;

/**
 * Group commit for SQLite. With `synchronous = FULL` each COMMIT waits for an fsync, which costs
 * far more than the unit's own statements. Units arriving while a batch runs wait for the next
 * one, and a batch runs all its units in one transaction, each inside its own savepoint: a unit
 * that throws is rolled back alone, and no unit is answered before the COMMIT that makes it
 * durable. Under light load a batch is a single unit and costs one extra turn of the event loop.
 *
 * With a WalFlusher attached, the COMMIT is made with `synchronous = NORMAL` (the file stays
 * consistent, the commit survives a crash of the process but not yet a power cut) and the WAL is
 * flushed on another thread: no caller is answered, no listener runs, no next batch begins and no
 * read outside a unit answers before that flush returns, so what is acknowledged is on disk as with
 * FULL, while the event loop serves requests during the fsync.
 */
export class SqliteGroupCommit {
  private readonly logger = new Logger('Database');
  private waiting: Unit[] = [];
  private running = false;

  private configured = false;
  /** Set by flushWalWith: each COMMIT is made with NORMAL, then flushed by it before anything is answered. */
  private wal: AttachedWal | null = null;
  /** What the connection commits with now: FULL (typeorm-options) until a flusher is attached. */
  private synchronous: 'FULL' | 'NORMAL' = 'FULL';
  /** From a COMMIT made with NORMAL until its flush returns: settles then (never rejects). */
  private durableUntil: Promise<void> | null = null;
  private failure: WalFlushFailed | null = null;
  /** The batch under way, which may still need the flusher being detached. */
  private current: Promise<void> = Promise.resolve();
  private batchesEnded = 0;

  constructor(
    private readonly connection: () => SqliteConnection,
    /** Runs one statement on that same connection (better-sqlite3 is synchronous: one at a time). */
    private readonly runStatement: <Row>(statement: Statement) => StatementResult<Row>,
    private readonly lockWaitMs = WRITE_LOCK_WAIT_MS,
  ) {}

  /**
   * From the next batch on, COMMIT with `synchronous = NORMAL` and flush the WAL with `flusher`
   * before any caller is answered, any after-commit listener runs or the next batch begins. A failed
   * flush refuses that batch, everything queued and every later write and read, then `onFailure`.
   */
  flushWalWith(flusher: WalFlusher, onFailure: (failure: WalFlushFailed) => void): void {
    this.wal = { flusher, onFailure };
  }

  /** Back to FULL from the next batch on; resolves once the batch under way no longer needs the flusher. */
  async stopFlushingWal(): Promise<void> {
    this.wal = null;
    await this.current;
  }

  /**
   * For a read outside any unit, after its statement ran: resolves once the COMMIT it could have
   * seen is on disk (the flush under way returned), and refuses it after a failed flush. Null when
   * nothing is to wait for (the hot path of every poll: no promise made). A read that lands between
   * two statements of a running unit sees its rows early, as with FULL (see Database.read).
   */
  durable(): Promise<void> | null {
    if (this.failure) return Promise.reject(this.failure);
    const until = this.durableUntil;
    return until && until.then(() => (this.failure ? Promise.reject(this.failure) : undefined));
  }

  /**
   * Moves each time a batch ends, committed or rolled back, before any of its callers is answered or
   * its listeners run: what a read on this connection found at one value still holds while it has
   * not moved (a read between two units of a batch, which may see rows the batch later undoes, is
   * outdated by that batch's end).
   */
  get generation(): number {
    return this.batchesEnded;
  }

  run<T>(work: Work<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) {
        this.drain().catch((error: unknown) => this.logger.error({ err: error }, 'The SQLite write queue stopped'));
      }
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      // better-sqlite3 is synchronous: a batch runs start to finish without letting the event loop
      // read new requests. Yielding once first lets the requests already on the sockets join it.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_UNITS_PER_COMMIT);
        this.current = this.commit(batch);
        await this.current;
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Unit[]): Promise<void> {
    const wal = this.wal;
    const connection = this.connection();
    const outcomes: Outcome[] = [];
    try {
      // The connection's own state, not TypeORM's bookkeeping: SQLite may have rolled back by itself.
      if (connection.inTransaction) connection.exec('ROLLBACK');
      this.setSynchronous(connection, wal ? 'NORMAL' : 'FULL');
      await this.begin(connection);
      for (const unit of batch) outcomes.push(await this.runInSavepoint(connection, unit));
      connection.exec('COMMIT');
    } catch (error) {
      // BEGIN, a savepoint or the COMMIT itself failed: nothing of this batch is durable.
      try {
        if (connection.inTransaction) connection.exec('ROLLBACK');
      } catch (rollbackError) {
        this.logger.error({ err: rollbackError }, 'ROLLBACK of a failed batch failed');
      }
      for (const outcome of outcomes) outcome.unit.end(false);
      for (const unit of batch) unit.reject(error);
      return;
    } finally {
      this.batchesEnded += 1;
    }
    if (wal) {
      // Set in the same turn as the COMMIT: a read from now on waits for this flush.
      let flushed = () => {};
      this.durableUntil = new Promise<void>((resolve) => (flushed = resolve));
      try {
        await wal.flusher.flush();
      } catch (error) {
        return this.failStop(error, batch, outcomes, wal.onFailure);
      } finally {
        this.durableUntil = null;
        flushed();
      }
    }
    batch.forEach((unit, i) => {
      const outcome = outcomes[i];
      const hooks = outcome.unit.end(outcome.ok);
      if (!outcome.ok) return unit.reject(outcome.error);
      // Committed whatever a listener does: a failing hook is logged, never turned into an error.
      for (const hook of hooks) {
        try {
          hook();
        } catch (error) {
          this.logger.error({ err: error }, 'An after-commit listener failed');
        }
      }
      unit.resolve(outcome.value);
    });
  }

  /** No caller answered, no listener run: the batch, the queue and every later unit are refused, then the process stops. */
  private failStop(error: unknown, batch: Unit[], outcomes: Outcome[], onFailure: (failure: WalFlushFailed) => void): void {
    const reason = error as { code?: unknown; message?: unknown } | null;
    const failure = new WalFlushFailed({
      code: typeof reason?.code === 'string' ? reason.code : undefined,
      message: String(reason?.message ?? error),
    });
    this.failure = failure;
    for (const outcome of outcomes) outcome.unit.end(false);
    for (const unit of [...batch, ...this.waiting.splice(0)]) unit.reject(failure);
    onFailure(failure);
  }

  /** Outside a transaction only; FULL is what typeorm-options opened the connection with. */
  private setSynchronous(connection: SqliteConnection, level: 'FULL' | 'NORMAL'): void {
    if (this.synchronous === level) return;
    connection.exec(`PRAGMA synchronous = ${level}`);
    this.synchronous = level;
  }

  /**
   * BEGIN IMMEDIATE: the write lock is taken before any unit runs, so a unit never finds it taken
   * halfway. Another process holding it (the archive command, sqlite3 in a shell) is waited for
   * here, between tries, off the event loop: SQLite's own busy timeout sleeps inside the call and
   * would freeze every request, poll and heartbeat for as long as the other process holds the lock.
   * Hence busy_timeout 0 on this connection (WAL readers never wait for a lock). Its commits keep
   * SQLite's own checkpoint (past 1 000 pages of WAL): only a checkpoint run between two of this
   * writer's transactions lets the WAL start over, and a worker thread's checkpoints, concurrent with
   * a steady stream of writes, never found the WAL all copied (it grew past 400 MB in a minute of
   * archive vacuum). WalCheckpointer copies the WAL every second off this thread, so the commit's
   * checkpoint finds little left to write.
   *
   * temp_store MEMORY: each unit is a SAVEPOINT, so SQLite copies every page a unit first changes
   * into a sub-journal (what ROLLBACK TO restores), which by default spills to a temporary file past
   * 64 KiB: a write system call per page, most of an UPDATE's cost with the transactions table's
   * indexes (bench end to end: about 1 300 -> 1 700 completed a second). In memory it is emptied at
   * each RELEASE, so it holds one unit's pages at most, and units are bounded batches; the sorts this
   * connection may run are a LIMITed page or small GROUP BYs. Durability is untouched: crash recovery
   * never reads a temporary file (the WAL is the journal).
   */
  private async begin(connection: SqliteConnection): Promise<void> {
    if (!this.configured) {
      connection.exec('PRAGMA busy_timeout = 0');
      connection.exec('PRAGMA temp_store = MEMORY');
      this.configured = true;
    }
    const deadline = Date.now() + this.lockWaitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        connection.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(WRITE_LOCK_RETRY_MAX_MS, 2 ** attempt)));
      }
    }
  }

  private async runInSavepoint(connection: SqliteConnection, unit: Unit): Promise<Outcome> {
    const handle = new UnitOfWork(async <Row>(statement: Statement) => this.runStatement<Row>(statement));
    connection.exec('SAVEPOINT unit_of_work');
    try {
      const value = await unit.work(handle);
      connection.exec('RELEASE unit_of_work');
      return { ok: true, value, unit: handle };
    } catch (error) {
      // SQLite rolled the whole transaction back (disk full, I/O error): the batch fails with this error.
      if (!connection.inTransaction) throw error;
      connection.exec('ROLLBACK TO unit_of_work');
      connection.exec('RELEASE unit_of_work');
      return { ok: false, error, unit: handle };
    }
  }
}

/** SQLITE_BUSY (and its extended codes): another connection holds the lock. */
function isBusy(error: unknown): boolean {
  return /^SQLITE_BUSY/.test(String((error as { code?: unknown } | null)?.code ?? ''));
}
