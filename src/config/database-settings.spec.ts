import { createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../database/typeorm-options';
import { probePostgres } from '../database/database-wait';
import { ConfigValidationError, loadAppConfig } from './app-config';
import { databaseSettings, describeDatabase } from './database-settings';
import { parseEnvironment } from './environment';

const NASTY_PASSWORD = `p@ss/w#rd?:%20&=+ "'\\é$`;

interface Startup {
  user: string;
  database: string;
  password: string;
}

/**
 * Enough of a PostgreSQL server to see what a client sends: it asks for the password in clear,
 * records the startup parameters and the password, then refuses (28P01) and hangs up.
 */
async function fakePostgres(): Promise<{ port: number; seen: Startup[]; server: Server }> {
  const seen: Startup[] = [];
  const server = createServer((socket: Socket) => {
    let buffer = Buffer.alloc(0);
    let params: Record<string, string> | null = null;
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!params && buffer.length >= 4 && buffer.length >= buffer.readInt32BE(0)) {
        const fields = buffer.subarray(8, buffer.readInt32BE(0) - 1).toString('utf8').split('\0');
        params = {};
        for (let i = 0; i + 1 < fields.length; i += 2) params[fields[i]] = fields[i + 1];
        buffer = buffer.subarray(buffer.readInt32BE(0));
        socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
      }
      if (params && buffer.length >= 5 && buffer[0] === 0x70 && buffer.length >= 1 + buffer.readInt32BE(1)) {
        const password = buffer.subarray(5, 1 + buffer.readInt32BE(1) - 1).toString('utf8');
        seen.push({ user: params.user, database: params.database, password });
        const body = Buffer.from('SFATAL\0C28P01\0Mfake server: password received\0\0', 'utf8');
        const header = Buffer.alloc(5);
        header.write('E', 0);
        header.writeInt32BE(body.length + 4, 1);
        socket.end(Buffer.concat([header, body]));
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen, server };
}

const byParts = (port: number) => ({
  DATABASE_HOST: '127.0.0.1',
  DATABASE_PORT: String(port),
  DATABASE_USER: 'mere charge',
  DATABASE_PASSWORD: NASTY_PASSWORD,
  DATABASE_NAME: 'merecharge',
});

describe(databaseSettings.name, () => {
  let fake: Awaited<ReturnType<typeof fakePostgres>>;
  beforeAll(async () => {
    fake = await fakePostgres();
  });
  afterAll(() => new Promise<void>((resolve) => fake.server.close(() => resolve())));

  it('builds the URL from the parts and the driver sends the password byte for byte', async () => {
    const config = loadAppConfig({ NODE_ENV: 'test', ...byParts(fake.port) });
    expect(config.database.engine).toBe('postgres');
    await expect(probePostgres(config.database)).rejects.toMatchObject({ code: '28P01' });
    expect(fake.seen.at(-1)).toEqual({ user: 'mere charge', database: 'merecharge', password: NASTY_PASSWORD });
  });

  it('gives TypeORM (the app connection) the same user, database and password', async () => {
    const config = loadAppConfig({ NODE_ENV: 'test', ...byParts(fake.port) });
    const dataSource = new DataSource(typeOrmOptions(config.database));
    await expect(dataSource.initialize()).rejects.toThrow(/password received/);
    expect(fake.seen.at(-1)).toEqual({ user: 'mere charge', database: 'merecharge', password: NASTY_PASSWORD });
  });

  it('describes the database for the logs without the password', () => {
    const settings = databaseSettings(parseEnvironment({ ...byParts(5432), DATABASE_HOST: 'postgres' }).env);
    expect(describeDatabase(settings)).toEqual({ engine: 'postgres', host: 'postgres', port: 5432, database: 'merecharge', user: 'mere charge' });
    expect(JSON.stringify(describeDatabase(settings))).not.toContain('w#rd');
  });

  it('refuses a URL and parts together, parts without a host, and a URL a raw password broke, never quoting it', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadAppConfig({ NODE_ENV: 'test', ...env });
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigValidationError);
        return (error as ConfigValidationError).problems;
      }
    };
    expect(problems({ DATABASE_URL: 'postgres://a@b/c', DATABASE_HOST: 'db' })).toEqual([{ variable: 'DATABASE_URL', problems: [expect.stringContaining('not both')] }]);
    expect(problems({ DATABASE_USER: 'u', DATABASE_NAME: 'n' }).map((p) => p.variable)).toEqual(['DATABASE_HOST']);
    const broken = problems({ DATABASE_URL: 'postgres://merecharge:pa/ss#word@postgres:5432/merecharge' });
    expect(broken.map((p) => p.variable)).toEqual(['DATABASE_URL']);
    expect(JSON.stringify(broken)).not.toContain('pa/ss#word');
    expect(problems({ DATABASE_URL: `postgres://merecharge:${encodeURIComponent(NASTY_PASSWORD)}@postgres:5432/merecharge` })).toEqual([]);
  });
});
