import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, expectInvalidField, expectStatus, registerBox, report, stats, submit } from '../callbox/callbox-api';
import { beat, counts, detail, syncPaths, tick } from './sync-api';

const A = 'callbox_001';
const B = 'callbox_002';
const UNKNOWN = 'tx_1768471200_unknown000';

describe('Settling work in doubt (POST /api/call-box/transactions/{id}/resolve)', () => {
  let t: TestApp;
  let inDoubt: string;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
    await registerBox(t.api, A);
    inDoubt = (await submit(t.api, { payItemId: 'IN_DOUBT' })).id;
    await claim(t.api, A);
    expectStatus(await report(t.api, inDoubt, A, 'processing'), 200);
    // A goes silent while B stays: A's started work is set aside.
    await registerBox(t.api, B);
    t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
    await beat(t.api, B);
    expect((await tick(t.api)).needsReview).toBe(1);
  });
  afterEach(async () => t.close());

  const resolve = (id: string, body: unknown, auth: 'admin' | 'callbox' | 'none' = 'admin') =>
    t.api.post(syncPaths.resolve(id), body, { auth });

  it.each(['completed', 'failed'] as const)('makes a needs_review transaction %s, with the note in its history', async (outcome) => {
    t.clock!.advance(60_000);
    const note = `Vérifié auprès de MTN: ${outcome}`;
    const res = await resolve(inDoubt, { outcome, note });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ success: true, message: expect.stringMatching(/\S/) });
    const now = new Date(t.clock!.now()).toISOString();
    expect(res.body.transaction).toMatchObject({
      id: inDoubt,
      status: outcome,
      completedAt: now,
      result: expect.objectContaining({ resolution: { outcome, note, by: 'admin' } }),
    });
    const last = { from: 'needs_review', to: outcome, actor: 'admin', at: now, details: { note } };
    expect(res.body.transaction.events.at(-1)).toEqual(last);
    expect(await detail(t.api, inDoubt)).toEqual(res.body.transaction);

    // Final: later ticks leave it alone, and the stats count it.
    await beat(t.api, B);
    expect(await tick(t.api)).toEqual(counts());
    expect((await detail(t.api, inDoubt)).status).toBe(outcome);
    expect(await stats(t.api)).toMatchObject({
      needsReviewTransactions: 0,
      [`${outcome}Transactions`]: 1,
    });
  });

  it('accepts a resolution without a note (recorded as null)', async () => {
    const res = await resolve(inDoubt, { outcome: 'failed' });
    expectStatus(res, 200);
    expect(res.body.transaction.events.at(-1)).toMatchObject({ actor: 'admin', details: { note: null } });
  });

  it('refuses any transaction not in review with 409 TRANSACTION.NOT_IN_REVIEW', async () => {
    const assigned = (await submit(t.api, { payItemId: 'ASSIGNED' })).id;
    t.clock!.advance(1);
    const processing = (await submit(t.api, { payItemId: 'PROCESSING' })).id;
    t.clock!.advance(1);
    const pending = (await submit(t.api, { payItemId: 'STILL_PENDING' })).id;
    expect((await claim(t.api, B, 2)).transactions.map((tx) => tx.id)).toEqual([assigned, processing]);
    expectStatus(await report(t.api, processing, B, 'processing'), 200);
    expectStatus(await resolve(inDoubt, { outcome: 'completed' }), 200);

    const expected: Array<[string, string]> = [
      [pending, 'pending'],
      [assigned, 'assigned'],
      [processing, 'processing'],
      [inDoubt, 'completed'],
    ];
    for (const [id, status] of expected) {
      const res = await resolve(id, { outcome: 'failed', note: 'trop tard' });
      expectError(res, 409, 'TRANSACTION.NOT_IN_REVIEW');
      expect(res.body.context).toMatchObject({ transactionId: id, currentStatus: status });
      expect((await detail(t.api, id)).status).toBe(status);
    }
  });

  it.each([
    ['an outcome outside completed/failed', { outcome: 'retry' }, 'outcome'],
    ['no outcome', { note: 'oubli' }, 'outcome'],
    ['a note over 1000 characters', { outcome: 'completed', note: 'x'.repeat(1001) }, 'note'],
  ])('refuses %s with 400, leaving it in review', async (_, body, field) => {
    expectInvalidField(await resolve(inDoubt, body), field);
    expect((await detail(t.api, inDoubt)).status).toBe('needs_review');
  });

  it('answers 404 for an unknown transaction', async () => {
    expectError(await resolve(UNKNOWN, { outcome: 'completed' }), 404, 'TRANSACTION.NOT_FOUND');
  });

  it('refuses the CallBox Bearer token with 403, and no credentials with 401', async () => {
    expectError(await resolve(inDoubt, { outcome: 'completed' }, 'callbox'), 403, 'AUTH.ADMIN_REQUIRED');
    expectError(await resolve(inDoubt, { outcome: 'completed' }, 'none'), 401, 'AUTH.MISSING_API_KEY');
    expect((await detail(t.api, inDoubt)).status).toBe('needs_review');
  });
});
