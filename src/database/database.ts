import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { PostgresQueryable, PostgresStatements, toNumberedPlaceholders } from './postgres-statements';
import { SqliteGroupCommit } from './sqlite-group-commit';
import { isRolledBackConflict } from './database-errors';
import { isWorthRetrying, MAX_UNIT_ATTEMPTS, retryPauseMs } from './transient-retry';

interface SqliteStatement {
  readonly reader: boolean;
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): { changes: number };
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/** Hot statements are a handful of fixed strings; the bound only guards against a caller that builds them. */
const MAX_CACHED_STATEMENTS = 200;

/**
 * Runs units of work in one database transaction.
 *
 * PostgreSQL runs them concurrently on pooled connections. TypeORM's better-sqlite3 driver shares a
 * single connection (two transactions started at once would nest as savepoints of each other), and
 * SQLite has a single writer anyway: there every unit goes through one queue, and the units waiting
 * in it commit together (see SqliteGroupCommit).
 */
@Injectable()
export class Database {
  private readonly logger = new Logger('Database');
  private readonly commitHooks = new WeakMap<EntityManager, Array<() => void>>();
  private readonly sqlite: SqliteGroupCommit;
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly postgres = new PostgresStatements();

  constructor(@InjectDataSource() readonly dataSource: DataSource) {
    this.sqlite = new SqliteGroupCommit(dataSource, this.commitHooks);
  }

  get engine(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  /**
   * Runs `work` in one database transaction. On PostgreSQL a unit that lost a deadlock, a
   * serialization conflict, or its connection before the COMMIT runs again (MAX_UNIT_ATTEMPTS in
   * all): it was rolled back whole, and units of work touch nothing but the database.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.engine === 'sqlite') return this.sqlite.run(work);
    for (let attempt = 1; ; attempt++) {
      let commitSent = false;
      try {
        return await this.withCommitHooks(async (manager) => {
          const result = await work(manager);
          commitSent = true;
          return result;
        });
      } catch (error) {
        if (attempt >= MAX_UNIT_ATTEMPTS || !isWorthRetrying(error, commitSent)) throw error;
        this.logger.warn({ attempt, reason: describeTransient(error) }, 'Unit of work rolled back by the database; running it again');
        await new Promise((resolve) => setTimeout(resolve, retryPauseMs(attempt)));
      }
    }
  }

  /** Runs `hook` once the unit of work that `manager` belongs to has committed (never if it rolls back). */
  afterCommit(manager: EntityManager, hook: () => void): void {
    const hooks = this.commitHooks.get(manager);
    if (hooks) hooks.push(hook);
    else hook();
  }

  private async withCommitHooks<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const hooks: Array<() => void> = [];
    const result = await this.dataSource.transaction((manager) => {
      this.commitHooks.set(manager, hooks);
      return work(manager);
    });
    for (const hook of hooks) {
      try {
        hook();
      } catch (error) {
        // Committed whatever a listener does: a failing hook is logged, never turned into an error.
        this.logger.error({ err: error }, 'An after-commit listener failed');
      }
    }
    return result;
  }

  /**
   * For reads outside a unit of work. On SQLite it shares the writer's connection, so a read that
   * lands between two statements of a running transaction can see that transaction's rows early;
   * anything that decides a state change must read inside `transaction()` instead.
   */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  /** A read outside a unit of work, with the visibility of `reader`; cheaper on SQLite (see runOnSqlite). */
  async read<Row = Record<string, unknown>>(statement: string, parameters: unknown[] = []): Promise<Row[]> {
    if (this.engine === 'postgres') return (await this.postgres.run<Row>(this.pool, statement, parameters)).rows;
    return this.runOnSqlite<Row>(statement, parameters).rows;
  }

  /** Runs one statement inside a unit of work and returns its rows (a SELECT, or a RETURNING). */
  async query<Row = Record<string, unknown>>(manager: EntityManager, statement: string, parameters: unknown[] = []): Promise<Row[]> {
    return (await this.execute<Row>(manager, statement, parameters)).rows;
  }

