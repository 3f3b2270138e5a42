import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Database } from '../../src/database/database';
import { typeOrmOptions } from '../../src/database/typeorm-options';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own for one spec file: a fresh SQLite file by default, or, when
 * TEST_DATABASE_URL points at a PostgreSQL server, a fresh database created on it (and refused
 * unless that URL's database name says "test", so a spec never touches a real one).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server || !/^postgres(ql)?:\/\//.test(server)) {
    const dir = mkdtempSync(join(tmpdir(), 'merecharge-e2e-'));
    return { url: `sqlite:${join(dir, 'test.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = new URL(server);
  if (!/test/i.test(base.pathname)) throw new Error(`TEST_DATABASE_URL must name a test database, got ${base.pathname}`);
  const name = `merecharge_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(server, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
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
export async function openTestDatabase(): Promise<{ db: Database; close(): Promise<void> }> {
  const database = await createTestDatabase();
  const settings = database.url.startsWith('sqlite:')
    ? ({ engine: 'sqlite', path: database.url.slice('sqlite:'.length) } as const)
    : ({ engine: 'postgres', url: database.url } as const);
  const dataSource = new DataSource(typeOrmOptions(settings));
  await dataSource.initialize();
  return {
    db: new Database(dataSource),
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
