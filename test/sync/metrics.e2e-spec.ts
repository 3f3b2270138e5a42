import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectStatus, registerWith, report, stats, submit } from '../callbox/callbox-api';
import { configure } from './sync-api';

const A = 'callbox_001';
const B = 'callbox_002';

/** Spec "Monitoring > Métriques": per type, success/failure rates, mean processing time, load per box. */
describe('CallBox metrics in GET /api/call-box/stats', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
    // Failures are final here, whatever MAX_RETRIES says.
    await configure(t.api, { maxRetries: 0, batchSize: 10 });
    await registerWith(t.api, A, { maxConcurrentTransactions: 8 });
    await registerWith(t.api, B, { maxConcurrentTransactions: 5 });
  });
  afterEach(async () => t.close());

  /** Box A starts `id`, and `ms` later reports `status`. */
  const run = async (id: string, status: 'completed' | 'failed', ms: number) => {
    expectStatus(await report(t.api, id, A, 'processing'), 200);
    t.clock!.advance(ms);
    expectStatus(await report(t.api, id, A, status), 200);
  };

  it('has no rates and no mean processing time before anything is final', async () => {
    await submit(t.api);
    await claim(t.api, A);
    const s = await stats(t.api);
    expect(s).toMatchObject({ successRate: null, failureRate: null, averageProcessingTimeMs: null });
    expect(s.byType).toEqual({
      recharge: { total: 1, completed: 0, failed: 0, expired: 0, open: 1 },
      voucher: { total: 0, completed: 0, failed: 0, expired: 0, open: 0 },
      deposit: { total: 0, completed: 0, failed: 0, expired: 0, open: 0 },
      withdraw: { total: 0, completed: 0, failed: 0, expired: 0, open: 0 },
    });
  });

  it('counts transactions by type: total, completed, failed and still open', async () => {
    const plan: Array<[string, 'completed' | 'failed' | 'open']> = [
      ['recharge', 'completed'],
      ['recharge', 'completed'],
      ['recharge', 'failed'],
      ['recharge', 'open'],
      ['deposit', 'failed'],
      ['deposit', 'open'],
      ['voucher', 'completed'],
    ];
    const ids: string[] = [];
    for (const [type] of plan) {
      ids.push((await submit(t.api, { type, ...(type === 'voucher' && { amount: undefined }) })).id);
      t.clock!.advance(1);
    }
    expect((await claim(t.api, A)).count).toBe(plan.length);
    for (const [i, [, outcome]] of plan.entries()) if (outcome !== 'open') await run(ids[i], outcome, 1_000);

    const expected: Record<string, { total: number; completed: number; failed: number; expired: number; open: number }> = {};
    for (const type of ['recharge', 'voucher', 'deposit', 'withdraw']) {
      const mine = plan.filter(([ty]) => ty === type).map(([, outcome]) => outcome);
      const n = (outcome: string) => mine.filter((o) => o === outcome).length;
      expected[type] = { total: mine.length, completed: n('completed'), failed: n('failed'), expired: 0, open: n('open') };
    }
    expect((await stats(t.api)).byType).toEqual(expected);
  });

  it('gives success and failure rates as percentages of final transactions', async () => {
    const outcomes = ['completed', 'completed', 'failed'] as const;
    const ids: string[] = [];
    for (let i = 0; i < outcomes.length + 1; i++) ids.push((await submit(t.api, { payItemId: `RATE_${i}` })).id);
    await claim(t.api, A);
    for (const [i, outcome] of outcomes.entries()) await run(ids[i], outcome, 500);

    const s = await stats(t.api);
    // The fourth, still open, does not count: 2 of 3 final ones completed.
    expect(s.successRate).toBeCloseTo((2 / 3) * 100, 2);
    expect(s.failureRate).toBeCloseTo((1 / 3) * 100, 2);
    expect(s.successRate + s.failureRate).toBeCloseTo(100, 5);
  });

  it('averages the time from processing to completed, on the clock of the reports', async () => {
    const durations = { completed: [4_000, 7_000, 1_250], failed: [60_000] };
    const total = durations.completed.length + durations.failed.length;
    const ids: string[] = [];
    for (let i = 0; i < total; i++) ids.push((await submit(t.api, { payItemId: `TIME_${i}` })).id);
    await claim(t.api, A);
    // A transaction claimed long before it starts: waiting is not processing.
    t.clock!.advance(90_000);
    let next = 0;
    for (const ms of durations.completed) await run(ids[next++], 'completed', ms);
    for (const ms of durations.failed) await run(ids[next++], 'failed', ms);

    const mean = durations.completed.reduce((a, b) => a + b, 0) / durations.completed.length;
    expect((await stats(t.api)).averageProcessingTimeMs).toBe(Math.round(mean));
  });

  it('shows the load of each box: in flight, its maximum, and the ratio', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await submit(t.api, { payItemId: `LOAD_${i}` })).id);
    expect((await claim(t.api, A, 4)).count).toBe(4);
    expect((await claim(t.api, B, 1)).count).toBe(1);
    const mine = (await claim(t.api, A, 4)).transactions.map((tx) => tx.id);
    expectStatus(await report(t.api, mine[0], A, 'processing'), 200);
    await run(mine[1], 'completed', 100);
    await run(mine[2], 'failed', 100);

    const loads = Object.fromEntries((await stats(t.api)).instances.map((i: { id: string; load: unknown }) => [i.id, i.load]));
    // A: four claimed, two of them done; the one in processing still counts as in flight.
    expect(loads).toEqual({
      [A]: { inFlight: 2, maxConcurrent: 8, utilization: 2 / 8 },
      [B]: { inFlight: 1, maxConcurrent: 5, utilization: 1 / 5 },
    });
  });
});
