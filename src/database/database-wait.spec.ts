import { Writable } from 'node:stream';
import pino from 'pino';
import { logOptions } from '../common/logging/root-logger';
import type { DatabaseSettings } from '../config/app-config';
import { connectSchedule, waitForDatabase } from './database-wait';

const POSTGRES: DatabaseSettings = { engine: 'postgres', url: 'postgres://merecharge:s%2Fecr%23t@db.internal:6543/merecharge' };

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino(logOptions('info'), sink), lines };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6543'), { code: 'ECONNREFUSED' });

describe(waitForDatabase.name, () => {
  it('doubles the wait from the first one, at most 10 s, one wait fewer than the attempts', () => {
    expect(connectSchedule(10, 1000)).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000, 10000]);
    expect(connectSchedule(1, 1000)).toEqual([]);
  });

  it('reports the first failure at once with the host and the whole schedule, retries, and goes on when the database answers', async () => {
    const { logger, lines } = capturingLogger();
    const waits: number[] = [];
    let calls = 0;
    const probe = async () => {
      calls += 1;
      if (calls < 3) throw refused();
    };
    await expect(waitForDatabase(POSTGRES, { attempts: 5, retryMs: 100 }, logger, probe, async (ms) => void waits.push(ms))).resolves.toBe(true);
    expect(waits).toEqual([100, 200]);
    expect(lines.map((line) => line.level)).toEqual(['warn', 'warn', 'info']);
    expect(lines[0]).toMatchObject({
      attempt: 1,
      attempts: 5,
      retryInMs: 100,
      scheduleMs: [100, 200, 400, 800],
      database: { host: 'db.internal', port: 6543, database: 'merecharge', user: 'merecharge' },
      error: { code: 'ECONNREFUSED' },
    });
    expect(JSON.stringify(lines)).not.toMatch(/s%2Fecr|s\/ecr/);
  });

  it('gives up after the last attempt with a fatal line', async () => {
    const { logger, lines } = capturingLogger();
    const probe = async () => {
      throw refused();
    };
    await expect(waitForDatabase(POSTGRES, { attempts: 3, retryMs: 10 }, logger, probe, async () => undefined)).resolves.toBe(false);
    expect(lines.map((line) => line.level)).toEqual(['warn', 'warn', 'fatal']);
    expect(lines[2].msg).toMatch(/^PostgreSQL at db\.internal:6543\/merecharge unreachable after 3 attempt\(s\)/);
  });

  it('stops at once when the server refuses the credentials: waiting will not fix a password', async () => {
    const { logger, lines } = capturingLogger();
    const probe = async () => {
      throw Object.assign(new Error('password authentication failed for user "merecharge"'), { code: '28P01' });
    };
    await expect(waitForDatabase(POSTGRES, { attempts: 10, retryMs: 10 }, logger, probe, async () => undefined)).resolves.toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'fatal', error: { code: '28P01' } });
  });

  it('has nothing to wait for on SQLite', async () => {
    const { logger, lines } = capturingLogger();
    const probe = jest.fn();
    await expect(waitForDatabase({ engine: 'sqlite', path: ':memory:' }, { attempts: 3, retryMs: 10 }, logger, probe)).resolves.toBe(true);
    expect(probe).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });
});
