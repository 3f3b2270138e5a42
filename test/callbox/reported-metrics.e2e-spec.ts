import { beat, detail, eventsBetween, tick } from '../sync/sync-api';
import { heartbeat } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectStatus, iso, paths, registerBox, report, stats, submit } from './callbox-api';

const A = 'callbox_001';
const B = 'callbox_002';

/**
 * Heartbeat metrics are kept, per box, and shown in the stats beside the backend's own counts; a
 * box whose heartbeat status is not `active` gets no new work until it says `active` again
 * (issue 15, 5).
 */
describe('What a CallBox reports in its heartbeats', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
    await registerBox(t.api, A);
  });
  afterEach(async () => t.close());
  const instance = async (id: string) => (await stats(t.api)).instances.find((i: { id: string }) => i.id === id);
  const sendHeartbeat = async (body: Record<string, unknown>) => expectStatus(await t.api.post(paths.heartbeat, body), 200);

  it("the spec's heartbeat metrics show in stats.instances[].reported, beside the backend's count", async () => {
    // The box completes one transaction: the backend counts 1, the box says 152.
    const tx = await submit(t.api);
    await claim(t.api, A, 1);
    expectStatus(await report(t.api, tx.id, A, 'completed', { success: true }), 200);
    t.clock!.advance(1_000);
    const sentAt = t.clock!.now();
    await sendHeartbeat(heartbeat(A));

    const box = await instance(A);
    expect(box.processedTransactions).toBe(1);
    expect(box.reported).toEqual({
      status: 'active',
      queueSize: 3,
      uptime: 86400,
      memoryUsage: 45.2,
      processedTransactions: 152,
      at: iso(sentAt),
      metricsAt: iso(sentAt),
    });

    // A later heartbeat without metrics keeps the last ones and says how old they are.
    t.clock!.advance(5_000);
    await sendHeartbeat({ callboxId: A, status: 'active', queueSize: 0 });
    expect((await instance(A)).reported).toEqual({
      status: 'active',
      queueSize: 0,
      uptime: 86400,
      memoryUsage: 45.2,
      processedTransactions: 152,
      at: iso(t.clock!.now()),
      metricsAt: iso(sentAt),
    });
  });

  it('a box that never sent metrics shows them as null', async () => {
    expect((await instance(A)).reported).toMatchObject({ status: 'active', uptime: null, memoryUsage: null, processedTransactions: null, metricsAt: null });
  });

  it('a box in maintenance gets no new work, by poll or dispatcher, until it says active; it keeps what it holds', async () => {
    await registerBox(t.api, B);
    const held = await submit(t.api, { payItemId: 'HELD' });
    expect((await claim(t.api, A, 1)).count).toBe(1);

    await sendHeartbeat({ ...heartbeat(A), status: 'maintenance' });
    const waiting = await submit(t.api, { payItemId: 'WAITING' });
    const poll = await claim(t.api, A);
    expect(poll).toMatchObject({ count: 1, status: 'maintenance' });
    expect(poll.transactions.map((tx: { id: string }) => tx.id)).toEqual([held.id]);
    expect(poll.message).toMatch(/maintenance/);
    expect(await detail(t.api, held.id)).toMatchObject({ status: 'assigned', assignedTo: A });
    expect((await instance(A)).reported.status).toBe('maintenance');

    // The dispatcher deals only the new work, to B; A is not degraded for it, and keeps its connection.
    await beat(t.api, B);
    expect(await tick(t.api)).toMatchObject({ assigned: 1, requeued: 0 });
    expect((await detail(t.api, waiting.id)).assignedTo).toBe(B);
    expect((await detail(t.api, held.id)).assignedTo).toBe(A);
    expect((await instance(A)).status).toBe('maintenance');

    await sendHeartbeat(heartbeat(A));
    const more = await submit(t.api, { payItemId: 'AFTER' });
    const back = await claim(t.api, A);
    expect(back).toMatchObject({ status: 'active' });
    expect(back.transactions.map((tx: { id: string }) => tx.id).sort()).toEqual([held.id, more.id].sort());
  });

  it('a box saying busy while it runs work it has not reported keeps it: no second box gets it, its completion is accepted', async () => {
    await registerBox(t.api, B);
    const tx = await submit(t.api);
    expect((await claim(t.api, A, 1)).count).toBe(1);
    // Firmware may go from assigned straight to completed on a first attempt; meanwhile it says busy.
    await sendHeartbeat({ ...heartbeat(A), status: 'busy' });
    await beat(t.api, B);
    expect(await tick(t.api)).toMatchObject({ requeued: 0, assigned: 0 });
    expect((await claim(t.api, A)).transactions.map((held: { id: string }) => held.id)).toEqual([tx.id]);
    expect((await claim(t.api, B)).count).toBe(0);
    expectStatus(await report(t.api, tx.id, A, 'completed', { success: true }), 200);
    expect(await detail(t.api, tx.id)).toMatchObject({ status: 'completed', assignedTo: A, attempt: 1 });
  });

  it('a box in maintenance keeps the work it started and may still report it', async () => {
    const tx = await submit(t.api);
    await claim(t.api, A, 1);
    expectStatus(await report(t.api, tx.id, A, 'processing'), 200);
    await sendHeartbeat({ ...heartbeat(A), status: 'maintenance' });
    await claim(t.api, A);
    expect(await tick(t.api)).toMatchObject({ requeued: 0, needsReview: 0 });
    expectStatus(await report(t.api, tx.id, A, 'completed', { success: true }), 200);
  });
});
