import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, expectStatus, registerBox, report, stats, submit } from '../callbox/callbox-api';
import { beat, counts, detail, eventsBetween, tick } from './sync-api';

const A = 'callbox_001';
const B = 'callbox_002';
const LEASE_MS = 5_000;

describe('Dispatcher: expired leases (TRANSACTION_TIMEOUT_MS)', () => {
  let t: TestApp;
  beforeEach(async () => {
    // Started work's hard limit as short as the lease, so both run out here (processing-hold.e2e-spec has the long one).
    t = await createTestApp({ fakeClock: true, env: { TRANSACTION_TIMEOUT_MS: String(LEASE_MS), PROCESSING_HARD_LIMIT_MS: String(LEASE_MS) } });
    // Past the restart grace, in which no lease is held against a box (restart-grace.e2e-spec).
    t.clock!.advance(t.config.heartbeatTimeoutMs);
    await registerBox(t.api, A);
  });
  afterEach(async () => t.close());

  it('sends assigned work back to the queue and processing work past its hard limit to review, even for a live box', async () => {
    const unstarted = (await submit(t.api, { payItemId: 'LEASE_UNSTARTED' })).id;
    const started = (await submit(t.api, { payItemId: 'LEASE_STARTED' })).id;
    expect((await claim(t.api, A)).count).toBe(2);
    const claimedAt = t.clock!.now();
    // Starting renews the lease from the moment the box says so.
    t.clock!.advance(1_000);
    expectStatus(await report(t.api, started, A, 'processing'), 200);

    // Exactly at the end of the first lease: nothing has run out yet.
    t.clock!.set(claimedAt + LEASE_MS);
    await beat(t.api, A);
    expect(await tick(t.api)).toEqual(counts());

    t.clock!.advance(1);
    await beat(t.api, A);
    // Requeued; the box that sat on it past its lease is degraded, so it is not dealt back to it.
    expect(await tick(t.api)).toEqual(counts({ requeued: 1 }));
    const requeued = await detail(t.api, unstarted);
    expect(requeued).toMatchObject({ status: 'pending', assignedTo: null, retryCount: 0 });
    expect(eventsBetween(requeued, 'assigned', 'pending')).toEqual([
      expect.objectContaining({ actor: 'dispatcher', details: expect.objectContaining({ reason: 'lease_expired' }) }),
    ]);
    expect((await detail(t.api, started)).status).toBe('processing');
    expect((await stats(t.api)).instances[0]).toMatchObject({ status: 'degraded', degradedReason: 'lease_expired' });

    // The started one's lease ends 1 s later.
    t.clock!.advance(1_000);
    await beat(t.api, A);
    expect(await tick(t.api)).toEqual(counts({ needsReview: 1 }));
    const inDoubt = await detail(t.api, started);
    expect(inDoubt).toMatchObject({ status: 'needs_review', assignedTo: A });
    expect(eventsBetween(inDoubt, 'processing', 'needs_review')).toEqual([
      expect.objectContaining({ actor: 'dispatcher', details: expect.objectContaining({ reason: 'lease_expired' }) }),
    ]);
    // Once the cool-down is over, the box is well again and gets work.
    t.clock!.advance(t.config.degradedCooldownMs);
    await beat(t.api, A);
    expect(await tick(t.api)).toEqual(counts({ assigned: 1 }));
    expect((await stats(t.api)).instances[0].status).toBe('active');
    expect((await detail(t.api, unstarted)).assignedTo).toBe(A);
  });
});

describe('Dispatcher: work set aside for review (needs_review)', () => {
  let t: TestApp;
  let inDoubt: string;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { TRANSACTION_TIMEOUT_MS: '600000' } });
    await registerBox(t.api, A);
    await registerBox(t.api, B, { capabilities: { maxConcurrentTransactions: 20, supportedTypes: ['recharge'] } });
    inDoubt = (await submit(t.api, { payItemId: 'IN_DOUBT' })).id;
    expect((await claim(t.api, A)).transactions.map((tx) => tx.id)).toEqual([inDoubt]);
    expectStatus(await report(t.api, inDoubt, A, 'processing'), 200);
    t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
    await beat(t.api, B);
    expect(await tick(t.api)).toEqual(counts({ disconnected: 1, needsReview: 1 }));
  });
  afterEach(async () => t.close());

  it('is never dispatched again by later ticks, and no poll hands it out', async () => {
    const eventsBefore = (await detail(t.api, inDoubt)).events.length;
    await beat(t.api, A);
    for (let i = 0; i < 4; i++) {
      t.clock!.advance(t.config.heartbeatTimeoutMs / 2);
      await beat(t.api, A);
      await beat(t.api, B);
      expect(await tick(t.api)).toEqual(counts());
      for (const box of [A, B]) expect((await claim(t.api, box)).transactions).toEqual([]);
    }
    const tx = await detail(t.api, inDoubt);
    expect(tx).toMatchObject({ status: 'needs_review', assignedTo: A });
    expect(tx.events).toHaveLength(eventsBefore);
    expect((await stats(t.api)).needsReviewTransactions).toBe(1);
  });

  it('may still be settled by the box that held it, once back, but not by another box', async () => {
    expectError(await report(t.api, inDoubt, B, 'completed'), 403, 'TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
    await beat(t.api, A);
    const res = await report(t.api, inDoubt, A, 'completed', { success: true, transactionRef: 'MTN123456789' });
    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject({ status: 'completed', assignedTo: A });
    expect(eventsBetween(await detail(t.api, inDoubt), 'needs_review', 'completed')).toEqual([
      expect.objectContaining({ actor: `callbox:${A}` }),
    ]);
  });
});