  /**
   * Runs one statement inside a unit of work and returns its rows (RETURNING included) and the
   * affected count the same way on both engines (TypeORM's plain `query` returns `[rows, count]`
   * for an UPDATE on PostgreSQL but only rows on SQLite).
   */
  async execute<Row = Record<string, unknown>>(
    manager: EntityManager,
    statement: string,
    parameters: unknown[] = [],
  ): Promise<{ rows: Row[]; affected: number }> {
    if (!manager.queryRunner) throw new Error('Database.execute needs the manager of a transaction()');
    // Same connection and transaction as the manager's: better-sqlite3 has one connection.
    if (this.engine === 'sqlite') return this.runOnSqlite<Row>(statement, parameters);
    // A released runner would connect() afresh, outside its transaction: refuse as TypeORM does.
    if (manager.queryRunner.isReleased) throw new QueryRunnerAlreadyReleasedError();
    const runner = manager.queryRunner as unknown as { connect(): Promise<PostgresQueryable> };
    // The runner's own connection, inside its transaction (connect() hands back the one it holds).
    return this.postgres.run<Row>(await runner.connect(), statement, parameters);
  }

  /**
   * One statement as a unit of work of its own. PostgreSQL runs a lone statement atomically, so it
   * is sent alone, without the BEGIN and COMMIT round trips; on SQLite it joins the group commit.
   */
  async standalone<Row = Record<string, unknown>>(statement: string, parameters: unknown[] = []): Promise<Row[]> {
    if (this.engine === 'sqlite') return this.transaction((manager) => this.query<Row>(manager, statement, parameters));
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.postgres.run<Row>(this.pool, statement, parameters)).rows;
      } catch (error) {
        // Only a conflict proves the statement rolled back: a lost connection may have committed it.
        if (attempt >= MAX_UNIT_ATTEMPTS || !isRolledBackConflict(error)) throw error;
        this.logger.warn({ attempt, reason: describeTransient(error) }, 'Statement rolled back by the database; running it again');
        await new Promise((resolve) => setTimeout(resolve, retryPauseMs(attempt)));
      }
    }
  }

  /**
   * Straight to better-sqlite3 with a cached prepared statement: TypeORM's per-query machinery
   * (connection check, subscribers, logger, result wrapping) costs several times an indexed
   * statement. Errors keep TypeORM's shape, so callers handle both engines alike.
   */
  private runOnSqlite<Row>(statement: string, parameters: unknown[]): { rows: Row[]; affected: number } {
    const values = parameters.map((value) => (typeof value === 'boolean' ? Number(value) : value));
    try {
      const prepared = this.prepared(statement);
      if (prepared.reader) {
        const rows = prepared.all(...values) as Row[];
        return { rows, affected: rows.length };
      }
      return { rows: [], affected: prepared.run(...values).changes };
    } catch (error) {
      throw new QueryFailedError(statement, values, error as Error);
    }
  }

  private prepared(statement: string): SqliteStatement {
    let prepared = this.statements.get(statement);
    if (!prepared) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      const connection = (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
      prepared = connection.prepare(statement);
      this.statements.set(statement, prepared);
    }
    return prepared;
  }

  /**
   * `INDEXED BY <index>` on SQLite, nothing on PostgreSQL (whose planner has statistics). Without
   * statistics SQLite prefers the index matching the most equalities, even when it then has to sort
   * the whole pending queue to honour ORDER BY ... LIMIT: 66 ms a tick at 200 000 rows instead of 1.
   */
  indexedBy(index: string): string {
    return this.engine === 'sqlite' ? ` INDEXED BY ${index}` : '';
  }

  /** `?` placeholders become `$1..$n` on PostgreSQL, so each statement is written once. */
  sql(statement: string): string {
    return this.engine === 'postgres' ? toNumberedPlaceholders(statement) : statement;
  }

  /** node-postgres's pool, which TypeORM's PostgreSQL driver keeps as `master`. */
  private get pool(): PostgresQueryable {
    return (this.dataSource.driver as unknown as { master: PostgresQueryable }).master;
  }
}

/** The error's code and message only: a driver error also carries the statement's parameters. */
function describeTransient(error: unknown): string {
  const candidate = error as { code?: string; message?: string; driverError?: { code?: string } } | null;
  return `${candidate?.driverError?.code ?? candidate?.code ?? 'no code'}: ${candidate?.message ?? String(error)}`.slice(0, 200);
}
