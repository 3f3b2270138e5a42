import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { SyncStateSql } from './sync-state.statements';

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

/** `sync_state` through its statements. */
@Injectable()
export class SqlSyncStateRepository extends SyncStateRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async read(): Promise<SyncSwitch | null> {
    const rows = await this.db.read(SyncStateSql.read(this.db.dialect, DISPATCHER));
    if (rows.length === 0) return null;
    return { running: Number(rows[0].running) === 1, changedBy: rows[0].changed_by as string, changedAt: Number(rows[0].changed_at) };
  }

  async write(running: boolean, changedBy: string, now: number): Promise<void> {
    await this.db.unit(SyncStateSql.write(this.db.dialect, DISPATCHER, running, changedBy, now));
  }
}
