import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectStatus, registerBox, report, stats, submit } from '../callbox/callbox-api';
import { beat, counts, detail, eventsBetween, syncStatus, tick } from './sync-api';

const A = 'callbox_001';
const B = 'callbox_002';

/**
 * Box A holds three transactions: one it failed once (retried, assigned again), one never
 * started, one in processing. Box B registers afterwards and keeps heartbeating while A goes silent.
 */
describe('Dispatcher: a CallBox that stops sending heartbeats', () => {
  let t: TestApp;
  let heartbeatTimeout: number;
  let retried: string;
  let unstarted: string;
  let started: string;

  beforeEach(async () => {
    // Leases far longer than the heartbeat timeout: only the silence can explain what moves.
    t = await createTestApp({ fakeClock: true, env: { TRANSACTION_TIMEOUT_MS: '600000', RETRY_BASE_DELAY_MS: '100' } });
    heartbeatTimeout = t.config.heartbeatTimeoutMs;
    await registerBox(t.api, A);
    retried = (await submit(t.api, { payItemId: 'SILENT_RETRIED' })).id;
    t.clock!.advance(1);
    unstarted = (await submit(t.api, { payItemId: 'SILENT_UNSTARTED' })).id;
    t.clock!.advance(1);
    started = (await submit(t.api, { payItemId: 'SILENT_STARTED' })).id;
    expect((await claim(t.api, A)).transactions.map((tx) => tx.id)).toEqual([retried, unstarted, started]);

    expectStatus(await report(t.api, retried, A, 'processing'), 200);
    const failed = await report(t.api, retried, A, 'failed');
    expectStatus(failed, 200);
    expect(failed.body.transaction).toMatchObject({ status: 'retry', retryCount: 1 });
    t.clock!.set(Date.parse(failed.body.transaction.nextAttemptAt));
    expect(await tick(t.api)).toEqual(counts({ retried: 1, assigned: 1 }));
    expect(await detail(t.api, retried)).toMatchObject({ status: 'assigned', assignedTo: A, retryCount: 1 });

    expectStatus(await report(t.api, started, A, 'processing'), 200);
    // Both boxes heard from at the same instant: from here on only B keeps talking.
    await beat(t.api, A);
    await registerBox(t.api, B);
  });
  afterEach(async () => t.close());

  /** A is silent for just over the timeout, B heartbeats just before the tick. */
  const silenceA = async () => {
    t.clock!.advance(heartbeatTimeout + 1);
    await beat(t.api, B);
  };

  it('is not disconnected while its last heartbeat is within HEARTBEAT_TIMEOUT_MS', async () => {
    t.clock!.advance(heartbeatTimeout);
    await beat(t.api, B);
    expect(await tick(t.api)).toEqual(counts());
    expect((await syncStatus(t.api)).connectedInstances).toBe(2);
    expect(await detail(t.api, unstarted)).toMatchObject({ status: 'assigned', assignedTo: A });
  });

  it('is marked disconnected by the next tick, in the tick counts, the sync status and the stats', async () => {
    await silenceA();
    expect((await tick(t.api)).disconnected).toBe(1);
    expect((await syncStatus(t.api)).connectedInstances).toBe(1);
    const s = await stats(t.api);
    expect(s.connectedInstances).toBe(1);
    expect(Object.fromEntries(s.instances.map((i: { id: string; status: string }) => [i.id, i.status]))).toEqual({
      [A]: 'disconnected',
      [B]: 'active',
    });
    // Only once: the next tick finds no newly silent box.
    expect((await tick(t.api)).disconnected).toBe(0);
  });

  it('puts its assigned work back in the queue with its retry count, and the live box gets it', async () => {
    await silenceA();
    expect(await tick(t.api)).toEqual(counts({ disconnected: 1, requeued: 2, needsReview: 1, assigned: 2 }));

    expect(await detail(t.api, retried)).toMatchObject({ status: 'assigned', assignedTo: B, retryCount: 1 });
    expect(await detail(t.api, unstarted)).toMatchObject({ status: 'assigned', assignedTo: B, retryCount: 0 });
    for (const id of [retried, unstarted]) {
      const tx = await detail(t.api, id);
      const tail = tx.events.slice(-2);
      expect(tail).toEqual([
        expect.objectContaining({ from: 'assigned', to: 'pending', actor: 'dispatcher', details: expect.objectContaining({ reason: 'callbox_disconnected', callboxId: A }) }),
        expect.objectContaining({ from: 'pending', to: 'assigned', actor: 'dispatcher', details: expect.objectContaining({ callboxId: B }) }),
      ]);
      expect(tail[0].at).toBe(new Date(t.clock!.now()).toISOString());
    }
    // B finds them in its poll.
    const polled = (await claim(t.api, B)).transactions.map((tx) => tx.id).sort();
    expect(polled).toEqual([retried, unstarted].sort());
  });

  it('sets the work it had started aside for review instead of requeueing it', async () => {
    await silenceA();
    expect((await tick(t.api)).needsReview).toBe(1);
    const tx = await detail(t.api, started);
    expect(tx).toMatchObject({ status: 'needs_review', assignedTo: A, retryCount: 0 });
    expect(eventsBetween(tx, 'processing', 'needs_review')).toEqual([
      expect.objectContaining({ actor: 'dispatcher', details: expect.objectContaining({ reason: 'callbox_disconnected', callboxId: A }) }),
    ]);
    expect(eventsBetween(tx, 'assigned', 'pending')).toEqual([]);
  });

  it('is counted connected again after a heartbeat, and the dispatcher gives it work again', async () => {
    await silenceA();
    await tick(t.api);
    expect((await syncStatus(t.api)).connectedInstances).toBe(1);

    await beat(t.api, A);
    expect((await syncStatus(t.api)).connectedInstances).toBe(2);
    expect((await stats(t.api)).instances.find((i: { id: string }) => i.id === A).status).toBe('active');

    // Two new transactions: round-robin over both live boxes now, so A gets one of them.
    const fresh = [(await submit(t.api, { payItemId: 'AFTER_1' })).id, (await submit(t.api, { payItemId: 'AFTER_2' })).id];
    expect(await tick(t.api)).toEqual(counts({ assigned: 2 }));
    const holders = await Promise.all(fresh.map(async (id) => (await detail(t.api, id)).assignedTo));
    expect(holders.sort()).toEqual([A, B]);
  });
});
