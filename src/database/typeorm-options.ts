import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseSettings } from '../config/app-config';
import { MIGRATIONS } from '../migrations';

/** One place that turns DATABASE_URL into TypeORM options, shared by the app and ormconfig.ts. */
export function typeOrmOptions(database: DatabaseSettings): DataSourceOptions {
  const common = {
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: ['error' as const],
  };
  if (database.engine === 'postgres') {
    return { type: 'postgres', url: database.url, extra: { max: 10 }, ...common };
  }
  if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  return {
    type: 'better-sqlite3',
    database: database.path,
    enableWAL: true,
    timeout: 5000,
    // FULL: a committed money movement survives a power cut, not only a process crash.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('synchronous = FULL');
    },
    ...common,
  };
}
