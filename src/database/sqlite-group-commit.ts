import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

type Work<T> = (manager: EntityManager) => Promise<T>;

interface SqliteConnection {
  readonly inTransaction: boolean;
  exec(sql: string): void;
}

interface Unit {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown; hooks: Array<() => void> } | { ok: false; error: unknown };

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

  constructor(
    private readonly dataSource: DataSource,
    private readonly commitHooks: WeakMap<EntityManager, Array<() => void>>,
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
    const runner = this.dataSource.createQueryRunner();
    const outcomes: Outcome[] = [];
    try {
      // The connection's own state, not TypeORM's bookkeeping: SQLite may have rolled back by itself.
      if (connection.inTransaction) connection.exec('ROLLBACK');
      connection.exec('BEGIN');
      for (const unit of batch) outcomes.push(await this.runInSavepoint(connection, runner, unit));
      connection.exec('COMMIT');
    } catch (error) {
      // BEGIN, a savepoint or the COMMIT itself failed: nothing of this batch is durable.
      try {
        if (connection.inTransaction) connection.exec('ROLLBACK');
      } catch (rollbackError) {
        this.logger.error({ err: rollbackError }, 'ROLLBACK of a failed batch failed');
      }
      for (const unit of batch) unit.reject(error);
      return;
    }
    batch.forEach((unit, i) => {
      const outcome = outcomes[i];
      if (!outcome.ok) return unit.reject(outcome.error);
      // Committed whatever a listener does: a failing hook is logged, never turned into an error.
      for (const hook of outcome.hooks) {
        try {
          hook();
        } catch (error) {
          this.logger.error({ err: error }, 'An after-commit listener failed');
        }
      }
      unit.resolve(outcome.value);
    });
  }

  private async runInSavepoint(connection: SqliteConnection, runner: QueryRunner, unit: Unit): Promise<Outcome> {
    const manager = this.dataSource.createEntityManager(runner);
    const hooks: Array<() => void> = [];
    this.commitHooks.set(manager, hooks);
    connection.exec('SAVEPOINT unit_of_work');
    try {
      const value = await unit.work(manager);
      connection.exec('RELEASE unit_of_work');
      return { ok: true, value, hooks };
    } catch (error) {
      // SQLite rolled the whole transaction back (disk full, I/O error): the batch fails with this error.
      if (!connection.inTransaction) throw error;
      connection.exec('ROLLBACK TO unit_of_work');
      connection.exec('RELEASE unit_of_work');
      return { ok: false, error };
    }
  }

  private connection(): SqliteConnection {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
  }
}
