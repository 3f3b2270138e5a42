import { CallBoxRepository } from '../../src/callbox/registry/callbox';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectStatus, registerBox, registerWith, report, submit } from '../callbox/callbox-api';
import { beat, detail, tick } from './sync-api';

/** More boxes than one listing of the registry used to hold (1 000). */
const FLEET = 1_000;
const LATE = 'zzz_late';
const LIVE = 'mmm_live';

/**
 * A fleet past a thousand boxes: decommissioned boxes stay disconnected for ever, and the
 * dispatcher's sweeps took the work back only from the first thousand boxes by id. The work of a
 * box sorting after them waited for its lease.
 */
describe('Dispatcher with more than a thousand boxes', () => {
  let t: TestApp;
  let boxes: CallBoxRepository;

  beforeEach(async () => {
    // Leases far longer than the heartbeat timeout: only the sweeps under test can move the work.
    t = await createTestApp({ fakeClock: true, env: { TRANSACTION_TIMEOUT_MS: '3600000' } });
    boxes = t.app.get(CallBoxRepository);
    const now = t.clock!.now();
    for (let i = 0; i < FLEET; i++) {
      const id = `aaa_${String(i).padStart(4, '0')}`;
      await boxes.register({ id, maxConcurrent: 5, supportedTypes: ['recharge'], operators: null, version: null, location: null }, now);
    }
  });
  afterEach(async () => t.close());

  /** LATE takes two transactions and starts one. */
  async function lateHoldsWork(): Promise<{ unstarted: string; started: string }> {
    await registerBox(t.api, LATE);
    const started = (await submit(t.api, { payItemId: 'LATE_STARTED' })).id;
    t.clock!.advance(1);
    const unstarted = (await submit(t.api, { payItemId: 'LATE_UNSTARTED' })).id;
    expect((await claim(t.api, LATE)).transactions.map((tx) => tx.id)).toEqual([started, unstarted]);
    expectStatus(await report(t.api, started, LATE, 'processing'), 200);
    return { unstarted, started };
  }

  it("a lost box's work is taken back whatever its place among a thousand disconnected boxes", async () => {
    // The thousand go silent and are marked disconnected, as decommissioned boxes stay.
    t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
    expect((await tick(t.api)).disconnected).toBe(FLEET);
    const { unstarted, started } = await lateHoldsWork();
    await registerBox(t.api, LIVE);

    t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
    await beat(t.api, LIVE);
    const counts = await tick(t.api);
    expect(counts).toMatchObject({ disconnected: 1, requeued: 1, needsReview: 1 });
    expect(await detail(t.api, unstarted)).toMatchObject({ status: 'assigned', assignedTo: LIVE });
    expect(await detail(t.api, started)).toMatchObject({ status: 'needs_review' });
    const metrics = (await t.api.get('/metrics', { auth: 'none' })).body as string;
    expect(metrics).toContain(`merecharge_callboxes{state="disconnected"} ${FLEET + 1}`);
  });

  it("a degraded box's unstarted work goes back whatever its place among a thousand connected boxes", async () => {
    const { unstarted, started } = await lateHoldsWork();
    const now = t.clock!.now();
    await boxes.markDegraded([LATE], 'test', now + 600_000, now);

    await tick(t.api);
    const moved = await detail(t.api, unstarted);
    expect(moved.status).toBe('assigned');
    expect(moved.assignedTo).not.toBe(LATE);
    // What it started stays with it: the carrier may be running it.
    expect(await detail(t.api, started)).toMatchObject({ status: 'processing', assignedTo: LATE });
  });

  it('every connected box takes its turn at the dispatcher, past the first thousand by id, and the gauges count them all', async () => {
    // Only LATE takes vouchers: the dispatcher must reach it among a thousand boxes sorting before it.
    await registerWith(t.api, LATE, { supportedTypes: ['voucher'] });
    const voucher = (await submit(t.api, { type: 'voucher', amount: undefined })).id;
    for (let round = 0; round < 3 && (await detail(t.api, voucher)).status === 'pending'; round++) await tick(t.api);
    expect(await detail(t.api, voucher)).toMatchObject({ status: 'assigned', assignedTo: LATE });
    const metrics = (await t.api.get('/metrics', { auth: 'none' })).body as string;
    expect(metrics).toContain(`merecharge_callboxes{state="connected"} ${FLEET + 1}`);
  });
});
