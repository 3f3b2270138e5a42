import { rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { syncPaths } from '../sync/sync-api';
import { expectError, expectStatus, paths } from './callbox-api';

const BOUND_TOKEN = 'bound-token-of-callbox-009-0123';

/**
 * Issue 20, item 7: two boxes sharing the fleet token no longer share one Idempotency-Key
 * namespace once each names itself (`callboxId` in the submit body).
 */
describe('Idempotency-Key scope of box submits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CALLBOX_TOKENS: `callbox_009:${BOUND_TOKEN}` } });
  });
  afterAll(async () => t.close());

  const submitAs = (key: string, body: Record<string, unknown>, auth?: { bearer: string }) =>
    t.api.post(paths.submit, body, { headers: { 'Idempotency-Key': key }, ...(auth && { auth }) });

  it("box B's submit with box A's key is B's own transaction", async () => {
    const a = await submitAs('order-1', { ...rechargeSubmission(), callboxId: 'callbox_001' });
    const b = await submitAs('order-1', { ...rechargeSubmission({ amount: 2000 }), callboxId: 'callbox_002' });
    expectStatus(a, 200);
    expectStatus(b, 200);
    expect(b.body.transaction.id).not.toBe(a.body.transaction.id);
    expect(b.body.transaction.amount).toBe(2000);
    // Each box's replay finds its own.
    expect((await submitAs('order-1', { ...rechargeSubmission(), callboxId: 'callbox_001' })).body.transaction.id).toBe(a.body.transaction.id);
    const replayB = await submitAs('order-1', { ...rechargeSubmission({ amount: 2000 }), callboxId: 'callbox_002' });
    expect(replayB.body.transaction.id).toBe(b.body.transaction.id);
    // Same box, same key, another body: still a 409.
    expectError(await submitAs('order-1', { ...rechargeSubmission({ amount: 3000 }), callboxId: 'callbox_001' }), 409, 'IDEMPOTENCY.KEY_REUSED');
  });

  it('without callboxId the fleet token keeps one namespace, apart from the boxes that name themselves', async () => {
    const fleet = await submitAs('order-2', rechargeSubmission());
    expect((await submitAs('order-2', rechargeSubmission())).body.transaction.id).toBe(fleet.body.transaction.id);
    const named = await submitAs('order-2', { ...rechargeSubmission(), callboxId: 'callbox_001' });
    expect(named.body.transaction.id).not.toBe(fleet.body.transaction.id);
  });

  it("a box-bound token's keys are its box's, named or not; naming another box is 403", async () => {
    const auth = { bearer: BOUND_TOKEN };
    const unnamed = await submitAs('order-3', rechargeSubmission(), auth);
    const named = await submitAs('order-3', { ...rechargeSubmission(), callboxId: 'callbox_009' }, auth);
    expect(named.body.transaction.id).toBe(unnamed.body.transaction.id);
    expectError(await submitAs('order-4', { ...rechargeSubmission(), callboxId: 'callbox_001' }, auth), 403, 'AUTH.CALLBOX_MISMATCH');
  });

  it('the main system keeps its own namespace (a callboxId it sends changes nothing)', async () => {
    const push = (body: Record<string, unknown>) =>
      t.api.post(syncPaths.toCallBox, body, { auth: 'admin', headers: { 'Idempotency-Key': 'order-5' } });
    const first = await push(rechargeSubmission());
    expect((await push({ ...rechargeSubmission(), callboxId: 'callbox_001' })).body.transaction.id).toBe(first.body.transaction.id);
    const box = await submitAs('order-5', { ...rechargeSubmission(), callboxId: 'callbox_001' });
    expect(box.body.transaction.id).not.toBe(first.body.transaction.id);
  });

  it('refuses a malformed callboxId with 400', async () => {
    const res = await submitAs('order-6', { ...rechargeSubmission(), callboxId: 'box one' });
    expectStatus(res, 400);
    expect(Object.keys(res.body.fields)).toContain('callboxId');
  });
});
