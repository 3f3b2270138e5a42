import BetterSqlite3 from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { registration, rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { postgresServer } from '../support/test-database';

/** SQLite's write lock is per file: PostgreSQL has no such lock to wait for. */
const onSqlite = postgresServer() ? describe.skip : describe;

/**
 * Another process writing to the service's SQLite file (npm run archive, sqlite3 in a shell) holds
 * the write lock for a while: the service's writes wait for it, and everything else goes on.
 */
onSqlite('The service beside another writer on its SQLite file', () => {
  let t: TestApp;
  let other: BetterSqlite3.Database;
  beforeAll(async () => {
    t = await createTestApp();
    other = new BetterSqlite3((t.config.database as { path: string }).path);
  });
  afterAll(async () => {
    other.close();
    await t.close();
  });

  it('answers liveness probes while a submit waits for the lock another connection holds, and commits the submit once it is free', async () => {
    expect((await t.api.post('/api/call-box/register', registration('callbox_001'))).status).toBe(200);
    // The other process takes the lock, and keeps it until the probes below are answered.
    other.exec('BEGIN IMMEDIATE');
    let submitAnsweredAt = Infinity;
    const submit = t.api.post('/api/call-box/transactions/submit', rechargeSubmission()).then((res) => {
      submitAnsweredAt = performance.now();
      return res;
    });
    const probes: Array<{ ms: number; at: number; status: number }> = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      const at = performance.now();
      const res = await t.api.get('/health/live', { auth: 'none' });
      probes.push({ ms: performance.now() - at, at: performance.now(), status: res.status });
    }
    other.exec('COMMIT');
    const submitted = await submit;

    // Every probe answered while the submit was still waiting, each quickly (generous for a loaded machine).
    expect(probes.map((p) => p.status)).toEqual([200, 200, 200, 200, 200]);
    expect(probes.every((p) => p.at < submitAnsweredAt)).toBe(true);
    expect(Math.max(...probes.map((p) => p.ms))).toBeLessThan(300);
    expect(submitted.status).toBe(200);
    const id = (submitted.body as { transaction: { id: string } }).transaction.id;
    // Committed: another connection reads it.
    expect(other.prepare('SELECT status FROM transactions WHERE id = ?').get(id)).toEqual({ status: 'pending' });
  });
});
