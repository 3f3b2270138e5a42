import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { heartbeat } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, expectStatus, paths, registerBox, report, submit } from './callbox-api';

const TTL_MS = 60_000;

/**
 * The same refusal for the same fault on every route (issue 15, 7 and 8): an unregistered box is a
 * 404 CALLBOX.NOT_REGISTERED wherever it speaks, a report on expired work a 409 that says so, an
 * impossible report named by what the box sent, and a bad poll `limit` worded for what was wrong.
 */
describe('Consistent refusals of the CallBox API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { PENDING_TTL_MS: String(TTL_MS) } });
    await registerBox(t.api, 'callbox_001');
  });
  afterEach(async () => t.close());
  const events = async (id: string) => t.app.get(TransactionRepository).listEvents(id);

  it('a box that never registered gets 404 CALLBOX.NOT_REGISTERED from a status report, as from poll, heartbeat and config', async () => {
    const tx = await submit(t.api);
    await claim(t.api, 'callbox_001', 1);
    const trail = await events(tx.id);
    for (const status of ['processing', 'completed', 'failed', 'pending']) {
      expectError(await report(t.api, tx.id, 'callbox_999', status), 404, 'CALLBOX.NOT_REGISTERED');
    }
    // Work no box holds yet: the same refusal.
    const unclaimed = await submit(t.api, { payItemId: 'UNCLAIMED' });
    expectError(await report(t.api, unclaimed.id, 'callbox_999', 'completed'), 404, 'CALLBOX.NOT_REGISTERED');
    expectError(await t.api.get(paths.pending('callbox_999')), 404, 'CALLBOX.NOT_REGISTERED');
    expectError(await t.api.post(paths.heartbeat, heartbeat('callbox_999')), 404, 'CALLBOX.NOT_REGISTERED');
    expectError(await t.api.get(paths.config('callbox_999')), 404, 'CALLBOX.NOT_REGISTERED');
    expect(await events(tx.id)).toEqual(trail);
    // A registered box reporting on another box's work is still a 403.
    await registerBox(t.api, 'callbox_002');
    expectError(await report(t.api, tx.id, 'callbox_002', 'completed'), 403, 'TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
  });

  it('a report on an expired transaction is 409 TRANSACTION.EXPIRED and changes nothing', async () => {
    const tx = await submit(t.api);
    t.clock!.advance(TTL_MS + 1);
    expect((await t.api.post('/api/sync/force', undefined, { auth: 'admin' })).body.counts.expired).toBe(1);
    const trail = await events(tx.id);
    for (const status of ['processing', 'completed', 'failed']) {
      const res = await report(t.api, tx.id, 'callbox_001', status);
      expectError(res, 409, 'TRANSACTION.EXPIRED');
      expect(res.body.error).toMatch(/expirée/);
    }
    expect(await events(tx.id)).toEqual(trail);
  });

  it('`failed` on completed work is refused as `failed`, the status the box sent, not as a retry', async () => {
    const tx = await submit(t.api);
    await claim(t.api, 'callbox_001', 1);
    expectStatus(await report(t.api, tx.id, 'callbox_001', 'completed', { success: true }), 200);
    const res = await report(t.api, tx.id, 'callbox_001', 'failed');
    expectError(res, 409, 'TRANSACTION.ILLEGAL_TRANSITION');
    expect(res.body.error).toBe('Transition impossible de completed vers failed');
    expect(JSON.stringify(res.body)).not.toContain('retry');
  });

  it.each([['101'], ['-1'], ['0'], ['1e2'], ['5.5']])('a poll with limit=%s is 400, worded for what a limit must be', async (limit) => {
    const res = await t.api.get(paths.pending('callbox_001', limit));
    expectError(res, 400, 'REQUEST.INVALID');
    expect(JSON.stringify(res.body)).toContain('limit must be a whole number from 1 to 100');
    expect(JSON.stringify(res.body)).not.toContain('greater than');
  });

  it('limit=100 is accepted (the documented maximum), capped by the batchSize', async () => {
    for (let i = 0; i < 7; i++) await submit(t.api, { payItemId: `LIMIT_${i}` });
    const res = await t.api.get(paths.pending('callbox_001', 100));
    expectStatus(res, 200);
    expect(res.body.count).toBe(5);
  });
});
