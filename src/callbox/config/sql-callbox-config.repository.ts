import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import { CallBoxConfigRepository, CallBoxSettings } from './callbox-config';
import { CallBoxConfigSql, CONFIG_COLUMNS } from './callbox-config.statements';

const KEYS = Object.keys(CONFIG_COLUMNS) as Array<keyof CallBoxSettings>;

@Injectable()
export class SqlCallBoxConfigRepository extends CallBoxConfigRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async findAll(): Promise<Map<string, Partial<CallBoxSettings>>> {
    return this.settingsOf(await this.db.read(CallBoxConfigSql.all(this.db.dialect)));
  }

  private settingsOf(rows: Array<Record<string, unknown>>): Map<string, Partial<CallBoxSettings>> {
    return new Map(
      rows.map((row) => {
        const settings: Partial<CallBoxSettings> = {};
        for (const key of KEYS) if (row[CONFIG_COLUMNS[key]] !== null) settings[key] = Number(row[CONFIG_COLUMNS[key]]);
        return [row.scope as string, settings];
      }),
    );
  }

  async merge(scope: string, changes: Partial<CallBoxSettings>, now: number): Promise<void> {
    const present = KEYS.filter((key) => changes[key] !== undefined).map((key) => [key, changes[key] as number] as [keyof CallBoxSettings, number]);
    await this.db.unit(CallBoxConfigSql.merge(this.db.dialect, scope, present, now));
  }
}
