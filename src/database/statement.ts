/**
 * One SQL statement and its values. Built by the pure functions of the statement modules
 * (`*.statements.ts`), run by the database layer; `?` placeholders on both engines.
 */
export interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
}

export const statement = (text: string, params: readonly unknown[] = []): Statement => ({ text, params });
