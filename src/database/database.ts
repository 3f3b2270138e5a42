import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { isRolledBackConflict } from './database-errors';
import { Dialect, POSTGRES, SQLITE } from './dialect';
import { PostgresPool, PostgresStatements } from './postgres-statements';
import type { FatalStop } from '../health/fatal-stop';
import { SqliteConnection as GroupCommitConnection, SqliteGroupCommit, WalFlushFailed } from './sqlite-group-commit';
import type { Statement } from './statement';
import { isWorthRetrying, MAX_UNIT_ATTEMPTS, retryPauseMs } from './transient-retry';
import { StatementResult, UnitOfWork } from './unit-of-work';
import { checkpointWalIntoDatabase } from './wal-file';
import { WalFlush } from './wal-flush';

interface SqliteStatement {
  readonly reader: boolean;
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): { changes: number };
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  pragma(source: string, options?: { simple: boolean }): unknown;
}

/** Hot statements are a handful of fixed strings; the bound only guards against a caller that builds them. */
const MAX_CACHED_STATEMENTS = 200;

/**
 * The one door to the database: `read` outside any transaction, and `unit` for a unit of work
 * (or a lone statement as one). TypeORM opens the connections and runs the migrations; statements
 * go straight to the drivers (node-postgres named statements, better-sqlite3 prepared ones).
 *
 * PostgreSQL runs units concurrently on pooled connections, and runs again a unit it rolled back
 * for a passing reason. SQLite has a single writer: every unit goes through one queue, and the
 * units waiting in it commit together (SqliteGroupCommit).
 */
