import type { Statement } from './statement';

export interface StatementResult<Row> {
  rows: Row[];
  /** Rows the statement wrote (or, for a SELECT, returned), the same way on both engines. */
  affected: number;
}

export type StatementRunner = <Row>(statement: Statement) => Promise<StatementResult<Row>>;

/**
 * A running database transaction, the only transaction handle above the database layer. Passed
 * between repositories so a change and its consequences (a device report and the box's health)
 * commit together. Opened only by `Database.unit`.
 */
export class UnitOfWork {
  private readonly hooks: Array<() => void> = [];
  private open = true;

  constructor(private readonly runner: StatementRunner) {}

  run<Row = Record<string, unknown>>(statement: Statement): Promise<StatementResult<Row>> {
    // A statement after the end would run outside the transaction it belongs to.
    if (!this.open) return Promise.reject(new Error('This unit of work has ended'));
    return this.runner<Row>(statement);
  }

  /** Runs `hook` once this unit has committed; never if it rolls back. */
  afterCommit(hook: () => void): void {
    this.hooks.push(hook);
  }

  /** For the database layer: ends the unit and hands back what should run now that it committed (nothing, if it did not). */
  end(committed: boolean): Array<() => void> {
    this.open = false;
    return committed ? this.hooks.splice(0) : [];
  }
}
