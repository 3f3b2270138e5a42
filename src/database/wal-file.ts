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

/** How often, 100 ms apart, the boot checkpoint tries again while another connection is in its way. */
const BOOT_CHECKPOINT_ATTEMPTS = 50;

/**
 * Every frame of the WAL copied into the database file, that file synced, the WAL emptied
 * (`wal_checkpoint(TRUNCATE)`), before the service serves anything. After a failed fsync the kernel
 * may keep the WAL's pages in its cache marked clean though never written: SQLite's recovery at the
 * next start reads them from the cache, so the restarted process would see (and build on) frames
 * that are not on disk, and a power cut would then lose what it acknowledged since (reproduced on
 * ext4 by the review of the WAL flush). The checkpoint writes them where they become dirty again.
 * Throws when it cannot complete: serving on top of frames that may not be on disk is what it prevents.
 */
export async function checkpointWalIntoDatabase(connection: PragmaConnection): Promise<{ frames: number } | { skipped: string }> {
  const wal = walPathOf(connection);
  if ('refused' in wal) return { skipped: wal.refused };
  let last = '';
  for (let attempt = 1; attempt <= BOOT_CHECKPOINT_ATTEMPTS; attempt += 1) {
    try {
      const [outcome] = connection.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      if (outcome.busy === 0) return { frames: Math.max(outcome.checkpointed, 0) };
      last = 'another connection kept it busy';
    } catch (error) {
      // Inside a transaction, or the database locked for a moment: tried again like a busy answer.
      last = (error as { code?: string }).code ?? (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The WAL could not be checkpointed into the database at boot (${last}); ${wal.path} may hold frames not on disk`);
}