@Injectable()
export class Database {
  private readonly logger = new Logger('Database');
  readonly dialect: Dialect;
  private readonly sqlite: SqliteGroupCommit | null;
  private readonly postgres = new PostgresStatements();
  private readonly sqliteStatements = new Map<string, SqliteStatement>();
  private walFlush: WalFlush | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'postgres' ? POSTGRES : SQLITE;
    this.sqlite =
      this.dialect === SQLITE ? new SqliteGroupCommit(() => this.sqliteConnection(), (statement) => this.runOnSqlite(statement)) : null;
  }

  /**
   * A read outside any unit of work. On SQLite it shares the writer's connection, so a read that
   * lands between two statements of a running unit can see that unit's rows early: anything that
   * decides a state change reads inside a unit instead.
   */
  async read<Row = Record<string, unknown>>(statement: Statement): Promise<Row[]> {
    if (!this.sqlite) return (await this.postgres.run<Row>(this.pool, statement)).rows;
    const rows = this.runOnSqlite<Row>(statement).rows;
    // A COMMIT is visible before its WAL is flushed: its rows are answered once they are on disk.
    const durable = this.sqlite.durable();
    if (durable) await durable;
    return rows;
  }

  /**
   * SQLite: a number that moves whenever a batch of units ends, before its callers or listeners hear
   * of it (SqliteGroupCommit.generation), so a fact a read found holds while it has not moved: this
   * connection is the only one that creates or hands out work (the archive command only deletes
   * finished work). Null on PostgreSQL, where other replicas write.
   */
  writeGeneration(): number | null {
    return this.sqlite ? this.sqlite.generation : null;
  }

  /**
   * On a SQLite file, from the next batch on: COMMIT with `synchronous = NORMAL` and flush the WAL on
   * a thread of its own (WalFlush, SqliteGroupCommit), once that WAL is proved to be the file SQLite
   * writes. Otherwise FULL stays, and the reason is returned. A failed flush ends the process through
   * `stop`, every write and read refused meanwhile.
   */
  async flushWalOffTheLoop(stop: FatalStop): Promise<{ wal: string } | { refused: string }> {
    if (!this.sqlite) return { refused: 'not SQLite' };
    const opened = await WalFlush.open(this.sqliteConnection());
    if ('refused' in opened) return opened;
    this.walFlush = opened;
    this.sqlite.flushWalWith(opened, (failure: WalFlushFailed) =>
      stop.stop('Flushing the SQLite WAL to disk failed: every write and read is refused and the service stops; SQLite recovers the WAL at the next start', {
        context: 'Database',
        wal: opened.path,
        reason: failure.reason,
      }),
    );
    return { wal: opened.path };
  }

  /** SQLite's WAL copied into the database file and emptied, before anything is served (checkpointWalIntoDatabase). */
  async checkpointWalAtBoot(): Promise<{ frames: number } | { skipped: string }> {
    if (!this.sqlite) return { skipped: 'not SQLite' };
    return checkpointWalIntoDatabase(this.sqliteConnection());
  }

  /** Back to FULL, after the batch under way; then the flush thread ends (after its flush under way). */
  async stopFlushingWal(): Promise<void> {
    const flush = this.walFlush;
    this.walFlush = null;
    await this.sqlite?.stopFlushingWal();
    await flush?.close();
  }

  /** Runs `work` in one database transaction: all its statements commit together, or none. */
  unit<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T>;
  /**
   * One statement as a unit of work of its own. PostgreSQL runs a lone statement atomically, so it
   * is sent alone, without BEGIN and COMMIT round trips; on SQLite it joins the group commit.
   */
  unit<Row = Record<string, unknown>>(statement: Statement): Promise<Row[]>;
  unit<T>(work: ((unit: UnitOfWork) => Promise<T>) | Statement): Promise<T | unknown[]> {
    if (typeof work !== 'function') return this.alone(work);
    if (this.sqlite) return this.sqlite.run(work);
    return this.onPostgres(work);
  }

  private async alone(statement: Statement): Promise<unknown[]> {
    if (this.sqlite) return this.unit(async (unit) => (await unit.run(statement)).rows);
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.postgres.run(this.pool, statement)).rows;
      } catch (error) {
        // Only a conflict proves the statement rolled back: a lost connection may have committed it.
        if (attempt >= MAX_UNIT_ATTEMPTS || !isRolledBackConflict(error)) throw error;
        this.logger.warn({ attempt, reason: describeTransient(error) }, 'Statement rolled back by the database; running it again');
        await pause(retryPauseMs(attempt));
      }
    }
  }

  /** A unit rolled back by a deadlock, a serialization failure or a connection lost before COMMIT runs again. */
  private async onPostgres<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const progress = { commitSent: false };
      try {
        return await this.onePostgresUnit(work, progress);
      } catch (error) {
        if (attempt >= MAX_UNIT_ATTEMPTS || !isWorthRetrying(error, progress.commitSent)) throw error;
        this.logger.warn({ attempt, reason: describeTransient(error) }, 'Unit of work rolled back by the database; running it again');
        await pause(retryPauseMs(attempt));
      }
    }
  }

  private async onePostgresUnit<T>(work: (unit: UnitOfWork) => Promise<T>, progress: { commitSent: boolean }): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection lost while checked out emits an error besides failing its query: heard here, it
    // closes the connection instead of crashing the process.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    const unit = new UnitOfWork(<Row>(statement: Statement) => this.postgres.run<Row>(client, statement));
    let result: T;
    try {
      await this.postgres.control(client, 'BEGIN');
      result = await work(unit);
      progress.commitSent = true;
      await this.postgres.control(client, 'COMMIT');
    } catch (error) {
      unit.end(false);
      await this.postgres.control(client, 'ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      // A connection that failed, or whose ROLLBACK failed, is in an unknown state: closed, not pooled.
      client.off('error', onError);
      client.release(broken);
    }
    for (const hook of unit.end(true)) runHook(hook, this.logger);
    return result;
  }

  /**
   * Straight to better-sqlite3 with a cached prepared statement: TypeORM's per-query machinery
   * costs several times an indexed statement. Errors keep TypeORM's shape, so callers and the
   * error mapping handle both engines alike.
   */
  private runOnSqlite<Row>(statement: Statement): StatementResult<Row> {
    const values = statement.params.map((value) => (typeof value === 'boolean' ? Number(value) : value));
    try {
      const prepared = this.prepared(statement.text);
      if (prepared.reader) {
        const rows = prepared.all(...values) as Row[];
        return { rows, affected: rows.length };
      }
      return { rows: [], affected: prepared.run(...values).changes };
    } catch (error) {
      throw new QueryFailedError(statement.text, values, error as Error);
    }
  }

  private prepared(text: string): SqliteStatement {
    let prepared = this.sqliteStatements.get(text);
    if (!prepared) {
      if (this.sqliteStatements.size >= MAX_CACHED_STATEMENTS) this.sqliteStatements.clear();
      prepared = this.sqliteConnection().prepare(text);
      this.sqliteStatements.set(text, prepared);
    }
    return prepared;
  }

  private sqliteConnection(): SqliteConnection & GroupCommitConnection {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection & GroupCommitConnection }).databaseConnection;
  }

  /** node-postgres's pool, which TypeORM's PostgreSQL driver keeps as `master`. */
  private get pool(): PostgresPool {
    return (this.dataSource.driver as unknown as { master: PostgresPool }).master;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Committed whatever a listener does: a failing hook is logged, never turned into an error. */
export function runHook(hook: () => void, logger: Logger): void {
  try {
    hook();
  } catch (error) {
    logger.error({ err: error }, 'An after-commit listener failed');
  }
}

/** The error's code and message only: a driver error also carries the statement's parameters. */
function describeTransient(error: unknown): string {
  const candidate = error as { code?: string; message?: string; driverError?: { code?: string } } | null;
  return `${candidate?.driverError?.code ?? candidate?.code ?? 'no code'}: ${candidate?.message ?? String(error)}`.slice(0, 200);
}
