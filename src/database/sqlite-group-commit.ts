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

type Outcome = { ok: true; value: unknown; unit: UnitOfWork } | { ok: false; error: unknown; unit: UnitOfWork };

/** Enough to amortise the fsync; small enough that one batch never holds the writer for long. */
export const MAX_UNITS_PER_COMMIT = 256;

/**
 * Group commit for SQLite. With `synchronous = FULL` each COMMIT waits for an fsync, which costs
 * far more than the unit's own statements. Units arriving while a batch runs wait for the next
 * one, and a batch runs all its units in one transaction, each inside its own savepoint: a unit
 * that throws is rolled back alone, and no unit is answered before the COMMIT that makes it
 * durable. Under light load a batch is a single unit and costs one extra turn of the event loop.
 */
export class SqliteGroupCommit {
  private readonly logger = new Logger('Database');
  private waiting: Unit[] = [];
  private running = false;

  private configured = false;

  constructor(
    private readonly connection: () => SqliteConnection,
    /** Runs one statement on that same connection (better-sqlite3 is synchronous: one at a time). */
    private readonly runStatement: <Row>(statement: Statement) => StatementResult<Row>,
    private readonly lockWaitMs = WRITE_LOCK_WAIT_MS,
  ) {}

  run<T>(work: Work<T>): Promise<T> {
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
        await this.commit(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Unit[]): Promise<void> {
    const connection = this.connection();
    const outcomes: Outcome[] = [];
    try {
      // The connection's own state, not TypeORM's bookkeeping: SQLite may have rolled back by itself.
      if (connection.inTransaction) connection.exec('ROLLBACK');
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
   */
  private async begin(connection: SqliteConnection): Promise<void> {
    if (!this.configured) {
      connection.exec('PRAGMA busy_timeout = 0');
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
