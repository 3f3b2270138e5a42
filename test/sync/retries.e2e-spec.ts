import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectStatus, registerBox, report, submit } from '../callbox/callbox-api';
import { beat, counts, detail, eventsBetween, tick } from './sync-api';

const BOX = 'callbox_001';
const BASE_MS = 1_000;
const MAX_RETRIES = 3;

/** The documented backoff: base x 2^(n-1), capped, shortened by at most 20 % of jitter. */
const delayRange = (retryCount: number, maxMs: number) => {
  const ceiling = Math.min(maxMs, BASE_MS * 2 ** (retryCount - 1));
  return { min: Math.floor(ceiling * 0.8), max: ceiling };
};

describe('Dispatcher: retries with exponential backoff', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  const start = async (env: Record<string, string>) => {
    t = await createTestApp({ fakeClock: true, env: { RETRY_BASE_DELAY_MS: String(BASE_MS), ...env } });
    await registerBox(t.api, BOX);
    const tx = await submit(t.api);
    expect(tx.maxRetries).toBe(Number(env.MAX_RETRIES));
    expect((await claim(t.api, BOX)).transactions.map((x) => x.id)).toEqual([tx.id]);
    return tx.id as string;
  };

  /** The box starts and fails the transaction; returns the transaction and how long it must wait. */
  const fail = async (id: string) => {
    expectStatus(await report(t.api, id, BOX, 'processing'), 200);
    const reportedAt = t.clock!.now();
    const res = await report(t.api, id, BOX, 'failed', { success: false, errorCode: 'USSD_TIMEOUT' });
    expectStatus(res, 200);
    const tx = res.body.transaction;
    return { tx, waitMs: tx.nextAttemptAt === null ? null : Date.parse(tx.nextAttemptAt) - reportedAt };
  };

  it('waits for nextAttemptAt, requeues, deals it again, waits longer each time, then fails for good', async () => {
    const id = await start({ MAX_RETRIES: String(MAX_RETRIES), RETRY_MAX_DELAY_MS: '60000' });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_RETRIES; attempt++) {
      const { tx, waitMs } = await fail(id);
      expect(tx).toMatchObject({ status: 'retry', retryCount: attempt, assignedTo: BOX });
      const { min, max } = delayRange(attempt, 60_000);
      expect(waitMs).toBeGreaterThanOrEqual(min);
      expect(waitMs).toBeLessThanOrEqual(max);
      waits.push(waitMs!);

      // One millisecond early: the tick leaves it alone.
      t.clock!.advance(waitMs! - 1);
      expect(await tick(t.api)).toEqual(counts());
      expect((await detail(t.api, id)).status).toBe('retry');

      t.clock!.advance(1);
      expect(await tick(t.api)).toEqual(counts({ retried: 1, assigned: 1 }));
      expect(await detail(t.api, id)).toMatchObject({ status: 'assigned', assignedTo: BOX, retryCount: attempt, nextAttemptAt: null });
      expect((await claim(t.api, BOX)).transactions.map((x) => x.id)).toEqual([id]);
    }
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    expect(new Set(waits).size).toBe(MAX_RETRIES);

    // With no retry left, the failure is final.
    const { tx } = await fail(id);
    expect(tx).toMatchObject({ status: 'failed', retryCount: MAX_RETRIES, nextAttemptAt: null });
    expect(tx.completedAt).toBe(new Date(t.clock!.now()).toISOString());
    t.clock!.advance(10 * 60_000);
    await beat(t.api, BOX);
    expect(await tick(t.api)).toEqual(counts());

    const history = await detail(t.api, id);
    expect(history.status).toBe('failed');
    expect(eventsBetween(history, 'processing', 'retry')).toHaveLength(MAX_RETRIES);
    expect(eventsBetween(history, 'retry', 'pending')).toEqual(
      Array.from({ length: MAX_RETRIES }, () =>
        expect.objectContaining({ actor: 'dispatcher', details: expect.objectContaining({ reason: 'backoff_elapsed' }) }),
      ),
    );
    expect(eventsBetween(history, 'processing', 'failed')).toHaveLength(1);
  });

  it('stops growing the wait at RETRY_MAX_DELAY_MS', async () => {
    const cap = 1_500;
    const id = await start({ MAX_RETRIES: '3', RETRY_MAX_DELAY_MS: String(cap) });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { waitMs } = await fail(id);
      const { min, max } = delayRange(attempt, cap);
      expect(waitMs).toBeGreaterThanOrEqual(min);
      expect(waitMs).toBeLessThanOrEqual(max);
      t.clock!.advance(waitMs!);
      expect(await tick(t.api)).toEqual(counts({ retried: 1, assigned: 1 }));
    }
  });

  it('with MAX_RETRIES=0 a failure is final at once', async () => {
    const id = await start({ MAX_RETRIES: '0' });
    const { tx, waitMs } = await fail(id);
    expect(tx).toMatchObject({ status: 'failed', retryCount: 0 });
    expect(waitMs).toBeNull();
    t.clock!.advance(60_000);
    await beat(t.api, BOX);
    expect(await tick(t.api)).toEqual(counts());
  });
});
