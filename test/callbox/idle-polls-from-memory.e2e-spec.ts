import { Database } from '../../src/database/database';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { claim, expectStatus, registerBox, report, submit } from './callbox-api';
import { holdPoll, until, untilHeld } from './long-poll-api';
import { beat, detail, tick } from '../sync/sync-api';

/**
 * On SQLite a poll that found nothing pending and nothing assigned to anyone is remembered until a
 * batch of writes ends (or a second passes): the polls of an idle fleet cost no read. The app's clock
 * is held still here, so only a write may end the remembered answer, and each case proves the work
 * still reaches a box at once, held or not. On PostgreSQL every poll reads: the same cases hold.
 */
const A = 'callbox_001';
const B = 'callbox_002';
const WAIT_MS = 20_000;
const ids = (txs: Array<{ id: string }>) => txs.map((x) => x.id);

describe('idle polls answered from memory', () => {
  let t: TestApp;
  /** How many times a poll has read whether there is work (mayHaveWorkFor). */
  let reads: () => number;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { RETRY_BASE_DELAY_MS: '1000', MAX_RETRIES: '3' } });
    const read = jest.spyOn(t.app.get(Database), 'read');
    reads = () => read.mock.calls.filter(([s]) => /\bAS queued\b/.test(s.text)).length;
    await registerBox(t.api, A);
    await registerBox(t.api, B);
  });
  afterEach(async () => t.close());

  const onSqlite = () => t.config.database.engine === 'sqlite';

  it('many idle polls, one read; a submit is found by the very next poll', async () => {
    await claim(t.api, A);
    const before = reads();
    for (let i = 0; i < 5; i++) expect((await claim(t.api, A)).transactions).toEqual([]);
    expect(reads()).toBe(onSqlite() ? before : before + 5);
    const tx = await submit(t.api);
    expect(ids((await claim(t.api, B)).transactions)).toEqual([tx.id]);
  });

  it('a long poll held after a remembered "nothing" is woken by a submit and gets it', async () => {
    await claim(t.api, A);
    await claim(t.api, A);
    const held = holdPoll(t, A, WAIT_MS);
    await untilHeld(t, 1);
    const tx = await submit(t.api);
    const answer = await held.answer;
    expect(ids(answer!.body.transactions)).toEqual([tx.id]);
  });

  it('work only in processing or waiting for a retry is no work to hand out; its retry, dealt by the dispatcher, reaches a held poll', async () => {
    const tx = await submit(t.api);
    expect(ids((await claim(t.api, A)).transactions)).toEqual([tx.id]);
    expectStatus(await report(t.api, tx.id, A, 'processing'), 200);
    await claim(t.api, B);
    const before = reads();
    expect((await claim(t.api, B)).transactions).toEqual([]);
    expect(reads()).toBe(onSqlite() ? before : before + 1);
    const failed = await report(t.api, tx.id, A, 'failed', { success: false, errorCode: 'USSD_TIMEOUT' });
    expect(failed.body.transaction.status).toBe('retry');
    t.clock!.advance(Date.parse(failed.body.transaction.nextAttemptAt) - t.clock!.now());
    await claim(t.api, A);
    await claim(t.api, A);
    const held = holdPoll(t, A, WAIT_MS);
    await untilHeld(t, 1);
    expect((await tick(t.api)).retried).toBe(1);
    const answer = await held.answer;
    expect(ids(answer!.body.transactions)).toEqual([tx.id]);
  });

  it('work requeued by a tick when its lease ran out is found by the next polls', async () => {
    const tx = await submit(t.api);
    expect(ids((await claim(t.api, A)).transactions)).toEqual([tx.id]);
    t.clock!.advance(t.config.callboxDefaults.timeoutMs + 1);
    await beat(t.api, A);
    await beat(t.api, B);
    await claim(t.api, B);
    expect((await tick(t.api)).requeued).toBe(1);
    expect(['pending', 'assigned']).toContain((await detail(t.api, tx.id)).status);
    const found = [...ids((await claim(t.api, B)).transactions), ...ids((await claim(t.api, A)).transactions)];
    expect(found).toEqual([tx.id]);
  });
});

/** Two apps on one SQLite file stand for a write this process never hears of (SQLite runs one service process). */
const onSqliteFile = /^postgres/.test(process.env.TEST_DATABASE_URL ?? '') ? describe.skip : describe;
onSqliteFile('idle polls answered from memory, beside a write by another process', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeEach(async () => {
    db = await createTestDatabase({ label: 'idle_from_memory' });
    a = await createTestApp({ fakeClock: true, env: { DATABASE_URL: db.url } });
    b = await createTestApp({ fakeClock: true, env: { DATABASE_URL: db.url } });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  it('sees work the other wrote within about a second of real time, though its own clock stands still', async () => {
    await registerBox(a.api, A);
    expect((await claim(a.api, A)).transactions).toEqual([]);
    const tx = await submit(b.api);
    const submittedAt = performance.now();
    let found: string[] = [];
    await until(async () => {
      found = ids((await claim(a.api, A)).transactions);
      return found.length > 0;
    }, 5_000, "the other process's work");
    expect(found).toEqual([tx.id]);
    // One second at most from memory, plus the polls' own time on a loaded machine.
    expect(performance.now() - submittedAt).toBeLessThan(3_000);
  });
});
