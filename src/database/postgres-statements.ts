import { createHash } from 'node:crypto';
import { QueryFailedError } from 'typeorm';

import type { Statement } from './statement';

/** A pg Client, PoolClient or Pool: all three run a named statement, or a plain one. */
export interface PostgresQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  query(text: string): Promise<unknown>;
}

/** A connection taken from the pool for a unit of work; released with an error, it is closed instead of pooled. */
export interface PostgresClient extends PostgresQueryable {
  release(error?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

export interface PostgresPool extends PostgresQueryable {
  connect(): Promise<PostgresClient>;
}

/** The hot statements are a handful of fixed strings; the bound only guards against a caller that builds them. */
const MAX_NAMED_STATEMENTS = 200;

/**
 * Hot statements as named (server-side prepared) statements: PostgreSQL parses and plans each one
 * once per connection instead of on every call, and node-postgres is called directly rather than
 * through TypeORM's per-query machinery. Errors keep TypeORM's shape (QueryFailedError with the
 * driver's error), so callers and the error mapping handle both paths alike.
 */
export class PostgresStatements {
  private readonly named = new Map<string, { name: string; text: string }>();

  async run<Row>(target: PostgresQueryable, statement: Statement): Promise<{ rows: Row[]; affected: number }> {
    const { name, text } = this.namedStatement(statement.text);
    const values = [...statement.params];
    try {
      const result = await target.query({ name, text, values });
      return { rows: result.rows as Row[], affected: result.rowCount ?? 0 };
    } catch (error) {
      throw new QueryFailedError(text, values, error as Error);
    }
  }

  /** BEGIN, COMMIT, ROLLBACK: plain statements, never prepared. */
  async control(target: PostgresQueryable, command: 'BEGIN' | 'COMMIT' | 'ROLLBACK'): Promise<void> {
    try {
      await target.query(command);
    } catch (error) {
      throw new QueryFailedError(command, [], error as Error);
    }
  }

  private namedStatement(statement: string): { name: string; text: string } {
    let entry = this.named.get(statement);
    if (!entry) {
      if (this.named.size >= MAX_NAMED_STATEMENTS) this.named.clear();
      const text = toNumberedPlaceholders(statement);
      // Named after the text itself: a statement dropped from this cache and named again gets the
      // same name, which node-postgres requires of a name it has already prepared on a connection.
      entry = { name: `mr_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`, text };
      this.named.set(statement, entry);
    }
    return entry;
  }
}

/** `?` placeholders become `$1..$n`, so each statement is written once for both engines. */
export function toNumberedPlaceholders(statement: string): string {
  let index = 0;
  return statement.replace(/\?/g, () => `$${++index}`);
}
