import { createTestApp, TestApp } from '../support/test-app';
import { heartbeat } from '../support/fixtures';
import { detail, tick } from '../sync/sync-api';
import { claim, expectStatus, paths, registerBox, report, submit } from './callbox-api';

const A = 'callbox_001';
const B = 'callbox_002';
const LEASE_MS = 5_000;

/**
 * A heartbeat's `pendingTransactions` is the box's unstarted assigned work plus the queue. The box's
 * part is remembered between heartbeats (AssignedCount) and must follow every change of its work
 * made through the app: each step below is preceded by heartbeats that leave the old figure
 * remembered, and followed by heartbeats checked against the transactions' stored states.
 */
describe('A heartbeat counting the work waiting for its box', () => {
  let t: TestApp;
  const ids: string[] = [];

  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { TRANSACTION_TIMEOUT_MS: String(LEASE_MS), PROCESSING_HARD_LIMIT_MS: String(LEASE_MS) } });
    // Past the restart grace, in which no lease is held against a box.
    t.clock!.advance(t.config.heartbeatTimeoutMs);
    await registerBox(t.api, A);
    await registerBox(t.api, B);
    ids.length = 0;
  });
  afterEach(async () => t.close());

  const pendingFor = async (id: string) => {
    const res = await t.api.post(paths.heartbeat, heartbeat(id));
    expectStatus(res, 200);
    return res.body.pendingTransactions as number;
  };

  /** What the heartbeats must say, from the transactions as stored. */
  async function expectCounts() {
    const stored = await Promise.all(ids.map((id) => detail(t.api, id)));
    const queued = stored.filter((tx) => tx.status === 'pending').length;
    const waitingFor = (box: string) => stored.filter((tx) => tx.status === 'assigned' && tx.assignedTo === box).length;
    expect({ [A]: await pendingFor(A), [B]: await pendingFor(B) }).toEqual({ [A]: waitingFor(A) + queued, [B]: waitingFor(B) + queued });
    return { queued, a: waitingFor(A), b: waitingFor(B) };
  }

  it('follows work assigned, started, reported and requeued', async () => {
    expect(await expectCounts()).toEqual({ queued: 0, a: 0, b: 0 });
    for (let i = 0; i < 4; i++) ids.push((await submit(t.api, { payItemId: `COUNT_${i}` })).id);
    expect(await expectCounts()).toEqual({ queued: 4, a: 0, b: 0 });

    const claimed = (await claim(t.api, A, 3)).transactions.map((tx: { id: string }) => tx.id);
    expect(claimed).toHaveLength(3);
    expect(await expectCounts()).toEqual({ queued: 1, a: 3, b: 0 });

    expectStatus(await report(t.api, claimed[0], A, 'processing'), 200);
    expect(await expectCounts()).toEqual({ queued: 1, a: 2, b: 0 });
    expectStatus(await report(t.api, claimed[0], A, 'completed'), 200);
    expectStatus(await report(t.api, claimed[1], A, 'processing'), 200);
    expect(await expectCounts()).toEqual({ queued: 1, a: 1, b: 0 });

    expect((await claim(t.api, B, 1)).count).toBe(1);
    expect(await expectCounts()).toEqual({ queued: 0, a: 1, b: 1 });

    // Leases run out: A's unstarted work goes back to the queue (the dispatcher may deal it again).
    t.clock!.advance(LEASE_MS + 1);
    await pendingFor(A);
    await pendingFor(B);
    expect((await tick(t.api)).requeued).toBeGreaterThanOrEqual(1);
    const after = await expectCounts();
    expect(after.a).toBe(0);
  });
});
