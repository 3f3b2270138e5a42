import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { createTestApp, TestApp } from '../support/test-app';
import { detail, eventsBetween, tick } from '../sync/sync-api';
import { claim, expectError, expectStatus, paths, registerBox, report, stats, submit } from './callbox-api';

const A = 'callbox_001';
const B = 'callbox_002';
const BASE_MS = 5_000;
const AVOID_MS = 30_000;

/**
 * Issue 20, items 4 and 6: `pending` hands back only work the box holds and has not started; a
 * box is not offered again for a while what it handed back, and giving back the same work again
 * counts against it.
 */
describe('Hand-backs (status: pending)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({
      fakeClock: true,
      env: { RETRY_BASE_DELAY_MS: String(BASE_MS), MAX_RETRIES: '3', HAND_BACK_AVOID_MS: String(AVOID_MS), TRANSACTION_TIMEOUT_MS: '3600000' },
    });
    await registerBox(t.api, A);
  });
  afterEach(async () => t.close());

  const handBack = (id: string, box = A) => report(t.api, id, box, 'pending');
  const ids = (txs: Array<{ id: string }>) => txs.map((tx) => tx.id);

  it('refuses to hand back retry work (409): the backoff cannot be skipped', async () => {
    const tx = await submit(t.api);
    await claim(t.api, A);
    expectStatus(await report(t.api, tx.id, A, 'processing'), 200);
    const failed = await report(t.api, tx.id, A, 'failed');
    expect(failed.body.transaction).toMatchObject({ status: 'retry', retryCount: 1 });

    // The loop: fail, hand back, poll, four times. Each hand-back is refused.
    for (let round = 0; round < 4; round++) {
      expectError(await handBack(tx.id), 409, 'TRANSACTION.ILLEGAL_TRANSITION');
      expect((await claim(t.api, A)).transactions).toEqual([]);
    }
    expect(await detail(t.api, tx.id)).toMatchObject({ status: 'retry', retryCount: 1, nextAttemptAt: failed.body.transaction.nextAttemptAt });
    // One millisecond before the backoff ends, the tick leaves it alone.
    t.clock!.set(Date.parse(failed.body.transaction.nextAttemptAt) - 1);
    expect(await tick(t.api)).toMatchObject({ retried: 0, assigned: 0 });
  });

  it.each([['processing'], ['completed']])('refuses to hand back %s work (409)', async (status) => {
    const tx = await submit(t.api);
    await claim(t.api, A);
    expectStatus(await report(t.api, tx.id, A, status), 200);
    expectError(await handBack(tx.id), 409, 'TRANSACTION.ILLEGAL_TRANSITION');
    expect((await detail(t.api, tx.id)).status).toBe(status);
  });

  it('takes back unstarted work: others get it at once, the same box only after HAND_BACK_AVOID_MS', async () => {
    await registerBox(t.api, B);
    const tx = await submit(t.api);
    await claim(t.api, A);
    const released = await handBack(tx.id);
    expectStatus(released, 200);
    expect(released.body.transaction).toMatchObject({ status: 'pending', assignedTo: null, retryCount: 0 });
    expectStatus(await handBack(tx.id), 200); // a repeat: no-op

    expect((await claim(t.api, A)).transactions).toEqual([]);
    t.clock!.advance(AVOID_MS - 1);
    expect((await claim(t.api, A)).transactions).toEqual([]);
    expect(ids((await claim(t.api, B)).transactions)).toEqual([tx.id]);
  });

  it('the dispatcher deals what a box handed back to other boxes, and to it again only after the avoidance', async () => {
    const tx = await submit(t.api);
    await claim(t.api, A);
    expectStatus(await handBack(tx.id), 200);
    expect(await tick(t.api)).toMatchObject({ assigned: 0 });
    await registerBox(t.api, B);
    expect(await tick(t.api)).toMatchObject({ assigned: 1 });
    expect(await detail(t.api, tx.id)).toMatchObject({ status: 'assigned', assignedTo: B, attempt: 2 });

    // B hands it back in turn; A's avoidance has run out by then.
    expectStatus(await handBack(tx.id, B), 200);
    t.clock!.advance(AVOID_MS);
    await t.api.post(paths.heartbeat, { callboxId: A, status: 'active' });
    await t.api.post(paths.heartbeat, { callboxId: B, status: 'active' });
    expect(await tick(t.api)).toMatchObject({ assigned: 1 });
    expect(await detail(t.api, tx.id)).toMatchObject({ assignedTo: A, attempt: 3 });
  });

  it('a box handing back the same work again degrades, and the work goes to the others', async () => {
    const submitted = [];
    for (let i = 0; i < 5; i++) submitted.push(await submit(t.api, { payItemId: `LOOP_${i}` }));
    // First round: handing back once is allowed and costs the box nothing.
    for (const tx of (await claim(t.api, A)).transactions) expectStatus(await handBack(tx.id), 200);
    expect((await stats(t.api)).instances.find((i: { id: string }) => i.id === A).status).toBe('active');

    // After the avoidance it takes the same five again and hands them back: the loop shows.
    t.clock!.advance(AVOID_MS);
    await t.api.post(paths.heartbeat, { callboxId: A, status: 'active' });
    const again = (await claim(t.api, A)).transactions;
    expect(ids(again).sort()).toEqual(ids(submitted).sort());
    for (const tx of again) expectStatus(await handBack(tx.id), 200);
    expect((await stats(t.api)).instances.find((i: { id: string }) => i.id === A)).toMatchObject({
      status: 'degraded',
      degradedReason: 'consecutive_failures',
    });

    // A is given nothing, B everything, at once.
    t.clock!.advance(AVOID_MS);
    await t.api.post(paths.heartbeat, { callboxId: A, status: 'active' });
    expect((await claim(t.api, A)).transactions).toEqual([]);
    await registerBox(t.api, B);
    expect(ids((await claim(t.api, B)).transactions).sort()).toEqual(ids(submitted).sort());
    for (const tx of submitted) {
      const history = await detail(t.api, tx.id);
      expect(eventsBetween(history, 'assigned', 'pending').map((e) => e.actor)).toEqual([`callbox:${A}`, `callbox:${A}`]);
      expect(history.retryCount).toBe(0);
    }
  });

  it('records who handed the work back, in the event', async () => {
    const tx = await submit(t.api);
    await claim(t.api, A);
    await handBack(tx.id);
    const events = await t.app.get(TransactionRepository).listEvents(tx.id);
    expect(events.at(-1)).toMatchObject({ from: 'assigned', to: 'pending', actor: `callbox:${A}`, details: { releasedBy: A, attempt: 1 } });
  });
});
