import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, expectInvalidField, expectStatus, iso, paths, registerBox, report, submit } from './callbox-api';

const RETRY_BASE_DELAY_MS = 2_000;
/** The spec's example result (section 5). */
const SPEC_RESULT = { success: true, transactionRef: 'MTN123456789', balance: 2500, message: 'Recharge effectuée avec succès' };

describe('Transaction status updates (PUT /api/call-box/transactions/{id}/status)', () => {
  let t: TestApp;
  let repository: TransactionRepository;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { RETRY_BASE_DELAY_MS: String(RETRY_BASE_DELAY_MS) } });
    repository = t.app.get(TransactionRepository);
    await registerBox(t.api, 'callbox_001');
    await registerBox(t.api, 'callbox_002');
  });
  afterEach(async () => t.close());

  /** A transaction submitted, then claimed by `callboxId`. */
  const assignedTo = async (callboxId = 'callbox_001') => {
    const tx = await submit(t.api);
    const { transactions } = await claim(t.api, callboxId, 1);
    expect(transactions.map((x) => x.id)).toEqual([tx.id]);
    return transactions[0];
  };
  const moved = async (id: string, callboxId: string, status: string, result?: Record<string, unknown>) => {
    t.clock!.advance(1_000);
    const res = await report(t.api, id, callboxId, status, result);
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ success: true, message: 'Statut mis à jour', transaction: { id, status: expect.any(String) } });
    return res.body.transaction;
  };
  const events = async (id: string) =>
    (await repository.listEvents(id)).map(({ from, to, actor, at }) => ({ from, to, actor, at }));

  it('assigned -> processing -> completed, with times, result and one event per change', async () => {
    const tx = await assignedTo();
    const processing = await moved(tx.id, 'callbox_001', 'processing');
    const startedAt = t.clock!.now();
    expect(processing).toMatchObject({ status: 'processing', assignedTo: 'callbox_001', startedAt: iso(startedAt), completedAt: null });

    const completed = await moved(tx.id, 'callbox_001', 'completed', SPEC_RESULT);
    const completedAt = t.clock!.now();
    expect(completed).toMatchObject({ status: 'completed', startedAt: iso(startedAt), completedAt: iso(completedAt), result: SPEC_RESULT });

    expect(await events(tx.id)).toEqual([
      { from: null, to: 'pending', actor: expect.any(String), at: Date.parse(tx.createdAt) },
      { from: 'pending', to: 'assigned', actor: 'callbox:callbox_001', at: Date.parse(tx.assignedAt) },
      { from: 'assigned', to: 'processing', actor: 'callbox:callbox_001', at: startedAt },
      { from: 'processing', to: 'completed', actor: 'callbox:callbox_001', at: completedAt },
    ]);
  });

  it('assigned -> completed directly is allowed', async () => {
    const tx = await assignedTo();
    expect(await moved(tx.id, 'callbox_001', 'completed', SPEC_RESULT)).toMatchObject({ status: 'completed', result: SPEC_RESULT });
  });

  it.each([
    ['processing', ['processing']],
    ['completed', ['completed']],
  ])('repeating %s is a 200 no-op: nothing changes, no new event', async (_, path) => {
    const tx = await assignedTo();
    let current = tx;
    for (const status of path) current = await moved(tx.id, 'callbox_001', status, SPEC_RESULT);
    const trail = await events(tx.id);

    t.clock!.advance(5_000);
    const repeat = await report(t.api, tx.id, 'callbox_001', path[path.length - 1], { success: false, message: 'autre' });
    expectStatus(repeat, 200);
    expect(repeat.body).toEqual({ success: true, message: 'Statut déjà enregistré', transaction: current });
    expect(await events(tx.id)).toEqual(trail);
  });

  it.each([
    ['completed', 'processing'],
    ['completed', 'failed'],
    ['completed', 'pending'],
    ['processing', 'pending'],
    ['processing', 'assigned'],
    ['processing', 'retry'],
  ])('%s -> %s is 409 TRANSACTION.ILLEGAL_TRANSITION and changes nothing', async (from, to) => {
    const tx = await assignedTo();
    if (from === 'completed') await moved(tx.id, 'callbox_001', 'processing');
    const current = await moved(tx.id, 'callbox_001', from);
    const trail = await events(tx.id);

    expectError(await report(t.api, tx.id, 'callbox_001', to), 409, 'TRANSACTION.ILLEGAL_TRANSITION');
    expect((await report(t.api, tx.id, 'callbox_001', from)).body.transaction).toEqual(current);
    expect(await events(tx.id)).toEqual(trail);
  });

  it("is 403 TRANSACTION.NOT_ASSIGNED_TO_CALLBOX on another box's transaction", async () => {
    const tx = await assignedTo('callbox_001');
    const trail = await events(tx.id);
    for (const status of ['processing', 'completed', 'failed', 'pending']) {
      expectError(await report(t.api, tx.id, 'callbox_002', status), 403, 'TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
    }
    expect(await events(tx.id)).toEqual(trail);
    expect((await claim(t.api, 'callbox_001')).transactions[0]).toMatchObject({ id: tx.id, status: 'assigned' });
  });

  it('is 403 on a transaction no box claimed', async () => {
    const tx = await submit(t.api);
    expectError(await report(t.api, tx.id, 'callbox_001', 'completed'), 403, 'TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
    expect(await events(tx.id)).toHaveLength(1);
  });

  it.each([['tx_1768471200_doesnotexist'], ["tx_1' OR '1'='1"], ['nope']])('is 404 TRANSACTION.NOT_FOUND for id %s', async (id) => {
    expectError(await report(t.api, id, 'callbox_001', 'completed'), 404, 'TRANSACTION.NOT_FOUND');
  });

  it.each([
    ['an unknown status', { status: 'done' }, 'status'],
    ['needs_review (not in the spec)', { status: 'needs_review' }, 'status'],
    ['no status', { status: undefined }, 'status'],
    ['no callboxId', { callboxId: undefined }, 'callboxId'],
    ['a malformed callboxId', { callboxId: 'box one' }, 'callboxId'],
    ['result as a string', { result: 'ok' }, 'result'],
    ['a non-numeric balance', { result: { balance: 'beaucoup' } }, 'result.balance'],
  ])('refuses %s with 400', async (_, overrides, field) => {
    const tx = await assignedTo();
    expectInvalidField(await t.api.put(paths.status(tx.id), { status: 'processing', callboxId: 'callbox_001', ...overrides }), field);
    expect(await events(tx.id)).toHaveLength(2);
  });

  describe('failure and retry', () => {
    /** What the dispatcher (sync issue) does to a due retry: back to the queue. */
    const requeue = (id: string) =>
      repository.transition(id, () => ({ to: 'pending', patch: { assignedTo: null, assignedAt: null }, actor: 'dispatcher', at: t.clock!.now(), details: null }));

    it.each([['assigned'], ['processing']])(
      'failed from %s with retries left -> retry, retryCount + 1, next attempt after base x 2^(n-1) minus jitter',
      async (from) => {
        const tx = await assignedTo();
        if (from === 'processing') await moved(tx.id, 'callbox_001', 'processing');
        const failure = { success: false, errorCode: 'USSD_TIMEOUT', message: 'Pas de réponse USSD' };
        const retry = await moved(tx.id, 'callbox_001', 'failed', failure);
        const failedAt = t.clock!.now();
        expect(retry).toMatchObject({ status: 'retry', retryCount: 1, result: failure, completedAt: null });
        const delay = Date.parse(retry.nextAttemptAt) - failedAt;
        expect(delay).toBeGreaterThanOrEqual(0.8 * RETRY_BASE_DELAY_MS);
        expect(delay).toBeLessThanOrEqual(RETRY_BASE_DELAY_MS);
        expect((await events(tx.id)).slice(-1)).toEqual([{ from, to: 'retry', actor: 'callbox:callbox_001', at: failedAt }]);
      },
    );

    it("repeating 'failed' while in retry is a 200 no-op", async () => {
      const tx = await assignedTo();
      const retry = await moved(tx.id, 'callbox_001', 'failed');
      const trail = await events(tx.id);
      const repeat = await report(t.api, tx.id, 'callbox_001', 'failed');
      expectStatus(repeat, 200);
      expect(repeat.body).toEqual({ success: true, message: 'Statut déjà enregistré', transaction: retry });
      expect(await events(tx.id)).toEqual(trail);
    });

    it('the wait doubles with each retry, and the last allowed failure is final', async () => {
      const { maxRetries } = (await t.api.get(paths.config())).body.config;
      const tx = await assignedTo();
      for (let n = 1; n <= maxRetries; n++) {
        // Handed out again, the work must be started in this attempt before its outcome counts.
        await moved(tx.id, 'callbox_001', 'processing');
        const retry = await moved(tx.id, 'callbox_001', 'failed');
        const ceiling = RETRY_BASE_DELAY_MS * 2 ** (n - 1);
        const delay = Date.parse(retry.nextAttemptAt) - t.clock!.now();
        expect(retry.retryCount).toBe(n);
        expect(delay).toBeGreaterThanOrEqual(0.8 * ceiling);
        expect(delay).toBeLessThanOrEqual(ceiling);
        t.clock!.set(Date.parse(retry.nextAttemptAt));
        await requeue(tx.id);
        expect((await claim(t.api, 'callbox_001', 1)).transactions.map((x) => x.id)).toEqual([tx.id]);
      }
      await moved(tx.id, 'callbox_001', 'processing');
      const failed = await moved(tx.id, 'callbox_001', 'failed');
      expect(failed).toMatchObject({ status: 'failed', retryCount: maxRetries, completedAt: iso(t.clock!.now()) });
      expectError(await report(t.api, tx.id, 'callbox_001', 'processing'), 409, 'TRANSACTION.ILLEGAL_TRANSITION');
    });
  });

  describe('handing work back', () => {
    it('assigned -> pending frees the transaction for any box', async () => {
      const tx = await assignedTo('callbox_001');
      const released = await moved(tx.id, 'callbox_001', 'pending');
      expect(released).toMatchObject({ status: 'pending', assignedTo: null, assignedAt: null });
      expect((await events(tx.id)).slice(-1)).toEqual([
        { from: 'assigned', to: 'pending', actor: 'callbox:callbox_001', at: t.clock!.now() },
      ]);
      expect((await claim(t.api, 'callbox_002')).transactions).toEqual([expect.objectContaining({ id: tx.id, assignedTo: 'callbox_002' })]);
    });

    it('processing work cannot be handed back (409)', async () => {
      const tx = await assignedTo();
      await moved(tx.id, 'callbox_001', 'processing');
      expectError(await report(t.api, tx.id, 'callbox_001', 'pending'), 409, 'TRANSACTION.ILLEGAL_TRANSITION');
      expect(await claim(t.api, 'callbox_002')).toMatchObject({ count: 0 });
    });
  });
});

