import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Database } from '../../src/database/database';
import { typeOrmOptions } from '../../src/database/typeorm-options';

export interface TestDatabase {
  /** DATABASE_URL for the app (`sqlite:<file>` or `postgres://.../<fresh database>`). */
  url: string;
  engine: 'sqlite' | 'postgres';
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * The PostgreSQL server to create the database on. Default: TEST_DATABASE_URL when it is a
   * postgres:// URL (and refused unless its database name says "test", so a spec never touches a
   * real one); with neither, a SQLite file.
   */
  server?: string;
  /** Part of the database's (or file's) name, to tell whose it is. */
  label?: string;
}

/** The PostgreSQL server of the run (CI: .ci/postgres.sh), or null when there is none. */
export function postgresServer(): string | null {
  const url = process.env.TEST_DATABASE_URL;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : null;
}

/**
 * A fresh, empty database of its own, the one way every suite (unit, e2e, reliability, integrity,
 * security) and the bench make one: a SQLite file in a temporary folder, or a database created on
 * a PostgreSQL server. The app's migrations run when the app (or openTestDatabase) opens it.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const label = (options.label ?? 'test').replace(/[^a-z0-9]/gi, '_').toLowerCase();
  const server = options.server ?? postgresServer();
  if (!server) {
    const dir = mkdtempSync(join(tmpdir(), `merecharge-${label}-`));
    return { url: `sqlite:${join(dir, `${label}.sqlite`)}`, engine: 'sqlite', drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!options.server && !/test/i.test(new URL(server).pathname)) {
    throw new Error(`TEST_DATABASE_URL must name a test database, got ${new URL(server).pathname}`);
  }
  const name = `merecharge_${label}_${process.pid}_${randomBytes(4).toString('hex')}`.slice(0, 63);
  await withClient(server, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    engine: 'postgres',
    drop: () => withClient(server, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
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

/** A migrated database of its own (see createTestDatabase) and the app's Database over it, for repository specs. */
export async function openTestDatabase(): Promise<{ db: Database; dataSource: DataSource; close(): Promise<void> }> {
  const database = await createTestDatabase({ label: 'test_repository' });
  const settings = database.engine === 'sqlite'
    ? ({ engine: 'sqlite', path: database.url.slice('sqlite:'.length) } as const)
    : ({ engine: 'postgres', url: database.url } as const);
  const dataSource = new DataSource(typeOrmOptions(settings));
  await dataSource.initialize();
  return {
    db: new Database(dataSource),
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
