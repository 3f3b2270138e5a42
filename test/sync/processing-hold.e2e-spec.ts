import { claim, expectStatus, registerBox, report, submit } from '../callbox/callbox-api';
import { createTestApp, TestApp } from '../support/test-app';
import { beat, counts, detail, eventsBetween, tick } from './sync-api';

const A = 'callbox_001';
/** The spec's timeoutMs. */
const TIMEOUT_MS = 30_000;
const HARD_LIMIT_MS = 120_000;
const HEARTBEAT_EVERY_MS = 10_000;

/**
 * A USSD session may outlast `timeoutMs`: a box that keeps heartbeating keeps the work it started
 * up to PROCESSING_HARD_LIMIT_MS; needs_review is for dead boxes and overruns of that limit
 * (issue 15, 6). Unstarted work keeps the `timeoutMs` lease.
 */
describe('Started work on a live box (PROCESSING_HARD_LIMIT_MS)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({
      fakeClock: true,
      env: { TRANSACTION_TIMEOUT_MS: String(TIMEOUT_MS), PROCESSING_HARD_LIMIT_MS: String(HARD_LIMIT_MS), HEARTBEAT_TIMEOUT_MS: '30000' },
    });
    await registerBox(t.api, A);
  });
  afterEach(async () => t.close());

  /** Lets `ms` pass with the box heartbeating and the dispatcher ticking every 10 s; returns the ticks' needs_review count. */
  const liveFor = async (ms: number) => {
    let needsReview = 0;
    for (let passed = 0; passed < ms; passed += HEARTBEAT_EVERY_MS) {
      t.clock!.advance(Math.min(HEARTBEAT_EVERY_MS, ms - passed));
      await beat(t.api, A);
      needsReview += (await tick(t.api)).needsReview;
    }
    return needsReview;
  };

  it('a 35 s USSD session on a heartbeating box stays processing and its completed report settles it', async () => {
    const { id } = await submit(t.api);
    await claim(t.api, A, 1);
    expectStatus(await report(t.api, id, A, 'processing'), 200);
    expect(await liveFor(35_000)).toBe(0);
    expect((await detail(t.api, id)).status).toBe('processing');
    const done = await report(t.api, id, A, 'completed', { success: true, transactionRef: 'MTN123456789' });
    expectStatus(done, 200);
    expect(done.body.transaction).toMatchObject({ status: 'completed', assignedTo: A });
  });

  it('past the hard limit, started work goes to needs_review even on a live box', async () => {
    const { id } = await submit(t.api);
    await claim(t.api, A, 1);
    expectStatus(await report(t.api, id, A, 'processing'), 200);
    expect(await liveFor(HARD_LIMIT_MS)).toBe(0);
    t.clock!.advance(1);
    await beat(t.api, A);
    expect(await tick(t.api)).toEqual(counts({ needsReview: 1 }));
    const inDoubt = await detail(t.api, id);
    expect(inDoubt).toMatchObject({ status: 'needs_review', assignedTo: A });
    expect(eventsBetween(inDoubt, 'processing', 'needs_review')).toEqual([
      expect.objectContaining({ actor: 'dispatcher', details: expect.objectContaining({ reason: 'lease_expired' }) }),
    ]);
  });

  it('a box that falls silent loses its started work to needs_review at the heartbeat timeout, well before the hard limit', async () => {
    const { id } = await submit(t.api);
    await claim(t.api, A, 1);
    expectStatus(await report(t.api, id, A, 'processing'), 200);
    t.clock!.advance(30_001);
    expect(await tick(t.api)).toMatchObject({ disconnected: 1, needsReview: 1 });
    expect((await detail(t.api, id)).status).toBe('needs_review');
  });

  it('unstarted work still goes back to the queue when timeoutMs runs out', async () => {
    const { id } = await submit(t.api);
    await claim(t.api, A, 1);
    await liveFor(TIMEOUT_MS);
    t.clock!.advance(1);
    await beat(t.api, A);
    expect((await tick(t.api)).requeued).toBe(1);
    expect((await detail(t.api, id)).status).toBe('pending');
  });
});
