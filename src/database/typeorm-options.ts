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
    // Bounded waits: with the database down, a request fails fast with a 503 instead of hanging.
    const extra = { max: 10, connectionTimeoutMillis: 5_000, query_timeout: 15_000, idleTimeoutMillis: 30_000 };
    return { type: 'postgres', url: database.url, extra, ...common };
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
