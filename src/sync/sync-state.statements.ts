import type { Dialect } from '../database/dialect';
import { Statement, statement } from '../database/statement';

/** Every statement on `sync_state`. */
export const SyncStateSql = {
  read: (_d: Dialect, name: string): Statement => statement('SELECT running, changed_by, changed_at FROM sync_state WHERE name = ?', [name]),

  write: (_d: Dialect, name: string, running: boolean, changedBy: string, now: number): Statement =>
    statement(
      `INSERT INTO sync_state (name, running, changed_by, changed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET running = excluded.running, changed_by = excluded.changed_by,
         changed_at = excluded.changed_at`,
      [name, running ? 1 : 0, changedBy, now],
    ),
};
