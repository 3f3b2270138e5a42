import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs units of work in one database transaction.
 *
 * TypeORM's better-sqlite3 driver shares a single connection: two transactions started at once
 * would nest as savepoints of each other and a rollback of one would undo the other. So on SQLite
 * every write goes through one queue (SQLite has a single writer anyway); PostgreSQL runs them
 * concurrently on pooled connections.
 */
@Injectable()
export class Database {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly commitHooks = new WeakMap<EntityManager, Array<() => void>>();

  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  get engine(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.engine === 'postgres') return this.withCommitHooks(work);
    const run = this.queue.then(() => this.withCommitHooks(work));
    this.queue = run.catch(() => undefined);
    return run;
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
    for (const hook of hooks) hook();
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
    const result = await manager.queryRunner.query(this.sql(statement), parameters, true);
    return { rows: (result.records ?? []) as Row[], affected: result.affected ?? 0 };
  }

  /** `?` placeholders become `$1..$n` on PostgreSQL, so each statement is written once. */
  sql(statement: string): string {
    if (this.engine !== 'postgres') return statement;
    let index = 0;
    return statement.replace(/\?/g, () => `$${++index}`);
  }
}
