import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import { CallBoxConfigRepository, CallBoxSettings } from './callbox-config';

const COLUMNS: Record<keyof CallBoxSettings, string> = {
  maxRetries: 'max_retries',
  timeoutMs: 'timeout_ms',
  batchSize: 'batch_size',
  pollIntervalMs: 'poll_interval_ms',
};
const KEYS = Object.keys(COLUMNS) as Array<keyof CallBoxSettings>;

@Injectable()
export class TypeOrmCallBoxConfigRepository extends CallBoxConfigRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async find(scopes: readonly string[]): Promise<Map<string, Partial<CallBoxSettings>>> {
    const rows = await this.db.read(`SELECT * FROM callbox_config WHERE scope IN (${scopes.map(() => '?').join(', ')})`, [...scopes]);
    return new Map(
      rows.map((row) => {
        const settings: Partial<CallBoxSettings> = {};
        for (const key of KEYS) if (row[COLUMNS[key]] !== null) settings[key] = Number(row[COLUMNS[key]]);
        return [row.scope as string, settings];
      }),
    );
  }

  async merge(scope: string, changes: Partial<CallBoxSettings>, now: number): Promise<void> {
    const keys = KEYS.filter((key) => changes[key] !== undefined);
    const columns = keys.map((key) => COLUMNS[key]);
    await this.db.transaction((manager) =>
      this.db.execute(
        manager,
        `INSERT INTO callbox_config (scope, ${columns.join(', ')}, updated_at)
         VALUES (?, ${columns.map(() => '?').join(', ')}, ?)
         ON CONFLICT (scope) DO UPDATE SET ${[...columns, 'updated_at'].map((c) => `${c} = excluded.${c}`).join(', ')}`,
        [scope, ...keys.map((key) => changes[key]), now],
      ),
    );
  }
}
