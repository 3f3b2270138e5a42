import { createTestDatabase, TestDatabase } from '../support/test-database';
import { createTestApp, TestApp } from '../support/test-app';
import { beat, counts, detail, tick } from './sync-api';
import { claim, expectStatus, registerBox, report, submit } from '../callbox/callbox-api';

const A = 'callbox_001';
const B = 'callbox_002';
const DOWNTIME_MS = 60_000;

/**
 * After a restart the boxes could not heartbeat while the gateway was down: silence counts from
 * the later of their last heartbeat and the gateway's start, so the first ticks after a long
 * downtime (a deploy, a long migration) do not find the whole fleet lost and set aside the work it
 * is running. A box that does not come back is still found lost, a heartbeat timeout after the start.
 */
describe('Dispatcher: silence after a restart of the gateway', () => {
  let database: TestDatabase;
  let t: TestApp;
  let running: string;
  let unstarted: string;

  /** A first life that claims two transactions on A and starts one, then a second life DOWNTIME_MS later. */
  async function twoLives(leaseMs: number): Promise<void> {
    const env = { DATABASE_URL: database.url, TRANSACTION_TIMEOUT_MS: String(leaseMs) };
    const before = await createTestApp({ fakeClock: true, env });
    // The first life of the gateway ended DOWNTIME_MS before the second one starts.
    before.clock!.advance(-DOWNTIME_MS);
    await registerBox(before.api, A);
    await registerBox(before.api, B);
    running = (await submit(before.api, { payItemId: 'RESTART_RUNNING' })).id;
    before.clock!.advance(1);
    unstarted = (await submit(before.api, { payItemId: 'RESTART_UNSTARTED' })).id;
    expect((await claim(before.api, A)).transactions.map((tx) => tx.id)).toEqual([running, unstarted]);
    expectStatus(await report(before.api, running, A, 'processing'), 200);
    await before.app.close();
    t = await createTestApp({ fakeClock: true, env });
  }

  beforeEach(async () => {
    database = await createTestDatabase({ label: 'restart_grace' });
  });
  afterEach(async () => {
    await t.app.close();
    await database.drop();
  });

  it('the first ticks find no box lost: the work in flight stays with its box, which then reports it', async () => {
    await twoLives(600_000);
    t.clock!.advance(2_000);
    expect(await tick(t.api)).toEqual(counts());
    expect(await detail(t.api, running)).toMatchObject({ status: 'processing', assignedTo: A });
    expect(await detail(t.api, unstarted)).toMatchObject({ status: 'assigned', assignedTo: A });

    await beat(t.api, A);
    t.clock!.advance(t.config.heartbeatTimeoutMs);
    await beat(t.api, A);
    expect(await tick(t.api)).toEqual(counts({ disconnected: 1 }));
    expectStatus(await report(t.api, running, A, 'completed', { success: true }), 200);
  });

  it('a box that does not come back is lost a heartbeat timeout after the start, and its work handled as before', async () => {
    await twoLives(600_000);
    t.clock!.advance(t.config.heartbeatTimeoutMs - 1);
    expect(await tick(t.api)).toEqual(counts());
    t.clock!.advance(1);
    await beat(t.api, B);
    expect(await tick(t.api)).toMatchObject({ disconnected: 1, requeued: 1, needsReview: 1 });
    expect(await detail(t.api, running)).toMatchObject({ status: 'needs_review' });
    expect((await detail(t.api, unstarted)).assignedTo).toBe(B);
  });

  it('leases that ran out while the gateway was down are not held against the box before the grace is over', async () => {
    // The 30 s lease of the unstarted work runs out during the 60 s downtime.
    await twoLives(30_000);
    t.clock!.advance(2_000);
    await beat(t.api, A);
    expect(await tick(t.api)).toEqual(counts());
    expect(await detail(t.api, unstarted)).toMatchObject({ status: 'assigned', assignedTo: A });
    // The box starts it and finishes it in the grace: nothing was requeued, nobody else runs it.
    expectStatus(await report(t.api, unstarted, A, 'processing'), 200);
    expectStatus(await report(t.api, unstarted, A, 'completed', { success: true }), 200);
  });

  it('after the grace, a lease that ran out is handled as before', async () => {
    await twoLives(30_000);
    t.clock!.advance(t.config.heartbeatTimeoutMs - 1);
    await beat(t.api, A);
    await beat(t.api, B);
    expect(await tick(t.api)).toEqual(counts());
    t.clock!.advance(1);
    expect(await tick(t.api)).toMatchObject({ requeued: 1 });
    expect((await detail(t.api, unstarted)).assignedTo).toBe(B);
  });
});
