import Sqlite from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';

/** The PostgreSQL server of the run (CI: .ci/postgres.sh), or null when there is none. */
export function postgresServer(): string | null {
  const url = process.env.TEST_DATABASE_URL;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : null;
}

export const NO_POSTGRES = 'TEST_DATABASE_URL is not a postgres:// URL';

/** Direct read access to the app's database, to check what it holds against what clients saw. */
export interface DatabaseProbe {
  readonly engine: 'postgres' | 'sqlite';
  /** `?` placeholders on both engines. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface ScenarioDatabase {
  /** DATABASE_URL for the app processes. */
  url: string;
  engine: 'postgres' | 'sqlite';
  probe(): DatabaseProbe;
  drop(): Promise<void>;
}

/** A fresh database named after the scenario on the TEST_DATABASE_URL server (name says "test"). */
export async function createPostgresDatabase(scenario: string): Promise<ScenarioDatabase> {
  const server = postgresServer();
  if (!server) throw new Error(NO_POSTGRES);
  if (!/test/i.test(new URL(server).pathname)) throw new Error('TEST_DATABASE_URL must name a test database');
  const name = `merecharge_test_rel_${scenario.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await withClient(server, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  const probes: DatabaseProbe[] = [];
  return {
    url: url.toString(),
    engine: 'postgres',
    probe: () => {
      const pool = new Pool({ connectionString: url.toString(), max: 2 });
      pool.on('error', () => undefined);
      const probe: DatabaseProbe = {
        engine: 'postgres',
        query: async <T>(sql: string, params: unknown[] = []) => {
          let index = 0;
          const { rows } = await pool.query(sql.replace(/\?/g, () => `$${++index}`), params);
          return rows as T[];
        },
        close: () => pool.end(),
      };
      probes.push(probe);
      return probe;
    },
    drop: async () => {
      await Promise.all(probes.map((p) => p.close().catch(() => undefined)));
      await withClient(server, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** A fresh SQLite file in a temp directory (removed by drop). */
export function createSqliteDatabase(): ScenarioDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'merecharge-rel-sqlite-'));
  const path = join(dir, 'gateway.sqlite');
  const handles: Sqlite.Database[] = [];
  return {
    url: `sqlite:${path}`,
    engine: 'sqlite',
    probe: () => {
      let db: Sqlite.Database | null = null;
      const open = () => {
        db ??= new Sqlite(path, { readonly: true, fileMustExist: true, timeout: 5000 });
        if (!handles.includes(db)) handles.push(db);
        return db;
      };
      return {
        engine: 'sqlite',
        query: async <T>(sql: string, params: unknown[] = []) => open().prepare(sql).all(...params) as T[],
        close: async () => {
          db?.close();
          db = null;
        },
      };
    },
    drop: async () => {
      for (const handle of handles) if (handle.open) handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
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
  'topup_commands',
  'pin_guard',
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
