import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

export interface SyncSwitch {
  running: boolean;
  changedBy: string;
  changedAt: number;
}

/** The dispatcher's on/off switch, in the database so a restart (or another replica) keeps an admin's stop. */
export abstract class SyncStateRepository {
  abstract read(): Promise<SyncSwitch | null>;
  abstract write(running: boolean, changedBy: string, now: number): Promise<void>;
}

const DISPATCHER = 'dispatcher';

@Injectable()
export class TypeOrmSyncStateRepository extends SyncStateRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async read(): Promise<SyncSwitch | null> {
    const rows: Array<Record<string, unknown>> = await this.db.reader.query(
      this.db.sql('SELECT running, changed_by, changed_at FROM sync_state WHERE name = ?'),
      [DISPATCHER],
    );
    if (rows.length === 0) return null;
    return { running: Number(rows[0].running) === 1, changedBy: rows[0].changed_by as string, changedAt: Number(rows[0].changed_at) };
  }

  async write(running: boolean, changedBy: string, now: number): Promise<void> {
    await this.db.transaction((manager) =>
      this.db.execute(
        manager,
        `INSERT INTO sync_state (name, running, changed_by, changed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET running = excluded.running, changed_by = excluded.changed_by,
           changed_at = excluded.changed_at`,
        [DISPATCHER, running ? 1 : 0, changedBy, now],
      ),
    );
  }
}
