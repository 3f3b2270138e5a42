/**
 * What differs between the two engines in the SQL the statement modules write. Statements are
 * written once, with `?` placeholders (numbered for PostgreSQL by the database layer) and these
 * fragments wherever the engines part.
 */
export interface Dialect {
  readonly engine: 'sqlite' | 'postgres';
  /** Locks the rows a SELECT reads until the unit of work ends (PostgreSQL); SQLite has one writer. */
  readonly forUpdate: string;
  /** As `forUpdate`, skipping rows another unit holds: a queue read never waits. */
  readonly skipLocked: string;
  /**
   * `INDEXED BY <index>` on SQLite, nothing on PostgreSQL (whose planner has statistics). Without
   * statistics SQLite prefers the index matching the most equalities, even when it must then sort
   * a whole queue to honour ORDER BY ... LIMIT.
   */
  indexedBy(index: string): string;
  /** `column` compared in byte order, the order every unit locks several rows of one table in. */
  byteOrder(column: string): string;
  /** The last `length` characters of `expression`. */
  lastChars(expression: string, length: number): string;
  /** PostgreSQL writes a row and its events in one statement (a data-modifying WITH); SQLite cannot. */
  readonly writesInWith: boolean;
}

export const SQLITE: Dialect = {
  engine: 'sqlite',
  forUpdate: '',
  skipLocked: '',
  indexedBy: (index) => ` INDEXED BY ${index}`,
  byteOrder: (column) => column,
  lastChars: (expression, length) => `SUBSTR(${expression}, -${length})`,
  writesInWith: false,
};

export const POSTGRES: Dialect = {
  engine: 'postgres',
  forUpdate: ' FOR UPDATE',
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  indexedBy: () => '',
  byteOrder: (column) => `${column} COLLATE "C"`,
  lastChars: (expression, length) => `RIGHT(${expression}, ${length})`,
  writesInWith: true,
};

/** Lists of up to this many placeholders are made once (an insert writes 17 on every submit). */
const MADE_PLACEHOLDERS = 64;
const madePlaceholders: string[] = [];

/** `?, ?, ?`: one placeholder per value of a list. */
export function placeholders(count: number): string {
  if (count > MADE_PLACEHOLDERS) return Array.from({ length: count }, () => '?').join(', ');
  return (madePlaceholders[count] ??= Array.from({ length: count }, () => '?').join(', '));
}
