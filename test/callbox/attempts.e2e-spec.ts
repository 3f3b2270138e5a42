import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { createTestApp, TestApp } from '../support/test-app';
import { detail, tick } from '../sync/sync-api';
import { claim, expectError, expectStatus, paths, registerBox, submit } from './callbox-api';

const BOX = 'callbox_001';
const RETRY_BASE_DELAY_MS = 1_000;

/**
 * Issue 20, item 3: every assignment has a number (`attempt`, in the poll's answer); a report is
 * tied to the attempt it is about. Replays of earlier attempts' reports settle nothing.
 */
describe('Attempts: a report is tied to the assignment it is about', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { RETRY_BASE_DELAY_MS: String(RETRY_BASE_DELAY_MS), MAX_RETRIES: '3' } });
    await registerBox(t.api, BOX);
  });
  afterEach(async () => t.close());

  const put = (id: string, status: string, attempt?: number, result?: Record<string, unknown>) =>
    t.api.put(paths.status(id), { status, callboxId: BOX, ...(attempt !== undefined && { attempt }), ...(result && { result }) });
  const events = async (id: string) => (await t.app.get(TransactionRepository).listEvents(id)).length;

  /** The sequence: poll, processing, failed (-> retry), then the next tick hands it back to the same box. */
  const failedOnceThenRedispatched = async () => {
    const tx = await submit(t.api);
    const first = (await claim(t.api, BOX)).transactions[0];
    expect(first).toMatchObject({ id: tx.id, attempt: 1 });
    expectStatus(await put(tx.id, 'processing'), 200);
    const failed = await put(tx.id, 'failed', undefined, { success: false, errorCode: 'USSD_TIMEOUT' });
    expectStatus(failed, 200);
    expect(failed.body.transaction).toMatchObject({ status: 'retry', retryCount: 1, attempt: 1 });
    t.clock!.set(Date.parse(failed.body.transaction.nextAttemptAt));
    expect(await tick(t.api)).toMatchObject({ retried: 1, assigned: 1 });
    const second = (await claim(t.api, BOX)).transactions[0];
    expect(second).toMatchObject({ id: tx.id, status: 'assigned', attempt: 2, retryCount: 1 });
    return tx.id as string;
  };

  it('numbers each assignment in the poll answer and in the transaction view', async () => {
    const tx = await submit(t.api);
    expect(tx.attempt).toBe(0);
    expect((await claim(t.api, BOX)).transactions[0].attempt).toBe(1);
    expect((await detail(t.api, tx.id)).attempt).toBe(1);
  });

  it("replaying the earlier attempt's failure without its number: 409, report processing first; nothing charged", async () => {
    const id = await failedOnceThenRedispatched();
    const trail = await events(id);
    for (let replay = 0; replay < 3; replay++) {
      const res = await put(id, 'failed');
      expectError(res, 409, 'TRANSACTION.PROCESSING_REPORT_REQUIRED');
      expect(res.body.context).toMatchObject({ transactionId: id, currentAttempt: 2, requiredStatus: 'processing' });
    }
    expect(await detail(t.api, id)).toMatchObject({ status: 'assigned', retryCount: 1, attempt: 2 });
    expect(await events(id)).toBe(trail);
  });

  it("an earlier attempt's completed, without processing in this one, does not settle the new assignment", async () => {
    const id = await failedOnceThenRedispatched();
    expectError(await put(id, 'completed', undefined, { success: true, transactionRef: 'OLD' }), 409, 'TRANSACTION.PROCESSING_REPORT_REQUIRED');
    expect((await detail(t.api, id)).status).toBe('assigned');
  });

  it('a report naming another attempt is 409 TRANSACTION.STALE_ATTEMPT, whatever its status', async () => {
    const id = await failedOnceThenRedispatched();
    const trail = await events(id);
    for (const status of ['processing', 'completed', 'failed', 'pending']) {
      const res = await put(id, status, 1);
      expectError(res, 409, 'TRANSACTION.STALE_ATTEMPT');
      expect(res.body.context).toEqual({ transactionId: id, reportedAttempt: 1, currentAttempt: 2 });
    }
    expectError(await put(id, 'processing', 3), 409, 'TRANSACTION.STALE_ATTEMPT');
    expect(await events(id)).toBe(trail);
  });

  it('once started in this attempt, the outcome counts; repeats of it are 200 no-ops', async () => {
    const id = await failedOnceThenRedispatched();
    expectStatus(await put(id, 'processing', 2), 200);
    const done = await put(id, 'completed', undefined, { success: true, transactionRef: 'MTN2' });
    expectStatus(done, 200);
    expect(done.body.transaction).toMatchObject({ status: 'completed', attempt: 2, retryCount: 1 });
    const trail = await events(id);
    for (const attempt of [undefined, 2]) {
      const repeat = await put(id, 'completed', attempt);
      expectStatus(repeat, 200);
      expect(repeat.body).toMatchObject({ message: 'Statut déjà enregistré', transaction: done.body.transaction });
    }
    expectError(await put(id, 'completed', 1), 409, 'TRANSACTION.STALE_ATTEMPT');
    expect(await events(id)).toBe(trail);
  });

  it('a report that names the current attempt may settle re-dispatched work straight from assigned', async () => {
    const id = await failedOnceThenRedispatched();
    const res = await put(id, 'completed', 2, { success: true });
    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject({ status: 'completed', attempt: 2 });
  });

  it('the first attempt still takes assigned -> completed without a number (firmware that skips processing)', async () => {
    const tx = await submit(t.api);
    await claim(t.api, BOX);
    const res = await put(tx.id, 'completed', undefined, { success: true });
    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject({ status: 'completed', attempt: 1 });
  });

  it('work requeued after its lease ran out comes back as a new attempt: the late outcome of the old one is refused', async () => {
    const tx = await submit(t.api);
    await claim(t.api, BOX);
    t.clock!.advance(t.config.callboxDefaults.timeoutMs + 1);
    await t.api.post(paths.heartbeat, { callboxId: BOX, status: 'active' });
    expect(await tick(t.api)).toMatchObject({ requeued: 1 });
    // Degraded for sitting on it: the dispatcher deals it to nobody, and the box gets it back after the cool-down.
    t.clock!.advance(t.config.degradedCooldownMs);
    await t.api.post(paths.heartbeat, { callboxId: BOX, status: 'active' });
    expect((await claim(t.api, BOX)).transactions).toEqual([expect.objectContaining({ id: tx.id, attempt: 2 })]);
    expectError(await put(tx.id, 'completed'), 409, 'TRANSACTION.PROCESSING_REPORT_REQUIRED');
    expectError(await put(tx.id, 'completed', 1), 409, 'TRANSACTION.STALE_ATTEMPT');
  });

  it('refuses an attempt that is not a positive whole number with 400', async () => {
    const tx = await submit(t.api);
    await claim(t.api, BOX);
    for (const attempt of [0, -1, 1.5, '1']) {
      const res = await t.api.put(paths.status(tx.id), { status: 'processing', callboxId: BOX, attempt });
      expectStatus(res, 400);
      expect(Object.keys(res.body.fields)).toContain('attempt');
    }
  });
});
