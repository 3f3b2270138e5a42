import Sqlite from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createTestDatabase, postgresServer, TestDatabase } from '../../support/test-database';

export { postgresServer };

export const NO_POSTGRES = 'TEST_DATABASE_URL is not a postgres:// URL';

/** Direct read access to the app's database, to check what it holds against what clients saw. */
export interface DatabaseProbe {
  readonly engine: 'postgres' | 'sqlite';
  /** `?` placeholders on both engines. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface ScenarioDatabase extends TestDatabase {
  probe(): DatabaseProbe;
}

/** A fresh database named after the scenario on the TEST_DATABASE_URL server. */
export async function createPostgresDatabase(scenario: string): Promise<ScenarioDatabase> {
  if (!postgresServer()) throw new Error(NO_POSTGRES);
  return withProbes(await createTestDatabase({ label: `test_rel_${scenario}` }));
}

/** A fresh SQLite file in a temporary folder (removed by drop). */
export function createSqliteDatabase(): ScenarioDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'merecharge-rel-sqlite-'));
  return withProbes({ url: `sqlite:${join(dir, 'gateway.sqlite')}`, engine: 'sqlite', drop: async () => rmSync(dir, { recursive: true, force: true }) });
}

/** The database with read probes that drop() closes first. */
function withProbes(database: TestDatabase): ScenarioDatabase {
  const probes: DatabaseProbe[] = [];
  return {
    ...database,
    probe: () => {
      const probe = database.engine === 'postgres' ? postgresProbe(database.url) : sqliteProbe(database.url.slice('sqlite:'.length));
      probes.push(probe);
      return probe;
    },
    drop: async () => {
      await Promise.all(probes.map((p) => p.close().catch(() => undefined)));
      await database.drop();
    },
  };
}

function postgresProbe(url: string): DatabaseProbe {
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return {
    engine: 'postgres',
    query: async <T>(sql: string, params: unknown[] = []) => {
      let index = 0;
      const { rows } = await pool.query(sql.replace(/\?/g, () => `$${++index}`), params);
      return rows as T[];
    },
    close: () => pool.end(),
  };
}

function sqliteProbe(path: string): DatabaseProbe {
  let db: Sqlite.Database | null = null;
  return {
    engine: 'sqlite',
    query: async <T>(sql: string, params: unknown[] = []) => {
      db ??= new Sqlite(path, { readonly: true, fileMustExist: true, timeout: 5000 });
      return db.prepare(sql).all(...params) as T[];
    },
    close: async () => {
      db?.close();
      db = null;
    },
  };
}

/** Every table the app writes, by its migrations. */
export const APP_TABLES = [
  'transactions',
  'transaction_events',
  'callboxes',
  'callbox_config',
  'callbox_events',
  'sync_state',
  'outbox',
  'topup_command_journal',
  'pin_limits',
] as const;

export interface TableSnapshot {
  table: string;
  rows: number;
  /** SHA-256 of every row (sorted): an UPDATE shows even when the count does not move. */
  digest: string;
}

/** Row count and content digest of every table (plus the migrations table). */
export async function snapshotTables(probe: DatabaseProbe): Promise<TableSnapshot[]> {
  const snapshots: TableSnapshot[] = [];
  for (const table of [...APP_TABLES, 'migrations']) {
    const rows = await probe.query(`SELECT * FROM ${table}`);
    const lines = rows.map((row) => JSON.stringify(row, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();
    const hash = createHash('sha256');
    for (const line of lines) hash.update(`${line}\n`);
    snapshots.push({ table, rows: rows.length, digest: hash.digest('hex').slice(0, 16) });
  }
  return snapshots;
}

export function describeSnapshot(snapshot: TableSnapshot[]): string {
  return snapshot.map((s) => `${s.table}=${s.rows}`).join(' ');
}
