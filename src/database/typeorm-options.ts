import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseSettings } from '../config/app-config';
import { DEFAULT_DATABASE_POOL_SIZE } from '../config/environment';
import { MIGRATIONS } from '../migrations';

/** One place that turns DATABASE_URL into TypeORM options, shared by the app and ormconfig.ts. */
export function typeOrmOptions(database: DatabaseSettings): DataSourceOptions {
  const common = {
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    // TypeORM's own error log prints each failed statement's parameters (customers' data) to the
    // console; failures reach the app's log through the error filter, parameters left out.
    logging: false,
  };
  if (database.engine === 'postgres') {
    // Bounded waits: with the database down, a request fails fast with a 503 instead of hanging. The
    // pool must also hold a burst of requests without any waiting 5 s for a connection (README, Settings).
    const max = database.poolSize ?? DEFAULT_DATABASE_POOL_SIZE;
    const extra = { max, connectionTimeoutMillis: 5_000, query_timeout: 15_000, idleTimeoutMillis: 30_000 };
    return { type: 'postgres', url: database.url, extra, ...common };
  }
  if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  return {
    type: 'better-sqlite3',
    database: database.path,
    enableWAL: true,
    timeout: 5000,
    // FULL: a committed money movement survives a power cut, not only a process crash. The service's
    // writer then commits with NORMAL and flushes the WAL itself on a thread before it answers anyone
    // (SQLITE_SYNC=thread, WalFlush): the same guarantee for everything acknowledged.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('synchronous = FULL');
      // Takes effect only on a new, empty file: pages freed by the archive's deletes can then be given
      // back in small steps (PRAGMA incremental_vacuum). An existing file keeps its mode (README, Retention).
      db.pragma('auto_vacuum = INCREMENTAL');
    },
    ...common,
  };
}
