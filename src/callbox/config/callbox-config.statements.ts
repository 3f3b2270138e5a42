import { Dialect, placeholders } from '../../database/dialect';
import { Statement, statement } from '../../database/statement';
import type { CallBoxSettings } from './callbox-config';

export const CONFIG_COLUMNS: Record<keyof CallBoxSettings, string> = {
  maxRetries: 'max_retries',
  timeoutMs: 'timeout_ms',
  batchSize: 'batch_size',
  pollIntervalMs: 'poll_interval_ms',
};

/** Every statement on `callbox_config`. */
export const CallBoxConfigSql = {
  /** The whole table: the global row and the boxes' overrides (a few rows, whatever the fleet). */
  all: (_d: Dialect): Statement => statement('SELECT * FROM callbox_config', []),


  /** Sets these settings of a scope, keeping the others. */
  merge: (_d: Dialect, scope: string, changes: ReadonlyArray<[keyof CallBoxSettings, number]>, now: number): Statement => {
    const columns = changes.map(([key]) => CONFIG_COLUMNS[key]);
    return statement(
      `INSERT INTO callbox_config (scope, ${columns.join(', ')}, updated_at)
       VALUES (?, ${placeholders(columns.length)}, ?)
       ON CONFLICT (scope) DO UPDATE SET ${[...columns, 'updated_at'].map((c) => `${c} = excluded.${c}`).join(', ')}`,
      [scope, ...changes.map(([, value]) => value), now],
    );
  },
};
