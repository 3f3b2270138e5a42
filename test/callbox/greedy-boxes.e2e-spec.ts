import { CallBoxRepository } from '../../src/callbox/registry/callbox';
import { createTestApp, TestApp } from '../support/test-app';
import { detail, tick } from '../sync/sync-api';
import { claim, expectStatus, paths, registerWith, report, stats, submit } from './callbox-api';

const A = 'callbox_001';
const B = 'callbox_002';
const COOLDOWN_MS = 600_000;

/**
 * Issue 20, item 6: the admin's batchSize bounds what a poll claims; a box failing everything (a
 * bad SIM) charges at most the limiter's threshold to customers, and a degraded box holds nothing
 * it has not started.
 */
describe('Greedy and broken boxes', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({
      fakeClock: true,
      env: { MAX_RETRIES: '0', MAX_BATCH_SIZE: '10', DEGRADED_COOLDOWN_MS: String(COOLDOWN_MS), TRANSACTION_TIMEOUT_MS: '3600000' },
    });
    await registerWith(t.api, A, { maxConcurrentTransactions: 100 });
  });
  afterEach(async () => t.close());

  const submitMany = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await submit(t.api, { payItemId: `ITEM_${i}` })).id);
    return ids;
  };
  const statuses = async (ids: string[]) => {
    const counts: Record<string, number> = {};
    for (const id of ids) {
      const { status } = await detail(t.api, id);
      counts[status] = (counts[status] ?? 0) + 1;
    }
    return counts;
  };
  const instance = async (box: string) => (await stats(t.api)).instances.find((i: { id: string }) => i.id === box);

  it("the admin's per-box batchSize is a ceiling on the poll's limit", async () => {
    await submitMany(5);
    expectStatus(await t.api.put(paths.config(), { callboxId: A, batchSize: 1 }, { auth: 'admin' }), 200);
    expect((await claim(t.api, A, 100)).count).toBe(1);
    expectStatus(await t.api.put(paths.config(), { callboxId: A, batchSize: 3 }, { auth: 'admin' }), 200);
    // A smaller limit still counts; the held work comes first.
    expect((await claim(t.api, A, 2)).count).toBe(2);
    expect((await claim(t.api, A, 100)).count).toBe(3);
    expect((await claim(t.api, A)).count).toBe(3);
  });

  it.each([
    ['sequential', false],
    ['concurrent', true],
  ])('a box failing everything (%s reports) ends at most 5 customers\' transactions; the rest go to others', async (_, concurrent) => {
    const ids = await submitMany(10);
    const held = (await claim(t.api, A, 10)).transactions.map((tx: { id: string }) => tx.id);
    expect(held).toHaveLength(10);
    const fail = (id: string) => report(t.api, id, A, 'failed', { success: false, errorCode: 'SIM_ERROR' });
    const answers = concurrent ? await Promise.all(held.map(fail)) : await (async () => {
      const list = [];
      for (const id of held) list.push(await fail(id));
      return list;
    })();
    // Failed as reported (charged), or no longer the box's (given back when it degraded): never a 5xx.
    for (const res of answers) expect([200, 403]).toContain(res.status);

    expect(await statuses(ids)).toEqual({ failed: 5, pending: 5 });
    expect(await instance(A)).toMatchObject({ status: 'degraded', degradedReason: 'consecutive_failures' });
    for (const id of ids) expect((await detail(t.api, id)).retryCount).toBe(0);

    await registerWith(t.api, B, {});
    expect(await tick(t.api)).toMatchObject({ assigned: 5 });
    expect((await claim(t.api, B)).count).toBe(5);
  });

  it('failures of started work past the threshold are not charged: back to pending, no retry used, away from the box', async () => {
    const ids = await submitMany(8);
    const held = (await claim(t.api, A, 8)).transactions.map((tx: { id: string }) => tx.id);
    for (const id of held) expectStatus(await report(t.api, id, A, 'processing'), 200);
    for (const id of held.slice(0, 5)) expect((await report(t.api, id, A, 'failed')).body.transaction.status).toBe('failed');

    const sixth = await report(t.api, held[5], A, 'failed', { success: false, errorCode: 'SIM_ERROR' });
    expectStatus(sixth, 200);
    expect(sixth.body.transaction).toMatchObject({ status: 'pending', assignedTo: null, retryCount: 0, result: { errorCode: 'SIM_ERROR' } });
    const events = (await detail(t.api, held[5])).events;
    expect(events.at(-1)).toMatchObject({ from: 'processing', to: 'pending', actor: `callbox:${A}`, details: { charged: false, reason: 'callbox_degraded' } });
    // Its repeat is a 200 no-op.
    const repeat = await report(t.api, held[5], A, 'failed');
    expect(repeat.body).toMatchObject({ message: 'Statut déjà enregistré', transaction: { status: 'pending' } });
    for (const id of held.slice(6)) expect((await report(t.api, id, A, 'failed')).body.transaction.status).toBe('pending');
    expect(await statuses(ids)).toEqual({ failed: 5, pending: 3 });
  });

  it('a degraded box keeps what it started and gives back, at its poll and at the tick, what it had not', async () => {
    await submitMany(6);
    const held = (await claim(t.api, A, 6)).transactions.map((tx: { id: string }) => tx.id);
    for (const id of held.slice(0, 2)) expectStatus(await report(t.api, id, A, 'processing'), 200);
    // Degraded some other way than by a report (as the dispatcher does a box sitting on its work).
    const now = t.clock!.now();
    await t.app.get(CallBoxRepository).markDegraded([A], 'lease_expired', now + COOLDOWN_MS, now);

    expect((await claim(t.api, A, 6)).transactions).toEqual([]);
    for (const id of held.slice(2)) expect(await detail(t.api, id)).toMatchObject({ status: 'pending', assignedTo: null, retryCount: 0 });
    for (const id of held.slice(0, 2)) expect(await detail(t.api, id)).toMatchObject({ status: 'processing', assignedTo: A });

    // What the dispatcher (or a race) hands it meanwhile goes back at the next tick.
    const late = (await submit(t.api, { payItemId: 'LATE' })).id;
    await t.app.get(CallBoxRepository).markDegraded([A], 'lease_expired', now - 1, now);
    expect((await claim(t.api, A, 10)).transactions.map((tx: { id: string }) => tx.id)).toContain(late);
    await t.app.get(CallBoxRepository).markDegraded([A], 'lease_expired', now + COOLDOWN_MS, now);
    expect(await tick(t.api)).toMatchObject({ requeued: 5 });
    expect(await detail(t.api, late)).toMatchObject({ status: 'pending', assignedTo: null });

    // It may still settle what it started.
    expect((await report(t.api, held[0], A, 'completed')).body.transaction.status).toBe('completed');
  });
});
