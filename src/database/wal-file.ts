import { readdirSync, statSync } from 'node:fs';

/** The few calls of better-sqlite3's connection this needs. */
export interface PragmaConnection {
  pragma(source: string, options?: { simple: boolean }): unknown;
}

/** A file's identity on this machine: its device and inode, as strings (an inode may pass 2^53). */
export interface FileIdentity {
  dev: string;
  ino: string;
}

/**
 * The WAL SQLite writes for the connection's main database, from SQLite itself: the file of
 * `PRAGMA database_list` is the path SQLite opened, symlinks resolved, and its WAL is that path
 * with `-wal`. Null, with the reason, when there is no WAL to flush from outside: not in WAL mode,
 * in memory, or a temporary database.
 */
export function walPathOf(connection: PragmaConnection): { path: string } | { refused: string } {
  const mode = String(connection.pragma('journal_mode', { simple: true })).toLowerCase();
  if (mode !== 'wal') return { refused: `journal_mode is ${mode}, not wal` };
  const databases = connection.pragma('database_list') as Array<{ name: string; file: string }>;
  const file = databases.find((database) => database.name === 'main')?.file ?? '';
  if (file === '') return { refused: 'the database is in memory or temporary' };
  return { path: `${file}-wal` };
}

/**
 * True when a descriptor of this process other than `except` is the file `identity` names: the WAL
 * SQLite has open (its connection, or the checkpoint thread's on the same file). Without /proc (not
 * Linux) nothing can be proved, and the answer is false.
 */
export function openElsewhereInProcess(identity: FileIdentity, except: number, descriptors = '/proc/self/fd'): boolean {
  let names: string[];
  try {
    names = readdirSync(descriptors);
  } catch {
    return false;
  }
  return names.some((name) => {
    if (Number(name) === except) return false;
    try {
      const stat = statSync(`${descriptors}/${name}`, { bigint: true });
      return String(stat.dev) === identity.dev && String(stat.ino) === identity.ino;
    } catch {
      // Closed meanwhile, or not a file (an epoll or event descriptor).
      return false;
    }
  });
}