describe('Transaction status updates without retries (MAX_RETRIES=0)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true, env: { MAX_RETRIES: '0' } });
    await registerBox(t.api, 'callbox_001');
  });
  afterAll(async () => t.close());

  it("'failed' is final: status failed, completedAt set, retryCount unchanged", async () => {
    const tx = await submit(t.api);
    expect(tx.maxRetries).toBe(0);
    await claim(t.api, 'callbox_001');
    t.clock!.advance(3_000);
    const res = await report(t.api, tx.id, 'callbox_001', 'failed', { success: false, errorCode: 'INSUFFICIENT_FUNDS' });
    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject({ status: 'failed', retryCount: 0, nextAttemptAt: null, completedAt: iso(t.clock!.now()) });

    const events = await t.app.get(TransactionRepository).listEvents(tx.id);
    expect(events.slice(-1)).toEqual([expect.objectContaining({ from: 'assigned', to: 'failed', actor: 'callbox:callbox_001' })]);
    const repeat = await report(t.api, tx.id, 'callbox_001', 'failed');
    expect(repeat.body).toMatchObject({ message: 'Statut déjà enregistré', transaction: res.body.transaction });
    expect(await t.app.get(TransactionRepository).listEvents(tx.id)).toHaveLength(events.length);
  });
});
