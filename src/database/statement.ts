/**
 * One SQL statement and its values. Built by the pure functions of the statement modules
 * (`*.statements.ts`), run by the database layer; `?` placeholders on both engines.
 */
export interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
}

export const statement = (text: string, params: readonly unknown[] = []): Statement => ({ text, params });

/**
 * A LIMIT or OFFSET count written into the statement's text, never bound. SQLite (3.53) reads a
 * bound LIMIT while planning, so every new binding of it sends the statement back to the planner:
 * a box's claim, prepared again on each of its runs, took 184 to 250 µs against 16 µs with the count
 * in its text (measured on one connection, 3 000 rows). Only a non-negative safe integer passes, so
 * nothing but digits ever reaches the text; the distinct texts are as few as the counts callers use.
 */
export function rowCount(count: number): string {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`A row count must be a non-negative integer, not ${String(count)}`);
  return String(count);
}
